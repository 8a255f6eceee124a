// Aggregates behind the service-quality dashboard: the dossiers filed in a period, counted from them or, for whole past
// months, summed from their monthly rollup (report-rollup.ts).
import { sql, type SQL } from 'drizzle-orm';
import { JIT_OFF_FOR_TRANSACTION, type Db } from '../client.js';
import { rowsOf } from './outbox.js';
import { vnDay, vnMonthStart } from '../../calendar/vn-time.js';

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
 * until that transaction ends. `oneSnapshot`: every statement of the transaction reads the same snapshot (repeatable
 * read), for figures put together from several statements.
 */
export async function withoutJit<T>(db: Db, run: (tx: Db) => Promise<T>, options: { oneSnapshot?: boolean } = {}): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(JIT_OFF_FOR_TRANSACTION));
    return run(tx as unknown as Db);
  }, { accessMode: 'read only', ...(options.oneSnapshot ? { isolationLevel: 'repeatable read' as const } : {}) });
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

/** `column in (months)`, months as yyyy-mm-01; false for none. */
function monthIn(column: SQL, months: readonly string[]): SQL {
  return months.length > 0 ? sql`${column} in (${sql.join(months.map((m) => sql`${m}::date`), sql`, `)})` : sql`false`;
}

/** The procedure if any, and the reach, over the dossier (or rollup row) aliased `d`. */
function groupFilters(q: StatsQuery): SQL[] {
  return [...(q.procedureId ? [sql`d.procedure_id = ${q.procedureId}`] : []), ...reachFilter(q.reach)];
}

