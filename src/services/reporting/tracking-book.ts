// Sổ theo dõi hồ sơ (Circular 01/2018/TT-VPCP): every dossier filed in a period, within the caller's reach, as CSV or
// XLSX. Clerks, leaders and admins may export it; staff see their units' reach (a one-stop desk its whole agency),
// admins every unit. "Received" is when the dossier entered the book (filed online or at the desk); the receiving
// officer is the clerk whose action started the clock; "returned" is when it was closed (returned, refused, rejected).
import ExcelJS from 'exceljs';
import { addDays, isIsoDay, vnDay, vnInstant, vnToday } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import { trackingBookRows } from '../../db/repositories/forms.js';
import { findUnit, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { stateLabel } from '../../workflow/engine.js';
import { can, staffReach } from '../access.js';
import { formatShortTimeVN } from '../results/one-stop-forms.js';
import { formatDateVN } from '../../documents/format.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { CSV_BOM, csvRow } from './csv.js';
import { channelLabel } from '../viewing/channels.js';

/** A longer period is a bulk export, not a book page: keep one request bounded. */
export const MAX_PERIOD_DAYS = 366;

export interface TrackingBookEntry {
  n: number;
  code: string;
  summary: string;
  sets: number;
  owner: string;
  address: string;
  phone: string;
  received: string;
  promised: string;
  returned: string;
  officer: string;
  status: string;
  /** How it came in (online, desk, the national portal): appended after the Circular's columns. */
  channel: string;
}

export const TRACKING_BOOK_COLUMNS: ReadonlyArray<{ key: keyof TrackingBookEntry; header: string; width: number }> = [
  { key: 'n', header: 'STT', width: 6 },
  { key: 'code', header: 'Mã hồ sơ', width: 26 },
  { key: 'summary', header: 'Trích yếu nội dung yêu cầu', width: 48 },
  { key: 'sets', header: 'Số lượng hồ sơ (bộ)', width: 10 },
  { key: 'owner', header: 'Chủ hồ sơ', width: 24 },
  { key: 'address', header: 'Địa chỉ', width: 30 },
  { key: 'phone', header: 'Số điện thoại', width: 14 },
  { key: 'received', header: 'Thời gian nhận hồ sơ', width: 18 },
  { key: 'promised', header: 'Thời gian hẹn trả kết quả', width: 18 },
  { key: 'returned', header: 'Thời gian trả kết quả', width: 18 },
  { key: 'officer', header: 'Cán bộ tiếp nhận', width: 22 },
  { key: 'status', header: 'Trạng thái', width: 24 },
  { key: 'channel', header: 'Hình thức nộp', width: 22 },
];

export interface Period { from: string; to: string }

/** from/to are Vietnam calendar days (inclusive); both default to the current month so far. */
export function parsePeriod(from: string | undefined, to: string | undefined, now = new Date()): Period {
  const today = vnToday(now);
  const period = { from: from ?? `${today.slice(0, 8)}01`, to: to ?? today };
  const fields: Record<string, string> = {};
  if (!isIsoDay(period.from)) fields.from = 'Ngày phải dạng yyyy-mm-dd.';
  if (!isIsoDay(period.to)) fields.to = 'Ngày phải dạng yyyy-mm-dd.';
  if (Object.keys(fields).length === 0 && period.from > period.to) fields.to = 'Ngày kết thúc phải sau ngày bắt đầu.';
  if (Object.keys(fields).length === 0 && addDays(period.from, MAX_PERIOD_DAYS) <= period.to) fields.to = `Tối đa ${MAX_PERIOD_DAYS} ngày mỗi lần xuất.`;
  if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', 'Khoảng thời gian không hợp lệ.', fields);
  return period;
}

export async function trackingBook(ctx: AppContext, staff: StaffRow, period: Period): Promise<TrackingBookEntry[]> {
  if (!can(staff, 'tracking-book')) {
    throw new AppError('FORBIDDEN', 'Chỉ cán bộ một cửa, lãnh đạo và quản trị được xuất sổ theo dõi hồ sơ.');
  }
  const everything = staff.roles.includes('admin');
  const reach = everything ? { unitIds: [], agencyCodes: [] } : await staffReach(ctx.db, staff);
  const rows = await trackingBookRows(ctx.db, {
    from: vnInstant(period.from, '00:00'), to: vnInstant(addDays(period.to, 1), '00:00'), everything, ...reach,
  });
  const definitions = new Map<number, Awaited<ReturnType<typeof ctx.catalog.definitionFor>>>();
  const entries: TrackingBookEntry[] = [];
  for (const [i, row] of rows.entries()) {
    let definition = definitions.get(row.procedureVersionId);
    if (!definition) {
      definition = await ctx.catalog.definitionFor(row.procedureVersionId);
      definitions.set(row.procedureVersionId, definition);
    }
    entries.push({
      n: i + 1,
      code: row.code,
      summary: definition.title,
      sets: 1,
      owner: row.applicantName,
      address: row.applicantAddress ?? '',
      phone: row.applicantPhone ?? '',
      received: formatShortTimeVN(row.submittedAt),
      promised: row.dueAt ? formatDateVN(vnDay(row.dueAt)) ?? '' : '',
      returned: row.completedAt ? formatShortTimeVN(row.completedAt) : '',
      officer: row.receivingOfficer ?? '',
      status: stateLabel(definition, row.status),
      channel: channelLabel(row.channel),
    });
  }
  return entries;
}

/** RFC 4180 CSV, UTF-8 with a BOM so Excel shows Vietnamese correctly, CRLF line ends (csv.ts). */
export function trackingBookCsv(entries: TrackingBookEntry[]): Buffer {
  const lines = [csvRow(TRACKING_BOOK_COLUMNS.map((c) => c.header))];
  for (const e of entries) lines.push(csvRow(TRACKING_BOOK_COLUMNS.map((c) => e[c.key])));
  return Buffer.from(CSV_BOM + lines.join(''), 'utf8');
}

export async function trackingBookXlsx(entries: TrackingBookEntry[], period: Period, unitLabel: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'motcua';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet('So theo doi ho so', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    headerFooter: { oddHeader: `&C&B${`SỔ THEO DÕI HỒ SƠ — ${unitLabel} — từ ${formatDateVN(period.from)} đến ${formatDateVN(period.to)}`.replace(/&/g, '&&')}` },
  });
  sheet.columns = TRACKING_BOOK_COLUMNS.map((c) => ({ key: c.key, header: c.header, width: c.width }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  for (const e of entries) {
    // Text cells stay text (a phone "0912..." keeps its 0; nothing is evaluated as a formula).
    sheet.addRow(Object.fromEntries(TRACKING_BOOK_COLUMNS.map((c) => [c.key, typeof e[c.key] === 'number' ? e[c.key] : String(e[c.key]).normalize('NFC')])));
  }
  sheet.eachRow((row, i) => {
    if (i > 1) row.alignment = { vertical: 'top', wrapText: true };
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** GET /api/reports/tracking-book: the book for the period in the requested format (the export is audited). */
export async function exportTrackingBook(
  ctx: AppContext, staff: StaffRow, query: { from?: string; to?: string; format: 'csv' | 'xlsx' }, ip?: string,
): Promise<{ fileName: string; contentType: string; data: Buffer }> {
  const period = parsePeriod(query.from, query.to);
  const entries = await trackingBook(ctx, staff, period);
  await recordAudit(ctx.db, staffActor(staff, ip), 'export.tracking_book', null, { ...period, format: query.format, rows: entries.length });
  const name = `so-theo-doi-ho-so_${period.from}_${period.to}`;
  if (query.format === 'xlsx') {
    const unit = await findUnit(ctx.db, staff.unitId);
    return { fileName: `${name}.xlsx`, contentType: XLSX_TYPE, data: await trackingBookXlsx(entries, period, unit?.name ?? '') };
  }
  return { fileName: `${name}.csv`, contentType: 'text/csv; charset=utf-8', data: trackingBookCsv(entries) };
}
