// The portal's side of the status and step sync (DVCQG "đồng bộ hồ sơ"): it receives the dossiers a provincial system
// reports (create, update: JSON arrays of HoSoDongBoDVC) and their processing steps (JSON arrays of at most ten
// QuaTrinhXuLyDongBoDVC), checks the HMAC, refuses malformed bodies with error_code != "0", and stores them: one record
// per MaHoSo, and EVERY step delivery in arrival order (`deliveries`, duplicates kept, as a real portal without a step
// id would store them), besides a per-MaBuoc view (`steps`, first copy only). Tests measure what motcua sends on the
// raw list. The steps call is answered in plain text checked for "thành công", as the contract's gateway does.
import { sendJson, wireSignatureProblem, type RequestContext } from './simulator.js';

export const SYNC_PATHS = { createDossier: '/dvcqg/hoso/themmoi', updateDossier: '/dvcqg/hoso/capnhat', steps: '/dvcqg/hoso/quatrinh' } as const;
const MAX_STEPS = 10;

export type WireRecord = Record<string, string>;

export interface PortalDossierRecord {
  dossier: WireRecord;
  /** The calling system's code (MaHeThong) of its last report. */
  system: string | null;
  creates: number;
  updates: number;
  /** This dossier's steps, each once, in the order they first arrived. */
  steps: WireRecord[];
}

export interface SyncState {
  /** Every step delivery, in arrival order, duplicates included: what motcua sent. */
  deliveries: WireRecord[];
  /** Every processing step the portal accepted, in the order it received them (duplicates by step id dropped). */
  steps: Array<Record<string, unknown>>;
  /** The dossiers reported, by MaHoSo. */
  dossiers: Map<string, PortalDossierRecord>;
  /** Steps received in all, duplicates included. */
  stepDeliveries: number;
  /** Steps received again under an id already stored (a resend after a lost acknowledgement, or two senders). */
  duplicateSteps: number;
  /** Requests refused: bad signature, malformed body, unknown dossier. */
  refused: Array<{ path: string; errorCode: string; message: string }>;
  /** While set, every sync request is answered with this error_code (a portal that is up but refusing). */
  refuseWith: string | null;
  /** The next this-many step requests are stored, then answered 504 (the acknowledgement lost on the way back). */
  loseAcks: number;
  /** The step batches whose acknowledgement was lost (stored, answered 504): the only steps a sender may resend. */
  lostAckBatches: WireRecord[][];
  /** Milliseconds the portal takes before answering a steps request (a slow portal: senders overlap). */
  stepDelayMs: number;
}

export function newSyncState(): SyncState {
  return { deliveries: [], steps: [], dossiers: new Map(), stepDeliveries: 0, duplicateSteps: 0, refused: [], refuseWith: null, loseAcks: 0, lostAckBatches: [], stepDelayMs: 0 };
}

const STATUS = /^(10|[1-9])$/;
const TIMESTAMP = /^\d{14}$/;
const OPTIONAL_TIMESTAMP = /^(\d{14})?$/;

/** Field → rule of each record; a string field missing or not matching is a malformed body. */
const DOSSIER_FIELDS: Record<string, RegExp> = {
  MaHoSo: /^\S.{0,99}$/, MaTTHC: /^\S.{0,99}$/, KenhThucHien: /^[123]$/, ChuHoSo: /^\S.{0,299}$/, TrangThaiHoSo: STATUS,
  NgayTiepNhan: TIMESTAMP, NgayHenTra: OPTIONAL_TIMESTAMP, NgayTra: OPTIONAL_TIMESTAMP, TaiKhoanDuocXacThucVoiVNeID: /^[01]$/,
  DuocThanhToanTrucTuyen: /^[0-3]$/,
};
const STEP_FIELDS: Record<string, RegExp> = {
  MaBuoc: /^\S.{0,199}$/, MaHoSo: /^\S.{0,99}$/, NguoiXuLy: /^\S.{0,49}$/s, ThoiDiemXuLy: TIMESTAMP, NoiDungXuLy: /^\S/s, TrangThai: STATUS,
  NgayKetThucTheoQuyDinh: OPTIONAL_TIMESTAMP, NgayHenTra: OPTIONAL_TIMESTAMP,
};

