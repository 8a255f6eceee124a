// How much of the outbox is unfinished, per job: what the queue page and /metrics show. Each part matches one of the
// outbox's partial indexes (pending, handed over, failed), so a scrape never reads the done rows kept for retention.
import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rowsOf } from './outbox.js';

export type OutboxStage = 'pending' | 'relayed' | 'failed';

export interface OutboxStageCount {
  job: string;
  /** pending: not handed to the queue yet (or, embedded, not run yet); relayed: handed over, not done; failed: gave up. */
  stage: OutboxStage;
  count: number;
  /** Of the pending rows, those due now (the others wait for a retry, or, embedded, are running under a lease). */
  due: number;
  /** The oldest row's creation (pending, relayed) or failure (failed) time. */
  oldestAt: Date | null;
}

export async function outboxStageCounts(db: Db): Promise<OutboxStageCount[]> {
  const result = await db.execute<{ job: string; stage: OutboxStage; count: string | number; due: string | number; oldest_at: string | Date | null }>(sql`
    select job, 'pending' as stage, count(*) as count, count(*) filter (where available_at <= now()) as due, min(created_at) as oldest_at
      from outbox where relayed_at is null and failed_at is null group by job
    union all
    select job, 'relayed', count(*), 0, min(created_at)
      from outbox where relayed_at is not null and done_at is null and failed_at is null group by job
    union all
    select job, 'failed', count(*), 0, min(failed_at)
      from outbox where failed_at is not null group by job`);
  return rowsOf<{ job: string; stage: OutboxStage; count: string | number; due: string | number; oldest_at: string | Date | null }>(result).map((row) => ({
    job: row.job, stage: row.stage, count: Number(row.count), due: Number(row.due),
    oldestAt: row.oldest_at === null ? null : new Date(row.oldest_at),
  }));
}
