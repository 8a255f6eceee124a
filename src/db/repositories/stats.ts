// Aggregates behind the service-quality dashboard: one grouped scan of the dossiers filed in a period.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rowsOf } from './outbox.js';

export interface StatsQuery {
  from: Date;            // inclusive
  to: Date;              // exclusive
  now: Date;
  procedureId?: string;
  /** Restrict to these units or agencies; undefined means everything (admins). */
  reach?: { unitIds: string[]; agencyCodes: string[] };
}

export interface StatsRow {
  procedureId: string;
  month: string;          // yyyy-mm, Vietnam time, of the filing
  status: string;
  dossiers: number;
  online: number;
  completed: number;
  onTime: number;
  lateOpen: number;
  rated: number;
  unsatisfied: number;
  /** With at least one feedback or complaint (phản ánh, kiến nghị) filed about it. */
  complained: number;
  /** Completed, on time, not rated unsatisfied and not complained about: the numerator of Decision 766's satisfaction rate. */
  satisfactory: number;
}

/** Counts per (procedure, month, status). Vietnam has no DST: +7 hours gives the local month without a tz database. */
export async function dossierStats(db: Db, q: StatsQuery): Promise<StatsRow[]> {
  const filters: SQL[] = [sql`d.submitted_at >= ${q.from.toISOString()}::timestamptz`, sql`d.submitted_at < ${q.to.toISOString()}::timestamptz`];
  if (q.procedureId) filters.push(sql`d.procedure_id = ${q.procedureId}`);
  if (q.reach) {
    const units = q.reach.unitIds.length > 0 ? sql`d.unit_id in (${sql.join(q.reach.unitIds.map((u) => sql`${u}`), sql`, `)})` : sql`false`;
    const agencies = q.reach.agencyCodes.length > 0 ? sql`d.agency_code in (${sql.join(q.reach.agencyCodes.map((a) => sql`${a}`), sql`, `)})` : sql`false`;
    filters.push(sql`(${units} or ${agencies})`);
  }
  const now = sql`${q.now.toISOString()}::timestamptz`;
  const completed = sql`d.completed_at is not null and d.received_at is not null`;
  const complained = sql`exists (select 1 from feedback_items f where f.dossier_id = d.id)`;
  const result = await db.execute(sql`
    select d.procedure_id as "procedureId",
      to_char((d.submitted_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM') as "month",
      d.status as "status",
      count(*)::int as "dossiers",
      (count(*) filter (where d.channel = 'online'))::int as "online",
      (count(*) filter (where ${completed}))::int as "completed",
      (count(*) filter (where ${completed} and d.completed_at <= d.due_at))::int as "onTime",
      (count(*) filter (where d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now}))::int as "lateOpen",
      count(s.id)::int as "rated",
      (count(*) filter (where s.rating = 'unsatisfied'))::int as "unsatisfied",
      (count(*) filter (where ${complained}))::int as "complained",
      (count(*) filter (where ${completed} and d.completed_at <= d.due_at and s.rating is distinct from 'unsatisfied' and not ${complained}))::int as "satisfactory"
    from dossiers d left join survey_answers s on s.dossier_id = d.id
    where ${sql.join(filters, sql` and `)}
    group by 1, 2, 3
    order by 2, 1, 3`);
  return rowsOf<StatsRow>(result).map((r) => ({
    ...r,
    dossiers: Number(r.dossiers), online: Number(r.online), completed: Number(r.completed), onTime: Number(r.onTime),
    lateOpen: Number(r.lateOpen), rated: Number(r.rated), unsatisfied: Number(r.unsatisfied), complained: Number(r.complained),
    satisfactory: Number(r.satisfactory),
  }));
}