/** The records of a body, or the reason it is malformed. */
function records(body: Buffer, fields: Record<string, RegExp>, max: number): WireRecord[] | string {
  let parsed: unknown;
  try { parsed = JSON.parse(body.toString('utf8')); } catch { return 'nội dung không phải JSON'; }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > max) return `cần một mảng từ 1 đến ${max} phần tử`;
  const out: WireRecord[] = [];
  for (const [index, item] of parsed.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return `phần tử ${index} không phải đối tượng`;
    for (const [name, rule] of Object.entries(fields)) {
      const value = (item as Record<string, unknown>)[name];
      if (typeof value !== 'string' || !rule.test(value)) return `phần tử ${index}: trường ${name} thiếu hoặc sai định dạng`;
    }
    out.push(Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  }
  return out;
}

export async function handleSyncRequest(context: RequestContext): Promise<boolean> {
  const { url, res, simulator } = context;
  const state = simulator.sync;
  if (context.req.method === 'GET' && url.pathname === '/sim/sync') {
    sendJson(res, 200, {
      dossiers: [...state.dossiers.values()], deliveries: state.deliveries, stepDeliveries: state.stepDeliveries, duplicateSteps: state.duplicateSteps, refused: state.refused,
    });
    return true;
  }
  const path = url.pathname;
  if (context.req.method !== 'POST' || !(Object.values(SYNC_PATHS) as string[]).includes(path)) return false;
  const refuse = (status: number, errorCode: string, message: string) => {
    state.refused.push({ path, errorCode, message });
    sendJson(res, status, { error_code: errorCode, message });
  };
  const problem = wireSignatureProblem(simulator.options.secret, context);
  if (problem) { refuse(401, '-401', `Xác thực không thành công: ${problem}`); return true; }
  if (state.refuseWith !== null) { refuse(200, state.refuseWith, 'Hệ thống từ chối tiếp nhận (giả lập)'); return true; }
  const system = url.searchParams.get('MaHeThong');

  if (path === SYNC_PATHS.steps) {
    const steps = records(context.body, STEP_FIELDS, MAX_STEPS);
    if (typeof steps === 'string') { refuse(200, '1', `Dữ liệu không hợp lệ: ${steps}`); return true; }
    const unknown = steps.find((s) => !state.dossiers.has(s.MaHoSo!));
    if (unknown) { refuse(200, '2', `Hồ sơ ${unknown.MaHoSo} chưa được đồng bộ`); return true; }
    for (const step of steps) {
      state.stepDeliveries++;
      state.deliveries.push(step);
      const record = state.dossiers.get(step.MaHoSo!)!;
      if (record.steps.some((s) => s.MaBuoc === step.MaBuoc)) { state.duplicateSteps++; continue; }
      record.steps.push(step);
      state.steps.push(step);
    }
    if (state.stepDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.stepDelayMs));
    if (state.loseAcks > 0) {
      state.loseAcks--;
      state.lostAckBatches.push(steps);
      sendJson(res, 504, { error_code: '-504', message: 'Gateway Timeout' });
      return true;
    }
    // The contract's steps answer: plain text, checked for "thành công".
    const text = 'Đồng bộ quá trình xử lý thành công';
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }

  const dossiers = records(context.body, DOSSIER_FIELDS, 100);
  if (typeof dossiers === 'string') { refuse(200, '1', `Dữ liệu không hợp lệ: ${dossiers}`); return true; }
  if (path === SYNC_PATHS.createDossier) {
    const existing = dossiers.find((d) => state.dossiers.has(d.MaHoSo!));
    // The contract's answer to a second create; the sender then updates with the same body.
    if (existing) { refuse(200, '3', `Hồ sơ ${existing.MaHoSo} đã tồn tại`); return true; }
    for (const d of dossiers) state.dossiers.set(d.MaHoSo!, { dossier: d, system, creates: 1, updates: 0, steps: [] });
    sendJson(res, 200, { error_code: '0', message: 'Thêm mới hồ sơ thành công' });
    return true;
  }
  const unknown = dossiers.find((d) => !state.dossiers.has(d.MaHoSo!));
  if (unknown) { refuse(200, '2', `Hồ sơ ${unknown.MaHoSo} không tồn tại`); return true; }
  for (const d of dossiers) {
    const record = state.dossiers.get(d.MaHoSo!)!;
    record.dossier = d;
    record.system = system;
    record.updates++;
  }
  sendJson(res, 200, { error_code: '0', message: 'Cập nhật hồ sơ thành công' });
  return true;
}
