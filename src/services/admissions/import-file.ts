// What the season's file imports (exam scores, the pre-verification roster) share: the file read within the units
// import's limits with header problems reported on `line 1`, the pupil ID of each line (12 digits, once per file),
// and the all-or-nothing refusal naming every bad line (`fields` "line N", the first MAX_REPORTED_LINES of them).
import { AppError } from '../../errors.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../administration/organisation.js';
import { readTableFile, type TableFile, type TableRow } from '../administration/table-file.js';

const MAX_REPORTED_LINES = 200;
const PUPIL_ID = /^\d{12}$/;

export async function readImportFile(file: TableFile, columns: readonly string[], required: readonly string[]): Promise<TableRow[]> {
  const tooLarge = `Tệp vượt quá ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Hãy chia thành nhiều tệp (tối đa ${MAX_IMPORT_ROWS} dòng mỗi tệp).`;
  if (file.data.length > MAX_IMPORT_BYTES) throw new AppError('VALIDATION_FAILED', tooLarge, { file: tooLarge });
  return readTableFile(file, { columns, required, maxRows: MAX_IMPORT_ROWS }).catch((error: unknown) => {
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
