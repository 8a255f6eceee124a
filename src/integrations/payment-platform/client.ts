// The HTTP client of the Payment Platform: INIT (open a payment, get the page the citizen pays on) and QUERY (the state
// of a payment, for reconciliation). The contract's GET_BILL (the platform's e-receipt) is not used: motcua issues its
// own receipt (services/payments/payment-receipt.ts). Each call is a JSON POST to PAYMENT_PLATFORM_URL + /init or
// /query, with `Authorization: Bearer` when a static token is configured and MaXacThuc in the body. Failures become PaymentPlatformError: `retryable` says a later try may succeed (unreachable,
// timeout, 5xx, an answer we cannot read or verify) rather than a refusal of what we sent.
import { networkInterfaces } from 'node:os';
import type { PaymentPlatformConfig } from '../../config.js';
import { checksumMatches, paymentChecksum } from './checksum.js';
import { vnTimestamp } from '../../calendar/vn-time.js';
import {
  INIT_CONSTANTS, initMessageSchema, initResponseSchema, PROTOCOL_VERSION, queryResponseSchema, type QueryResponse,
} from './wire.js';

export class PaymentPlatformError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
    this.name = 'PaymentPlatformError';
  }
}

export interface InitRequest {
  reference: string;
  amount: number;
  /** ThongTinGiaoDich, shown to the citizen on the platform and on the bank statement. */
  description: string;
  /** ThoiGianGD: when the attempt was made (QUERY must name the same time later). */
  at: Date;
}

/** The first IPv4 address of this machine that is not loopback (the contract's `Ip`); 127.0.0.1 when there is none. */
function serverIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function post(config: PaymentPlatformConfig, path: string, body: Record<string, unknown>): Promise<Response> {
  try {
    return await fetch(`${config.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(config.accessToken ? { authorization: `Bearer ${config.accessToken}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    throw new PaymentPlatformError(`payment platform unreachable (${path}): ${(error as Error).message}`, true);
  }
}

async function readJson(response: Response, path: string): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (response.status >= 500) throw new PaymentPlatformError(`payment platform ${path}: HTTP ${response.status}`, true, response.status);
  try {
    return JSON.parse(text);
  } catch {
    throw new PaymentPlatformError(`payment platform ${path}: HTTP ${response.status}, not JSON`, true, response.status);
  }
}

/** Opens a payment; returns UrlThanhToan, where the citizen's browser goes to pay. */
export async function initPayment(config: PaymentPlatformConfig, request: InitRequest): Promise<{ paymentUrl: string }> {
  const message = {
    LoaiBanTin: 'INIT', PhienBan: PROTOCOL_VERSION, MaDoiTac: config.partnerCode, MaThamChieu: request.reference, SoTien: String(request.amount),
    ...INIT_CONSTANTS, ThongTinGiaoDich: request.description, ThoiGianGD: vnTimestamp(request.at), Ip: serverIp(),
  };
  const response = await post(config, '/init', { ...message, MaXacThuc: paymentChecksum('INIT', message, config.secret) });
  const answer = initResponseSchema.safeParse(await readJson(response, '/init'));
  if (!answer.success) throw new PaymentPlatformError(`payment platform /init: unexpected answer (HTTP ${response.status})`, true, response.status);
  if (answer.data.error_code !== '0') {
    throw new PaymentPlatformError(`payment platform refused INIT: ${answer.data.error_code} ${answer.data.message}`.slice(0, 500), false, response.status);
  }
  let inner: unknown;
  try { inner = JSON.parse(answer.data.message); } catch { inner = undefined; }
  const parsed = initMessageSchema.safeParse(inner);
  if (!parsed.success) throw new PaymentPlatformError('payment platform /init: no UrlThanhToan in its answer', true, response.status);
  return { paymentUrl: parsed.data.UrlThanhToan };
}

/**
 * The platform's state of a payment opened at `initAt`. The answer has the callback's shape and must carry a valid
 * MaXacThuc by the callback's recipe — but that recipe, as the contract notes give it, does NOT cover TrangThaiGD, the
 * field that says paid (1), pending (3) or failed (4). The checksum proves the platform wrote the other fields, not
 * the verdict: only the transport protects it, which is why PAYMENT_PLATFORM_URL must be https (config.ts; http only
 * to a simulator on this machine). What we can check we do: the answer must name the reference we asked about, and
 * the caller acts on "paid" only with a transaction id (reconcile-payments.ts).
 */
export async function queryPayment(config: PaymentPlatformConfig, reference: string, initAt: Date): Promise<{ answer: QueryResponse; raw: Record<string, unknown> }> {
  const message = { LoaiBanTin: 'QUERY', PhienBan: PROTOCOL_VERSION, MaDoiTac: config.partnerCode, MaThamChieu: reference, ThoiGianGD: vnTimestamp(initAt) };
  const response = await post(config, '/query', { ...message, MaXacThuc: paymentChecksum('QUERY', message, config.secret) });
  const raw = await readJson(response, '/query');
  if (response.status >= 400) {
    const refusal = initResponseSchema.safeParse(raw);
    throw new PaymentPlatformError(`payment platform refused QUERY: ${refusal.success ? `${refusal.data.error_code} ${refusal.data.message}` : `HTTP ${response.status}`}`, false, response.status);
  }
  const parsed = queryResponseSchema.safeParse(raw);
  if (!parsed.success) throw new PaymentPlatformError('payment platform /query: unexpected answer', true, response.status);
  if (!checksumMatches('CONFIRM', raw as Record<string, unknown>, config.secret, parsed.data.MaXacThuc)) {
    throw new PaymentPlatformError('payment platform /query: answer checksum does not match', true, response.status);
  }
  if (parsed.data.MaThamChieu !== reference) {
    throw new PaymentPlatformError(`payment platform /query: the answer is about ${parsed.data.MaThamChieu.slice(0, 100)}, not ${reference}`, false, response.status);
  }
  return { answer: parsed.data, raw: raw as Record<string, unknown> };
}
