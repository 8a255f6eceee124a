// An agency's register for one year as administrators read it and hand it over (Decree 30/2020, Appendix III: sổ đăng
// ký văn bản đi, and the register of copies issued): page by page in number order, or exported as CSV (UTF-8 with a
// BOM) or XLSX, both written while the lines are read a page at a time so a year of numbers never sits in memory.
// An export is audited (export.document_register) before its first byte leaves.
import { PassThrough, Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { vnDay } from '../../calendar/vn-time.js';
import { listRegisterLines, listRegisterYears, type RegisterLineView } from '../../db/repositories/document-register.js';
import { findAgency, type AgencyRow } from '../../db/repositories/staff.js';
import { DOCUMENT_REGISTERS, type DocumentRegister } from '../../db/schema/index.js';
import { formatDateVN } from '../../documents/format.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { administratorOf } from '../administration/administrator.js';
import { CSV_BOM, csvRow } from '../reporting/csv.js';
import { formatDocumentNumber, registerYear } from './document-numbers.js';
import { REGISTER_LABELS } from './document-kinds.js';
import { XLSX_TYPE } from '../reporting/tracking-book.js';

export const REGISTER_PAGE_SIZE = { default: 100, max: 500 } as const;
/** Registers an administrator may open: wide enough for any year the portal numbers in. */
export const REGISTER_YEARS = { min: 2000, max: 2100 } as const;
/** Lines read per query while an export streams. */
const EXPORT_PAGE = 1000;

const LINE_STATUSES = ['reserved', 'issued', 'void'] as const;
type LineStatus = (typeof LINE_STATUSES)[number];
export const LINE_STATUS_LABELS: Record<LineStatus, string> = { reserved: 'Đang ký', issued: 'Đã ban hành', void: 'Hủy số' };

/** The query of GET /api/admin/document-register and of the page's filter (one schema for both). */
export const registerQuery = z.object({
  agency: z.string({ error: 'Mã cơ quan không hợp lệ.' }).trim().max(64, { error: 'Mã cơ quan không hợp lệ.' }).optional()
    .describe('Mã cơ quan (QCVN 102); mặc định: Sở'),
  year: z.coerce.number({ error: 'Năm phải là số (yyyy).' }).int({ error: 'Năm phải là số (yyyy).' })
    .min(REGISTER_YEARS.min, { error: `Năm từ ${REGISTER_YEARS.min} đến ${REGISTER_YEARS.max}.` })
    .max(REGISTER_YEARS.max, { error: `Năm từ ${REGISTER_YEARS.min} đến ${REGISTER_YEARS.max}.` }).optional()
    .describe('Năm (giờ Việt Nam); mặc định: năm nay'),
  register: z.enum(DOCUMENT_REGISTERS, { error: 'Sổ là outgoing (văn bản đi) hoặc copies (cấp bản sao).' }).default('outgoing'),
  after: z.coerce.number({ error: '`after` là một số thứ tự.' }).int({ error: '`after` là một số thứ tự.' }).min(0).max(2 ** 31 - 1).optional()
    .describe('`next` của trang trước'),
  limit: z.coerce.number({ error: '`limit` là một số.' }).int().min(1, { error: `\`limit\` từ 1 đến ${REGISTER_PAGE_SIZE.max}.` })
    .max(REGISTER_PAGE_SIZE.max, { error: `\`limit\` từ 1 đến ${REGISTER_PAGE_SIZE.max}.` }).optional(),
  format: z.enum(['json', 'csv', 'xlsx'], { error: 'Định dạng là json, csv hoặc xlsx.' }).default('json'),
});
export type RegisterQuery = z.infer<typeof registerQuery>;

export const registerLineView = z.object({
  number: z.number().int(),
  symbol: z.string(),
  /** "05/QĐ-SGDĐT". */
  text: z.string(),
  kind: z.string(),
  kindName: z.string(),
  summary: z.string(),
  /** yyyy-mm-dd (Vietnam) of the issued document; null while reserved or void. */
  date: z.string().nullable(),
  issuedAt: z.string().nullable(),
  reservedAt: z.string(),
  signerName: z.string().nullable(),
  signerTitle: z.string().nullable(),
  recipients: z.array(z.string()),
  dossierCode: z.string(),
  unitName: z.string().nullable(),
  status: z.enum(LINE_STATUSES),
  statusLabel: z.string(),
});
export type RegisterLineItem = z.infer<typeof registerLineView>;

export const registerPageView = z.object({
  agency: z.object({ code: z.string(), name: z.string(), abbreviation: z.string().nullable() }),
  year: z.number().int(),
  register: z.enum(DOCUMENT_REGISTERS),
  registerLabel: z.string(),
  /** Years in which the agency has numbered something, newest first. */
  years: z.array(z.number().int()),
  items: z.array(registerLineView),
  next: z.number().int().nullable(),
});
export type RegisterPage = z.infer<typeof registerPageView>;

/** The register's columns (Decree 30, Appendix III) as the CSV and XLSX write them. */
export const REGISTER_COLUMNS: ReadonlyArray<{ header: string; width: number; cell: (line: RegisterLineItem) => string }> = [
  { header: 'Số, ký hiệu văn bản', width: 18, cell: (l) => l.text },
  { header: 'Ngày tháng văn bản', width: 12, cell: (l) => (l.date ? formatDateVN(l.date) ?? '' : '') },
  { header: 'Tên loại và trích yếu nội dung', width: 56, cell: (l) => `${l.kindName}: ${l.summary}` },
  { header: 'Người ký', width: 26, cell: (l) => [l.signerName, l.signerTitle].filter(Boolean).join(', ') },
  { header: 'Nơi nhận', width: 30, cell: (l) => l.recipients.join('; ') },
  { header: 'Đơn vị, người nhận bản lưu / Hồ sơ', width: 40, cell: (l) => [l.unitName, l.dossierCode].filter(Boolean).join(' — ') },
  { header: 'Trạng thái', width: 12, cell: (l) => l.statusLabel },
];

function itemOf(row: RegisterLineView): RegisterLineItem {
  return {
    number: row.number, symbol: row.symbol, text: formatDocumentNumber(row.number, row.symbol), kind: row.kind, kindName: row.kindName ?? row.kind,
    summary: row.summary, date: row.status === 'issued' && row.issuedAt ? vnDay(row.issuedAt) : null,
    issuedAt: row.issuedAt?.toISOString() ?? null, reservedAt: row.createdAt.toISOString(),
    signerName: row.signerName, signerTitle: row.signerTitle, recipients: row.recipients, dossierCode: row.dossierCode, unitName: row.unitName,
    status: row.status, statusLabel: LINE_STATUS_LABELS[row.status],
  };
}

interface ResolvedQuery { agency: AgencyRow; year: number; register: DocumentRegister }

/** The agency (the Department's by default) and the year (this year in Vietnam by default), checked. */
async function resolve(ctx: AppContext, query: Pick<RegisterQuery, 'agency' | 'year' | 'register'>): Promise<ResolvedQuery> {
  const code = query.agency || ctx.organisation.departmentAgencyCode;
  if (!code) throw new AppError('VALIDATION_FAILED', 'Chọn cơ quan.', { agency: 'Chưa có Sở trong thiết lập: chọn cơ quan.' });
  const agency = await findAgency(ctx.db, code);
  if (!agency) throw new AppError('AGENCY_NOT_FOUND', `Không có cơ quan mang mã "${code}".`);
  return { agency, year: query.year ?? registerYear(new Date()), register: query.register };
}

/** Parses a page's query with the API's schema (the route has done it already for the API). */
export function parseRegisterQuery(input: unknown): RegisterQuery {
  const parsed = registerQuery.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error, 'Điều kiện xem sổ chưa hợp lệ.');
  return parsed.data;
}

