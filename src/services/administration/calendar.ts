// The working-day calendar as administrators keep it (calendar_years), loaded into calendar/working-days.ts.
import type { Db } from '../../db/client.js';

/** Loads the calendar's yearly departures from the database into the process's working-day calendar. */
export async function loadCalendar(_db: Db): Promise<void> {
  // Filled in with the calendar administration; until then the bundled overrides apply.
}
