// The audit log as administrators read it: filtered by period, account, action (exact, or a group such as "staff.")
// and dossier, newest first, paged by id; and exported as CSV (UTF-8 with a BOM), read page by page so a long period
// never sits in memory. The export is itself audited (export.audit_log) before its first byte leaves.
import { addDays, isIsoDay, VN_OFFSET_MINUTES, vnInstant, vnToday } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import { listAuditEntries, type AuditFilter, type AuditRow } from '../../db/repositories/audit.js';
import { findStaffByUsername } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { AUDIT_ACTIONS, auditActionLabel } from '../audit/actions.js';
import { recordAudit } from '../audit/audit.js';
import { CSV_BOM, csvRow } from '../reporting/csv.js';
import { administratorOf } from './administrator.js';

export const AUDIT_PAGE_SIZE = { default: 50, max: 200 } as const;
/** One export covers at most this many days: a longer span is several files (or the database's own tools). */
export const MAX_EXPORT_DAYS = 366;
/** Without `from`, an export covers the last 30 days. */
const DEFAULT_EXPORT_DAYS = 30;
/** Rows read per query while an export streams. */
const EXPORT_PAGE = 1000;

export interface AuditQuery {
  /** Vietnam calendar days yyyy-mm-dd, both inclusive. */
  from?: string;
  to?: string;
  /** A username. */
  actor?: string;
  /** An exact action ("dossier.approve") or a group ending in "." ("staff."). */
  action?: string;
  /** A dossier code (any target matches exactly: a username, a procedure id …). */
  dossier?: string;
  /** Entries older than this id: the `next` of the previous page. */
  before?: number;
  limit?: number;
}

export interface AuditItem {
  id: number;
  at: string;
  actor: string;
  actorKind: AuditRow['actorKind'];
  action: string;
  actionLabel: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** The groups of actions (the part before the dot) as the filter offers them. */
const ACTION_GROUP_LABELS: Record<string, string> = {
  auth: 'Đăng nhập, mật khẩu, xác thực hai lớp',
  staff: 'Tài khoản cán bộ',
  organisation: 'Tổ chức, đơn vị',
  key: 'Khóa ký số',
  calendar: 'Lịch ngày làm việc',
  campaign: 'Kỳ tuyển sinh',
  document_kind: 'Loại văn bản, sổ đăng ký',
  procedure: 'Thủ tục, quy trình',
  export: 'Xuất dữ liệu',
  effect: 'Tác vụ lỗi',
  result: 'Ký số kết quả',
  dossier: 'Xử lý hồ sơ',
};

/** The filter's choices: every group ("staff.") then every named action, with their labels. */
export function auditActionChoices(): Array<{ value: string; label: string; group: boolean }> {
  const groups = [...new Set([...Object.keys(AUDIT_ACTIONS).map((a) => a.split('.')[0]!), 'dossier'])];
  return [
    ...groups.map((g) => ({ value: `${g}.`, label: `${ACTION_GROUP_LABELS[g] ?? g} (tất cả)`, group: true })),
    ...Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label, group: false })),
  ];
}

/** A dossier action keeps the label it had when taken (services/audit/dossier-action.ts). */
export function actionLabelOf(row: Pick<AuditRow, 'action' | 'details'>): string {
  const label = row.details?.label;
  if (row.action.startsWith('dossier.') && typeof label === 'string') return `Xử lý hồ sơ: ${label}`;
  return auditActionLabel(row.action);
}

function itemOf(row: AuditRow): AuditItem {
  return {
    id: row.id, at: row.at.toISOString(), actor: row.actorName, actorKind: row.actorKind, action: row.action,
    actionLabel: actionLabelOf(row), target: row.target, ip: row.ip, details: row.details ?? {},
  };
}

const ACTION_FILTER = /^[a-z][a-z0-9_-]*\.(?:[a-zA-Z0-9_-]+)?$/;

