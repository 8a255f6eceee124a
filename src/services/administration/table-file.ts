// Reads an uploaded table (CSV or XLSX) whose header row names the columns, into rows that remember the line the
// operator sees in their spreadsheet (the header is line 1), so every refusal can say "line N". Bounded: a file past
// the row limit is refused as a whole with a clear message before any row is checked.
import { inflateRawSync } from 'node:zlib';
import { parse, type Options as CsvOptions } from 'csv-parse/sync';
import { AppError } from '../../errors.js';

export interface TableFile { fileName: string; data: Buffer }
export interface TableRow { line: number; values: Record<string, string> }

export interface TableSpec {
  /** Every column the file may have (header names, matched without regard to case or surrounding spaces). */
  columns: readonly string[];
  /** Columns the header must have. */
  required: readonly string[];
  maxRows: number;
  /** An XLSX's own row limit when lower than `maxRows` (exceljs holds the whole workbook in memory). */
  maxXlsxRows?: number;
  /** What an XLSX may unpack to; MAX_XLSX_UNPACKED_BYTES unless the import's sheets are larger. */
  maxUnpackedBytes?: number;
  /** Said after "N rows, past the limit": by default, split the file (imports that add rows); replacing imports say otherwise. */
  tooManyAdvice?: string;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/**
 * What an XLSX may unpack to: a sheet of the import's 5,000 rows is a few MB, while deflate packs blanks a thousand to
 * one, so an upload within MAX_IMPORT_BYTES could otherwise make exceljs hold gigabytes (it inflates whole entries).
 */
export const MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024;

function fileError(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { file: message });
}

export function isXlsx(file: TableFile): boolean {
  return file.data.subarray(0, 4).equals(ZIP_MAGIC) || /\.xlsx$/i.test(file.fileName);
}

export async function readTableFile(file: TableFile, spec: TableSpec): Promise<TableRow[]> {
  if (file.data.length === 0) throw fileError('Tệp rỗng.');
  const xlsx = isXlsx(file);
  const maxRows = xlsx ? Math.min(spec.maxRows, spec.maxXlsxRows ?? spec.maxRows) : spec.maxRows;
  const tooMany = (n: number) => fileError(`Tệp có ${n} dòng dữ liệu, vượt quá giới hạn ${maxRows} dòng mỗi lần nhập${xlsx && maxRows < spec.maxRows ? ' của tệp XLSX' : ''}. ${spec.tooManyAdvice ?? 'Hãy chia thành nhiều tệp.'}`);
  const lines = xlsx ? await xlsxLines(file.data, maxRows, spec.maxUnpackedBytes ?? MAX_XLSX_UNPACKED_BYTES, tooMany) : csvLines(file.data, maxRows);
  const [header, ...body] = lines;
  if (!header) throw fileError('Tệp không có dòng tiêu đề.');
  const names = header.cells.map((c) => c.trim());
  const known = new Map(spec.columns.map((c) => [c.toLowerCase(), c]));
  const unknown = names.filter((n) => n !== '' && !known.has(n.toLowerCase()));
  if (unknown.length > 0) throw fileError(`Dòng 1 có cột không dùng được: ${unknown.join(', ')}. Các cột hợp lệ: ${spec.columns.join(', ')}.`);
  const columns = names.map((n) => known.get(n.toLowerCase()));
  const missing = spec.required.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw fileError(`Dòng 1 (tiêu đề) thiếu cột: ${missing.join(', ')}.`);
  const rows = body.filter((l) => l.cells.some((c) => c.trim() !== ''));
  if (rows.length === 0) throw fileError('Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.');
  if (rows.length > maxRows) throw tooMany(rows.length);
  return rows.map(({ line, cells }) => {
    const values: Record<string, string> = {};
    columns.forEach((column, i) => {
      const value = (cells[i] ?? '').trim();
      if (column && value !== '') values[column] = value.normalize('NFC');
    });
    return { line, values };
  });
}

interface RawLine { line: number; cells: string[] }

function csvLines(data: Buffer, maxRows: number): RawLine[] {
  // The header is short: decoding the first 64 KB (not a 40 MB file) is enough to see its delimiter.
  const text = data.subarray(0, 64 * 1024).toString('utf8');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Spreadsheets set to Vietnamese (and other comma-decimal) locales save CSV with semicolons.
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  // Each record becomes its line and cells at once: `info: true` would keep a dozen counters per record, which at
  // the season's 300,000 rows is hundreds of MB held until the file is checked.
  const options: CsvOptions<RawLine, string[]> = {
    bom: true, delimiter, relax_column_count: true, skip_empty_lines: true,
    // Header + the limit + one to know the file is too long, without reading a hostile file to its end.
    to: maxRows + 2,
    on_record: (record, context) => ({ line: context.lines, cells: record }),
  };
  try {
    return parse(data, options as unknown as CsvOptions) as unknown as RawLine[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw fileError(`Không đọc được tệp CSV${line ? ` (dòng ${line})` : ''}: kiểm tra dấu ngoặc kép và mã hóa UTF-8.`);
  }
}

/**
 * Unpacks every entry of the zip with a running budget, before exceljs sees it: false when the entries together unpack
 * past `budget` bytes, or when the zip's directory cannot be read. The sizes the zip declares are not trusted.
 */
function unpacksWithin(data: Buffer, budget: number): boolean {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > data.length) return false;
  let left = budget;
  let at = data.readUInt32LE(end + 16);
  for (let entries = data.readUInt16LE(end + 10); entries > 0; entries--) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) return false;
    const method = data.readUInt16LE(at + 10);
    const local = data.readUInt32LE(at + 42);
    if (local + 30 > data.length) return false;
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const packed = data.subarray(start, start + data.readUInt32LE(at + 20));
    try {
      left -= method === 8 ? inflateRawSync(packed, { maxOutputLength: Math.max(left, 1) }).length : packed.length;
    } catch {
      return false; // past the budget (ERR_BUFFER_TOO_LARGE), or not deflate data
    }
    if (left < 0) return false;
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  return true;
}

async function xlsxLines(data: Buffer, maxRows: number, maxUnpacked: number, tooMany: (n: number) => AppError): Promise<RawLine[]> {
  if (!unpacksWithin(data, maxUnpacked)) {
    throw fileError(`Không đọc được tệp XLSX: tệp hỏng, hoặc giải nén ra quá ${maxUnpacked / 1024 / 1024} MB (quá lớn với số dòng cho phép).`);
  }
  const { default: ExcelJS } = await import('exceljs'); // loaded on first use: ~400 modules most processes never need
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw fileError('Không đọc được tệp XLSX (tệp hỏng hoặc không phải bảng tính Excel).');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw fileError('Tệp XLSX không có trang tính nào.');
  if (sheet.actualRowCount > maxRows + 1) throw tooMany(sheet.actualRowCount - 1);
  const lines: RawLine[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) cells.push(row.getCell(i).text ?? '');
    lines.push({ line: rowNumber, cells });
  });
  return lines;
}
