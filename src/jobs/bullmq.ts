// Production job driver: the relay copies outbox rows into BullMQ queues (one queue per job), and workers run them.
// The job id is derived from the outbox row, so a row relayed twice (crash between add and mark) is one job.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppContext } from '../app-context.js';
import { countPending, markAttemptFailed, markRelayed, OUTBOX_CHANNEL, type OutboxRow } from '../db/repositories/outbox.js';
import { isKnownJob, JOBS, runJob } from './registry.js';
import { SLA_SWEEP_EVERY_MS, slaSweepJob } from './sla-sweep.js';
import { OutboxPoller } from './relay.js';
import { RETRY, type JobDriver } from './types.js';

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

/** The worker's side: relay + BullMQ workers. */
export class BullmqDriver implements JobDriver {
  readonly kind = 'bullmq';
  private readonly producer: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly poller: OutboxPoller;
  private readonly prefix: string;
  /** Holds the repeatable SLA sweep; kept out of `queues` so idle() does not wait for its next (delayed) run. */
  private scheduler: Queue | undefined;
  private closing = false;

  constructor(private readonly ctx: AppContext, private readonly url: string, prefix: string, private readonly runWorkers = true) {
    this.prefix = prefix;
    this.producer = redisConnection(url, false);
    this.producer.on('error', (err) => ctx.log.debug({ err }, 'redis producer error'));
    this.poller = new OutboxPoller(ctx.db, { pollMs: ctx.config.outboxPollMs, batch: 100, leaseMs: 30_000 }, (rows) => this.relay(rows), ctx.log);
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer as unknown as ConnectionOptions, prefix: this.prefix });
      queue.on('error', (err) => this.ctx.log.debug({ err }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async start(): Promise<void> {
    if (this.runWorkers) {
      for (const name of Object.keys(JOBS)) {
        const worker = new Worker(name, async (job) => runJob(this.ctx, name, job.data), {
          connection: redisConnection(this.url, true) as unknown as ConnectionOptions,
          prefix: this.prefix,
          concurrency: this.ctx.config.workerConcurrency,
        });
        worker.on('failed', (job, err) => this.ctx.log.warn({ err, job: name, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'job failed'));
        worker.on('error', (err) => this.ctx.log.error({ err }, 'worker error'));
        this.workers.push(worker);
      }
      // Repeatable jobs (the SLA sweep): one scheduler entry however many workers start — upserted by id, BullMQ runs
      // each occurrence on one of them. In the background, so a worker starting while Redis is down still starts.
      this.scheduler = new Queue(slaSweepJob.name, { connection: this.producer as unknown as ConnectionOptions, prefix: this.prefix });
      this.scheduler.on('error', (err) => this.ctx.log.debug({ err }, 'scheduler queue error'));
      this.scheduleRepeatable();
    }
    await this.ctx.database.listen?.(OUTBOX_CHANNEL, () => this.poller.wake());
    this.poller.start();
  }

  wake(): void {
    this.poller.wake();
  }

  private scheduleRepeatable(): void {
    const scheduler = this.scheduler;
    if (!scheduler || this.closing) return;
    withTimeout(scheduler.upsertJobScheduler(slaSweepJob.name, { every: SLA_SWEEP_EVERY_MS }, {
      name: slaSweepJob.name, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }), 5000, 'BullMQ upsertJobScheduler').catch((err: unknown) => {
      this.ctx.log.warn({ err }, 'could not schedule the SLA sweep; retrying in 30 s');
      setTimeout(() => this.scheduleRepeatable(), 30_000).unref();
    });
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
      await withTimeout(this.queue(name).addBulk(group.map((row) => ({
        name,
        data: row.payload,
        opts: {
          jobId: `outbox-${row.id}`,
          attempts: RETRY.attempts,
          backoff: { type: 'exponential', delay: RETRY.baseDelayMs },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 5000 },
        },
      }))), 5000, 'BullMQ addBulk');
      await markRelayed(this.ctx.db, group.map((r) => r.id));
    }
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const counts = await Promise.all([...this.queues.values()].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
      const queued = counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
      if (!this.poller.busy && queued === 0 && (await countPending(this.ctx.db)) === 0) return;
      this.poller.wake();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('BullMQ jobs did not go idle in time');
  }

  /** Stops taking new work, lets running jobs finish, then closes connections. */
  async close(): Promise<void> {
    this.closing = true;
    await this.poller.stop();
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.scheduler?.close();
    this.producer.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
