// What the season's file imports (exam scores, the pre-verification roster) share: the file read within the season's
// limits with header problems reported on `line 1`, the pupil ID of each line (12 digits, once per file), and the
// all-or-nothing refusal naming every bad line (`fields` "line N", the first MAX_REPORTED_LINES of them).
import { AppError } from '../../errors.js';
import { readTableFile, type TableFile, type TableRow } from '../administration/table-file.js';

// Each season import REPLACES the campaign's list (all scores; the roster's pending rows), so one file must hold the
// whole province: Hanoi has ~103,000 grade-10 candidates and ~160,000 grade-1/6 registrations. The organisation
// import's 5,000 rows / 5 MB would make a province split its list, and every file would undo the one before.
/** Data rows of a CSV: the largest province's list with room to spare. */
export const SEASON_MAX_ROWS = 300_000;
/** Upload size: ~300,000 lines of a roster's 7 columns (~120 bytes a line) fit in 40 MB. */
export const SEASON_MAX_BYTES = 40 * 1024 * 1024;
/**
 * Data rows of an XLSX: exceljs holds the whole workbook in memory. Measured for a 7-column roster sheet: 30,000 rows
 * took 8 s and ~210 MB of heap to read, 100,000 rows 20 s and ~700 MB, too much for one request on a shared server
 * (50,000 rows through readImportFile: ~5 s, ~320 MB resident);
 * a larger list is saved as CSV (UTF-8), parsed into plain string arrays (a 12,000-row roster: well under a second).
 */
export const SEASON_MAX_XLSX_ROWS = 50_000;
/** What a season XLSX may unpack to (a 50,000-row, 7-column roster sheet unpacks to ~20 MB). */
const SEASON_MAX_XLSX_UNPACKED_BYTES = 48 * 1024 * 1024;
const MAX_REPORTED_LINES = 200;
const PUPIL_ID = /^\d{12}$/;

const count = (n: number) => n.toLocaleString('vi-VN');

/** The limits as the pages and the refusals state them. */
export function seasonFileLimits(): string {
  return `CSV tối đa ${count(SEASON_MAX_ROWS)} dòng, ${SEASON_MAX_BYTES / 1024 / 1024} MB; XLSX tối đa ${count(SEASON_MAX_XLSX_ROWS)} dòng `
    + '(danh sách lớn hơn hãy lưu thành CSV UTF-8). Tệp phải chứa toàn bộ danh sách của kỳ tuyển sinh: mỗi lần nhập thay danh sách cũ, '
    + 'nên không chia thành nhiều tệp.';
}

/** The refusal of an upload past SEASON_MAX_BYTES (FILE_TOO_LARGE, 413). */
export function seasonTooLargeMessage(): string {
  return `Tệp vượt quá ${SEASON_MAX_BYTES / 1024 / 1024} MB. ${seasonFileLimits()}`;
}

export async function readImportFile(file: TableFile, columns: readonly string[], required: readonly string[]): Promise<TableRow[]> {
  if (file.data.length > SEASON_MAX_BYTES) throw new AppError('FILE_TOO_LARGE', seasonTooLargeMessage());
  const spec = {
    columns, required, maxRows: SEASON_MAX_ROWS, maxXlsxRows: SEASON_MAX_XLSX_ROWS, maxUnpackedBytes: SEASON_MAX_XLSX_UNPACKED_BYTES,
    tooManyAdvice: seasonFileLimits(),
  };
  return readTableFile(file, spec).catch((error: unknown) => {
    // The header is line 1: an unknown or missing column is reported there, as every other line's problem is.
    const message = error instanceof AppError ? error.fields?.file : undefined;
    if (message?.startsWith('Dòng 1')) throw new AppError('VALIDATION_FAILED', 'Dòng tiêu đề của tệp chưa đúng; chưa nhập dòng nào.', { 'line 1': message });
    throw error;
  });
}

/** The problems of a file's lines, collected while every line is checked, then refused together. */
export class LineErrors {
  private readonly errors = new Map<number, string[]>();
  private readonly lineOf = new Map<string, number>();

  fail(line: number, message: string): void {
    this.errors.set(line, [...(this.errors.get(line) ?? []), message]);
  }

  /** The line's pupil ID: 12 digits, not on an earlier line. */
  pupilId(line: number, id: string): void {
    if (!PUPIL_ID.test(id)) this.fail(line, `pupilIdNumber: mã định danh học sinh gồm đúng 12 chữ số (đang là "${id}").`);
    else if (this.lineOf.has(id)) this.fail(line, `pupilIdNumber: học sinh ${id} đã có ở dòng ${this.lineOf.get(id)}.`);
    else this.lineOf.set(id, line);
  }

  /** 422 naming every bad line; nothing was imported. */
  throwIfAny(): void {
    if (this.errors.size === 0) return;
    const lines = [...this.errors.keys()].sort((a, b) => a - b);
    const fields = Object.fromEntries(lines.slice(0, MAX_REPORTED_LINES).map((line) => [`line ${line}`, this.errors.get(line)!.join(' ')]));
    const more = lines.length > MAX_REPORTED_LINES ? ` (liệt kê ${MAX_REPORTED_LINES} dòng đầu)` : '';
    throw new AppError('VALIDATION_FAILED', `Tệp có ${lines.length} dòng lỗi${more}; chưa nhập dòng nào. Sửa các dòng này rồi nhập lại cả tệp.`, fields);
  }
}
