// A published assignment run applied to the registration dossiers, and the admission notices signed in bulk by the
// job queue (issue 14 item 5).
//
// - Start (administrator): only the latest published done run of the campaign. One transaction: notices_queued_at,
//   one outbox row per batch of BATCH_SIZE pupils (all batches queued at once, bounded by pupil IDs, so a lost or
//   re-delivered batch never breaks a chain and batches run side by side on the workers), and the audit entry.
//   Starting again is a no-op answering the same figures.
// - Each batch (job `apply-admission-run`): every dossier of the batch still live (LIVE_STATUSES) takes the system's
//   action of the workflow through performAction — its own transaction with the state, history event, audit,
//   national-portal step and outbox rows: admitted → `admission_choiceN` (handed to the admitting school, `signing`,
//   the issue-result job renders and signs the notice with that school's principal's key); not admitted →
//   `admission_none` (`rejected`: the citizen is told by the status notification and finds the result in the look-up;
//   no document is drawn: the workflow's refusal form is a refusal to accept a dossier, not a non-admission). The
//   action's form names the run: a dossier whose history already has it is skipped. A dossier no longer live (decided
//   by a principal, or applied by an earlier run) is not overwritten: it is counted in the run's stats
//   (`noticeIssueCounts`, kind 'decided'; the first 1,000 listed in `noticeIssues`), as is a dossier whose action was
//   refused (kind 'failed'). A batch that finds a later run published meanwhile does nothing (`noticesSupersededBy`).
import type { AppContext } from '../../app-context.js';
import { findRun, latestDoneRun, listCutoffs, type ResultRow } from '../../db/repositories/admission-assignment.js';
import {
  appliedByRun, batchBounds, listResultsBetween, noticeCounts, recordNoticeIssues, setNoticesQueued, setNoticesSuperseded,
  type NoticeCounts, type NoticeIssue, type NoticeIssueCounts,
} from '../../db/repositories/admission-notices.js';
import { findCampaign } from '../../db/repositories/admissions.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { TtlCache } from '../admission-lookup/cache.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { performAction } from '../processing/perform-action.js';
import { findRunOf } from './assignment-runs.js';
import { vnDateTime } from './vn-date-time.js';
import { windowOf } from './windows.js';
import { vnPoints } from './points.js';

export const APPLY_ADMISSION_RUN_JOB = 'apply-admission-run';
/** Pupils per batch job: a few seconds of work each, small enough that a retry redoes little. */
export const BATCH_SIZE = 250;
/** The states a registration is still undecided in: the system's actions exist in each (the workflow file). */
export const LIVE_STATUSES: ReadonlySet<string> = new Set(['submitted', 'awaiting_supplement', 'awaiting_decision', 'second_choice', 'third_choice']);

export interface NoticesView {
  runId: string;
  total: number;
  admitted: number;
  applied: number;
  signed: number;
  failed: number;
  decided: number;
  queuedAt: string | null;
  /** The later published run that stopped this run's remaining batches, if any. */
  supersededBy: string | null;
  issues: NoticeIssue[];
}

/** The latest published run of the campaign, if it is `runId`; 409 NOTICES_NOT_ALLOWED otherwise. */
async function latestPublished(ctx: AppContext, campaignId: string, runId: string) {
  const run = await findRunOf(ctx, campaignId, runId);
  if (run.status !== 'done' || !run.publishedAt) {
    throw new AppError('NOTICES_NOT_ALLOWED', 'Chỉ gửi thông báo trúng tuyển theo lượt xét tuyển đã hoàn tất và đã công bố.');
  }
  const latest = await latestDoneRun(ctx.db, campaignId, { published: true });
  if (latest?.id !== run.id) {
    throw new AppError('NOTICES_NOT_ALLOWED', 'Lượt xét tuyển này đã được thay bằng một lượt công bố sau; gửi thông báo theo lượt công bố mới nhất.');
  }
  return run;
}