/** The repository's filter from the query, with the period's days as resolved; every problem in one 422. */
async function filterOf(
  ctx: AppContext, query: AuditQuery, limit: number, range?: { maxDays: number; defaultDays: number },
): Promise<{ filter: AuditFilter; from?: string; to?: string }> {
  const fields: Record<string, string> = {};
  if (query.from !== undefined && !isIsoDay(query.from)) fields.from = 'Ngày phải dạng yyyy-mm-dd.';
  if (query.to !== undefined && !isIsoDay(query.to)) fields.to = 'Ngày phải dạng yyyy-mm-dd.';
  let from = query.from;
  let to = query.to;
  if (range && Object.keys(fields).length === 0) {
    to ??= vnToday();
    from ??= addDays(to, 1 - range.defaultDays);
    if (from <= to && addDays(from, range.maxDays) <= to) fields.to = `Tối đa ${range.maxDays} ngày mỗi lần xuất.`;
  }
  if (from !== undefined && to !== undefined && !fields.from && !fields.to && from > to) fields.to = 'Ngày kết thúc phải sau ngày bắt đầu.';
  if (query.action !== undefined && !ACTION_FILTER.test(query.action)) fields.action = 'Thao tác không hợp lệ.';
  let actorId: string | undefined;
  if (query.actor !== undefined && query.actor !== '') {
    const staff = await findStaffByUsername(ctx.db, query.actor.trim());
    if (!staff) fields.actor = `Không có tài khoản "${query.actor}".`;
    else actorId = staff.id;
  }
  if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', 'Điều kiện lọc nhật ký chưa hợp lệ.', fields);
  const filter: AuditFilter = {
    from: from ? vnInstant(from, '00:00') : undefined,
    to: to ? vnInstant(addDays(to, 1), '00:00') : undefined,
    actorId, action: query.action || undefined, target: query.dossier?.trim() || undefined, beforeId: query.before, limit,
  };
  return { filter, from, to };
}

/** One page, newest first; `next` is the `before` of the following page (null on the last). */
export async function listAuditLog(ctx: AppContext, caller: Caller, query: AuditQuery): Promise<{ items: AuditItem[]; next: number | null }> {
  administratorOf(caller);
  const limit = Math.min(Math.max(query.limit ?? AUDIT_PAGE_SIZE.default, 1), AUDIT_PAGE_SIZE.max);
  // One more than asked tells whether another page exists without a count over the whole log.
  const rows = await listAuditEntries(ctx.db, (await filterOf(ctx, query, limit + 1)).filter);
  const page = rows.slice(0, limit);
  return { items: page.map(itemOf), next: rows.length > limit ? page[page.length - 1]!.id : null };
}

const CSV_COLUMNS = ['Số', 'Thời điểm (giờ Việt Nam)', 'Người thực hiện', 'Loại tài khoản', 'Mã thao tác', 'Thao tác', 'Đối tượng', 'Địa chỉ IP', 'Chi tiết'];
const ACTOR_KINDS: Record<AuditRow['actorKind'], string> = { staff: 'Cán bộ', citizen: 'Công dân', system: 'Hệ thống', anonymous: 'Không xác định' };

/**
 * The CSV export of the filtered log (at most MAX_EXPORT_DAYS days; the last 30 without `from`): recorded in the log
 * first, then produced page by page as the response is written.
 */
export async function exportAuditLog(ctx: AppContext, caller: Caller, query: AuditQuery): Promise<{ fileName: string; lines: AsyncIterable<string> }> {
  const { actor } = administratorOf(caller);
  const { filter, from, to } = await filterOf(ctx, { ...query, before: undefined }, EXPORT_PAGE, { maxDays: MAX_EXPORT_DAYS, defaultDays: DEFAULT_EXPORT_DAYS });
  await recordAudit(ctx.db, actor, 'export.audit_log', null, {
    from, to, ...(query.actor ? { actor: query.actor } : {}), ...(query.action ? { action: query.action } : {}), ...(query.dossier ? { dossier: query.dossier } : {}),
  });
  return { fileName: `nhat-ky-he-thong_${from}_${to}.csv`, lines: csvLines(ctx, filter) };
}

async function* csvLines(ctx: AppContext, filter: AuditFilter): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(CSV_COLUMNS);
  let beforeId: number | undefined;
  for (;;) {
    const rows = await listAuditEntries(ctx.db, { ...filter, beforeId });
    if (rows.length === 0) return;
    yield rows.map((r) => csvRow([
      r.id, vnDateTime(r.at), r.actorName, ACTOR_KINDS[r.actorKind], r.action, actionLabelOf(r),
      r.target ?? '', r.ip ?? '', JSON.stringify(r.details ?? {}),
    ])).join('');
    if (rows.length < filter.limit) return;
    beforeId = rows[rows.length - 1]!.id;
  }
}

/** "2026-03-05 14:07:09", Vietnam time (UTC+7 all year). */
function vnDateTime(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MINUTES * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The details as one line for the log's table ("from: submitted; to: processing; version: 2"). */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([key, value]) => key !== 'label' && value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('; ');
}