/** Filed (submitted_at) within one of the ranges [from, to). */
function filedWithin(ranges: ReadonlyArray<readonly [Date, Date]>): SQL {
  return sql`(${sql.join(ranges.map(([from, to]) =>
    sql`(d.submitted_at >= ${from.toISOString()}::timestamptz and d.submitted_at < ${to.toISOString()}::timestamptz)`), sql` or `)})`;
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

const completedFact = sql`d.completed_at is not null and d.received_at is not null`;
const onTimeFact = sql`${completedFact} and d.completed_at <= d.due_at`;
const lateDecidedFact = sql`(${completedFact} and d.completed_at > d.due_at)`;
/** Not decided, the clock counting: whether it is late depends on the moment the figures are read. */
const runningFact = sql`(d.completed_at is null and d.clock_state = 'running')`;

/**
 * What is counted per group of dossiers, over their facts (dossierFacts below): the key in the grouped rows, the
 * column of the rollup (schema/reporting.ts), the test. None of these depends on the moment of reading or on the
 * catalogue — those parts (late while open; known to the national portal; in a result state) are applied to the
 * group's counts afterwards (toPeriodFigures), so the same counts serve the live statement and the monthly rollup.
 */
const COUNTS = [
  ['dossiers', 'dossiers', sql`true`],
  ['online', 'online', FILED_ONLINE],
  ['completed', 'completed', completedFact],
  ['onTime', 'on_time', onTimeFact],
  ['rated', 'rated', sql`d.rated`],
  ['unsatisfied', 'unsatisfied', sql`d.unsatisfied`],
  ['complained', 'complained', sql`d.complained`],
  ['satisfactory', 'satisfactory', sql`${onTimeFact} and not d.unsatisfied and not d.complained`],
  ['vneid', 'vneid', sql`${FILED_ONLINE} and d.loa is not null`],
  ['withReusedDocument', 'with_reused_document', sql`d.reused`],
  ['followedOnline', 'followed_online', sql`(d.citizen_id is not null or d.applicant_email is not null or d.applicant_phone is not null)`],
  ['withSyncSteps', 'with_sync_steps', sql`d.has_steps`],
  ['synced', 'synced', sql`d.has_steps and not d.unsent`],
  ['open', 'open', sql`d.completed_at is null and d.clock_state in ('running', 'paused')`],
  ['lateDecided', 'late_decided', lateDecidedFact],
  ['lateDecidedApologised', 'late_decided_apologised', sql`${lateDecidedFact} and d.apology_due_at is not null`],
  ['digitisedOrReused', 'digitised_or_reused', sql`(d.digitised or d.reused)`],
  ['resultIssued', 'result_issued', sql`d.result_issued`],
  ['signedResults', 'signed_results', sql`d.result_signed`],
  ['withFee', 'with_fee', sql`d.fee_amount > 0`],
  ['paidOnline', 'paid_online', sql`d.fee_amount > 0 and d.paid_online`],
] as const;

type CountKey = typeof COUNTS[number][0];
/** One (procedure, month, state) group's counts, the open ones past their due time as of the query's `now` included. */
type GroupCounts = Record<CountKey | 'lateOpen' | 'lateOpenApologised', number> & { procedureId: string; month: string; status: string };

/** The counts as `count(*) filter (...)` over dossiers' facts (aliased d). */
function countColumns(): SQL {
  return sql.join(COUNTS.map(([key, , test]) => sql`(count(*) filter (where ${test}))::int as ${sql.identifier(key)}`), sql`, `);
}

/** The columns of a dossier the counts read, for dossierFacts' two shapes. */
const DOSSIER_COLUMNS = sql`d.procedure_id, d.status, d.unit_id, d.agency_code, report_month(d.submitted_at) as month,
  d.channel, d.loa, d.received_at, d.completed_at, d.due_at, d.clock_state, d.apology_due_at, d.fee_amount,
  d.citizen_id, d.applicant_email, d.applicant_phone`;

/** Up to this many dossiers, their facts are probed one dossier at a time; beyond, each table of facts is read once. */
const PROBED_FACTS_UP_TO = 3_000;

/*
 * The dossiers filed as `filed` says and matching `filters` (aliased d) with every fact the counts read, in one of two
 * shapes.
 * Read once ('grouped', for many dossiers — a year counted from the dossiers, a month rolled up): the survey answer
 * and the result are left joins (one row at most per dossier: unique indexes), the other facts (complaint, re-used or
 * digitised document, national portal step, unsent step, online payment) one grouped row per dossier (a bit each,
 * bit_or) left-joined once. PostgreSQL hashes each side once, and a hash join or aggregate larger than work_mem spills
 * to disk in batches; hashed subqueries (`d.id in (select …)`) did not: a subquery whose rows PostgreSQL expects not to
 * fit is planned as a plain SubPlan, re-read for each dossier — with work_mem at 256kB the 100,000-dossier report ran
 * past 30 s that way, 0.6 s as joins. The facts are not bounded by the dossiers: a join with them costs one more scan of
 * the dossiers, more than grouping the facts, which are fewer. `offset 0` keeps PostgreSQL from pulling the query up
 * into the grouping one: it then planned parallel workers that each build every hash (310 ms against 192 ms at
 * 100,000, bench:growth).
 * A national portal step is the dossier's by its own dossier_id (grouped) or by its event's (probed: the events'
 * index by dossier); every writer sets both alike.
 * Probed ('probed', for a few dossiers — the current month and the period's partial months when the rest is rolled
 * up): every fact an index probe for each dossier, which costs what the dossiers are, where reading the tables of
 * facts costs what the whole history is (bench:growth at 100,000: 90 ms for 123 dossiers read once, 8 ms probed).
 * test/integration/growth-queries.test.ts checks both against the former statements.
 */
function dossierFacts(filed: SQL, filters: SQL[], shape: 'grouped' | 'probed'): SQL {
  if (shape === 'probed') {
    // Scalar subqueries with `limit 1`, not EXISTS or joins: PostgreSQL turns those into hash joins over the whole
    // tables when it expects more than a few hundred dossiers; a scalar subquery stays a probe per dossier.
    const probe = (from: SQL) => sql`coalesce((select true from ${from} limit 1), false)`;
    return sql`
      select d.*, d.rating is not null as rated, coalesce(d.rating = 'unsatisfied', false) as unsatisfied
      from (
        select ${DOSSIER_COLUMNS},
          (select s.rating from survey_answers s where s.dossier_id = d.id) as rating,
          ${probe(sql`issued_documents r where r.dossier_id = d.id and r.kind = 'result'`)} as result_issued,
          ${probe(sql`issued_documents r where r.dossier_id = d.id and r.kind = 'result' and r.signed_at is not null`)} as result_signed,
          ${probe(sql`feedback_items f where f.dossier_id = d.id`)} as complained,
          ${probe(sql`dossier_documents dd where dd.dossier_id = d.id and dd.reused_from_document_id is not null`)} as reused,
          ${probe(sql`citizen_documents c where c.source_dossier_id = d.id and c.kind = 'digitised'`)} as digitised,
          ${probe(sql`dossier_events e join national_sync_steps n on n.event_id = e.id where e.dossier_id = d.id`)} as has_steps,
          ${probe(sql`national_sync_steps n where n.dossier_id = d.id and n.sent_at is null`)} as unsent,
          ${probe(sql`payments y where y.dossier_id = d.id and y.status = 'paid' and y.method = 'online'`)} as paid_online
        -- The few filed in the ranges first (the filing-time index), then the reach: PostgreSQL would otherwise combine
        -- the filing-time index with the units' (every dossier of the reach) for them.
        from (select d.* from dossiers d where ${filed} offset 0) d
        where ${filters.length > 0 ? sql.join(filters, sql` and `) : sql`true`}
        offset 0) d`;
  }
  return sql`
    select ${DOSSIER_COLUMNS},
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
          union all select n.dossier_id, 8 from national_sync_steps n
          union all select n.dossier_id, 16 from national_sync_steps n where n.sent_at is null
          union all select y.dossier_id, 32 from payments y where y.status = 'paid' and y.method = 'online'
        ) x
        group by x.dossier_id
      ) x on x.dossier_id = d.id
    where ${sql.join([filed, ...filters], sql` and `)}
    offset 0`;
}

/** The counts of the dossiers filed within `ranges`, grouped, computed from the dossiers themselves. */
async function liveGroups(tx: Db, q: StatsQuery, ranges: ReadonlyArray<readonly [Date, Date]>, probedUpTo: number): Promise<GroupCounts[]> {
  const now = sql`${q.now.toISOString()}::timestamptz`;
  // How many were filed in the ranges (whatever the reach: an index-only scan that costs what the few cost, up to the
  // bound) decides the shape.
  const [few] = rowsOf<{ few: boolean }>(await tx.execute(sql`
    select count(*) <= ${probedUpTo} as "few" from (select 1 from dossiers d where ${filedWithin(ranges)} limit ${probedUpTo + 1}) d`));
  const result = await tx.execute(sql`
    select d.procedure_id as "procedureId", to_char(d.month, 'YYYY-MM') as "month", d.status as "status", ${countColumns()},
      (count(*) filter (where ${runningFact} and d.due_at < ${now}))::int as "lateOpen",
      (count(*) filter (where ${runningFact} and d.due_at < ${now} and d.apology_due_at is not null))::int as "lateOpenApologised"
    from (${dossierFacts(filedWithin(ranges), groupFilters(q), few?.few ? 'probed' : 'grouped')}) d
    group by d.procedure_id, d.month, d.status
    order by 2, 1, 3`);
  return rowsOf<GroupCounts>(result);
}

/** The same counts for whole months, summed from their rollup (report-rollup.ts); the running clocks compared with `now`. */
async function rolledUpGroups(tx: Db, q: StatsQuery, months: readonly string[]): Promise<GroupCounts[]> {
  const now = sql`${q.now.toISOString()}::timestamptz`;
  const result = await tx.execute(sql`
    select d.procedure_id as "procedureId", to_char(d.month, 'YYYY-MM') as "month", d.status as "status",
      ${sql.join(COUNTS.map(([key, column]) => sql`sum(d.${sql.identifier(column)})::int as ${sql.identifier(key)}`), sql`, `)},
      coalesce(sum(d.running) filter (where d.running_due_at < ${now}), 0)::int as "lateOpen",
      coalesce(sum(d.running_apologised) filter (where d.running_due_at < ${now}), 0)::int as "lateOpenApologised"
    from report_rollup d
    where ${sql.join([monthIn(sql`d.month`, months), ...groupFilters(q)], sql` and `)}
    group by d.procedure_id, d.month, d.status
    order by 2, 1, 3`);
  return rowsOf<GroupCounts>(result);
}

/**
 * Writes the rollup of whole `months` (yyyy-mm-01) in one statement, which also deletes the months' marks it has
 * seen and their former rows: the rows it writes are the dossiers as that statement's snapshot sees them, so a change
 * it does not see committed later with its mark, which stays (report-rollup.ts).
 */
export async function writeMonthRollups(tx: Db, months: readonly string[]): Promise<void> {
  const monthList = monthIn(sql`month`, months);
  const ranges = months.map((m) => {
    const start = new Date(`${m}T00:00:00+07:00`);
    return [start, vnMonthStart(start, 1)] as const;
  });
  await tx.execute(sql`
    with seen_marks as (delete from report_rollup_marks where ${monthList}),
      former_rows as (delete from report_rollup where ${monthList}),
      built as (
        insert into report_rollup_months (month, built_at)
        values ${sql.join(months.map((m) => sql`(${m}::date, now())`), sql`, `)}
        on conflict (month) do update set built_at = excluded.built_at)
    insert into report_rollup (month, procedure_id, status, unit_id, agency_code, running_due_at,
      ${sql.join(COUNTS.map(([, column]) => sql.identifier(column)), sql`, `)}, running, running_apologised)
    select d.month, d.procedure_id, d.status, d.unit_id, d.agency_code, case when ${runningFact} then d.due_at end,
      ${countColumns()},
      (count(*) filter (where ${runningFact}))::int,
      (count(*) filter (where ${runningFact} and d.apology_due_at is not null))::int
    from (${dossierFacts(filedWithin(ranges), [], 'grouped')}) d
    group by d.month, d.procedure_id, d.status, d.unit_id, d.agency_code, 6`);
}

/** The calendar months (Vietnam time, as yyyy-mm-01 with their instants) lying wholly within [from, to). */
function wholeMonths(from: Date, to: Date): Array<{ month: string; start: Date; end: Date }> {
  const months: Array<{ month: string; start: Date; end: Date }> = [];
  let start = vnMonthStart(from);
  if (start < from) start = vnMonthStart(from, 1);
  for (let end = vnMonthStart(start, 1); end <= to; start = end, end = vnMonthStart(start, 1)) {
    months.push({ month: vnDay(start), start, end });
  }
  return months;
}

/** Of `months`, those whose rollup is built and not marked since: what it says is what the dossiers are. */
async function currentRollups(tx: Db, months: readonly string[]): Promise<Set<string>> {
  if (months.length === 0) return new Set();
  const result = await tx.execute(sql`
    select to_char(m.month, 'YYYY-MM-DD') as "month" from report_rollup_months m
    where ${monthIn(sql`m.month`, months)} and not exists (select 1 from report_rollup_marks k where k.month = m.month)`);
  return new Set(rowsOf<{ month: string }>(result).map((r) => r.month));
}

/**
 * The figures of the dossiers filed in the period. Whole months whose rollup is current (report-rollup.ts) are summed
 * from it; the rest of the period — its partial months at either end, the current month, months changed since their
 * rollup was built, months never built — is counted from the dossiers. Both read one snapshot (repeatable read), in
 * which a month is either current in the rollup or counted from the dossiers, so the figures are what counting every
 * dossier would give (test/integration/report-rollup.test.ts). Why: a year's figures at 100,000 dossiers took 0.2 s of
 * PostgreSQL from the dossiers (bench:growth) and grow with them; from the rollup they cost its rows, a few per month,
 * procedure, state and unit. `tuning.probedFactsUpTo` (tests, benches) moves the bound between dossierFacts' shapes.
 */
export async function periodFigures(db: Db, q: Index766Query, tuning: { probedFactsUpTo?: number } = {}): Promise<PeriodFigures> {
  const months = wholeMonths(q.from, q.to);
  const groups = await withoutJit(db, async (tx) => {
    const rolled = await currentRollups(tx, months.map((m) => m.month));
    const ranges: Array<[Date, Date]> = [];
    let cursor = q.from;
    for (const m of months.filter((m) => rolled.has(m.month))) {
      if (m.start > cursor) ranges.push([cursor, m.start]);
      cursor = m.end;
    }
    if (cursor < q.to) ranges.push([cursor, q.to]);
    const live = ranges.length > 0 ? await liveGroups(tx, q, ranges, tuning.probedFactsUpTo ?? PROBED_FACTS_UP_TO) : [];
    const summed = rolled.size > 0 ? await rolledUpGroups(tx, q, [...rolled]) : [];
    // Both come ordered by month, procedure, state (PostgreSQL's collation); a month is in one of them only.
    return [...live, ...summed].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  }, { oneSnapshot: true });
  return toPeriodFigures(groups, q);
}

/** The grouped rows and the totals, with what depends on the catalogue applied per (procedure, state). */
function toPeriodFigures(groups: GroupCounts[], q: Index766Query): PeriodFigures {
  const national = new Set(q.nationalProcedureIds);
  const resultStates = new Set(q.resultStates.map(([procedureId, state]) => `${procedureId}\u0000${state}`));
  const total = (count: (g: GroupCounts) => number) => groups.reduce((n, g) => n + count(g), 0);
  const rows = groups.map((g): StatsRow => ({
    procedureId: g.procedureId, month: g.month, status: g.status, dossiers: g.dossiers, online: g.online, completed: g.completed,
    onTime: g.onTime, lateOpen: g.lateOpen, rated: g.rated, unsatisfied: g.unsatisfied, complained: g.complained, satisfactory: g.satisfactory,
  }));
  return {
    rows,
    digital: { dossiers: total((g) => g.dossiers), online: total((g) => g.online), vneid: total((g) => g.vneid), withReusedDocument: total((g) => g.withReusedDocument) },
    counts: {
      dossiers: total((g) => g.dossiers),
      followedOnline: total((g) => g.followedOnline),
      nationalKnown: total((g) => (national.has(g.procedureId) ? g.dossiers : 0)),
      withSyncSteps: total((g) => (national.has(g.procedureId) ? g.withSyncSteps : 0)),
      synced: total((g) => (national.has(g.procedureId) ? g.synced : 0)),
      open: total((g) => g.open),
      late: total((g) => g.lateDecided + g.lateOpen),
      lateApologised: total((g) => g.lateDecidedApologised + g.lateOpenApologised),
      digitisedOrReused: total((g) => g.digitisedOrReused),
      // In a state where the result was returned, every dossier; else those with a result issued.
      results: total((g) => (resultStates.has(`${g.procedureId}\u0000${g.status}`) ? g.dossiers : g.resultIssued)),
      signedResults: total((g) => g.signedResults),
      withFee: total((g) => g.withFee),
      paidOnline: total((g) => g.paidOnline),
    },
  };
}
