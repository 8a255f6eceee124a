// Sổ theo dõi hồ sơ (Circular 01/2018/TT-VPCP): every dossier filed in a period, within the caller's reach, as CSV or
// XLSX. Clerks, leaders and admins may export it; staff see their units' reach (a one-stop desk its whole agency),
// admins every unit. "Received" is when the dossier entered the book (filed online or at the desk); the receiving
// officer is the clerk whose action started the clock; "returned" is when it was closed (returned, refused, rejected).
import { PassThrough, pipeline, Readable, Transform } from 'node:stream';
import { addDays, isIsoDay, vnDay, vnInstant, vnToday } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import { countTrackingBook, trackingBookBatches, type TrackingBookQuery, type TrackingBookRow } from '../../db/repositories/forms.js';
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

/** The receiving desk's row for a dossier: the Circular's columns, labels from the version it is pinned to. */
function entryOf(row: TrackingBookRow, n: number, definition: Awaited<ReturnType<AppContext['catalog']['definitionFor']>>): TrackingBookEntry {
  return {
    n,
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
  };
}

/** Rows per cursor fetch: one batch is what an export holds in memory, and the work done between two yields. */
const BATCH = 500;

/**
 * The book for the period, checked and then read lazily: the permission and the reach are decided here (so a refusal
 * is an error answer, not a broken download), the rows come batch by batch from a cursor as the caller iterates.
 */
export async function trackingBook(ctx: AppContext, staff: StaffRow, period: Period): Promise<{ query: TrackingBookQuery; batches: () => AsyncGenerator<TrackingBookEntry[]> }> {
  if (!can(staff, 'tracking-book')) {
    throw new AppError('FORBIDDEN', 'Chỉ cán bộ một cửa, lãnh đạo và quản trị được xuất sổ theo dõi hồ sơ.');
  }
  const everything = staff.roles.includes('admin');
  const reach = everything ? { unitIds: [], agencyCodes: [] } : await staffReach(ctx.db, staff);
  const query = { from: vnInstant(period.from, '00:00'), to: vnInstant(addDays(period.to, 1), '00:00'), everything, ...reach };
  async function* batches(): AsyncGenerator<TrackingBookEntry[]> {
    const definitions = new Map<number, Awaited<ReturnType<typeof ctx.catalog.definitionFor>>>();
    let n = 0;
    for await (const rows of trackingBookBatches(ctx.database, query, BATCH)) {
      const entries: TrackingBookEntry[] = [];
      for (const row of rows) {
        let definition = definitions.get(row.procedureVersionId);
        if (!definition) {
          definition = await ctx.catalog.definitionFor(row.procedureVersionId);
          definitions.set(row.procedureVersionId, definition);
        }
        entries.push(entryOf(row, ++n, definition));
      }
      yield entries;
    }
  }
  return { query, batches };
}

/**
 * RFC 4180 CSV, UTF-8 with a BOM so Excel shows Vietnamese correctly, CRLF line ends (csv.ts), as a stream: one chunk
 * per batch, and the next batch is read only when the response has taken the last one (Readable.from pulls).
 */
export function trackingBookCsv(batches: AsyncIterable<TrackingBookEntry[]>): Readable {
  return Readable.from((async function* () {
    yield Buffer.from(CSV_BOM + csvRow(TRACKING_BOOK_COLUMNS.map((c) => c.header)), 'utf8');
    for await (const entries of batches) {
      if (entries.length > 0) yield Buffer.from(entries.map((e) => csvRow(TRACKING_BOOK_COLUMNS.map((c) => e[c.key]))).join(''), 'utf8');
    }
  })(), { objectMode: false });
}

/**
 * The same book as XLSX, written by exceljs's streaming WorkbookWriter: each row is committed (serialised into the
 * zip) as soon as it is added, so memory holds a batch, not the workbook — built whole in memory, 50,000 rows took
 * 2.65 GB and seconds of the event loop. Inline strings (no shared-strings table, which would grow with the book).
 * Between batches it waits while the response has not taken what was written (backpressure).
 */
