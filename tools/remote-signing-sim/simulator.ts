// A SmartCA-style remote-signing provider in one small node:http server, for tests, the embedded demo and benchmarks.
// The API shape of the Vietnamese remote-signing services: a service provider (client_id/client_secret in every
// body) gets a holder's certificate by their 12-digit ID number, sends one or more SHA-256 hashes with a description
// shown on the holder's phone, and polls the transaction until the holder confirmed (one detached CMS per hash),
// rejected it, or it expired. The "phone" is a timer (autoConfirmMs) or the /sim/* endpoints. See README.md.
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import {
  createCertificateAuthority, detachedCmsForHash, issueHolderCertificate, newCertId, type CertificateAuthority, type Holder,
} from './pki.js';

export interface HolderSpec { userId: string; name: string; organisation?: string }

export interface SimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is for this machine only. */
  host?: string;
  clientId: string;
  clientSecret: string;
  /** The CA that issues the holders' certificates: PEM files; without them the simulator makes its own CA. */
  caCertificateFile?: string;
  caKeyFile?: string;
  holders: HolderSpec[];
  /** Keeps the CA (when made here) and the holders' keys across restarts; without it they are new on every start. */
  stateDir?: string;
  /** The holder "confirms on the phone" this long after the request; null/undefined: only /sim/…/confirm does. */
  autoConfirmMs?: number | null;
  /** A transaction not confirmed within this expires (default 5 minutes, as the providers do). */
  transactionTtlMs?: number;
}

type TransactionStatus = 'pending' | 'confirmed' | 'rejected' | 'expired';

export interface SimTransaction {
  id: string;
  userId: string;
  certId: string;
  description: string;
  files: Array<{ docId: string; hash: string }>;
  createdAt: Date;
  expiresAt: Date;
  status: TransactionStatus;
  signatures?: Array<{ docId: string; cms: Buffer }>;
}