export async function startNotices(ctx: AppContext, caller: Caller, campaignId: string, runId: string, now = new Date()): Promise<{ runId: string; total: number }> {
  const { actor } = administratorOf(caller);
  await latestPublished(ctx, campaignId, runId);
  // A signed notice is final: a re-marking answered after it could move the pupil while the notice names the old
  // school. So notices wait for the re-marking window to end (and the re-run it calls for to be published).
  const remarking = windowOf((await findCampaign(ctx.db, campaignId))!, 'remarking');
  if (remarking && now < remarking.closesAt) {
    throw new AppError('NOTICES_NOT_ALLOWED',
      `Chưa hết thời gian phúc khảo (đến trước ${vnDateTime(remarking.closesAt)}): gửi thông báo trúng tuyển sau khi giải quyết phúc khảo, xét tuyển lại (nếu có điểm thay đổi) và công bố lượt mới, để thông báo đã ký không khác kết quả cuối cùng.`);
  }
  const total = (await noticeCounts(ctx.db, runId)).total;
  const queued = await ctx.db.transaction(async (tx) => {
    // The run row locked: two starts at once queue the batches once.
    const run = (await findRun(tx, runId, { lock: true }))!;
    if (run.noticesQueuedAt) return false;
    const bounds = await batchBounds(tx, runId, BATCH_SIZE);
    const edges: Array<string | null> = [null, ...bounds];
    // (after, until] each; the last one open (empty when the count is a multiple of the size: a no-op job).
    const batches = edges.map((after, i) => ({ after, until: edges[i + 1] ?? null }));
    await setNoticesQueued(tx, runId, new Date());
    await insertOutbox(tx, batches.map((b) => ({ job: APPLY_ADMISSION_RUN_JOB, payload: { runId, ...b } })));
    await recordAudit(tx, actor, 'campaign.notices_started', campaignId, { runId, total, batches: batches.length });
    return true;
  });
  if (queued) ctx.jobs.wake();
  return { runId, total };
}

export async function readNotices(ctx: AppContext, caller: Caller, campaignId: string, runId: string): Promise<NoticesView> {
  administratorOf(caller);
  const run = await findRunOf(ctx, campaignId, runId);
  const pupils = Number(run.stats?.registered ?? 0);
  const counts = pupils >= CACHED_FROM
    ? await countsCache(ctx).get(run.id, () => noticeCounts(ctx.db, run.id))
    : await noticeCounts(ctx.db, run.id);
  const issueCounts = (run.stats?.noticeIssueCounts ?? { decided: 0, failed: 0 }) as NoticeIssueCounts;
  return {
    runId: run.id, total: counts.total, admitted: counts.admitted, applied: counts.applied, signed: counts.signed,
    failed: counts.failedJobs + issueCounts.failed,
    decided: issueCounts.decided,
    queuedAt: run.noticesQueuedAt?.toISOString() ?? null,
    supersededBy: typeof run.stats?.noticesSupersededBy === 'string' ? run.stats.noticesSupersededBy : null,
    issues: (run.stats?.noticeIssues ?? []) as NoticeIssue[],
  };
}

/**
 * The progress page refreshes every few seconds while the counts join all of a run's results with the history, the
 * issued documents and the outbox: from this many pupils the figures are shared for COUNTS_CACHE_MS per process
 * (a small run is counted afresh, so its figures are exact at once).
 */
const CACHED_FROM = 2000;
const COUNTS_CACHE_MS = 5000;
const countsCaches = new WeakMap<AppContext, TtlCache<NoticeCounts>>();

function countsCache(ctx: AppContext): TtlCache<NoticeCounts> {
  let cache = countsCaches.get(ctx);
  if (!cache) {
    cache = new TtlCache(() => COUNTS_CACHE_MS, 100);
    countsCaches.set(ctx, cache);
  }
  return cache;
}

/** "2725" hundredths → "27,25" (Vietnamese decimal comma). */

/** A refusal by the rules (4xx) is the dossier's situation; anything else (a conflict, the database) is retried. */
function refused(error: unknown): error is AppError {
  return error instanceof AppError && error.statusCode >= 400 && error.statusCode < 500 && error.code !== 'STALE_VERSION';
}

