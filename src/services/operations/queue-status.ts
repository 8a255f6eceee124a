// The state of the job queues, for the administrators' queue page and for /metrics. Production: per BullMQ queue (one
// per job) the waiting, active, delayed, completed and failed counts and the oldest waiting job; embedded (inline
// jobs) the outbox is the queue, so its rows stand in. Always: the outbox, the effects' ledger — how many effects are
// not handed over yet, handed over but not done, failed for good, and how old the oldest unfinished one is (the lag).
// Every read has a time limit: a hung Redis or PostgreSQL leaves its part empty (with the reason), never the page.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppContext } from '../../app-context.js';
import { outboxStageCounts, type OutboxStageCount } from '../../db/repositories/outbox-stats.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { NOTIFY_BATCH_QUEUE, NOTIFY_BATCH_SIZE } from '../../jobs/notify-batch.js';
import { JOBS } from '../../jobs/registry.js';
import { TimeoutError, withTimeout } from '../../timeouts.js';
import { can } from '../access.js';
import { jobLabel } from './failed-effects.js';

/** The batch queue's label: it counts batch jobs, not messages. */
const NOTIFY_BATCH_LABEL = `Thông báo cho công dân (theo lô, mỗi lô tối đa ${NOTIFY_BATCH_SIZE} tin).`;

export interface QueueDepth {
  name: string;
  /** The job's Vietnamese label (a workflow effect's, or a system job's). */
  label: string | null;
  waiting: number;
  /** null: not known (embedded: a running job is not told apart from one waiting for its retry). */
  active: number | null;
  delayed: number;
  /** null: not kept (embedded). */
  completed: number | null;
  failed: number;
  oldestWaitingAt: Date | null;
}

export interface OutboxSummary {
  /** Not handed to the queue yet (embedded: not run yet). */
  pending: number;
  /** Handed to the queue, not done. */
  relayed: number;
  /** Failed for good: listed at /can-bo/tac-vu-loi. */
  failed: number;
  /** Creation time of the oldest effect neither done nor failed: now minus this is the outbox lag. */
  oldestUnfinishedAt: Date | null;
}

export interface QueueStatus {
  driver: 'bullmq' | 'inline';
  /** null when the queues could not be read in time (Redis down or hung): `queueError` says why. */
  queues: QueueDepth[] | null;
  queueError?: string;
  /** null when PostgreSQL did not answer in time: `outboxError` says why. */
  outbox: OutboxSummary | null;
  outboxError?: string;
  readAt: Date;
}

/** Reads queue and outbox state for one app (server or worker); holds a BullMQ Queue handle per job on `redis`. */
export class QueueInspector {
  private readonly queues = new Map<string, Queue>();
  /** The read under way: a scrape asks for all its gauges at once, and they share it. */
  private reading: Promise<QueueStatus> | undefined;

  /** `redis`: a fail-fast connection (redis.ts), undefined with inline jobs. */
  constructor(private readonly ctx: AppContext, private readonly redis: Redis | undefined, private readonly timeoutMs = 2_000) {}

  get driver(): QueueStatus['driver'] {
    return this.redis ? 'bullmq' : 'inline';
  }

