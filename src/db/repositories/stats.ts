// Aggregates behind the service-quality dashboard: one grouped scan of the dossiers filed in a period.
import { sql, type SQL } from 'drizzle-orm';
import { JIT_OFF_FOR_TRANSACTION, type Db } from '../client.js';
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

/**
 * "Filed online" for Decision 766: on this portal or pushed by the national public-service portal (both are online
 * channels; only the desk is not).
 */
const FILED_ONLINE = sql`d.channel in ('online', 'national')`;

/*
 * Per-dossier tests ("has a survey complaint", "has a result issued", …) are written `d.id in (uncorrelated subquery)`,
 * not `exists (… where x.dossier_id = d.id)`: PostgreSQL then runs each subquery once into a hash table (a "hashed
 * SubPlan") and each dossier costs a hash probe, where EXISTS ran an index probe per dossier and per test — eight of
 * them per row in index766Counts, 1.4 s for 50,000 dossiers (bench:growth). Each subquery joins the dossiers of the
 * same period (ofPeriod), so it reads the rows of those dossiers only and a one-month report does not grow with the
 * years of history behind it; that also keeps its hash small. Should a hash not fit in work_mem, PostgreSQL does not
 * go back to an index probe: it runs the subquery as a plain SubPlan, re-read for each dossier — that is the case to
 * watch in EXPLAIN if work_mem is lowered. Each subquery excludes NULLs, so `not (d.id in …)` means exactly "has none".
 */
/** Joins the dossier `dossierId` names, filed in the query's period: bounds a per-dossier test's subquery (above). */
function ofPeriod(q: StatsQuery, dossierId: SQL): SQL {
  return sql`join dossiers p on p.id = ${dossierId} and p.submitted_at >= ${q.from.toISOString()}::timestamptz and p.submitted_at < ${q.to.toISOString()}::timestamptz`;
}

/** With at least one document attached from the citizen's e-document store (dossier_documents_reused_idx). */
function reusedOf(q: StatsQuery): SQL {
  return sql`d.id in (select dd.dossier_id from dossier_documents dd ${ofPeriod(q, sql`dd.dossier_id`)} where dd.reused_from_document_id is not null)`;
}

/**
 * Runs a report's statement in a read-only transaction of its own with JIT off for that transaction only (why:
 * JIT_OFF_FOR_TRANSACTION in db/client.ts). Given an open transaction, it nests (a savepoint) and the setting lasts
 * until that transaction ends.
 */
export async function withoutJit<T>(db: Db, run: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(JIT_OFF_FOR_TRANSACTION));
    return run(tx as unknown as Db);
  }, { accessMode: 'read only' });
}

/** `expr in (values)`, or false for an empty list (SQL has no empty IN list). */
function inList(expr: SQL, values: readonly string[]): SQL {
  return values.length > 0 ? sql`${expr} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})` : sql`false`;
}

/** The caller's reach over the dossier aliased `d`; undefined reach adds nothing. */
function reachFilter(reach: StatsQuery['reach']): SQL[] {
  if (!reach) return [];
  return [sql`(${inList(sql`d.unit_id`, reach.unitIds)} or ${inList(sql`d.agency_code`, reach.agencyCodes)})`];
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
  const complained = sql`d.id in (select f.dossier_id from feedback_items f ${ofPeriod(q, sql`f.dossier_id`)})`;
  const result = await withoutJit(db, (tx) => tx.execute(sql`
    select d.procedure_id as "procedureId",
      to_char((d.submitted_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM') as "month",
      d.status as "status",
      count(*)::int as "dossiers",
      (count(*) filter (where ${FILED_ONLINE}))::int as "online",
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
    order by 2, 1, 3`));
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
  /**
   * Filed online while signed in with VNeID: the dossier records the sign-in's level of assurance (here, with the
   * citizen's account; or vouched for by the national portal, which pushes it without an account here).
   */
  vneid: number;
  /** With at least one document attached from the citizen's e-document store instead of uploaded. */
  withReusedDocument: number;
}

/**
 * Decision 766's digital-government counts over the dossiers filed in the period, in one scan of the same rows
 * dossierStats reads; the re-use test is a hash probe (reusedOf above), not a join.
 */