/** One page of the register in number order; `next` is the `after` of the following page (null on the last). */
export async function registerPage(ctx: AppContext, caller: Caller, query: RegisterQuery): Promise<RegisterPage> {
  administratorOf(caller);
  const { agency, year, register } = await resolve(ctx, query);
  const limit = query.limit ?? REGISTER_PAGE_SIZE.default;
  // One more than asked tells whether another page exists.
  const rows = await listRegisterLines(ctx.db, { agencyCode: agency.code, register, year, afterNumber: query.after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    agency: { code: agency.code, name: agency.name, abbreviation: agency.abbreviation }, year, register, registerLabel: REGISTER_LABELS[register],
    years: await listRegisterYears(ctx.db, agency.code), items: page.map(itemOf),
    next: rows.length > limit ? page[page.length - 1]!.number : null,
  };
}


export interface RegisterExport { fileName: string; contentType: string; body: Readable }

/** The whole register of the year as CSV or XLSX, audited first, then written as it is read. */
export async function exportRegister(ctx: AppContext, caller: Caller, query: RegisterQuery & { format: 'csv' | 'xlsx' }): Promise<RegisterExport> {
  const { actor } = administratorOf(caller);
  const resolved = await resolve(ctx, query);
  const { agency, year, register } = resolved;
  await recordAudit(ctx.db, actor, 'export.document_register', agency.code, { agency: agency.code, year, register, format: query.format });
  const name = `${register === 'copies' ? 'so-cap-ban-sao' : 'so-van-ban-di'}_${agency.code}_${year}`;
  if (query.format === 'csv') {
    return { fileName: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: Readable.from(csvLines(ctx, resolved)) };
  }
  return { fileName: `${name}.xlsx`, contentType: XLSX_TYPE, body: xlsxStream(ctx, resolved) };
}

/** Every line of the register, read EXPORT_PAGE at a time. */
async function* allLines(ctx: AppContext, { agency, year, register }: ResolvedQuery): AsyncGenerator<RegisterLineItem[]> {
  let afterNumber = 0;
  for (;;) {
    const rows = await listRegisterLines(ctx.db, { agencyCode: agency.code, register, year, afterNumber, limit: EXPORT_PAGE });
    if (rows.length === 0) return;
    yield rows.map(itemOf);
    if (rows.length < EXPORT_PAGE) return;
    afterNumber = rows[rows.length - 1]!.number;
  }
}

async function* csvLines(ctx: AppContext, resolved: ResolvedQuery): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(REGISTER_COLUMNS.map((c) => c.header));
  for await (const page of allLines(ctx, resolved)) yield page.map((line) => csvRow(REGISTER_COLUMNS.map((c) => c.cell(line)))).join('');
}

