// Working days for statutory deadlines: weekends, public holidays from date-holidays, and a yearly
// override table for what the library cannot know (the Government's swapped days, the second National
// Day day, Tết arrangements). Days are Vietnam calendar days written yyyy-mm-dd.

import Holidays from 'date-holidays';
import { z } from 'zod';
import bundledOverrides from './overrides.json' with { type: 'json' };
import { addDays, assertIsoDay, dayIndex, isIsoDay, parseTimeOfDay, vnDay, vnInstant, vnMinuteOfDay, weekday } from './vn-time.js';

const isoDay = z.string().refine(isIsoDay, 'ngày phải dạng yyyy-mm-dd hợp lệ');
const dayEntry = z.union([
  isoDay,
  z.strictObject({ date: isoDay, note: z.string().optional(), confidence: z.enum(['high', 'medium', 'unconfirmed']).optional() }),
]);
const yearEntry = z.strictObject({
  source: z.string().optional(),
  notes: z.array(z.string()).optional(),
  daysOff: z.array(dayEntry).default([]),
  workingDays: z.array(dayEntry).default([]),
});

export const calendarOverridesSchema = z
  .object({ $comment: z.string().optional() })
  .catchall(yearEntry)
  .superRefine((value, ctx) => {
    for (const [key, entry] of Object.entries(value)) {
      if (key === '$comment') continue;
      if (!/^\d{4}$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'khóa phải là năm (yyyy)' });
      const days = [...(entry as YearEntry).daysOff, ...(entry as YearEntry).workingDays].map(dayOf);
      days.forEach((d, i) => {
        if (!d.startsWith(`${key}-`)) ctx.addIssue({ code: 'custom', path: [key], message: `ngày ${d} không thuộc năm ${key}` });
        if (days.indexOf(d) !== i) ctx.addIssue({ code: 'custom', path: [key], message: `ngày ${d} khai báo hai lần` });
      });
    }
  });

type YearEntry = z.output<typeof yearEntry>;
type DayEntry = z.output<typeof dayEntry>;
export type CalendarOverrides = z.input<typeof calendarOverridesSchema>;

const dayOf = (e: DayEntry): string => (typeof e === 'string' ? e : e.date);

export function parseCalendarOverrides(data: unknown): Map<number, { daysOff: string[]; workingDays: string[] }> {
  const parsed = calendarOverridesSchema.parse(data);
  const out = new Map<number, { daysOff: string[]; workingDays: string[] }>();
  for (const [key, entry] of Object.entries(parsed)) {
    if (key === '$comment' || typeof entry === 'string' || entry === undefined) continue;
    out.set(Number(key), { daysOff: entry.daysOff.map(dayOf), workingDays: entry.workingDays.map(dayOf) });
  }
  return out;
}

export interface CalendarOptions {
  /** Defaults to the bundled src/calendar/overrides.json. */
  overrides?: CalendarOverrides;
  /** Office closing time, the hour a due day ends. */
  closeAt?: string;
}

export interface Sla {
  workingDays: number;
  cutoff: string;
}

export interface DueDate {
  /** The day counting starts on (working day 1). */
  startDay: string;
  dueDay: string;
  /** closeAt on dueDay, Vietnam time. */
  dueAt: Date;
}

interface YearInfo {
  off: Set<string>;
  working: Set<string>;
}

// No holiday arrangement keeps offices closed this long; hitting it means the data is wrong.
const MAX_SEARCH_DAYS = 60;

const isWeekend = (day: string) => {
  const w = weekday(day);
  return w === 0 || w === 6;
};

export class WorkingCalendar {
  readonly closeAt: string;
  private readonly holidays = new Holidays('VN');
  private readonly overrides: Map<number, { daysOff: string[]; workingDays: string[] }>;
  private readonly years = new Map<number, YearInfo>();
  private readonly dueMemo = new Map<string, { dueDay: string; dueAt: number }>();
  // Deadlines cluster around today, so this stays small (a few hundred days) in a long-running process.
  private readonly memo = new Map<string, boolean>();

  constructor(opts: CalendarOptions = {}) {
    this.overrides = parseCalendarOverrides(opts.overrides ?? bundledOverrides);
    this.closeAt = opts.closeAt ?? '17:00';
    parseTimeOfDay(this.closeAt);
  }

  /** Statutory public holidays known to date-holidays, each day of a multi-day holiday (Tết) listed. */
  publicHolidays(year: number): string[] {
    const days = new Set<string>();
    for (const h of this.holidays.getHolidays(year)) {
      if (h.type !== 'public') continue;
      // start/end are instants in the country's time zone; end is exclusive.
      for (let d = vnDay(h.start); dayIndex(d) < dayIndex(vnDay(h.end)); d = addDays(d, 1)) days.add(d);
    }
    return [...days].sort();
  }

  private yearInfo(year: number): YearInfo {
    let info = this.years.get(year);
    if (info) return info;
    const off = new Set(this.publicHolidays(year));
    const override = this.overrides.get(year);
    if (override) {
      for (const d of override.daysOff) off.add(d);
      info = { off, working: new Set(override.workingDays) };
    } else {
      info = { off: statutoryFallback(year, off), working: new Set() };
    }
    this.years.set(year, info);
    return info;
  }

