// The citizen's notifications, relayed in batches (BullMQ only): one queued job per relay poll's `notify-citizen`
// rows instead of one per row — a BullMQ job costs the worker about as much CPU as the intake request that caused it
// (bench:burst). The rows stay the ledger: each is marked done only after its message is recorded as sent, a message
// that fails goes back to the outbox alone with the job's retry policy (the others of its batch are not held), and a
// batch run again after a crash skips what was done and sends nothing twice (citizen_notifications: one per event).
import type { AppContext } from '../app-context.js';
import type { EventKey } from '../db/repositories/notifications.js';
import { handBackLater, markDone, openRowsOfBatch, retryRowLater, type OutboxRow } from '../db/repositories/outbox.js';
import { NOTIFY_CITIZEN_JOB } from '../services/notifications/notify-citizen.js';
import { notifyCitizenBatch } from '../services/notifications/notify-citizen-batch.js';
import { notifyCitizenJob } from './notify-citizen.js';
import { isPermanentFailure, jobNamed, runJob } from './registry.js';
import { retryDelayMs, retryPolicyOf } from './types.js';

/** The jobs the relay batches, and the queue their batches go to. */
export const BATCHED_JOBS: ReadonlySet<string> = new Set([NOTIFY_CITIZEN_JOB]);
export const NOTIFY_BATCH_QUEUE = 'notify-citizen-batch';
/**
 * At most this many rows per batch job (the relay claims up to 200 rows per poll: whole batches). A batch's fixed work
 * (its read, its record, its done mark) is shared by more messages; its marks go by time, not by size.
 */
export const NOTIFY_BATCH_SIZE = 100;
/** A batch's queued job id: this prefix and the batch's key. */
export const BATCH_JOB_ID_PREFIX = 'notify-batch-';

/** `batch`: the key its rows record (payload.relayBatch); `ids`: its outbox rows. */
export interface NotifyBatch { batch: string; ids: number[] }

/** What one run did: rows done, and rows sent back to the outbox (to retry later, or failed for good). */
export interface BatchOutcome { done: number[]; retried: number[]; failed: number[] }

/**
 * Runs a batch: one read of its open rows, their messages sent with the batch's database work done per batch
 * (services/notifications/notify-citizen-batch.ts: one read, one record, the sends a few at a time, what has left marked
 * sent every MARK_EVERY_MS and at the end), then the done rows marked in one statement. A crash before that mark only
 * makes the rows run again, and a run again finds each message recorded as sent and sends nothing. Throws only when the
 * batch as a whole cannot run (database away): then the queue retries it.
 */
export async function runNotifyBatch(ctx: AppContext, { batch, ids }: NotifyBatch): Promise<BatchOutcome> {
  const rows = await openRowsOfBatch(ctx.database, ids, batch);
  const outcome: BatchOutcome = { done: [], retried: [], failed: [] };
  const policy = retryPolicyOf(jobNamed(NOTIFY_CITIZEN_JOB));
  // A row whose payload is not a notify-citizen event runs alone through the registry (which refuses it for good).
  const events: Array<{ row: OutboxRow; event: EventKey }> = [];
  const others: OutboxRow[] = [];
  for (const row of rows) {
    const parsed = row.job === NOTIFY_CITIZEN_JOB ? notifyCitizenJob.payload.safeParse(row.payload) : undefined;
    if (parsed?.success) events.push({ row, event: parsed.data });
    else others.push(row);
  }
  const failures: Array<{ row: OutboxRow; error: unknown }> = [];
  const elsewhere: number[] = [];
  const results = await notifyCitizenBatch(ctx, events.map((e) => e.event));
  for (const [i, result] of results.entries()) {
    if (result.ok) outcome.done.push(events[i]!.row.id);
    // Another run is sending it: no attempt of this row failed. Handed straight back to the outbox (below) rather than
    // left unfinished — which only the reconciler's fault path would pick up, after the lease, removing this batch job.
    else if (result.elsewhere) elsewhere.push(events[i]!.row.id);
    else failures.push({ row: events[i]!.row, error: result.error });
  }
  for (const row of others) {
    try {
      await runJob(ctx, row.job, row.payload);
      outcome.done.push(row.id);
    } catch (error) {
      failures.push({ row, error });
    }
  }
  // allSettled: a row whose give-back failed (database away) must not keep the others from being given back or the
  // done rows from being marked; the batch then fails as a whole and BullMQ runs it again.
  const errors: unknown[] = [];
  for (const result of await Promise.allSettled([...failures.map(({ row, error }) => giveBack(row, error)), handBackElsewhere()])) {
    if (result.status === 'rejected') errors.push(result.reason);
  }
  await markDone(ctx.database, outcome.done);
  if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} rows of batch ${batch} could not be given back`);
  return outcome;

  async function giveBack(row: OutboxRow, error: unknown): Promise<void> {
    const attemptsMade = row.attempts + 1;
    const retryAt = attemptsMade < policy.attempts && !isPermanentFailure(error) ? new Date(Date.now() + retryDelayMs(policy, attemptsMade)) : null;
    ctx.log.warn({ err: error, job: row.job, outboxId: row.id, attemptsMade }, retryAt ? 'notification failed, will retry' : 'notification failed for good');
    await retryRowLater(ctx.db, row.id, error instanceof Error ? error.message : String(error), retryAt);
    (retryAt ? outcome.retried : outcome.failed).push(row.id);
  }

  // Due again after the job's first retry delay (time for the other run to send and mark it), no attempt counted: run
  // again, each finds its message sent (done) or recorded under the other run's Message-ID (sent under it if that run
  // died). Counted as retried: back in the outbox to run later.
  async function handBackElsewhere(): Promise<void> {
    if (elsewhere.length === 0) return;
    ctx.log.info({ job: NOTIFY_CITIZEN_JOB, outboxIds: elsewhere, batch }, 'notification being recorded by another run; row handed back to run again shortly');
    await handBackLater(ctx.database, elsewhere, batch, 'notification recorded by another run at the same moment', policy.baseDelayMs);
    outcome.retried.push(...elsewhere);
  }
}
