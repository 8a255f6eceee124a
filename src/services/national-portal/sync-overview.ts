// The administrators' view of the sync with the national portal: the backlog of steps not yet acknowledged, the
// dossiers whose last try failed and why, the latest steps sent, and the sync effects that used up their retries,
// which they can run again (each retry audited, through services/operations/failed-effects.ts).
import type { AppContext } from '../../app-context.js';
import { NATIONAL_SYNC_JOB } from '../../db/repositories/dossiers.js';
import { syncBacklog } from '../../db/repositories/national-sync.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { can } from '../access.js';
import { listFailedEffects, retryFailedEffect, type FailedEffect } from '../operations/failed-effects.js';

export interface NationalSyncOverview {
  /** A portal is configured (NATIONAL_PORTAL_URL, or the demo's simulator); its address, never its secret. */
  configured: boolean;
  portalUrl: string | null;
  unsentSteps: number;
  oldestUnsentAt: string | null;
  failingDossiers: Array<{ dossierCode: string; unsentSteps: number; attempts: number; lastAttemptAt: string | null; lastError: string | null }>;
  recentSent: Array<{ dossierCode: string; eventId: number; action: string; status: string; sentAt: string }>;
  /** Sync effects that failed for good (retries used up): the retry button runs them again. */
  failedEffects: FailedEffect[];
}

function requireOperations(staff: StaffRow): void {
  if (!can(staff, 'operations')) throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống được xem và chạy lại việc đồng bộ với Cổng DVC quốc gia.');
}

export async function nationalSyncOverview(ctx: AppContext, staff: StaffRow): Promise<NationalSyncOverview> {
  requireOperations(staff);
  const backlog = await syncBacklog(ctx.db);
  const failed = (await listFailedEffects(ctx, staff)).filter((e) => e.job === NATIONAL_SYNC_JOB);
  return {
    configured: ctx.config.nationalPortal !== undefined,
    portalUrl: ctx.config.nationalPortal?.url ?? null,
    unsentSteps: backlog.unsent,
    oldestUnsentAt: backlog.oldestUnsentAt?.toISOString() ?? null,
    failingDossiers: backlog.failing.map((f) => ({
      dossierCode: f.dossierCode, unsentSteps: f.unsent, attempts: f.attempts, lastAttemptAt: f.lastAttemptAt?.toISOString() ?? null, lastError: f.lastError,
    })),
    recentSent: backlog.recentSent.map((r) => ({ ...r, sentAt: r.sentAt.toISOString() })),
    failedEffects: failed,
  };
}

/** Runs every failed sync effect again, each with all its tries and its own audit entry; how many were retried. */
export async function retryFailedNationalSync(ctx: AppContext, staff: StaffRow, ip?: string): Promise<{ retried: number[] }> {
  requireOperations(staff);
  const failed = (await listFailedEffects(ctx, staff)).filter((e) => e.job === NATIONAL_SYNC_JOB);
  const retried: number[] = [];
  for (const effect of failed) {
    try {
      retried.push((await retryFailedEffect(ctx, staff, effect.id, ip)).id);
    } catch (error) {
      // Retried meanwhile by another administrator (or from /can-bo/tac-vu-loi): nothing left to do for this one.
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  return { retried };
}
