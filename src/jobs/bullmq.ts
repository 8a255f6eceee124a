// Production job driver. The outbox row is the effect's ledger: the relay hands rows to BullMQ (one queue per job,
// job id derived from the row, so a row handed over twice is one job), a worker marks its row done only after the
// handler succeeded, and a reconciler in every worker looks again at rows handed over but not done: a job that
// vanished (Redis came back empty), stalled past BullMQ's limit or failed without being recorded is handed over
// again; one that used up its retries is recorded as failed (visible to admins, who can retry it). Redis may lose
// everything at any moment: nothing is lost, only delayed (docs/OPERATIONS.md).
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppContext } from '../app-context.js';
import { throttledLog } from '../logger.js';
import { withTimeout } from '../timeouts.js';
import {
  claimUnfinished, countUnfinished, markAttemptFailed, markDone, markFailed, markRelayed, markRelayedInBatch, OUTBOX_CHANNEL, pruneDone, requeue,
  type OutboxRow,
} from '../db/repositories/outbox.js';
import { recoverStrandedDossiers } from '../services/processing/recover-stranded.js';
import { isKnownJob, isPermanentFailure, JOBS, jobNamed, runJob } from './registry.js';
import { BATCH_JOB_ID_PREFIX, BATCHED_JOBS, NOTIFY_BATCH_QUEUE, NOTIFY_BATCH_SIZE, runNotifyBatch, type NotifyBatch } from './notify-batch.js';
import { OutboxPoller } from './relay.js';
import { ReportRollupTimer } from './report-rollup-timer.js';
import { SLA_SWEEP_EVERY_MS, slaSweepJob } from './sla-sweep.js';
import { DEFAULT_RETRY, retryDelayMs, retryPolicyOf, type JobDriver, type RetryPolicy } from './types.js';

