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


/** Everything periodFigures counts: the grouped rows, and the totals of the other figures over the same dossiers. */
export interface PeriodFigures {
  rows: StatsRow[];
  digital: DigitalDossierCounts;
  counts: Index766Counts;
}

/*
 * Why one statement, shaped so. The figures used to come from three statements (the grouped rows, the digital counts,
 * the Decision 766 counts), each scanning the period's dossiers, with eight per-dossier tests written as hashed
 * subqueries that each joined the period's dossiers again (a sequential scan of `dossiers` apiece at 12 months), and
 * PostgreSQL ran them in parallel workers that each built every hash for themselves: 18 scans of `dossiers` and
 * 2.5 s for the first dashboard at 100,000 dossiers (bench:growth). Here the dossiers are scanned once:
 *  - every count is additive, so the grouped rows carry them all and the totals are their sums (JavaScript below);
 *  - the per-dossier tests are joins, not subqueries: the survey answer and the result are left joins (one row at most
 *    per dossier: unique indexes), the other facts (complaint, re-used or digitised document, national portal step,
 *    unsent step, online payment) one grouped row per dossier (a bit each, bit_or) left-joined once. PostgreSQL hashes
 *    each side once, and a hash join or aggregate larger than work_mem spills to disk in batches. The former hashed
 *    subqueries (`d.id in (select …)`) did not: a subquery whose rows PostgreSQL expects not to fit is planned as a
 *    plain SubPlan, re-read for each dossier — with work_mem at 256kB (as tables about 16 times bench:growth's would
 *    be at the default 4MB), the 100,000-dossier report ran past 30 s that way, 0.6 s as joins;
 *  - the facts are not bounded by the period: a join with the period's dossiers costs one more scan of them, more than
 *    grouping the facts, which are fewer than the dossiers. A short period over years of history groups those years'
 *    facts (bench:growth, 100,000 dossiers: one day 49 ms, where hashed subqueries took 21 ms);
 *  - the flags are computed once per dossier in the inner query and grouped by the month as a timestamp (formatted per
 *    group, not per dossier) in a hash aggregate. `offset 0` keeps PostgreSQL from pulling the inner query up: it then
 *    planned parallel workers that each build every hash (bench:growth at 100,000: 310 ms median against 192 ms).
 * test/integration/growth-queries.test.ts keeps the former three statements and checks every figure against them.
 */