export interface RemoteSigningSimulator {
  url: string;
  caCertificatePem: string;
  holders: Array<Omit<Holder, 'key' | 'privateKeyPem'>>;
  transactions(): SimTransaction[];
  /** The holder confirms: `wrongCertificate` signs with a key and certificate that are not the holder's (a faulty provider). */
  confirm(id: string, options?: { wrongCertificate?: boolean }): SimTransaction;
  reject(id: string): SimTransaction;
  /** While down, every API connection is dropped without an answer (the provider unreachable). */
  setDown(down: boolean): void;
  setAutoConfirmMs(ms: number | null): void;
  /** For requests made from now on. */
  setTransactionTtlMs(ms: number): void;
  /** API requests answered so far (the /sim endpoints excluded). */
  readonly requestCount: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_FILES = 1000;

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) { reject(new HttpError(413, 'request too large')); request.destroy(); return; }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (chunks.length === 0) { resolve({}); return; }
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'body must be a JSON object'));
      }
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, message: string, data?: unknown): void {
  const body = JSON.stringify({ status_code: status, message, ...(data === undefined ? {} : { data }) });
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function loadCa(options: SimulatorOptions): CertificateAuthority {
  if (options.caCertificateFile && options.caKeyFile) {
    return { certificatePem: readFileSync(options.caCertificateFile, 'utf8'), privateKeyPem: readFileSync(options.caKeyFile, 'utf8') };
  }
  const file = options.stateDir ? path.join(options.stateDir, 'ca.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CertificateAuthority;
  const ca = createCertificateAuthority();
  if (file) writeFileSync(file, JSON.stringify(ca), { mode: 0o600 });
  return ca;
}

function loadHolder(ca: CertificateAuthority, spec: HolderSpec, stateDir: string | undefined): Holder {
  if (!/^\d{12}$/.test(spec.userId)) throw new Error(`holder ${spec.name}: user id must be a 12-digit ID number`);
  const file = stateDir ? path.join(stateDir, `holder-${spec.userId}.json`) : undefined;
  let stored: { certId: string; certificatePem: string; privateKeyPem: string; caCertificatePem?: string } | undefined;
  if (file && existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    // Issued by another CA (the CA files changed): issue again.
    if (stored?.caCertificatePem !== ca.certificatePem) stored = undefined;
  }
  if (!stored) {
    stored = { certId: newCertId(), ...issueHolderCertificate(ca, spec), caCertificatePem: ca.certificatePem };
    if (file) writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  }
  return { userId: spec.userId, name: spec.name, certId: stored.certId, certificatePem: stored.certificatePem, privateKeyPem: stored.privateKeyPem, key: createPrivateKey(stored.privateKeyPem) };
}

const base64Der = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');

export async function startRemoteSigningSimulator(options: SimulatorOptions): Promise<RemoteSigningSimulator> {
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const ca = loadCa(options);
  const holders = options.holders.map((spec) => loadHolder(ca, spec, options.stateDir));
  let ttlMs = options.transactionTtlMs ?? 5 * 60_000;
  let autoConfirmMs = options.autoConfirmMs ?? null;
  let down = false;
  let requestCount = 0;
  const transactions = new Map<string, SimTransaction>();
  // An impostor: a valid certificate from the same CA, but not the holder's.
  let impostor: { certificatePem: string; key: ReturnType<typeof createPrivateKey> } | undefined;

  const holderOf = (userId: string) => holders.find((h) => h.userId === userId);

  function sign(tx: SimTransaction, wrongCertificate = false): void {
    const holder = holderOf(tx.userId)!;
    let signer = { certificatePem: holder.certificatePem, key: holder.key };
    if (wrongCertificate) {
      if (!impostor) {
        const made = issueHolderCertificate(ca, { userId: '000000000000', name: 'Người ký khác' });
        impostor = { certificatePem: made.certificatePem, key: createPrivateKey(made.privateKeyPem) };
      }
      signer = impostor;
    }
    const at = new Date();
    tx.signatures = tx.files.map((f) => ({ docId: f.docId, cms: detachedCmsForHash(Buffer.from(f.hash, 'hex'), signer, [ca.certificatePem], at) }));
    tx.status = 'confirmed';
  }

  /** What the phone did by now: auto-confirmed, or expired unanswered. */
  function settle(tx: SimTransaction, now = Date.now()): SimTransaction {
    if (tx.status !== 'pending') return tx;
    if (autoConfirmMs !== null && now >= tx.createdAt.getTime() + autoConfirmMs && now < tx.expiresAt.getTime()) sign(tx);
    else if (now >= tx.expiresAt.getTime()) tx.status = 'expired';
    return tx;
  }

  function pendingTransaction(id: string): SimTransaction {
    const tx = transactions.get(id);
    if (!tx) throw new HttpError(404, 'transaction not found');
    settle(tx);
    if (tx.status !== 'pending') throw new HttpError(409, `transaction is ${tx.status}`);
    return tx;
  }

  function authenticate(body: Record<string, unknown>): void {
    if (body.client_id !== options.clientId || body.client_secret !== options.clientSecret) throw new HttpError(401, 'invalid client credentials');
  }

  function certificateView(holder: Holder) {
    const certificate = new X509Certificate(holder.certificatePem);
    return {
      cert_id: holder.certId,
      serial_number: certificate.serialNumber,
      cert_subject: certificate.subject.replace(/\n/g, ', '),
      cert_valid_from: new Date(certificate.validFrom).toISOString(),
      cert_valid_to: new Date(certificate.validTo).toISOString(),
      cert_data: base64Der(holder.certificatePem),
      chain_data: [base64Der(ca.certificatePem)],
    };
  }

  async function api(method: string, route: string, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    if (method !== 'POST') throw new HttpError(405, 'POST only');
    authenticate(body);
    if (route === '/v1/credentials/get_certificate') {
      const userId = String(body.user_id ?? '');
      if (!/^\d{12}$/.test(userId)) throw new HttpError(400, 'user_id must be a 12-digit ID number');
      const holder = holderOf(userId);
      if (!holder) throw new HttpError(404, 'no certificate for this user');
      send(response, 200, 'success', { user_certificates: [certificateView(holder)] });
      return;
    }
    if (route === '/v1/signatures/sign') {
      const userId = String(body.user_id ?? '');
      const holder = holderOf(userId);
      if (!holder) throw new HttpError(404, 'no certificate for this user');
      if (body.cert_id !== holder.certId) throw new HttpError(404, 'certificate not found for this user');
      const description = typeof body.transaction_desc === 'string' ? body.transaction_desc.slice(0, 500) : '';
      const files = Array.isArray(body.sign_files) ? body.sign_files : [];
      if (files.length === 0 || files.length > MAX_FILES) throw new HttpError(400, `sign_files: 1 to ${MAX_FILES} files`);
      const parsed = files.map((f: unknown) => {
        const file = (f ?? {}) as Record<string, unknown>;
        if (typeof file.doc_id !== 'string' || file.doc_id.length === 0 || file.doc_id.length > 200) throw new HttpError(400, 'doc_id required');
        if (typeof file.data_to_be_signed !== 'string' || !/^[0-9a-fA-F]{64}$/.test(file.data_to_be_signed)) {
          throw new HttpError(400, 'data_to_be_signed must be a hex SHA-256');
        }
        if (file.file_type !== 'pdf' || file.sign_type !== 'hash') throw new HttpError(400, "file_type 'pdf' and sign_type 'hash' only");
        return { docId: file.doc_id, hash: file.data_to_be_signed.toLowerCase() };
      });
      const now = new Date();
      const tx: SimTransaction = {
        id: randomUUID(), userId, certId: holder.certId, description, files: parsed, createdAt: now,
        expiresAt: new Date(now.getTime() + ttlMs), status: 'pending',
      };
      transactions.set(tx.id, tx);
      send(response, 200, 'success', { transaction_id: tx.id, expired_in: Math.round(ttlMs / 1000), expires_at: tx.expiresAt.toISOString() });
      return;
    }
    const status = /^\/v1\/signatures\/sign\/([0-9a-f-]{36})\/status$/.exec(route);
    if (status) {
      const tx = transactions.get(status[1]!);
      if (!tx) throw new HttpError(404, 'transaction not found');
      settle(tx);
      send(response, 200, 'success', {
        transaction_id: tx.id, tran_status: tx.status, expires_at: tx.expiresAt.toISOString(),
        signatures: tx.status === 'confirmed' ? tx.signatures!.map((s) => ({ doc_id: s.docId, signature_value: s.cms.toString('base64') })) : null,
      });
      return;
    }
    throw new HttpError(404, 'not found');
  }

  async function control(method: string, route: string, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    if (method === 'GET' && route === '/sim/ca.pem') {
      response.writeHead(200, { 'content-type': 'application/x-pem-file' });
      response.end(ca.certificatePem);
      return;
    }
    if (method === 'GET' && route === '/sim/holders') {
      send(response, 200, 'success', holders.map((h) => ({ user_id: h.userId, name: h.name, cert_id: h.certId, certificate: h.certificatePem })));
      return;
    }
    if (method === 'GET' && route === '/sim/transactions') {
      send(response, 200, 'success', [...transactions.values()].map((t) => settle(t)).map((t) => ({
        transaction_id: t.id, user_id: t.userId, description: t.description, files: t.files.length, status: t.status,
      })));
      return;
    }
    const action = /^\/sim\/transactions\/([0-9a-f-]{36})\/(confirm|reject)$/.exec(route);
    if (method === 'POST' && action) {
      const tx = pendingTransaction(action[1]!);
      if (action[2] === 'confirm') sign(tx, body.wrongCertificate === true);
      else tx.status = 'rejected';
      send(response, 200, 'success', { transaction_id: tx.id, tran_status: tx.status });
      return;
    }
    throw new HttpError(404, 'not found');
  }

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const route = (request.url ?? '/').split('?')[0]!;
    const isApi = !route.startsWith('/sim/');
    if (isApi && down) { request.socket.destroy(); return; }
    readJson(request)
      .then((body) => {
        if (isApi) requestCount++;
        return isApi ? api(request.method ?? 'GET', route, body, response) : control(request.method ?? 'GET', route, body, response);
      })
      .catch((error: unknown) => {
        if (response.headersSent) return;
        if (error instanceof HttpError) send(response, error.status, error.message);
        else send(response, 500, 'internal error');
      });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    caCertificatePem: ca.certificatePem,
    holders: holders.map(({ key: _key, privateKeyPem: _pem, ...rest }) => rest),
    transactions: () => [...transactions.values()].map((t) => settle(t)),
    confirm: (id, opts) => { const tx = pendingTransaction(id); sign(tx, opts?.wrongCertificate === true); return tx; },
    reject: (id) => { const tx = pendingTransaction(id); tx.status = 'rejected'; return tx; },
    setDown: (value) => {
      down = value;
      // Keep-alive connections opened before the outage would otherwise still be answered.
      if (value) for (const socket of sockets) socket.destroy();
    },
    setAutoConfirmMs: (ms) => { autoConfirmMs = ms; },
    setTransactionTtlMs: (ms) => { ttlMs = ms; },
    get requestCount() { return requestCount; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
