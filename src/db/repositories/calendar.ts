// The working-day calendar administrators keep, one row per year (schema/administration.ts calendar_years).
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { calendarYears } from '../schema/index.js';

export type CalendarYearRow = typeof calendarYears.$inferSelect;
export type NewCalendarYear = Pick<typeof calendarYears.$inferInsert, 'year' | 'holidays' | 'workingWeekends' | 'note' | 'updatedBy'>;

export async function listCalendarYears(db: Db): Promise<CalendarYearRow[]> {
  return db.select().from(calendarYears).orderBy(asc(calendarYears.year));
}

/** With `lock`, the row stays locked until the caller's transaction ends (a save reads "before" and writes "after"). */
export async function findCalendarYear(db: Db, year: number, lock = false): Promise<CalendarYearRow | undefined> {
  const query = db.select().from(calendarYears).where(eq(calendarYears.year, year));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** Adds the years not in the table yet; a year already there (an administrator's edit) is left as it is. */
export async function insertCalendarYearsIfAbsent(db: Db, rows: NewCalendarYear[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(calendarYears).values(rows).onConflictDoNothing({ target: calendarYears.year });
}

export async function saveCalendarYear(db: Db, row: NewCalendarYear): Promise<CalendarYearRow> {
  const [saved] = await db.insert(calendarYears).values(row).onConflictDoUpdate({
    target: calendarYears.year,
    set: { holidays: row.holidays, workingWeekends: row.workingWeekends, note: row.note, updatedBy: row.updatedBy, updatedAt: new Date() },
  }).returning();
  return saved!;
}
