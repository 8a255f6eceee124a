// What the season's administration pages show around the API's use-cases (routes/pages/admin/campaign-season.ts):
// the campaign's runs as a list and the state of its scores. Administrators only, like the runs themselves.
import type { AppContext } from '../../app-context.js';
import { listRuns, scoresSummary } from '../../db/repositories/admission-assignment.js';
import { findCampaign } from '../../db/repositories/admissions.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';

export interface RunListItem {
  runId: string;
  status: 'running' | 'done' | 'failed';
  round: 'main' | 'supplementary';
  rule: 'deferred-acceptance' | 'choice-priority';
  seed: string;
  progress: number;
  startedAt: string;
  finishedAt: string | null;
  publishedAt: string | null;
  /** From the run's stats (written with its outcome): null until the run is done. */
  admitted: number | null;
  unassigned: number | null;
}

async function campaignOf(ctx: AppContext, campaignId: string) {
  const campaign = await findCampaign(ctx.db, campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return campaign;
}

/** The campaign's runs, latest first; the counts come from the stats the job wrote, so the list costs one query. */
export async function listRunItems(ctx: AppContext, caller: Caller, campaignId: string): Promise<RunListItem[]> {
  administratorOf(caller);
  await campaignOf(ctx, campaignId);
  return (await listRuns(ctx.db, campaignId)).map((r) => {
    const stats = r.stats as { admitted?: unknown; unassigned?: { noScore?: unknown; noSeat?: unknown } } | null;
    const done = r.status === 'done' && stats !== null;
    return {
      runId: r.id, status: r.status, round: r.round, rule: r.rule, seed: r.seed, progress: r.progress,
      startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, publishedAt: r.publishedAt?.toISOString() ?? null,
      admitted: done ? Number(stats.admitted ?? 0) : null,
      unassigned: done ? Number(stats.unassigned?.noScore ?? 0) + Number(stats.unassigned?.noSeat ?? 0) : null,
    };
  });
}

/** How many scores the campaign has, and when and by whom the file that holds them was imported. */
export async function readScoresState(ctx: AppContext, caller: Caller, campaignId: string): Promise<{ count: number; importedAt: string | null; importedBy: string | null }> {
  administratorOf(caller);
  await campaignOf(ctx, campaignId);
  const s = await scoresSummary(ctx.db, campaignId);
  return { count: s.count, importedAt: s.importedAt?.toISOString() ?? null, importedBy: s.importedBy };
}
