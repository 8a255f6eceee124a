import type { z } from 'zod';
import type { AppContext } from '../app-context.js';

/** A job: its payload carries ids only (the handler reads current state), and running it twice does no harm. */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  payload: Schema;
  handle(ctx: AppContext, payload: z.infer<Schema>): Promise<void>;
  /** How long to keep trying before the effect is reported as failed; DEFAULT_RETRY when absent. */
  retry?: RetryPolicy;
}

/** Exponential backoff from `baseDelayMs`, capped at `maxDelayMs`, for `attempts` tries in all. */
export interface RetryPolicy { attempts: number; baseDelayMs: number; maxDelayMs: number }

/** Moves committed outbox rows to whatever runs the jobs. */
export interface JobDriver {
  readonly kind: 'inline' | 'bullmq';
  start(): Promise<void>;
  /** Something was just committed to the outbox: look now rather than at the next poll. */
  wake(): void;
  /** Resolves when no relayable outbox row is left and nothing is running (tests and graceful shutdown). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Most jobs: ten tries over about a quarter of an hour (2 s, 4 s, … capped at 5 min). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 2000, maxDelayMs: 5 * 60_000 };

export function retryPolicyOf(job: Pick<JobDefinition, 'retry'>): RetryPolicy {
  return job.retry ?? DEFAULT_RETRY;
}

/** The delay before the next try after `attemptsMade` failed ones; the same in both drivers. */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
}

/** The total time a policy keeps trying (for docs and tests). */
export function retryWindowMs(policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.attempts; n++) total += retryDelayMs(policy, n);
  return total;
}