export function redisConnection(url: string, forWorker: boolean): Redis {
  return new Redis(url, forWorker
    ? { maxRetriesPerRequest: null }
    // The producer must fail fast while Redis is down, so outbox rows stay put instead of piling up in memory.
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
}

/** The server's side in production: commits go to the outbox and NOTIFY wakes the worker's relay. */
export class OutboxOnlyDriver implements JobDriver {
  readonly kind = 'bullmq';
  async start(): Promise<void> {}
  wake(): void {}
  async idle(): Promise<void> {}
  async close(): Promise<void> {}
}

const JOB_ID_PREFIX = 'outbox-';
/** A relayed row's job is first looked at this long after the hand-over, then every lease. */
const FIRST_CHECK_MS = 60_000;
const CHECK_LEASE_MS = 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;
/** Rows the relay claims per poll: a multiple of NOTIFY_BATCH_SIZE, so a busy poll makes whole notification batches. */
const RELAY_CLAIM = 2 * NOTIFY_BATCH_SIZE;
/** How long close() lets running jobs finish before closing the workers by force. */
const CLOSE_GRACE_MS = 20_000;

export function outboxIdOf(job: Pick<Job, 'id'>): number | null {
  return job.id?.startsWith(JOB_ID_PREFIX) ? Number(job.id.slice(JOB_ID_PREFIX.length)) : null;
}

/** The worker's side: relay + BullMQ workers + reconciler. */
export class BullmqDriver implements JobDriver {
  readonly kind = 'bullmq';
  private readonly producer: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly poller: OutboxPoller;
  private readonly warn: (key: string, obj: object, msg: string) => void;
  /** Holds the repeatable SLA sweep; kept out of `queues` so idle() does not wait for its next (delayed) run. */
  private scheduler: Queue | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private readonly rollup: ReportRollupTimer;
  private reconciling: Promise<void> | undefined;
  private lastPrune = 0;
  private closing = false;

  constructor(
    private readonly ctx: AppContext, private readonly url: string, private readonly prefix: string, private readonly runWorkers = true,
  ) {
    this.producer = redisConnection(url, false);
    this.rollup = new ReportRollupTimer(ctx);
    // An outage repeats the same error on every poll: each kind is said once, then at most once a minute.
    const throttles = new Map<string, ReturnType<typeof throttledLog>>();
    this.warn = (key, obj, msg) => {
      let say = throttles.get(key);
      if (!say) throttles.set(key, (say = throttledLog((o, m) => ctx.log.warn(o, m))));
      say(obj as Record<string, unknown>, msg);
    };
    this.producer.on('error', (err) => this.warn('redis', { err }, 'Redis unreachable: effects wait in the outbox'));
    this.poller = new OutboxPoller(ctx.db, { pollMs: ctx.config.outboxPollMs, batch: RELAY_CLAIM, leaseMs: 30_000 }, (rows) => this.relay(rows), {
      error: (obj, msg) => this.warn(`poller:${msg}`, obj as object, msg ?? 'outbox poller error'),
      warn: (obj, msg) => this.warn(`poller:${msg}`, obj as object, msg ?? 'outbox poller warning'),
    });
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer as unknown as ConnectionOptions, prefix: this.prefix });
      queue.on('error', (err) => this.warn('queue', { err }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async start(): Promise<void> {
    if (this.runWorkers) {
      for (const name of Object.keys(JOBS)) this.workers.push(this.startWorker(name, (job) => this.process(name, job), retryPolicyOf(jobNamed(name))));
      // A batch retried by the queue only when it could not run at all (database away); its failing messages are
      // retried one by one through the outbox, with their own job's policy (notify-batch.ts).
      this.workers.push(this.startWorker(NOTIFY_BATCH_QUEUE, (job) => this.processBatch(job), DEFAULT_RETRY));
      // Repeatable jobs (the SLA sweep): one scheduler entry however many workers start — upserted by id, BullMQ runs
      // each occurrence on one of them. Upserted again on every reconcile, so Redis losing it costs one period.
      this.scheduler = new Queue(slaSweepJob.name, { connection: this.producer as unknown as ConnectionOptions, prefix: this.prefix });
      this.scheduler.on('error', (err) => this.warn('scheduler', { err }, 'scheduler queue error'));
      const every = this.ctx.config.reconcileMs;
      this.reconcileTimer = setInterval(() => { void this.reconcile(); }, every);
      this.reconcileTimer.unref();
      void this.reconcile();
      this.rollup.start();
    }
    await this.ctx.database.listen?.(OUTBOX_CHANNEL, () => this.poller.wake());
    this.poller.start();
  }

  private startWorker(name: string, processor: (job: Job) => Promise<void>, policy: RetryPolicy): Worker {
    const worker = new Worker(name, processor, {
      connection: redisConnection(this.url, true) as unknown as ConnectionOptions,
      prefix: this.prefix,
      concurrency: this.ctx.config.workerConcurrency,
      // A crash mid-job leaves it "stalled"; past this count BullMQ fails it, and the reconciler hands it over again.
      maxStalledCount: 3,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(policy, attemptsMade) },
    });
    worker.on('failed', (job, err) => this.ctx.log.warn({ err: describe(err), job: name, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'job failed'));
    worker.on('error', (err) => this.warn(`worker:${name}`, { err }, 'worker error'));
    return worker;
  }

  /** Runs the handler, then marks the row done; a last or permanent failure is recorded on the row. */
  private async process(name: string, job: Job): Promise<void> {
    const outboxId = outboxIdOf(job);
    try {
      await runJob(this.ctx, name, job.data);
    } catch (error) {
      const permanent = isPermanentFailure(error);
      const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last && outboxId !== null) await markFailed(this.ctx.db, outboxId, describe(error)).catch(() => {});
      throw permanent ? new UnrecoverableError(describe(error)) : error;
    }
    // If this fails (database away), the job fails and runs again: handlers are idempotent.
    if (outboxId !== null) await markDone(this.ctx.database, [outboxId]);
  }

  /** A batch of notifications: each row is done, or back in the outbox to retry alone (notify-batch.ts). */
  private async processBatch(job: Job): Promise<void> {
    await runNotifyBatch(this.ctx, job.data as NotifyBatch);
  }

  wake(): void {
    this.poller.wake();
  }

  private async relay(rows: OutboxRow[]): Promise<void> {
    // BullMQ waits for a connection indefinitely; the relay must instead give the rows back and try later.
    if (this.producer.status !== 'ready') throw new Error(`Redis not ready (${this.producer.status})`);
    const byJob = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      // A row no worker would ever consume (a job since removed from the registry): failed for good, and said so.
      if (!isKnownJob(row.job)) {
        this.ctx.log.error({ job: row.job, outboxId: row.id }, 'outbox row names no registered job');
        await markAttemptFailed(this.ctx.db, row.id, `no registered job "${row.job}"`, null);
        continue;
      }
      byJob.set(row.job, [...(byJob.get(row.job) ?? []), row]);
    }
    for (const [name, group] of byJob) {
      if (BATCHED_JOBS.has(name)) { await this.relayBatches(group); continue; }
      const policy = retryPolicyOf(jobNamed(name));
      await withTimeout(this.queue(name).addBulk(group.map((row) => ({
        name,
        data: row.payload,
        opts: {
          jobId: `${JOB_ID_PREFIX}${row.id}`,
          attempts: policy.attempts,
          backoff: { type: 'custom' },
          // The ledger is the outbox: BullMQ's own history is kept only for looking into recent runs.
          removeOnComplete: { age: 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }))), 5000, 'BullMQ addBulk');
      await markRelayed(this.ctx.db, group.map((r) => r.id), FIRST_CHECK_MS);
    }
  }

  /** Rows of a batched job: one queued job per NOTIFY_BATCH_SIZE rows. */
  private async relayBatches(rows: OutboxRow[]): Promise<void> {
    const batches: NotifyBatch[] = [];
    for (let i = 0; i < rows.length; i += NOTIFY_BATCH_SIZE) {
      const chunk = rows.slice(i, i + NOTIFY_BATCH_SIZE);
      // A fresh key per relay: a key built from the rows (first id, attempts) comes back after an administrator's retry
      // resets attempts, while BullMQ still holds the old completed job under it (an hour) — adding would be a no-op and
      // the retry would wait for the reconciler. Safe to be new each time: a batch runs only rows naming its key.
      batches.push({ batch: randomUUID(), ids: chunk.map((r) => r.id) });
    }
    // Each row names its batch before the job exists: a worker may take the job the moment it is added, and it runs
    // only the rows naming its batch. If adding fails, the rows go back to the relay at once.
    for (const { batch, ids } of batches) await markRelayedInBatch(this.ctx.database, ids, batch, FIRST_CHECK_MS);
    await withTimeout(this.queue(NOTIFY_BATCH_QUEUE).addBulk(batches.map((data) => ({
      name: NOTIFY_BATCH_QUEUE,
      data,
      opts: {
        jobId: `${BATCH_JOB_ID_PREFIX}${data.batch}`,
        attempts: DEFAULT_RETRY.attempts,
        backoff: { type: 'custom' },
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    }))), 5000, 'BullMQ addBulk').catch(async (error: unknown) => {
      await requeue(this.ctx.db, rows.map((r) => r.id), 'batch not queued').catch(() => {});
      throw error;
    });
  }

  /** One pass of the reconciler; never overlaps itself, never throws. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((err: unknown) => this.warn('reconcile', { err }, 'reconciler pass failed; next pass soon'))
      .finally(() => { this.reconciling = undefined; });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    if (this.closing || this.producer.status !== 'ready') return;
    await this.scheduleRepeatable();
    for (;;) {
      const rows = await claimUnfinished(this.ctx.db, 200, CHECK_LEASE_MS);
      for (const row of rows) await this.checkRelayed(row);
      if (rows.length < 200 || this.closing) break;
    }
    const recovered = await recoverStrandedDossiers(this.ctx);
    if (recovered.length > 0) this.ctx.log.warn({ recovered }, 'reconciler: dossiers in a system state had no effect left to move them; effects issued again');
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      const pruned = await pruneDone(this.ctx.db, new Date(Date.now() - this.ctx.config.outboxRetentionDays * 86_400_000));
      if (pruned > 0) this.ctx.log.info({ pruned }, 'outbox: done rows pruned');
    }
  }

  /** A row handed over but not done: is its job still alive in Redis? */
  private async checkRelayed(row: OutboxRow): Promise<void> {
    if (!isKnownJob(row.job)) return;
    const batch = row.payload.relayBatch;
    if (BATCHED_JOBS.has(row.job) && typeof batch === 'string') { await this.checkBatched(row, batch); return; }
    const queue = this.queue(row.job);
    const jobId = `${JOB_ID_PREFIX}${row.id}`;
    const state = await queue.getJobState(jobId);
    if (state === 'completed') {
      await markDone(this.ctx.database, [row.id]);
    } else if (state === 'unknown') {
      this.ctx.log.warn({ job: row.job, outboxId: row.id }, 'reconciler: job vanished from Redis; handing it over again');
      await requeue(this.ctx.db, [row.id], 'job vanished from the queue');
      this.poller.wake();
    } else if (state === 'failed') {
      const job = await queue.getJob(jobId);
      const policy = retryPolicyOf(jobNamed(row.job));
      const stalled = /stalled/i.test(job?.failedReason ?? '');
      // A failed job older than the row's last hand-over is a previous round's (an administrator retried the row, and
      // adding a job under an id BullMQ still holds was a no-op): it must go, so the row runs again.
      const earlierRound = job?.finishedOn !== undefined && row.relayedAt !== null && job.finishedOn < row.relayedAt.getTime();
      if (job && !stalled && !earlierRound && job.attemptsMade >= policy.attempts) {
        await markFailed(this.ctx.db, row.id, job.failedReason ?? 'failed');
      } else {
        // Failed without using up its tries (stalled by worker crashes), or a previous round's: start it again.
        this.ctx.log.warn({ job: row.job, outboxId: row.id, reason: job?.failedReason }, 'reconciler: job failed before its last try; handing it over again');
        await job?.remove();
        await requeue(this.ctx.db, [row.id], job?.failedReason ?? 'failed in the queue');
        this.poller.wake();
      }
    }
    // waiting, delayed, active, prioritized: alive; looked at again after the lease.
  }

  /**
   * A row relayed in a batch and not done. A batch that completed has marked each of its rows done or given it back
   * (a row whose message another run was recording at the same moment too: handed back without an attempt counted), so
   * one still here (its mark or give-back lost: a crash, the database away), or a batch vanished or failed in the
   * queue, is a fault and handed over again: the per-event record makes running it twice send nothing twice. Alive
   * (waiting, active…): looked at again after the lease.
   */
  private async checkBatched(row: OutboxRow, batch: string): Promise<void> {
    const queue = this.queue(NOTIFY_BATCH_QUEUE);
    const jobId = `${BATCH_JOB_ID_PREFIX}${batch}`;
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'unknown' && state !== 'failed') return;
    this.ctx.log.warn({ job: row.job, outboxId: row.id, batch, state }, 'reconciler: batch left this row unfinished; handing it over again');
    // Gone from the queue first: BullMQ keeps no stale job for a row that is handed over again.
    if (state !== 'unknown') await (await queue.getJob(jobId))?.remove().catch(() => {});
    await requeue(this.ctx.db, [row.id], `batch ${batch} ${state === 'unknown' ? 'vanished from the queue' : state}`);
    this.poller.wake();
  }

  private async scheduleRepeatable(): Promise<void> {
    if (!this.scheduler || this.closing) return;
    await withTimeout(this.scheduler.upsertJobScheduler(slaSweepJob.name, { every: SLA_SWEEP_EVERY_MS }, {
      name: slaSweepJob.name, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }), 5000, 'BullMQ upsertJobScheduler');
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.poller.busy && (await countUnfinished(this.ctx.db)) === 0) return;
      this.poller.wake();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('BullMQ jobs did not go idle in time');
  }

  /** Stops taking new work, lets running jobs finish, then closes connections. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.reconcileTimer);
    await this.rollup.stop();
    await this.poller.stop();
    await this.reconciling;
    // Running jobs get time to finish; with Redis away a graceful close would wait for it forever, so after the
    // grace period the workers are closed by force (their jobs stay in the outbox, not done, and run again).
    const grace = this.producer.status === 'ready' ? CLOSE_GRACE_MS : 5000;
    await withTimeout(Promise.all(this.workers.map((w) => w.close())), grace, 'closing BullMQ workers')
      .catch(async (err: unknown) => {
        this.ctx.log.warn({ err }, 'workers did not close in time; closing them by force');
        await withTimeout(Promise.all(this.workers.map((w) => w.close(true))), 5000, 'forcing BullMQ workers closed').catch(() => {});
      });
    await withTimeout(Promise.all([...this.queues.values(), ...(this.scheduler ? [this.scheduler] : [])].map((q) => q.close())), 5000, 'closing queues')
      .catch(() => {});
    this.producer.disconnect();
  }
}

/** The error's message and its cause's (drizzle wraps the driver's reason, e.g. "the database is shutting down"). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} — ${cause}` : error.message;
}
