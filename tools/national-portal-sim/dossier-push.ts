// The portal's side of the inbound channel: a dossier a citizen filed on the national portal is pushed to motcua
// (signed POST {motcuaUrl}/api/national-portal/dossiers, national field names), and its attachments are served to
// motcua at URLs on the portal (GET /files/<id>/<name>, only with motcua's signature). Tests drive it in-process with
// pushDossier; the demo and the CLI with POST /sim/dossiers. Every push and every file request is recorded.
import { createHash, randomUUID } from 'node:crypto';
import { sendJson, signWire, wireSignatureProblem, type PortalSimulator, type RequestContext } from './simulator.js';

export interface HostedFile { name: string; mimeType: string; data: Buffer }

export interface PushRecord {
  at: string;
  nationalCode: string;
  /** motcua's HTTP status and body (0 and the error text when it could not be reached). */
  status: number;
  answer: unknown;
}

export interface PushState {
  /** Attachments served to motcua, by path. */
  files: Map<string, HostedFile>;
  /** Paths answered 500 instead of their bytes (a portal failing to serve a file; delete to serve again). */
  failingFiles: Set<string>;
  /** Every file request: path, HTTP status answered. */
  fileRequests: Array<{ path: string; status: number }>;
  /** Every push and motcua's answer, in order. */
  pushes: PushRecord[];
}

export function newPushState(): PushState {
  return { files: new Map(), failingFiles: new Set(), fileRequests: [], pushes: [] };
}

/** An attachment as a test or the demo hands it: bytes to host here, or a URL of its own (to try motcua's refusals). */
export interface PushAttachment {
  MaThanhPhanHoSo: string;
  TenTepDinhKem: string;
  data?: Buffer;
  /** The bytes in base64 (POST /sim/dossiers): hosted like `data`. */
  NoiDungBase64?: string;
  mimeType?: string;
  DuongDanTaiTepTin?: string;
  sha256?: string;
}

/** The national message with attachments to host; every other field goes as it is (MaHoSo, MaTTHC, DuLieuBieuMau …). */
export type PushDossier = Record<string, unknown> & { MaHoSo: string; TaiLieuNop?: PushAttachment[] };

export interface PushOptions {
  /** Sign with another secret (a forged push). */
  secret?: string;
  /** Send without the signature headers. */
  unsigned?: boolean;
  /** Sign as of this time (a stale push). */
  signedAt?: Date;
  /** Send these bytes instead of the JSON of the dossier (malformed bodies); signed as sent. */
  rawBody?: string;
}

/** Hosts the file here and returns its URL (what DuongDanTaiTepTin carries). */
export function hostFile(simulator: PortalSimulator, file: HostedFile): string {
  const path = `/files/${randomUUID()}/${encodeURIComponent(file.name)}`;
  simulator.push.files.set(path, file);
  return `${simulator.url}${path}`;
}

/** The message as sent: hosted attachments replaced by their URL and sha256. */
export function wireDossier(simulator: PortalSimulator, dossier: PushDossier): Record<string, unknown> {
  const { TaiLieuNop, ...rest } = dossier;
  return {
    ...rest,
    TaiLieuNop: (TaiLieuNop ?? []).map(({ data: bytes, NoiDungBase64, mimeType, ...attachment }) => ({ attachment, data: bytes ?? (NoiDungBase64 ? Buffer.from(NoiDungBase64, 'base64') : undefined), mimeType }))
      .map(({ attachment, data, mimeType }) => (data
      ? {
        ...attachment,
        DuongDanTaiTepTin: attachment.DuongDanTaiTepTin ?? hostFile(simulator, { name: attachment.TenTepDinhKem, mimeType: mimeType ?? 'application/octet-stream', data }),
        sha256: attachment.sha256 ?? createHash('sha256').update(data).digest('hex'),
      }
      : attachment)),
  };
}

/** Signs and POSTs the dossier to motcua, records and returns its answer. */
export async function pushDossier(simulator: PortalSimulator, dossier: PushDossier, options: PushOptions = {}): Promise<PushRecord> {
  const base = simulator.options.motcuaUrl;
  if (!base) throw new Error('the simulator has no motcuaUrl to push to');
  const path = '/api/national-portal/dossiers';
  const body = options.rawBody ?? JSON.stringify(wireDossier(simulator, dossier));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!options.unsigned) Object.assign(headers, signWire(options.secret ?? simulator.options.secret, 'POST', path, body, options.signedAt));
  let record: PushRecord;
  try {
    const response = await fetch(`${base.replace(/\/+$/, '')}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let answer: unknown = text;
    try { answer = JSON.parse(text); } catch { /* kept as text */ }
    record = { at: new Date().toISOString(), nationalCode: dossier.MaHoSo, status: response.status, answer };
  } catch (error) {
    record = { at: new Date().toISOString(), nationalCode: dossier.MaHoSo, status: 0, answer: String(error) };
  }
  simulator.push.pushes.push(record);
  return record;
}

export async function handleDossierPushRequest(context: RequestContext): Promise<boolean> {
  const { req, res, url, simulator } = context;
  const state = simulator.push;
  if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
    const answer = (status: number, body?: HostedFile) => {
      state.fileRequests.push({ path: url.pathname, status });
      if (body) {
        res.writeHead(status, { 'content-type': body.mimeType, 'content-length': body.data.length });
        res.end(body.data);
      } else {
        sendJson(res, status, { error_code: String(-status), message: status === 401 ? 'Chưa xác thực' : 'Không phục vụ được tệp' });
      }
    };
    // Only motcua, signing with the shared secret, may fetch a citizen's files.
    if (wireSignatureProblem(simulator.options.secret, context)) answer(401);
    else if (state.failingFiles.has(url.pathname)) answer(500);
    else if (!state.files.has(url.pathname)) answer(404);
    else answer(200, state.files.get(url.pathname));
    return true;
  }
  if (url.pathname === '/sim/dossiers') {
    if (req.method === 'GET') {
      sendJson(res, 200, { pushes: state.pushes, fileRequests: state.fileRequests });
      return true;
    }
    if (req.method !== 'POST') return false;
    // The demo's "citizen files on the portal": the dossier as JSON, attachments inline in base64 (NoiDungBase64).
    let parsed: unknown;
    try { parsed = JSON.parse(context.body.toString('utf8')); } catch { parsed = null; }
    const dossier = parsed as PushDossier | null;
    if (!dossier || typeof dossier !== 'object' || typeof dossier.MaHoSo !== 'string' || (dossier.TaiLieuNop !== undefined && !Array.isArray(dossier.TaiLieuNop))) {
      sendJson(res, 400, { error_code: '1', message: 'Cần một đối tượng hồ sơ có MaHoSo' });
      return true;
    }
    const record = await pushDossier(simulator, dossier);
    sendJson(res, 200, record);
    return true;
  }
  return false;
}
