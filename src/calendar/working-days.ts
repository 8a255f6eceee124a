// Working days for statutory deadlines: weekends, public holidays from date-holidays, and a yearly
// override table for what the library cannot know (the Government's swapped days, the second National
// Day day, Tết arrangements). Days are Vietnam calendar days written yyyy-mm-dd.
// A year with an override entry is taken as complete: no day in lieu (Labour Code art. 111(3)) and no second
// National Day day is inferred for it; a year without one gets both from statutoryFallback(). The bundled
// overrides.json seeds the table administrators keep (calendar_years, services/administration/calendar.ts), whose
// content then replaces the overrides here (replaceOverrides); this module stays pure and never reads the database.

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

/** A year of the bundled overrides.json as the administrators' table keeps it, its notes gathered into one text. */
export interface BundledCalendarYear { year: number; holidays: string[]; workingWeekends: string[]; note: string }

const CONFIDENCE_VI = { high: 'chắc chắn', medium: 'cần đối chiếu văn bản', unconfirmed: 'chưa có thông báo chính thức' } as const;

export function bundledCalendarYears(): BundledCalendarYear[] {
  const parsed = calendarOverridesSchema.parse(bundledOverrides);
  const years: BundledCalendarYear[] = [];
  for (const [key, entry] of Object.entries(parsed)) {
    if (key === '$comment' || typeof entry === 'string' || entry === undefined) continue;
    const dayNotes = [...entry.daysOff, ...entry.workingDays]
      .flatMap((d) => (typeof d === 'string' || !d.note ? [] : [`${d.date}: ${d.note}${d.confidence && d.confidence !== 'high' ? ` (${CONFIDENCE_VI[d.confidence]})` : ''}`]));
    years.push({
      year: Number(key), holidays: entry.daysOff.map(dayOf), workingWeekends: entry.workingDays.map(dayOf),
      note: [entry.source, ...(entry.notes ?? []), ...dayNotes].filter(Boolean).join('\n'),
    });
  }
  return years.sort((a, b) => a.year - b.year);
}

/** Why a day departs from "Monday to Friday are working days". */
export type CalendarDayKind = 'public-holiday' | 'declared-holiday' | 'day-in-lieu' | 'working-weekend';

export interface CalendarDay { date: string; kind: CalendarDayKind; label: string }

/** A year's departures from the statutory calendar: weekdays off, and Saturdays/Sundays worked. */
export interface YearOverride { daysOff: string[]; workingDays: string[] }

export function parseCalendarOverrides(data: unknown): Map<number, YearOverride> {
  const parsed = calendarOverridesSchema.parse(data);
  const out = new Map<number, YearOverride>();
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

export const isWeekend = (day: string): boolean => {
  const w = weekday(day);
  return w === 0 || w === 6;
};

export class WorkingCalendar {
  readonly closeAt: string;
  private readonly holidays = new Holidays('VN');
  private overrides: Map<number, YearOverride>;
  private readonly years = new Map<number, YearInfo>();
  private readonly dueMemo = new Map<string, { dueDay: string; dueAt: number }>();
  // Deadlines cluster around today, so this stays small (a few hundred days) in a long-running process.
  private readonly memo = new Map<string, boolean>();

  constructor(opts: CalendarOptions = {}) {
    this.overrides = parseCalendarOverrides(opts.overrides ?? bundledOverrides);
    this.closeAt = opts.closeAt ?? '17:00';
    parseTimeOfDay(this.closeAt);
  }

  /**
   * Replaces every year's overrides at once (the administrators' table, reloaded when it changes); what was derived
   * from the previous ones is forgotten. Checked like the bundled file: an invalid table throws and nothing changes.
   */
  replaceOverrides(overrides: CalendarOverrides | Map<number, YearOverride>): void {
    const next = overrides instanceof Map
      ? parseCalendarOverrides(Object.fromEntries([...overrides].map(([year, o]) => [String(year), o])))
      : parseCalendarOverrides(overrides);
    this.overrides = next;
    this.years.clear();
    this.memo.clear();
    this.dueMemo.clear();
  }

  /** Whether `year` has an override entry (and is therefore taken as complete). */
  hasOverride(year: number): boolean {
    return this.overrides.has(year);
  }

  /** Statutory public holidays known to date-holidays, each day of a multi-day holiday (Tết) listed. */
  publicHolidays(year: number): string[] {
    return [...this.publicHolidayNames(year).keys()].sort();
  }

  /**
   * The same days with the holiday's Vietnamese name. Inside a multi-day holiday a day takes the name of the last
   * holiday begun by then: Tết's range is named after its eve, the days from the first of the year on are "Tết".
   */
  publicHolidayNames(year: number): Map<string, string> {
    const holidays = this.holidays.getHolidays(year).filter((h) => h.type === 'public');
    const startingOn = new Map<string, string>();
    for (const h of holidays) if (!startingOn.has(vnDay(h.start))) startingOn.set(vnDay(h.start), h.name);
    const days = new Map<string, string>();
    for (const h of holidays) {
      let name = h.name;
      // start/end are instants in the country's time zone; end is exclusive.
      for (let d = vnDay(h.start); dayIndex(d) < dayIndex(vnDay(h.end)); d = addDays(d, 1)) {
        name = startingOn.get(d) ?? name;
        if (!days.has(d)) days.set(d, name);
      }
    }
    return days;
  }

  /**
   * The year as an administrator checks it: every public holiday (weekends included), every other weekday off with
   * its reason (declared in the overrides, or a day in lieu inferred for a year without an entry) and every weekend
   * worked, in date order. `override`: the entry to show instead of the one in use (an administrator's table row,
   * null for none), without changing what this calendar computes.
   */
  yearDays(year: number, override: YearOverride | null = this.overrides.get(year) ?? null): CalendarDay[] {
    const names = this.publicHolidayNames(year);
    const info = this.computeYearInfo(year, override);
    const declared = new Set(override?.daysOff ?? []);
    const days: CalendarDay[] = [...names].map(([date, name]) => ({ date, kind: 'public-holiday' as const, label: name }));
    for (const date of info.off) {
      if (names.has(date) || isWeekend(date)) continue;
      days.push(declared.has(date)
        ? { date, kind: 'declared-holiday', label: 'Ngày nghỉ theo thông báo của Chính phủ' }
        : { date, kind: 'day-in-lieu', label: 'Nghỉ bù / nghỉ liền kề suy ra theo Bộ luật Lao động (năm chưa được khai báo)' });
    }
    for (const date of info.working) days.push({ date, kind: 'working-weekend', label: 'Làm việc bù ngày cuối tuần' });
    return days.sort((a, b) => a.date.localeCompare(b.date));
  }

  private yearInfo(year: number): YearInfo {
    let info = this.years.get(year);
    if (info) return info;
    info = this.computeYearInfo(year, this.overrides.get(year) ?? null);
    this.years.set(year, info);
    return info;
  }

  private computeYearInfo(year: number, override: YearOverride | null): YearInfo {
    const off = new Set(this.publicHolidays(year));
    if (!override) return { off: statutoryFallback(year, off), working: new Set() };
    for (const d of override.daysOff) off.add(d);
    return { off, working: new Set(override.workingDays) };
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