export async function digitalDossierCounts(db: Db, q: StatsQuery): Promise<DigitalDossierCounts> {
  const result = await withoutJit(db, (tx) => tx.execute(sql`
    select count(*)::int as "dossiers",
      (count(*) filter (where ${FILED_ONLINE}))::int as "online",
      (count(*) filter (where ${FILED_ONLINE} and d.loa is not null))::int as "vneid",
      (count(*) filter (where ${reusedOf(q)}))::int as "withReusedDocument"
    from dossiers d
    where ${sql.join(filedFilters(q), sql` and `)}`));
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
    filters.push(sql`(${dossierInReach} or (c.source_dossier_id is null and ${inList(sql`s.unit_id`, q.reach.unitIds)}))`);
  }
  const result = await db.execute(sql`
    select count(*)::int as "n"
    from citizen_documents c
      left join dossiers d on d.id = c.source_dossier_id
      left join staff_accounts s on s.id = c.digitised_by_staff_id
    where ${sql.join(filters, sql` and `)}`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

export interface Index766Query extends StatsQuery {
  /** Procedures the national portal knows (their dossiers are owed to it); from the current definitions. */
  nationalProcedureIds: string[];
  /** (procedure, state) pairs where a dossier has had its result returned ("Đã trả kết quả"). */
  resultStates: Array<[procedureId: string, state: string]>;
}

export interface Index766Counts {
  /** Filed in the period (every channel). */
  dossiers: number;
  /** Whose applicant is told of its progress online: a citizen account, an e-mail address or a phone number (SMS). */
  followedOnline: number;
  /** Of procedures the national portal knows. */
  nationalKnown: number;
  /** Of those, with at least one step owed to the national portal. */
  withSyncSteps: number;
  /** Of those, with every step owed already acknowledged by the portal. */
  synced: number;
  /** Received and not decided yet (clock running or paused). */
  open: number;
  /** Decided after the due time, or still open with the clock running past it. */
  late: number;
  /** Of the late ones, with an apology and a new return date (phiếu xin lỗi và hẹn lại). */
  lateApologised: number;
  /** With at least one document the desk digitised from it or one re-used from the citizen's e-document store. */
  digitisedOrReused: number;
  /** In a state where the result was returned, or with a result issued. */
  results: number;
  /** Of those, with the result issued as an electronically signed document. */
  signedResults: number;
  /** Owing a fee when filed (fee_amount > 0). */
  withFee: number;
  /** Of those, with a payment through the Payment Platform confirmed paid. */
  paidOnline: number;
}

/**
 * The Decision 766 counts the other stats queries do not give, over the dossiers filed in the period, in one scan:
 * each per-dossier test is a probe of a hash built once from its table's rows of the period's dossiers (see ofPeriod above) — the re-used documents
 * (dossier_documents_reused_idx), the digitised ones, the issued results, online payments, the national portal's
 * steps (through their events) and its unsent ones.
 */
export async function index766Counts(db: Db, q: Index766Query): Promise<Index766Counts> {
  const now = sql`${q.now.toISOString()}::timestamptz`;
  const nationalKnown = inList(sql`d.procedure_id`, q.nationalProcedureIds);
  const hasSteps = sql`d.id in (select e.dossier_id from national_sync_steps n join dossier_events e on e.id = n.event_id ${ofPeriod(q, sql`e.dossier_id`)})`;
  const unsent = sql`d.id in (select n.dossier_id from national_sync_steps n ${ofPeriod(q, sql`n.dossier_id`)} where n.sent_at is null)`;
  const lateOpen = sql`(d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now})`;
  const lateDecided = sql`(d.completed_at is not null and d.received_at is not null and d.completed_at > d.due_at)`;
  const digitised = sql`d.id in (select c.source_dossier_id from citizen_documents c ${ofPeriod(q, sql`c.source_dossier_id`)} where c.kind = 'digitised')`;
  const reused = reusedOf(q);
  const resultIssued = sql`d.id in (select r.dossier_id from issued_documents r ${ofPeriod(q, sql`r.dossier_id`)} where r.kind = 'result')`;
  const resultSigned = sql`d.id in (select r.dossier_id from issued_documents r ${ofPeriod(q, sql`r.dossier_id`)} where r.kind = 'result' and r.signed_at is not null)`;
  const resultState = q.resultStates.length > 0
    ? sql`(d.procedure_id, d.status) in (${sql.join(q.resultStates.map(([p, s]) => sql`(${p}, ${s})`), sql`, `)})`
    : sql`false`;
  const paidOnline = sql`d.id in (select y.dossier_id from payments y ${ofPeriod(q, sql`y.dossier_id`)} where y.status = 'paid' and y.method = 'online')`;
  const result = await withoutJit(db, (tx) => tx.execute(sql`
    select count(*)::int as "dossiers",
      (count(*) filter (where d.citizen_id is not null or d.applicant_email is not null or d.applicant_phone is not null))::int as "followedOnline",
      (count(*) filter (where ${nationalKnown}))::int as "nationalKnown",
      (count(*) filter (where ${nationalKnown} and ${hasSteps}))::int as "withSyncSteps",
      (count(*) filter (where ${nationalKnown} and ${hasSteps} and not ${unsent}))::int as "synced",
      (count(*) filter (where d.completed_at is null and d.clock_state in ('running', 'paused')))::int as "open",
      (count(*) filter (where ${lateDecided} or ${lateOpen}))::int as "late",
      (count(*) filter (where (${lateDecided} or ${lateOpen}) and d.apology_due_at is not null))::int as "lateApologised",
      (count(*) filter (where ${digitised} or ${reused}))::int as "digitisedOrReused",
      (count(*) filter (where ${resultState} or ${resultIssued}))::int as "results",
      (count(*) filter (where ${resultSigned}))::int as "signedResults",
      (count(*) filter (where d.fee_amount > 0))::int as "withFee",
      (count(*) filter (where d.fee_amount > 0 and ${paidOnline}))::int as "paidOnline"
    from dossiers d
    where ${sql.join(filedFilters(q), sql` and `)}`));
  const [row] = rowsOf<Record<keyof Index766Counts, number>>(result);
  const n = (k: keyof Index766Counts) => Number(row?.[k] ?? 0);
  return {
    dossiers: n('dossiers'), followedOnline: n('followedOnline'), nationalKnown: n('nationalKnown'), withSyncSteps: n('withSyncSteps'),
    synced: n('synced'), open: n('open'), late: n('late'), lateApologised: n('lateApologised'), digitisedOrReused: n('digitisedOrReused'),
    results: n('results'), signedResults: n('signedResults'), withFee: n('withFee'), paidOnline: n('paidOnline'),
  };
}