/** The job: one batch of the run's pupils (see the header). Throws after the batch when a dossier must be retried. */
export async function applyRunBatch(ctx: AppContext, runId: string, after: string | null, until: string | null): Promise<void> {
  const run = await findRun(ctx.db, runId);
  if (!run?.noticesQueuedAt) return;
  // A later run published since the batches were queued: its own notices decide; this run's remaining batches do
  // nothing (the run's stats say so, and the progress view shows it).
  const latest = await latestDoneRun(ctx.db, run.campaignId, { published: true });
  if (latest?.id !== run.id) {
    await ctx.db.transaction((tx) => setNoticesSuperseded(tx, runId, latest?.id ?? '', new Date()));
    return;
  }
  const [results, cutoffs] = await Promise.all([listResultsBetween(ctx.db, runId, after, until), listCutoffs(ctx.db, runId)]);
  const cutoffOf = new Map(cutoffs.map((c) => [`${c.schoolUnitId}\u0000${c.category}`, c.cutoff]));
  const schoolIds = [...new Set(results.flatMap((r) => (r.schoolUnitId ? [r.schoolUnitId] : [])))];
  const labelOf = new Map((await findUnitsByIds(ctx.db, schoolIds)).map((u) => [u.id, u.agencyName ?? u.id]));
  const issues: NoticeIssue[] = [];
  let retry: unknown;
  for (const result of results) {
    try {
      const issue = await applyOne(ctx, runId, result, () => {
        const cutoff = result.schoolUnitId ? cutoffOf.get(`${result.schoolUnitId}\u0000${result.category}`) : undefined;
        return {
          runId, school: result.schoolUnitId ?? '', schoolLabel: result.schoolUnitId ? (labelOf.get(result.schoolUnitId) ?? result.schoolUnitId) : '',
          ...(result.choiceRank ? { choiceRank: result.choiceRank } : {}), category: result.category,
          total: vnPoints(result.total / 100), cutoff: cutoff === undefined || cutoff === null ? '' : vnPoints(cutoff / 100),
        };
      });
      if (issue) issues.push(issue);
    } catch (error) {
      if (refused(error)) {
        issues.push({ pupilIdNumber: result.pupilIdNumber, dossierId: result.dossierId, kind: 'failed', status: '', message: `${error.code}: ${error.message}` });
      } else {
        ctx.log.warn({ err: error, runId, pupil: result.pupilIdNumber }, 'applying an admission run: one dossier will be retried');
        retry ??= error;
      }
    }
  }
  await ctx.db.transaction((tx) => recordNoticeIssues(tx, runId, { after, pupils: results.map((r) => r.pupilIdNumber) }, issues));
  // The whole batch is tried again: the dossiers applied meanwhile are skipped by their marker.
  if (retry) throw retry;
}

/** One dossier: its action, or why not (undefined: applied now or already by this run). */
async function applyOne(ctx: AppContext, runId: string, result: ResultRow, outcome: () => Record<string, unknown>): Promise<NoticeIssue | undefined> {
  // Two tries: a principal acting at the same moment makes the first a STALE_VERSION; the second reads their outcome.
  for (let attempt = 0; ; attempt++) {
    const dossier = await findDossierById(ctx.db, result.dossierId);
    if (!dossier) return { pupilIdNumber: result.pupilIdNumber, dossierId: result.dossierId, kind: 'failed', status: '', message: 'Hồ sơ không còn tồn tại.' };
    if (!LIVE_STATUSES.has(dossier.status)) {
      if (await appliedByRun(ctx.db, dossier.id, runId)) return undefined;
      return {
        pupilIdNumber: result.pupilIdNumber, dossierId: dossier.id, kind: 'decided', status: dossier.status,
        message: `Hồ sơ ${dossier.code} đã được xử lý trước (trạng thái "${dossier.status}"); không ghi đè theo kết quả xét tuyển.`,
      };
    }
    const action = result.schoolUnitId && result.choiceRank ? `admission_choice${result.choiceRank}` : 'admission_none';
    try {
      await performAction(ctx, { code: dossier.code, action, caller: { kind: 'system' }, version: dossier.version, data: outcome() });
      return undefined;
    } catch (error) {
      if (attempt === 0 && error instanceof AppError && error.code === 'STALE_VERSION') continue;
      throw error;
    }
  }
}
