// A published assignment run applied to the registration dossiers (services/admissions/notices.ts): the batches the
// fan-out jobs take, the marker of a dossier already applied (its history event names the run), the problems kept on
// the run row, and the cheap counts of the progress view. Read and written in the caller's transaction.
import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { admissionCampaigns, admissionResults, admissionRuns, campaignSchools } from '../schema/index.js';
import { rowsOf } from './outbox.js';
import type { ResultRow } from './admission-assignment.js';

/** The history events a run's application writes (workflows/admission-registration.yaml, the system's actions). */
const APPLY_ACTIONS = 'admission\\_%';

/** A dossier the application did not move: already decided by a principal (or by an earlier run), or refused. */
export interface NoticeIssue { pupilIdNumber: string; dossierId: string; kind: 'decided' | 'failed'; status: string; message: string }

export async function setNoticesQueued(db: Db, runId: string, at: Date): Promise<void> {
  await db.update(admissionRuns).set({ noticesQueuedAt: at }).where(eq(admissionRuns.id, runId));
}

/** Every `size`-th pupil ID of the run in order: the upper bounds of the batches but the last (which is open). */
export async function batchBounds(db: Db, runId: string, size: number): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(await db.execute(sql`
    select pupil_id_number as id from (
      select pupil_id_number, row_number() over (order by pupil_id_number) as n from ${admissionResults} where run_id = ${runId}
    ) t where n % ${size} = 0 order by id`));
  return rows.map((r) => r.id);
}

/** The run's results with a pupil ID in (after, until], in order; open ends when null. */
export async function listResultsBetween(db: Db, runId: string, after: string | null, until: string | null): Promise<ResultRow[]> {
  return db.select().from(admissionResults)
    .where(and(
      eq(admissionResults.runId, runId),
      after !== null ? gt(admissionResults.pupilIdNumber, after) : undefined,
      until !== null ? lte(admissionResults.pupilIdNumber, until) : undefined,
    ))
    .orderBy(asc(admissionResults.pupilIdNumber));
}

/** Whether the dossier's history already has this run applied (the action's form names the run). */
export async function appliedByRun(db: Db, dossierId: string, runId: string): Promise<boolean> {
  const rows = rowsOf<{ one: number }>(await db.execute(sql`
    select 1 as one from dossier_events where dossier_id = ${dossierId} and action like ${APPLY_ACTIONS} and data ->> 'runId' = ${runId} limit 1`));
  return rows.length > 0;
}

/** At most this many problems are listed in the run's stats; beyond them only the counts per kind grow. */
export const NOTICE_ISSUES_KEPT = 1000;

export interface NoticeIssueCounts { decided: number; failed: number }

/**
 * Records one batch's problems in the run's stats: the counts per kind of each batch (`noticeIssueBatches`, keyed by
 * the batch's lower bound, so a retried batch replaces its own figures rather than adding to them), their totals
 * (`noticeIssueCounts`) and the first NOTICE_ISSUES_KEPT problems (`noticeIssues`; the batch's own earlier entries are
 * replaced). The run row is locked, so batches running at once do not lose each other's entries; what is rewritten
 * stays bounded (one small object per batch + the kept entries) however many pupils the run has.
 */
export async function recordNoticeIssues(
  db: Db, runId: string, batch: { after: string | null; pupils: readonly string[] }, issues: NoticeIssue[],
): Promise<void> {
  const [run] = await db.select({ stats: admissionRuns.stats }).from(admissionRuns).where(eq(admissionRuns.id, runId)).for('update');
  if (!run) return;
  const stats = run.stats ?? {};
  const key = batch.after ?? '';
  const perBatch = { ...((stats.noticeIssueBatches ?? {}) as Record<string, NoticeIssueCounts>) };
  if (issues.length === 0 && !perBatch[key]) return;
  const mine = new Set(batch.pupils);
  const kept = ((stats.noticeIssues ?? []) as NoticeIssue[]).filter((i) => !mine.has(i.pupilIdNumber));
  for (const issue of issues) if (kept.length < NOTICE_ISSUES_KEPT) kept.push(issue);
  perBatch[key] = { decided: issues.filter((i) => i.kind === 'decided').length, failed: issues.filter((i) => i.kind === 'failed').length };
  const totals: NoticeIssueCounts = { decided: 0, failed: 0 };
  for (const c of Object.values(perBatch)) { totals.decided += c.decided; totals.failed += c.failed; }
  await db.update(admissionRuns)
    .set({ stats: { ...stats, noticeIssues: kept, noticeIssueBatches: perBatch, noticeIssueCounts: totals } })
    .where(eq(admissionRuns.id, runId));
}

/** Marks the run's application as stopped because a later run was published (once; the run row locked). */
export async function setNoticesSuperseded(db: Db, runId: string, by: string, at: Date): Promise<void> {
  const [run] = await db.select({ stats: admissionRuns.stats }).from(admissionRuns).where(eq(admissionRuns.id, runId)).for('update');
  if (!run || (run.stats ?? {}).noticesSupersededBy) return;
  await db.update(admissionRuns)
    .set({ stats: { ...(run.stats ?? {}), noticesSupersededBy: by, noticesSupersededAt: at.toISOString() } })
    .where(eq(admissionRuns.id, runId));
}

export interface NoticeCounts { total: number; admitted: number; applied: number; signed: number; failedJobs: number }

/**
 * The progress of a run's application in four counts over the run's dossiers: pupils, admitted ones, dossiers whose
 * history names the run, admitted dossiers with a signed result, and result jobs of those dossiers that failed for good.
 */
export async function noticeCounts(db: Db, runId: string): Promise<NoticeCounts> {
  const [row] = rowsOf<Record<keyof NoticeCounts, number>>(await db.execute(sql`
    with r as (select dossier_id, school_unit_id from ${admissionResults} where run_id = ${runId}),
    applied as (
      select distinct e.dossier_id, e.action from dossier_events e join r on r.dossier_id = e.dossier_id
      where e.action like ${APPLY_ACTIONS} and e.data ->> 'runId' = ${runId}
    )
    select
      (select count(*) from r)::int as total,
      (select count(school_unit_id) from r)::int as admitted,
      (select count(distinct dossier_id) from applied)::int as applied,
      (select count(*) from issued_documents d where d.kind = 'result'
         and d.dossier_id in (select dossier_id from applied where action <> 'admission_none'))::int as signed,
      (select count(*) from outbox o where o.failed_at is not null and o.job = 'issue-result'
         and o.payload ->> 'dossierId' in (select dossier_id::text from applied))::int as "failedJobs"`));
  return {
    total: Number(row?.total ?? 0), admitted: Number(row?.admitted ?? 0), applied: Number(row?.applied ?? 0),
    signed: Number(row?.signed ?? 0), failedJobs: Number(row?.failedJobs ?? 0),
  };
}

/** The campaigns a school takes part in (a principal's lists), the latest registration window first. */
export async function listCampaignsOfSchool(db: Db, schoolUnitId: string): Promise<Array<{ id: string; name: string }>> {
  return db.select({ id: admissionCampaigns.id, name: admissionCampaigns.name }).from(campaignSchools)
    .innerJoin(admissionCampaigns, eq(admissionCampaigns.id, campaignSchools.campaignId))
    .where(eq(campaignSchools.schoolUnitId, schoolUnitId)).orderBy(desc(admissionCampaigns.opensAt));
}
