// The embedded default's job driver: the outbox itself is the queue. Rows are claimed with a lease, run in-process
// with the same handlers and retry rule as BullMQ, and marked done only after the handler succeeded.
import type { AppContext } from '../app-context.js';
import { duePending, markAttemptFailed, markDone, type OutboxRow } from '../db/repositories/outbox.js';
import { isKnownJob, isPermanentFailure, jobNamed, runJob } from './registry.js';
import { SLA_SWEEP_EVERY_MS, slaSweepJob } from './sla-sweep.js';
import { OutboxPoller } from './relay.js';
import { ReportRollupTimer } from './report-rollup-timer.js';
import { retryDelayMs, retryPolicyOf, type JobDriver } from './types.js';

export class InlineJobDriver implements JobDriver {
  readonly kind = 'inline';
  private readonly poller: OutboxPoller;
  private readonly rollup: ReportRollupTimer;

  constructor(private readonly ctx: AppContext) {
    this.rollup = new ReportRollupTimer(ctx);
    this.poller = new OutboxPoller(
      ctx.db,
      { pollMs: ctx.config.outboxPollMs, batch: ctx.config.workerConcurrency, leaseMs: 5 * 60_000 },
      (rows) => this.runAll(rows),
      ctx.log,
    );
  }

  private sweepTimer: NodeJS.Timeout | undefined;

  async start(): Promise<void> {
    this.poller.start();
    // Repeatable jobs: BullMQ's job scheduler in production, a timer here.
    this.sweepTimer = setInterval(() => {
      runJob(this.ctx, slaSweepJob.name, {}).catch((err: unknown) => this.ctx.log.warn({ err }, 'sla sweep failed'));
    }, SLA_SWEEP_EVERY_MS);
    this.sweepTimer.unref();
    this.rollup.start();
  }

  wake(): void {
    this.poller.wake();
  }

  private async runAll(rows: OutboxRow[]): Promise<void> {
    await Promise.all(rows.map((row) => this.runOne(row)));
  }

  private async runOne(row: OutboxRow): Promise<void> {
    try {
      await runJob(this.ctx, row.job, row.payload);
      await markDone(this.ctx.database, [row.id]);
    } catch (error) {
      const attemptsMade = row.attempts + 1;
      const policy = isKnownJob(row.job) ? retryPolicyOf(jobNamed(row.job)) : { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
      const retryAt = attemptsMade < policy.attempts && !isPermanentFailure(error) ? new Date(Date.now() + retryDelayMs(policy, attemptsMade)) : null;
      this.ctx.log.warn({ err: error, job: row.job, outboxId: row.id, attemptsMade }, retryAt ? 'job failed, will retry' : 'job failed for good');
      await markAttemptFailed(this.ctx.db, row.id, error instanceof Error ? error.message : String(error), retryAt);
      if (retryAt) setTimeout(() => this.poller.wake(), retryAt.getTime() - Date.now() + 10).unref();
    }
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.poller.busy && (await duePending(this.ctx.db)).length === 0) return;
      this.poller.wake();
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('inline jobs did not go idle in time');
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.rollup.stop();
    await this.poller.stop();
  }
}