export function trackingBookXlsx(batches: AsyncIterable<TrackingBookEntry[]>, period: Period, unitLabel: string): Readable {
  const out = new PassThrough();
  // The reader gone (a closed download): stop, and leaving the loop closes the cursor.
  const drainedOrClosed = () => new Promise<void>((resolve) => {
    const done = () => { out.off('drain', done); out.off('close', done); resolve(); };
    out.once('drain', done);
    out.once('close', done);
  });
  void (async () => {
    const { default: ExcelJS } = await import('exceljs'); // loaded on first use: ~400 modules most processes never need
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
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
    header.commit();
    for await (const entries of batches) {
      if (out.destroyed) return;
      for (const e of entries) {
        // Text cells stay text (a phone "0912..." keeps its 0; nothing is evaluated as a formula).
        const row = sheet.addRow(Object.fromEntries(TRACKING_BOOK_COLUMNS.map((c) => [c.key, typeof e[c.key] === 'number' ? e[c.key] : String(e[c.key]).normalize('NFC')])));
        row.alignment = { vertical: 'top', wrapText: true };
        row.commit();
      }
      if (out.writableNeedDrain) await drainedOrClosed();
    }
    sheet.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Seconds a client refused with EXPORT_BUSY is told to wait (Retry-After). */
export const EXPORT_RETRY_AFTER_SECONDS = 30;

/** Streamed exports being downloaded now, per application (one per server process). */
const activeExports = new WeakMap<AppContext, { n: number }>();

/**
 * A slot among the process's EXPORT_CONCURRENCY streamed exports, or 429 EXPORT_BUSY: each export holds a pool
 * connection (of 10) and an open snapshot for as long as its client reads, so slow downloads must not take the pool.
 * The returned function gives the slot back (once, whatever calls it).
 */
function takeExportSlot(ctx: AppContext): () => void {
  const slots = activeExports.get(ctx) ?? { n: 0 };
  activeExports.set(ctx, slots);
  if (slots.n >= ctx.config.exports.concurrent) {
    const busy = new AppError('EXPORT_BUSY', 'Hệ thống đang xuất nhiều sổ cùng lúc, vui lòng thử lại sau ít phút.');
    busy.retryAfterSeconds = EXPORT_RETRY_AFTER_SECONDS;
    throw busy;
  }
  slots.n++;
  let held = true;
  return () => { if (held) { held = false; slots.n--; } };
}

/**
 * The download as the client receives it: a chunk passes only when the response has room for it, so a client that
 * takes nothing for `idleMs` stops the chunks; then the stream is destroyed, which closes the cursor, rolls its
 * transaction back and gives the connection back (db/client.ts reportCursor). `release` runs when it closes, whatever
 * way (read to the end, cut by the client, idle).
 */
function guardedDownload(body: Readable, idleMs: number, release: () => void): Readable {
  const out = new Transform({
    transform(chunk, _encoding, done) { timer.refresh(); done(null, chunk); },
  });
  const timer = setTimeout(() => out.destroy(new Error(`export not read for ${idleMs} ms: closed`)), idleMs);
  out.once('close', () => { clearTimeout(timer); release(); });
  pipeline(body, out, () => {});
  return out;
}

/**
 * GET /api/reports/tracking-book: the book for the period in the requested format, streamed (the export is audited
 * first, with the number of rows the book had at request time, counted on the submitted_at index; rows filed during
 * the download may make the file differ from it). At most EXPORT_CONCURRENCY at once per process (429 EXPORT_BUSY).
 */
export async function exportTrackingBook(
  ctx: AppContext, staff: StaffRow, query: { from?: string; to?: string; format: 'csv' | 'xlsx' }, ip?: string,
): Promise<{ fileName: string; contentType: string; body: Readable }> {
  const period = parsePeriod(query.from, query.to);
  const book = await trackingBook(ctx, staff, period);
  const release = takeExportSlot(ctx);
  try {
    const rows = await countTrackingBook(ctx.database, book.query);
    await recordAudit(ctx.db, staffActor(staff, ip), 'export.tracking_book', null, { ...period, format: query.format, rows });
    const name = `so-theo-doi-ho-so_${period.from}_${period.to}`;
    const { idleMs } = ctx.config.exports;
    if (query.format === 'xlsx') {
      const unit = await findUnit(ctx.db, staff.unitId);
      return { fileName: `${name}.xlsx`, contentType: XLSX_TYPE, body: guardedDownload(trackingBookXlsx(book.batches(), period, unit?.name ?? ''), idleMs, release) };
    }
    return { fileName: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: guardedDownload(trackingBookCsv(book.batches()), idleMs, release) };
  } catch (error) {
    release();
    throw error;
  }
}
