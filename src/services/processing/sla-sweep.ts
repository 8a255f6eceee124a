// The SLA sweep: marks running dossiers due soon (due by the end of the next working day) and overdue (past their
// date, or past the apology's new date), and raises one alert per dossier, kind and date for the unit holding it
// (sla_alerts; a notify job or GET /api/sla-alerts delivers them). Idempotent: running it twice raises nothing new.
import { and, eq, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { vnInstant, vnToday } from '../../calendar/vn-time.js';
import { nextWorkingDay, workingCalendar } from '../../calendar/working-days.js';
import type { Db } from '../../db/client.js';
import { insertSlaAlerts } from '../../db/repositories/routing.js';
import { dossiers } from '../../db/schema/index.js';

export interface SweepOutcome { dueSoon: number; overdue: number; stateOverdue: number; alerts: number }

const effectiveDue = sql<Date>`coalesce(${dossiers.apologyDueAt}, ${dossiers.dueAt})`;

export async function sweepSla(db: Db, now = new Date()): Promise<SweepOutcome> {
  const soonLimit = vnInstant(nextWorkingDay(vnToday(now)), workingCalendar.closeAt);
  // Comparisons against an SQL expression get no column type to map a Date with: pass instants as timestamptz text.
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const running = and(eq(dossiers.clockState, 'running'), isNotNull(dossiers.dueAt));
  const cols = { id: dossiers.id, unitId: dossiers.unitId, dueAt: effectiveDue, code: dossiers.code };

  const overdue = await db.update(dossiers).set({ slaMark: 'overdue' })
    .where(and(running, sql`${effectiveDue} < ${ts(now)}`, or(isNull(dossiers.slaMark), ne(dossiers.slaMark, 'overdue'))))
    .returning(cols);
  const dueSoon = await db.update(dossiers).set({ slaMark: 'due_soon' })
    .where(and(running, sql`${effectiveDue} >= ${ts(now)}`, sql`${effectiveDue} <= ${ts(soonLimit)}`, isNull(dossiers.slaMark)))
    .returning(cols);
  const stepLate = await db.select({ id: dossiers.id, unitId: dossiers.unitId, dueAt: dossiers.stateDueAt, code: dossiers.code, status: dossiers.status })
    .from(dossiers).where(and(running, isNotNull(dossiers.stateDueAt), lt(dossiers.stateDueAt, now)));

  const toDate = (v: Date | string | null) => (v instanceof Date ? v : new Date(String(v)));
  const alerts = await insertSlaAlerts(db, [
    ...overdue.map((d) => ({ dossierId: d.id, unitId: d.unitId, kind: 'overdue' as const, dueAt: toDate(d.dueAt), data: { code: d.code } })),
    ...dueSoon.map((d) => ({ dossierId: d.id, unitId: d.unitId, kind: 'due_soon' as const, dueAt: toDate(d.dueAt), data: { code: d.code } })),
    ...stepLate.map((d) => ({ dossierId: d.id, unitId: d.unitId, kind: 'state_overdue' as const, dueAt: toDate(d.dueAt), data: { code: d.code, status: d.status } })),
  ]);
  return { dueSoon: dueSoon.length, overdue: overdue.length, stateOverdue: stepLate.length, alerts };
}
