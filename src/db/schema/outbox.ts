// The transactional outbox: effects committed with the state change, append-only until the relay marks them done.
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/** Effects committed with the state change; the relay moves them to the queue (or runs them inline). */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  job: text('job').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  relayedAt: timestamp('relayed_at', { withTimezone: true }),
  /** Inline driver only: gave up after the last retry (BullMQ keeps its failed jobs itself). */
  failedAt: timestamp('failed_at', { withTimezone: true }),
}, (t) => [index('outbox_pending_idx').on(t.availableAt).where(sql`${t.relayedAt} is null and ${t.failedAt} is null`)]);