/**
 * The XLSX written by exceljs's streaming writer: each row is committed (and leaves memory) as it is added, the zip
 * flows into the response. A failure while reading ends the response with an error rather than a truncated file.
 */
function xlsxStream(ctx: AppContext, resolved: ResolvedQuery): Readable {
  const out = new PassThrough();
  const title = `${resolved.register === 'copies' ? 'SỔ CẤP BẢN SAO' : 'SỔ ĐĂNG KÝ VĂN BẢN ĐI'} — ${resolved.agency.name} — năm ${resolved.year}`;
  const write = async () => {
    const { default: ExcelJS } = await import('exceljs'); // loaded on first use: ~400 modules most processes never need
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    workbook.creator = 'motcua';
    workbook.created = new Date();
    const sheet = workbook.addWorksheet(resolved.register === 'copies' ? 'So cap ban sao' : 'So van ban di', {
      views: [{ state: 'frozen', ySplit: 1 }],
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
      headerFooter: { oddHeader: `&C&B${title.replace(/&/g, '&&')}` },
    });
    sheet.columns = REGISTER_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    header.commit();
    for await (const page of allLines(ctx, resolved)) {
      // A page at a time, as fast as the client takes it; a client gone stops the reading.
      if (out.destroyed || !(await drained(out))) return;
      for (const line of page) {
        // Text cells stay text: nothing is evaluated as a formula.
        const row = sheet.addRow(REGISTER_COLUMNS.map((c) => c.cell(line).normalize('NFC')));
        row.alignment = { vertical: 'top', wrapText: true };
        row.commit();
      }
    }
    sheet.commit();
    await workbook.commit();
  };
  write().catch((error: unknown) => {
    if (out.destroyed) return;
    ctx.log.error({ err: error }, 'document register export failed');
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}

/** Resolves when the stream takes more (true) or was closed (false). */
function drained(stream: PassThrough): Promise<boolean> {
  if (!stream.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => { stream.off('drain', onDrain); stream.off('close', onClose); resolve(ok); };
    const onDrain = done(true);
    const onClose = done(false);
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}
