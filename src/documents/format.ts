// Date formatting for documents. Vietnam has used UTC+7 with no daylight saving since 1975, so a fixed offset
// is exact and avoids depending on the ICU time-zone data of the Node build.

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * A calendar date in Vietnam time. A bare "yyyy-mm-dd" is taken as that calendar date (a birth date must not
 * move a day because of a time zone); anything else goes through Date and is shifted to UTC+7.
 */
export function toVietnamDate(value: unknown): CalendarDate | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const match = DATE_ONLY.exec(trimmed);
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const check = new Date(Date.UTC(year, month - 1, day));
      if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
        return undefined;
      }
      return { year, month, day };
    }
    if (trimmed === '') return undefined;
    return toVietnamDate(new Date(trimmed));
  }
  if (typeof value === 'number') return toVietnamDate(new Date(value));
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    const shifted = new Date(value.getTime() + VIETNAM_OFFSET_MS);
    return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
  }
  return undefined;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** dd/mm/yyyy in Vietnam time, or undefined when the value is not a date. */
export function formatDateVN(value: unknown): string | undefined {
  const d = toVietnamDate(value);
  return d ? `${pad2(d.day)}/${pad2(d.month)}/${d.year}` : undefined;
}

/**
 * "ngày 05 tháng 02 năm 2026" — Decree 30 (Appendix I) writes a leading zero for days below 10 and for
 * months 1 and 2 only (so "tháng 02" but "tháng 3"), which keeps handwritten amendments from being possible.
 */
export function formatDateWordsVN(value: unknown): string | undefined {
  const d = toVietnamDate(value);
  if (!d) return undefined;
  const month = d.month <= 2 ? pad2(d.month) : String(d.month);
  return `ngày ${pad2(d.day)} tháng ${month} năm ${d.year}`;
}

/** "Thanh Hóa, ngày 22 tháng 11 năm 2026" */
export function placeDateLine(place: string, date: Date): string {
  const words = formatDateWordsVN(date);
  if (!words) throw new Error('issuedAt is not a valid date');
  return `${place}, ${words}`;
}
