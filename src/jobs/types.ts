import type { z } from 'zod';
import type { AppContext } from '../app-context.js';

/** A job: its payload carries ids only (the handler reads current state), and running it twice does no harm. */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  payload: Schema;
  handle(ctx: AppContext, payload: z.infer<Schema>): Promise<void>;
}

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

export const RETRY = { attempts: 5, baseDelayMs: 1000 } as const;

/** Exponential backoff, the same in both drivers: 1 s, 2 s, 4 s, 8 s. */
export function retryDelayMs(attemptsMade: number): number {
  return RETRY.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1);
}