export async function periodFigures(db: Db, q: Index766Query): Promise<PeriodFigures> {
  const now = sql`${q.now.toISOString()}::timestamptz`;
  const completed = sql`d.completed_at is not null and d.received_at is not null`;
  const lateOpen = sql`(d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now})`;
  const lateDecided = sql`(${completed} and d.completed_at > d.due_at)`;
  const onTime = sql`${completed} and d.completed_at <= d.due_at`;
  const nationalKnown = inList(sql`d.procedure_id`, q.nationalProcedureIds);
  const resultState = q.resultStates.length > 0
    ? sql`(d.procedure_id, d.status) in (${sql.join(q.resultStates.map(([p, s]) => sql`(${p}, ${s})`), sql`, `)})`
    : sql`false`;
  const result = await withoutJit(db, (tx) => tx.execute(sql`
    select d.procedure_id as "procedureId", to_char(d.month, 'YYYY-MM') as "month", d.status as "status",
      count(*)::int as "dossiers",
      (count(*) filter (where ${FILED_ONLINE}))::int as "online",
      (count(*) filter (where ${completed}))::int as "completed",
      (count(*) filter (where ${onTime}))::int as "onTime",
      (count(*) filter (where ${lateOpen}))::int as "lateOpen",
      (count(*) filter (where d.rated))::int as "rated",
      (count(*) filter (where d.unsatisfied))::int as "unsatisfied",
      (count(*) filter (where d.complained))::int as "complained",
      (count(*) filter (where ${onTime} and not d.unsatisfied and not d.complained))::int as "satisfactory",
      (count(*) filter (where ${FILED_ONLINE} and d.loa is not null))::int as "vneid",
      (count(*) filter (where d.reused))::int as "withReusedDocument",
      (count(*) filter (where d.citizen_id is not null or d.applicant_email is not null or d.applicant_phone is not null))::int as "followedOnline",
      (count(*) filter (where ${nationalKnown}))::int as "nationalKnown",
      (count(*) filter (where ${nationalKnown} and d.has_steps))::int as "withSyncSteps",
      (count(*) filter (where ${nationalKnown} and d.has_steps and not d.unsent))::int as "synced",
      (count(*) filter (where d.completed_at is null and d.clock_state in ('running', 'paused')))::int as "open",
      (count(*) filter (where ${lateDecided} or ${lateOpen}))::int as "late",
      (count(*) filter (where (${lateDecided} or ${lateOpen}) and d.apology_due_at is not null))::int as "lateApologised",
      (count(*) filter (where d.digitised or d.reused))::int as "digitisedOrReused",
      (count(*) filter (where ${resultState} or d.result_issued))::int as "results",
      (count(*) filter (where d.result_signed))::int as "signedResults",
      (count(*) filter (where d.fee_amount > 0))::int as "withFee",
      (count(*) filter (where d.fee_amount > 0 and d.paid_online))::int as "paidOnline"
    from (
      select d.procedure_id, d.status, date_trunc('month', (d.submitted_at at time zone 'UTC') + interval '7 hours') as month,
        d.channel, d.loa, d.received_at, d.completed_at, d.due_at, d.clock_state, d.apology_due_at, d.fee_amount,
        d.citizen_id, d.applicant_email, d.applicant_phone,
        s.dossier_id is not null as rated, coalesce(s.rating = 'unsatisfied', false) as unsatisfied,
        r.dossier_id is not null as result_issued, r.signed_at is not null as result_signed,
        coalesce(x.facts & 1 <> 0, false) as complained, coalesce(x.facts & 2 <> 0, false) as reused,
        coalesce(x.facts & 4 <> 0, false) as digitised, coalesce(x.facts & 8 <> 0, false) as has_steps,
        coalesce(x.facts & 16 <> 0, false) as unsent, coalesce(x.facts & 32 <> 0, false) as paid_online
      from dossiers d
        left join survey_answers s on s.dossier_id = d.id
        left join issued_documents r on r.dossier_id = d.id and r.kind = 'result'
        left join (
          select x.dossier_id, bit_or(x.fact) as facts from (
            select f.dossier_id, 1 as fact from feedback_items f where f.dossier_id is not null
            union all select dd.dossier_id, 2 from dossier_documents dd where dd.reused_from_document_id is not null
            union all select c.source_dossier_id, 4 from citizen_documents c where c.kind = 'digitised' and c.source_dossier_id is not null
            union all select e.dossier_id, 8 from national_sync_steps n join dossier_events e on e.id = n.event_id
            union all select n.dossier_id, 16 from national_sync_steps n where n.sent_at is null
            union all select y.dossier_id, 32 from payments y where y.status = 'paid' and y.method = 'online'
          ) x
          group by x.dossier_id
        ) x on x.dossier_id = d.id
      where ${sql.join(filedFilters(q), sql` and `)}
      offset 0
    ) d
    group by d.procedure_id, d.month, d.status
    order by 2, 1, 3`));
  const grouped = rowsOf<Record<string, string | number>>(result);
  const total = (k: string) => grouped.reduce((n, r) => n + Number(r[k]), 0);
  const rows = grouped.map((r): StatsRow => ({
    procedureId: String(r.procedureId), month: String(r.month), status: String(r.status),
    dossiers: Number(r.dossiers), online: Number(r.online), completed: Number(r.completed), onTime: Number(r.onTime),
    lateOpen: Number(r.lateOpen), rated: Number(r.rated), unsatisfied: Number(r.unsatisfied), complained: Number(r.complained),
    satisfactory: Number(r.satisfactory),
  }));
  return {
    rows,
    digital: { dossiers: total('dossiers'), online: total('online'), vneid: total('vneid'), withReusedDocument: total('withReusedDocument') },
    counts: {
      dossiers: total('dossiers'), followedOnline: total('followedOnline'), nationalKnown: total('nationalKnown'), withSyncSteps: total('withSyncSteps'),
      synced: total('synced'), open: total('open'), late: total('late'), lateApologised: total('lateApologised'),
      digitisedOrReused: total('digitisedOrReused'), results: total('results'), signedResults: total('signedResults'),
      withFee: total('withFee'), paidOnline: total('paidOnline'),
    },
  };
}