  status(): Promise<QueueStatus> {
    this.reading ??= this.read().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  async close(): Promise<void> {
    // The connection is the caller's; closing a Queue built on a given connection leaves it open.
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }

  private async read(): Promise<QueueStatus> {
    const [outbox, queues] = await Promise.allSettled([
      withTimeout(outboxStageCounts(this.ctx.db), this.timeoutMs, 'PostgreSQL'),
      this.redis ? withTimeout(this.bullmqDepths(), this.timeoutMs, 'Redis') : Promise.resolve(null),
    ]);
    const rows = outbox.status === 'fulfilled' ? outbox.value : null;
    const status: QueueStatus = { driver: this.driver, queues: null, outbox: rows ? summarise(rows) : null, readAt: new Date() };
    if (outbox.status === 'rejected') status.outboxError = this.reason('PostgreSQL', outbox.reason);
    if (this.redis) {
      if (queues.status === 'fulfilled') status.queues = queues.value;
      else status.queueError = this.reason('Redis', queues.reason);
    } else if (rows) {
      status.queues = this.inlineDepths(rows);
    }
    return status;
  }

  /**
   * Why a part of the page is empty, as the administrators read it: a fixed Vietnamese sentence; the driver's own
   * message (addresses, SQL, internals) goes to the log only.
   */
  private reason(source: 'PostgreSQL' | 'Redis', error: unknown): string {
    if (error instanceof TimeoutError) return `${error.what} không trả lời trong ${error.ms} ms`;
    this.ctx.log.warn({ err: error, source }, 'queue page: reading failed');
    return `${source} báo lỗi khi đọc; chi tiết đã được ghi vào nhật ký máy chủ`;
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis as unknown as ConnectionOptions, prefix: this.prefixOf() });
      queue.on('error', () => {}); // the connection's own handler (redis.ts) reports Redis being away
      this.queues.set(name, queue);
    }
    return queue;
  }

  private prefixOf(): string {
    return this.ctx.config.queue.kind === 'bullmq' ? this.ctx.config.queue.prefix : 'motcua';
  }

  private async bullmqDepths(): Promise<QueueDepth[]> {
    // The citizen's notifications are queued in batches (jobs/notify-batch.ts): their queue counts batch jobs, each of
    // up to NOTIFY_BATCH_SIZE rows. notify-citizen's own queue stays listed: it holds jobs queued before the batching.
    return Promise.all([...Object.keys(JOBS), NOTIFY_BATCH_QUEUE].map(async (name) => {
      const queue = this.queue(name);
      const [counts, [oldest]] = await Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
        // BullMQ's wait list is pushed on the left and taken from the right: ascending order starts at the oldest.
        queue.getJobs(['wait'], 0, 0, true),
      ]);
      return {
        name, label: name === NOTIFY_BATCH_QUEUE ? NOTIFY_BATCH_LABEL : jobLabel(this.ctx.effects, name),
        waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0, failed: counts.failed ?? 0,
        oldestWaitingAt: oldest?.timestamp ? new Date(oldest.timestamp) : null,
      };
    }));
  }

  private inlineDepths(rows: OutboxStageCount[]): QueueDepth[] {
    const names = [...new Set([...Object.keys(JOBS), ...rows.map((r) => r.job)])];
    return names.map((name) => {
      const pending = rows.find((r) => r.job === name && r.stage === 'pending');
      const failed = rows.find((r) => r.job === name && r.stage === 'failed');
      return {
        name, label: jobLabel(this.ctx.effects, name),
        waiting: pending?.due ?? 0, active: null, delayed: (pending?.count ?? 0) - (pending?.due ?? 0),
        completed: null, failed: failed?.count ?? 0, oldestWaitingAt: pending?.oldestAt ?? null,
      };
    });
  }
}

function summarise(rows: OutboxStageCount[]): OutboxSummary {
  const total = (stage: OutboxStageCount['stage']) => rows.filter((r) => r.stage === stage).reduce((n, r) => n + r.count, 0);
  const unfinished = rows.filter((r) => r.stage !== 'failed' && r.oldestAt).map((r) => r.oldestAt!.getTime());
  return {
    pending: total('pending'), relayed: total('relayed'), failed: total('failed'),
    oldestUnfinishedAt: unfinished.length > 0 ? new Date(Math.min(...unfinished)) : null,
  };
}

/** The administrators' view of the queues (the page /quan-tri/hang-doi). */
export async function queueOverview(inspector: QueueInspector, staff: StaffRow): Promise<QueueStatus> {
  if (!can(staff, 'operations')) throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống được xem hàng đợi tác vụ.');
  return inspector.status();
}


