// HTTP client of a SmartCA-style remote-signing provider: the holder's certificate by their ID number, a request with
// one or more SHA-256 hashes (one confirmation on the holder's phone), and the transaction's status with one detached
// CMS per hash once confirmed. Every call has a time limit. The client secret goes in request bodies only: it is never
// put in an error message or a log line.
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { RemoteSigningConfig } from '../config.js';
import { AppError } from '../errors.js';
import { TimeoutError, withTimeout } from '../timeouts.js';

/** One call's limit: a provider that hangs must not hold a request or a job for long. */
export const REMOTE_CALL_TIMEOUT_MS = 10_000;

/** The provider is unreachable, timed out or failed (5xx): try again later. */
export class RemoteProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteProviderUnavailable';
  }
}

/** The provider answered with a refusal (4xx): `status` and its message. Trying again will not help. */
export class RemoteProviderRefusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RemoteProviderRefusal';
  }
}

export interface RemoteCertificate { certId: string; certificatePem: string; chainPem: string[] }
export type RemoteTransactionStatus = 'pending' | 'confirmed' | 'rejected' | 'expired';
export interface RemoteStatus { status: RemoteTransactionStatus; signatures: Map<string, Buffer> }

const envelope = z.object({ status_code: z.number().int().optional(), message: z.string().optional(), data: z.unknown().optional() });
const certificates = z.object({
  user_certificates: z.array(z.object({
    cert_id: z.string().min(1), cert_data: z.string().min(1), chain_data: z.array(z.string()).optional(),
  })),
});
const signResponse = z.object({ transaction_id: z.string().min(1).max(200), expires_at: z.string().optional(), expired_in: z.number().optional() });
const statusResponse = z.object({
  tran_status: z.enum(['pending', 'confirmed', 'rejected', 'expired']),
  signatures: z.array(z.object({ doc_id: z.string(), signature_value: z.string() })).nullable().optional(),
});

function pemOf(base64Der: string): string {
  const body = base64Der.replace(/\s+/g, '');
  // Parsed once here: a malformed certificate is the provider's fault, reported as such.
  const certificate = new X509Certificate(Buffer.from(body, 'base64'));
  return certificate.toString();
}

export class RemoteSigningClient {
  constructor(private readonly config: Pick<RemoteSigningConfig, 'url' | 'clientId' | 'clientSecret'>, private readonly timeoutMs = REMOTE_CALL_TIMEOUT_MS) {}

  private async call(path: string, body: Record<string, unknown>): Promise<unknown> {
    const url = `${this.config.url}${path}`;
    const controller = new AbortController();
    let response: Response;
    let text: string;
    try {
      // The body is read under the same limit: a provider that sends headers and then stalls is still cut off.
      [response, text] = await withTimeout((async () => {
        const r = await fetch(url, {
          method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ client_id: this.config.clientId, client_secret: this.config.clientSecret, ...body }),
        });
        return [r, await r.text()] as const;
      })(), this.timeoutMs, `remote signing ${path}`);
    } catch (error) {
      controller.abort();
      const why = error instanceof TimeoutError ? `no answer within ${this.timeoutMs} ms` : (error as Error).message;
      throw new RemoteProviderUnavailable(`remote-signing provider unreachable (${path}): ${why}`, { cause: error });
    }
    let parsed: z.infer<typeof envelope> | undefined;
    try {
      parsed = envelope.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (response.status >= 500 || (response.ok && !parsed)) {
      throw new RemoteProviderUnavailable(`remote-signing provider failed (${path}): HTTP ${response.status}`);
    }
    if (!response.ok) throw new RemoteProviderRefusal(response.status, (parsed?.message ?? `HTTP ${response.status}`).slice(0, 300));
    return parsed!.data;
  }

  private parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
    const result = schema.safeParse(data);
    if (!result.success) throw new RemoteProviderUnavailable(`remote-signing provider sent an unexpected ${what} answer`);
    return result.data;
  }

  /** The holder's signing certificate (the first the provider lists) and its chain. */
  async getCertificate(holderId: string): Promise<RemoteCertificate> {
    const data = this.parse(certificates, await this.call('/v1/credentials/get_certificate', { user_id: holderId }), 'certificate');
    const first = data.user_certificates[0];
    if (!first) throw new RemoteProviderRefusal(404, 'no certificate for this user');
    try {
      return { certId: first.cert_id, certificatePem: pemOf(first.cert_data), chainPem: (first.chain_data ?? []).map(pemOf) };
    } catch {
      throw new RemoteProviderUnavailable('remote-signing provider sent a certificate that does not parse');
    }
  }

  /** Sends the hashes (hex SHA-256, keyed by our document ids); the holder sees `description` on their phone. */
  async requestSignatures(input: { holderId: string; certId: string; description: string; documents: Array<{ id: string; sha256: Buffer }> }): Promise<{ transactionId: string; expiresAt: Date | null }> {
    const data = this.parse(signResponse, await this.call('/v1/signatures/sign', {
      user_id: input.holderId, cert_id: input.certId, transaction_desc: input.description,
      sign_files: input.documents.map((d) => ({ doc_id: d.id, data_to_be_signed: d.sha256.toString('hex'), file_type: 'pdf', sign_type: 'hash' })),
    }), 'sign');
    const expiresAt = data.expires_at ? new Date(data.expires_at)
      : data.expired_in !== undefined ? new Date(Date.now() + data.expired_in * 1000) : null;
    return { transactionId: data.transaction_id, expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null };
  }

  async status(transactionId: string): Promise<RemoteStatus> {
    const data = this.parse(statusResponse, await this.call(`/v1/signatures/sign/${encodeURIComponent(transactionId)}/status`, {}), 'status');
    const signatures = new Map<string, Buffer>();
    for (const s of data.signatures ?? []) signatures.set(s.doc_id, Buffer.from(s.signature_value, 'base64'));
    return { status: data.tran_status, signatures };
  }
}

const clients = new Map<string, RemoteSigningClient>();

/** The configured provider's client (one per configuration); REMOTE_SIGNING_NOT_CONFIGURED when there is none. */
export function remoteSigningClient(config: { remoteSigning: RemoteSigningConfig | undefined }): RemoteSigningClient {
  const settings = config.remoteSigning;
  if (!settings) throw new AppError('REMOTE_SIGNING_NOT_CONFIGURED', 'Máy chủ chưa được cấu hình dịch vụ ký số từ xa.');
  const key = `${settings.url}|${settings.clientId}|${settings.clientSecret}`;
  let client = clients.get(key);
  if (!client) clients.set(key, (client = new RemoteSigningClient(settings)));
  return client;
}

/** A provider failure as the caller's answer: unreachable → 503, "no such holder" → 422, another refusal → 502. */
export function providerFailure(error: unknown): unknown {
  if (error instanceof RemoteProviderUnavailable) {
    return new AppError('REMOTE_SIGNING_UNAVAILABLE', 'Dịch vụ ký số từ xa tạm thời không phản hồi. Vui lòng thử lại sau ít phút.');
  }
  if (error instanceof RemoteProviderRefusal) {
    if (error.status === 404) return new AppError('REMOTE_HOLDER_NOT_FOUND', 'Nhà cung cấp dịch vụ ký số từ xa không có chứng thư số cho số định danh này.', { remoteHolderId: 'Không có chứng thư số.' });
    return new AppError('REMOTE_SIGNING_REFUSED', `Dịch vụ ký số từ xa từ chối yêu cầu: ${error.message}`);
  }
  return error;
}
