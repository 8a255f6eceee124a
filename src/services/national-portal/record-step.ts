// The step owed to the national portal for a history event just written: one national_sync_steps row (the dossier's
// dates right after the change) and the sync job's outbox row, in the act's own transaction, so a step is never lost
// and never sent for an act that rolled back. Intake writes its `submit` step in its own statement (insertSubmission).
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { NATIONAL_SYNC_JOB } from '../../db/repositories/dossiers.js';
import { insertStepForLatestEvent } from '../../db/repositories/national-sync.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import type { WorkflowDefinition } from '../../workflow/types.js';

/** Whether the dossier's steps are reported: the portal is configured and the pinned procedure version is known to it. */
export function syncsToNationalPortal(ctx: Pick<AppContext, 'config'>, definition: Pick<WorkflowDefinition, 'national'>): boolean {
  return Boolean(ctx.config.nationalPortal && definition.national);
}

/**
 * The sync job's outbox row for a dossier whose state changed without a step (a fee paid, for instance): the job then
 * sends the dossier's current state (DuocThanhToanTrucTuyen...) even when no step is waiting. Null when the dossier is
 * not reported (no portal configured, or the pinned procedure version has no `national`). Insert it in the change's
 * own transaction, with its other outbox rows, and wake the job driver after commit.
 */
export function nationalSyncOutboxRow(
  ctx: Pick<AppContext, 'config'>, definition: Pick<WorkflowDefinition, 'national'>, dossierId: string,
): { job: typeof NATIONAL_SYNC_JOB; payload: { dossierId: string } } | null {
  return syncsToNationalPortal(ctx, definition) ? { job: NATIONAL_SYNC_JOB, payload: { dossierId } } : null;
}

/**
 * Call inside the transaction, after the history event and the dossier update. The caller wakes the job driver after
 * commit (ctx.jobs.wake()), as for its other outbox rows.
 */
export async function recordNationalStep(
  ctx: Pick<AppContext, 'config'>, tx: Db, definition: Pick<WorkflowDefinition, 'national'>, dossierId: string,
): Promise<boolean> {
  const row = nationalSyncOutboxRow(ctx, definition, dossierId);
  if (!row) return false;
  await insertStepForLatestEvent(tx, dossierId);
  await insertOutbox(tx, [row]);
  return true;
}
