// The working-day calendar as administrators keep it (calendar_years), loaded into calendar/working-days.ts: one row
// per year lists the weekdays off beyond date-holidays' public holidays and the weekends worked; a year with a row is
// taken as complete (no day in lieu inferred). The bundled overrides.json seeds the years the table lacks.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { isIsoDay, weekday } from '../../calendar/vn-time.js';
import { bundledCalendarYears, workingCalendar, type CalendarDay, type WorkingCalendar } from '../../calendar/working-days.js';
import type { Db } from '../../db/client.js';
import { bumpRevision } from '../../db/repositories/administration.js';
import {
  findCalendarYear, insertCalendarYearsIfAbsent, listCalendarYears, saveCalendarYear as saveCalendarYearRow, type CalendarYearRow,
} from '../../db/repositories/calendar.js';
import { findStaffById } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { administratorOf } from './administrator.js';

/** Years an administrator may keep: wide enough for any deadline the portal computes. */
export const CALENDAR_YEARS = { min: 2000, max: 2100 } as const;

export const calendarYearInput = z.object({
  holidays: z.array(z.string().max(20)).max(366),
  workingWeekends: z.array(z.string().max(20)).max(106),
  note: z.string().max(4000).nullish(),
});
export type CalendarYearInput = z.infer<typeof calendarYearInput>;

export interface CalendarYearView {
  year: number;
  /** False: no row yet, the statutory rules apply (days in lieu inferred); saving makes the year complete. */
  saved: boolean;
  holidays: string[];
  workingWeekends: string[];
  note: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** The result: public holidays, other weekdays off with their reason, weekends worked. */
  days: CalendarDay[];
}

/**
 * Once at start-up (context.ts), before the first load: adds the bundled years the table lacks (national data, so
 * production gets them too; an administrator's row is never overwritten).
 */
export async function seedBundledCalendarYears(db: Db): Promise<void> {
  await insertCalendarYearsIfAbsent(db, bundledCalendarYears().map((y) => ({ ...y, updatedBy: null })));
}

/** The admin-data loader (context.ts): puts the table's content in place of the calendar's overrides. */
export async function loadCalendar(db: Db, calendar: WorkingCalendar = workingCalendar): Promise<void> {
  const rows = await listCalendarYears(db);
  calendar.replaceOverrides(new Map(rows.map((r) => [r.year, { daysOff: r.holidays, workingDays: r.workingWeekends }])));
}

export async function listCalendar(ctx: AppContext, caller: Caller): Promise<CalendarYearView[]> {
  administratorOf(caller);
  const rows = await listCalendarYears(ctx.db);
  return Promise.all(rows.map((row) => viewOf(ctx, row.year, row)));
}

export async function getCalendarYear(ctx: AppContext, caller: Caller, year: number): Promise<CalendarYearView> {
  administratorOf(caller);
  checkYear(year);
  return viewOf(ctx, year, await findCalendarYear(ctx.db, year));
}

export async function saveCalendarYear(ctx: AppContext, caller: Caller, year: number, input: CalendarYearInput): Promise<CalendarYearView> {
  const { staff, actor } = administratorOf(caller);
  checkYear(year);
  const { holidays, workingWeekends } = checkDays(year, input);
  const note = input.note?.trim() || null;
  const saved = await ctx.db.transaction(async (tx) => {
    const before = await findCalendarYear(tx, year, true);
    const row = await saveCalendarYearRow(tx, { year, holidays, workingWeekends, note, updatedBy: staff.id });
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'calendar.updated', String(year), { before: before ? lists(before) : null, after: lists(row) });
    return row;
  });
  await ctx.adminData.changed();
  return viewOf(ctx, year, saved);
}

const lists = (row: CalendarYearRow) => ({ holidays: row.holidays, workingWeekends: row.workingWeekends, note: row.note });

async function viewOf(ctx: AppContext, year: number, row: CalendarYearRow | undefined): Promise<CalendarYearView> {
  const editor = row?.updatedBy ? await findStaffById(ctx.db, row.updatedBy) : undefined;
  return {
    year, saved: row !== undefined,
    holidays: row?.holidays ?? [], workingWeekends: row?.workingWeekends ?? [], note: row?.note ?? null,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    updatedBy: editor ? `${editor.fullName} (${editor.username})` : null,
    // From the row just read, not the process's copy, which another process's save reaches only at the next poll.
    days: workingCalendar.yearDays(year, row ? { daysOff: row.holidays, workingDays: row.workingWeekends } : null),
  };
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < CALENDAR_YEARS.min || year > CALENDAR_YEARS.max) {
    throw new AppError('NOT_FOUND', `Chỉ khai báo lịch cho các năm từ ${CALENDAR_YEARS.min} đến ${CALENDAR_YEARS.max}.`);
  }
}

const WEEKDAY_VI = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];

/** Dates valid and in the year, holidays on weekdays, weekends worked on Saturdays or Sundays, no date twice. */
function checkDays(year: number, input: CalendarYearInput): { holidays: string[]; workingWeekends: string[] } {
  const seen = new Set<string>();
  const problems: Record<string, string> = {};
  const check = (field: 'holidays' | 'workingWeekends', days: string[]): string[] => {
    const wrong: string[] = [];
    const clean = days.map((d) => d.trim());
    for (const day of clean) {
      const shown = isIsoDay(day) ? day.split('-').reverse().join('/') : `"${day}"`;
      if (!isIsoDay(day)) wrong.push(`${shown} không phải ngày hợp lệ`);
      else if (!day.startsWith(`${year}-`)) wrong.push(`${shown} không thuộc năm ${year}`);
      else if (seen.has(day)) wrong.push(`${shown} được khai báo hai lần`);
      else {
        const dow = weekday(day);
        const weekend = dow === 0 || dow === 6;
        if (field === 'holidays' && weekend) wrong.push(`${shown} là ${WEEKDAY_VI[dow]}, không phải ngày làm việc thường`);
        if (field === 'workingWeekends' && !weekend) wrong.push(`${shown} là ${WEEKDAY_VI[dow]}, không phải thứ Bảy hay Chủ nhật`);
      }
      seen.add(day);
    }
    if (wrong.length > 0) problems[field] = `${wrong.join('; ')}.`;
    return [...new Set(clean)].sort();
  };
  const holidays = check('holidays', input.holidays);
  const workingWeekends = check('workingWeekends', input.workingWeekends);
  if (Object.keys(problems).length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Lịch chưa hợp lệ, vui lòng kiểm tra các ngày được đánh dấu.', problems);
  }
  return { holidays, workingWeekends };
}