  /** Weekdays (and swapped days) aside, every day off in `year` that is not a Saturday or Sunday. */
  daysOff(year: number): string[] {
    return [...this.yearInfo(year).off].filter((d) => !isWeekend(d)).sort();
  }

  isWorkingDay(day: string): boolean {
    const known = this.memo.get(day);
    if (known !== undefined) return known;
    assertIsoDay(day);
    const info = this.yearInfo(Number(day.slice(0, 4)));
    const working = info.working.has(day) || (!isWeekend(day) && !info.off.has(day));
    this.memo.set(day, working);
    return working;
  }

  /** The first working day strictly after `day`. */
  nextWorkingDay(day: string): string {
    let d = day;
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) return d;
    }
    throw new Error(`No working day within ${MAX_SEARCH_DAYS} days after ${day}: check the holiday data`);
  }

  /** The day `n` working days after `day` (n = 0 gives `day` itself, working or not). */
  addWorkingDays(day: string, n: number): string {
    assertIsoDay(day);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays needs a non-negative integer, got ${n}`);
    let d = day;
    for (let i = 0; i < n; i++) d = this.nextWorkingDay(d);
    return d;
  }

  /**
   * The day counting starts: the day of receipt if it is a working day and the dossier arrived before
   * the cut-off (15:00:00 exactly counts as after), otherwise the next working day.
   */
  startDayFor(receivedAt: Date, cutoff = '15:00'): string {
    const day = vnDay(receivedAt);
    if (this.isWorkingDay(day) && vnMinuteOfDay(receivedAt) < parseTimeOfDay(cutoff)) return day;
    return this.nextWorkingDay(day);
  }

  /** Due at closing time of the N-th working day, the start day being the 1st. */
  dueDate(receivedAt: Date, sla: Sla, closeAt = this.closeAt): DueDate {
    if (!Number.isInteger(sla.workingDays) || sla.workingDays < 1) {
      throw new RangeError(`sla.workingDays must be a positive integer, got ${sla.workingDays}`);
    }
    const startDay = this.startDayFor(receivedAt, sla.cutoff);
    // Intake asks this for every dossier with the same few (start day, SLA) pairs: remember the walk.
    const memoKey = `${startDay}|${sla.workingDays}|${closeAt}`;
    const known = this.dueMemo.get(memoKey);
    if (known) return { startDay, dueDay: known.dueDay, dueAt: new Date(known.dueAt) };
    const dueDay = this.addWorkingDays(startDay, sla.workingDays - 1);
    const dueAt = vnInstant(dueDay, closeAt);
    if (this.dueMemo.size > 10_000) this.dueMemo.clear();
    this.dueMemo.set(memoKey, { dueDay, dueAt: dueAt.getTime() });
    return { startDay, dueDay, dueAt };
  }

  /**
   * Working days d with from < d ≤ to, on Vietnam calendar days; negative when `to` is before `from`.
   * So addWorkingDays(a, n) = b implies workingDaysBetween(a, b) = n.
   */
  workingDaysBetween(from: Date | string, to: Date | string): number {
    const a = typeof from === 'string' ? from : vnDay(from);
    const b = typeof to === 'string' ? to : vnDay(to);
    const [lo, hi, sign] = dayIndex(a) <= dayIndex(b) ? [a, b, 1] : [b, a, -1];
    let count = 0;
    for (let d = addDays(lo, 1); dayIndex(d) <= dayIndex(hi); d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return sign * count;
  }
}

/**
 * For years the override table does not cover: the Labour Code's rules the Government's yearly plan
 * is built on. A holiday on a Saturday or Sunday gives the next working day off (art. 111(3)); National
 * Day is 2/9 plus an adjacent day (art. 112), taken here on the side that joins a weekend.
 */
function statutoryFallback(year: number, holidays: Set<string>): Set<string> {
  const off = new Set(holidays);
  const nationalDay = `${year}-09-02`;
  if (off.has(nationalDay)) {
    // Mon→Tue 3/9, Tue→Mon 1/9, Wed→Thu 3/9, Thu→Fri 3/9, Fri→Thu 1/9, Sat→Fri 1/9, Sun→Mon 3/9.
    const beforeOn = new Set([2, 5, 6]);
    off.add(beforeOn.has(weekday(nationalDay)) ? `${year}-09-01` : `${year}-09-03`);
  }
  const onWeekend = [...off].filter(isWeekend).sort();
  for (const day of onWeekend) {
    let d = addDays(day, 1);
    while (isWeekend(d) || off.has(d)) d = addDays(d, 1);
    off.add(d);
  }
  return off;
}

/** Built once: date-holidays' rule evaluation is too slow to repeat per request. */
export const workingCalendar = new WorkingCalendar();

export const isWorkingDay = (day: string): boolean => workingCalendar.isWorkingDay(day);
export const nextWorkingDay = (day: string): string => workingCalendar.nextWorkingDay(day);
export const addWorkingDays = (day: string, n: number): string => workingCalendar.addWorkingDays(day, n);
export const startDayFor = (receivedAt: Date, cutoff?: string): string => workingCalendar.startDayFor(receivedAt, cutoff);
export const dueDate = (receivedAt: Date, sla: Sla, closeAt?: string): DueDate =>
  workingCalendar.dueDate(receivedAt, sla, closeAt);
export const workingDaysBetween = (from: Date | string, to: Date | string): number =>
  workingCalendar.workingDaysBetween(from, to);

export default workingCalendar;
