// Vietnam wall-clock helpers. Vietnam has used UTC+7 without daylight saving since 1975, so a fixed
// offset is exact and avoids depending on the host's time-zone database.

export const VN_OFFSET_MINUTES = 7 * 60;
const OFFSET_MS = VN_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a real calendar day written yyyy-mm-dd (rejects 2025-02-30). */
export function isIsoDay(value: string): boolean {
  const m = ISO_DAY.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function assertIsoDay(value: string): void {
  if (!isIsoDay(value)) throw new RangeError(`Not a valid yyyy-mm-dd date: "${value}"`);
}

/** Day number since the epoch: lets day arithmetic be integer arithmetic. */
export function dayIndex(day: string): number {
  assertIsoDay(day);
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS;
}

export function dayFromIndex(index: number): string {
  return new Date(index * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayFromIndex(dayIndex(day) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(dayIndex(day) * DAY_MS).getUTCDay();
}

/** The Vietnam calendar day of an instant. */
export function vnDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** Minutes since Vietnam midnight, with the seconds as a fraction so 14:59:59 stays before 15:00. */
export function vnMinuteOfDay(at: Date): number {
  const ms = (((at.getTime() + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return ms / 60_000;
}

export function parseTimeOfDay(hhmm: string): number {
  const m = HH_MM.exec(hhmm);
  if (!m) throw new RangeError(`Not a valid HH:mm time: "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The instant at which Vietnam clocks show `hhmm` on `day`. */
export function vnInstant(day: string, hhmm: string): Date {
  return new Date(dayIndex(day) * DAY_MS + parseTimeOfDay(hhmm) * 60_000 - OFFSET_MS);
}

/** The instant the Vietnam calendar month of `at` begins, or, with `months`, the month that many later (or earlier). */
export function vnMonthStart(at: Date, months = 0): Date {
  const local = new Date(at.getTime() + OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + months, 1) - OFFSET_MS);
}

export function vnToday(now: Date = new Date()): string {
  return vnDay(now);
}

/** `at` as Vietnam clocks show it, to the minute: the value of an <input type="datetime-local">. */
export function vnLocalDateTime(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 16);
}

/** A datetime-local value ("2026-06-01T07:30", seconds optional) read as Vietnam time; undefined when it is not one. */
export function fromVnLocalDateTime(value: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::00)?$/.exec(value.trim());
  if (!m || !isIsoDay(m[1]!) || !HH_MM.test(m[2]!)) return undefined;
  return vnInstant(m[1]!, m[2]!);
}

/** yyyyMMddHHmmss, 24-hour, as Vietnam clocks show `at` (UTC+7 all year): the national contracts' time format. */
export function vnTimestamp(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MINUTES * 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The instant a yyyyMMddHHmmss Vietnam time names; undefined when it names none (month 13, 25:00). */
export function parseVnTimestamp(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})([01]\d|2[0-3])([0-5]\d)([0-5]\d)$/.exec(value);
  if (!m || !isIsoDay(`${m[1]}-${m[2]}-${m[3]}`)) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
}

/** From here on Vietnam's offset is fixed (before mid-1975 the South kept UTC+8): the text below is arithmetic. */
const FIXED_OFFSET_FROM = Date.UTC(1976, 0, 1);
const FIXED_OFFSET_UNTIL = Date.UTC(10_000, 0, 1);
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * "dd/mm/yyyy" (and with `withTime` "HH:mm dd/mm/yyyy") on Vietnam clocks: the text Intl.DateTimeFormat('vi-VN',
 * { timeZone: 'Asia/Ho_Chi_Minh', 2-digit day and month, numeric year[, 2-digit hour and minute] }) gives, without
 * going through ICU — the pages draw several dates on every view and ICU's formatting is a measurable part of one
 * (issue 15). Undefined outside 1976–9999 or for an invalid date: the caller asks Intl then.
 */
export function vnDateText(at: Date, withTime: boolean): string | undefined {
  const ms = at.getTime();
  if (!(ms >= FIXED_OFFSET_FROM && ms < FIXED_OFFSET_UNTIL)) return undefined;
  const wall = new Date(ms + OFFSET_MS);
  const day = `${pad2(wall.getUTCDate())}/${pad2(wall.getUTCMonth() + 1)}/${wall.getUTCFullYear()}`;
  return withTime ? `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())} ${day}` : day;
}
