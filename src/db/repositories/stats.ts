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

/** The caller's reach over the dossier aliased `d`; undefined reach adds nothing. */
function reachFilter(reach: StatsQuery['reach']): SQL[] {
  if (!reach) return [];
  const units = reach.unitIds.length > 0 ? sql`d.unit_id in (${sql.join(reach.unitIds.map((u) => sql`${u}`), sql`, `)})` : sql`false`;
  const agencies = reach.agencyCodes.length > 0 ? sql`d.agency_code in (${sql.join(reach.agencyCodes.map((a) => sql`${a}`), sql`, `)})` : sql`false`;
  return [sql`(${units} or ${agencies})`];
}

/** Dossiers filed in the period (submitted_at), of the procedure if any, within the reach. */
function filedFilters(q: StatsQuery): SQL[] {
  const filters: SQL[] = [sql`d.submitted_at >= ${q.from.toISOString()}::timestamptz`, sql`d.submitted_at < ${q.to.toISOString()}::timestamptz`];
  if (q.procedureId) filters.push(sql`d.procedure_id = ${q.procedureId}`);
  return [...filters, ...reachFilter(q.reach)];
}

/** Counts per (procedure, month, status). Vietnam has no DST: +7 hours gives the local month without a tz database. */
export async function dossierStats(db: Db, q: StatsQuery): Promise<StatsRow[]> {
  const filters = filedFilters(q);
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

export interface DigitalDossierCounts {
  /** Dossiers filed in the period (every channel). */
  dossiers: number;
  /** Of them, filed online. */
  online: number;
  /** Filed online while signed in with VNeID (the dossier records the citizen and their level of assurance). */
  vneid: number;
  /** With at least one document attached from the citizen's e-document store instead of uploaded. */
  withReusedDocument: number;
}

/**
 * Decision 766's digital-government counts over the dossiers filed in the period, in one scan of the same rows
 * dossierStats reads; the re-use test is an EXISTS probe on dossier_documents_dossier_idx per dossier, not a join.
 */
export async function digitalDossierCounts(db: Db, q: StatsQuery): Promise<DigitalDossierCounts> {
  const reused = sql`exists (select 1 from dossier_documents dd where dd.dossier_id = d.id and dd.reused_from_document_id is not null)`;
  const result = await db.execute(sql`
    select count(*)::int as "dossiers",
      (count(*) filter (where d.channel = 'online'))::int as "online",
      (count(*) filter (where d.channel = 'online' and d.citizen_id is not null and d.loa is not null))::int as "vneid",
      (count(*) filter (where ${reused}))::int as "withReusedDocument"
    from dossiers d
    where ${sql.join(filedFilters(q), sql` and `)}`);
  const [row] = rowsOf<DigitalDossierCounts>(result);
  return {
    dossiers: Number(row?.dossiers ?? 0), online: Number(row?.online ?? 0), vneid: Number(row?.vneid ?? 0),
    withReusedDocument: Number(row?.withReusedDocument ?? 0),
  };
}

/**
 * Documents the desk digitised into people's e-document stores in the period (created_at), counted for the dossier
 * they were scanned from (the procedure filter and the reach apply to it); a scan taken without a dossier counts for
 * the unit of the staff member who digitised it, and not when a procedure is chosen.
 */
export async function digitisedDocumentCount(db: Db, q: StatsQuery): Promise<number> {
  const filters: SQL[] = [
    sql`c.kind = 'digitised'`,
    sql`c.created_at >= ${q.from.toISOString()}::timestamptz`, sql`c.created_at < ${q.to.toISOString()}::timestamptz`,
  ];
  if (q.procedureId) filters.push(sql`d.procedure_id = ${q.procedureId}`);
  if (q.reach) {
    const [dossierInReach] = reachFilter(q.reach);
    const units = q.reach.unitIds.length > 0 ? sql`s.unit_id in (${sql.join(q.reach.unitIds.map((u) => sql`${u}`), sql`, `)})` : sql`false`;
    filters.push(sql`(${dossierInReach} or (c.source_dossier_id is null and ${units}))`);
  }
  const result = await db.execute(sql`
    select count(*)::int as "n"
    from citizen_documents c
      left join dossiers d on d.id = c.source_dossier_id
      left join staff_accounts s on s.id = c.digitised_by_staff_id
    where ${sql.join(filters, sql` and `)}`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}
