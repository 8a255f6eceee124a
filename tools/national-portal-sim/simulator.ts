// A national public-service portal (Cổng Dịch vụ công quốc gia) in one small node:http server, for tests and the
// embedded demo. It plays the two sides of the link a provincial processing system has with the portal:
//   - sync-api.ts: it receives the dossiers and processing steps motcua reports (the DVCQG sync contract's shapes);
//   - dossier-push.ts: it pushes dossiers citizens filed on it to motcua, and serves their attachments.
// Both directions are signed with the shared secret (HMAC, see signature.ts). `down` makes it answer 503 to
// everything, as a portal under maintenance does. It imports nothing from src/: it is the other party.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleDossierPushRequest, type PushState, newPushState } from './dossier-push.js';
import { handleSyncRequest, newSyncState, type SyncState } from './sync-api.js';

export interface PortalSimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is for this machine only. */
  host?: string;
  /** The shared secret (NATIONAL_PORTAL_SECRET on motcua's side). */
  secret: string;
  /** motcua's public URL, where pushed dossiers go (POST {motcuaUrl}/api/national-portal/dossiers). */
  motcuaUrl?: string;
}

export interface PortalSimulator {
  url: string;
  readonly options: PortalSimulatorOptions;
  /** What motcua reported (sync-api.ts). */
  readonly sync: SyncState;
  /** Dossiers filed here and their attachments (dossier-push.ts). */
  readonly push: PushState;
  /** While true every request gets 503 (portal down); the requests are still counted. */
  down: boolean;
  /** Requests answered 503 because the portal was down. */
  refusedWhileDown: number;
  close(): Promise<void>;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  simulator: PortalSimulator;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** hex HMAC-SHA256(secret, `${timestamp}.${METHOD} ${path?query}.${body}`): the link's signature, both directions. */
export function wireSignature(secret: string, timestamp: string, method: string, pathAndQuery: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.${method.toUpperCase()} ${pathAndQuery}.`).update(body).digest('hex');
}

/** The two headers of a request the portal signs (Unix seconds now, unless told). */
export function signWire(secret: string, method: string, pathAndQuery: string, body: string | Buffer, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { 'x-portal-timestamp': timestamp, 'x-portal-signature': wireSignature(secret, timestamp, method, pathAndQuery, body) };
}

/** Why a request to the portal is not signed with the secret (Vietnamese, for the refusal), or null when it is. */
export function wireSignatureProblem(secret: string, context: Pick<RequestContext, 'req' | 'body'>): string | null {
  const timestamp = context.req.headers['x-portal-timestamp'];
  const signature = context.req.headers['x-portal-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return 'thiếu chữ ký';
  if (Math.abs(Date.now() - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS) return 'chữ ký quá hạn';
  const expected = Buffer.from(wireSignature(secret, timestamp, context.req.method ?? 'GET', context.req.url ?? '/', context.body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : 'chữ ký không đúng';
}

async function readBody(req: IncomingMessage, limit = 50 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startPortalSimulator(options: PortalSimulatorOptions): Promise<PortalSimulator> {
  const sockets = new Set<Socket>();
  const simulator: PortalSimulator = {
    url: '',
    options,
    sync: newSyncState(),
    push: newPushState(),
    down: false,
    refusedWhileDown: 0,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (simulator.down) {
        simulator.refusedWhileDown++;
        sendJson(res, 503, { error_code: '-1', message: 'Hệ thống đang bảo trì' });
        return;
      }
      const context: RequestContext = { req, res, url: new URL(req.url ?? '/', 'http://portal.local'), body, simulator };
      if (await handleSyncRequest(context)) return;
      if (await handleDossierPushRequest(context)) return;
      sendJson(res, 404, { error_code: '-404', message: 'Không tìm thấy' });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error_code: '-500', message: String(error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  simulator.url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return simulator;
}
