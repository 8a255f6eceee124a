// The monthly rollup of the service-quality figures: which months to (re)build, and building them.
//
// Why a rollup: the dashboard's and /api/stats' default period is twelve months, and counting their dossiers one by
// one costs what they are — 0.2 s of PostgreSQL at 100,000 dossiers, growing with every admission season. Past months
// rarely change, so their counts are kept per (month, procedure, state, unit, agency) — and, for dossiers whose clock
// runs, per due time, compared with the moment of reading — and stats.ts periodFigures sums them.
//
// How it stays exact: every statement that inserts, changes or deletes dossiers, or the facts counted about them,
// marks the past months it touched (triggers of migration 0020, in the statement's own transaction). A marked month is
// counted from the dossiers until it is rebuilt; building deletes, in the statement that writes the rows, exactly the
// marks its snapshot sees, so a change committed after that snapshot keeps its mark. The triggers leave the month of
// the writing transaction's start unmarked (intake's inserts mark nothing), so a month is built only when it is over
// and no transaction that began in it (or before) is still open (pg_stat_activity: the application's sessions share
// one role, which sees its own sessions' transactions).
import { sql } from 'drizzle-orm';
import { JIT_OFF_FOR_TRANSACTION, type Db } from '../client.js';
import { rowsOf } from './outbox.js';
import { writeMonthRollups } from './stats.js';

/** Months built by one run at most (the oldest history is built over the following runs). */
const MONTHS_PER_RUN = 24;
/** pg_try_advisory_xact_lock key: one builder at a time ("rollup" in ASCII). */
const BUILDER_LOCK = 0x726f6c6c7570;

export interface RollupRefresh {
  /** Months (yyyy-mm-01) built by this run, latest first. */
  built: string[];
  /** False when another process was building (nothing done). */
  ran: boolean;
}

/**
 * Builds the months that need it — marked since they were built, or never built (from the first filing on) — latest
 * first, up to the month before the one the oldest open transaction began in. Run by jobs/report-rollup-timer.ts (every
 * REPORT_ROLLUP_EVERY_MS) and, to start from a built state, by benches and tests.
 */
export async function refreshReportRollups(db: Db): Promise<RollupRefresh> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${BUILDER_LOCK}) as "locked"`));
    if (!lock?.locked) return { built: [], ran: false };
    await tx.execute(sql.raw(JIT_OFF_FOR_TRANSACTION));
    const due = rowsOf<{ month: string }>(await tx.execute(sql`
      with oldest as (
        select min(xact_start) as started from pg_stat_activity where datname = current_database() and xact_start is not null and pid <> pg_backend_pid()
      ), bounds as (
        select (select report_month(min(submitted_at)) from dossiers) as first, report_month(least(now(), o.started)) as current
        from oldest o)
      select to_char(m, 'YYYY-MM-DD') as "month" from (
        select k.month as m from report_rollup_marks k, bounds b where k.month < b.current
        union
        select g::date from bounds b, generate_series(b.first::timestamp, b.current::timestamp - interval '1 month', interval '1 month') g
        where not exists (select 1 from report_rollup_months r where r.month = g::date)
      ) due
      order by m desc
      limit ${MONTHS_PER_RUN}`));
    const months = due.map((r) => r.month);
    if (months.length === 0) return { built: [], ran: true };
    await writeMonthRollups(tx as unknown as Db, months);
    return { built: months, ran: true };
  });
}
