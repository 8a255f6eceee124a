// The transactional outbox: effects committed with the state change. A row is the source of truth for its effect
// until the handler has succeeded (done_at): being handed to BullMQ (relayed_at) is not being done.
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
  /** Handed to the queue (BullMQ); the reconciler checks from `available_at` on that the job still exists. */
  relayedAt: timestamp('relayed_at', { withTimezone: true }),
  /** The handler succeeded: the effect happened. */
  doneAt: timestamp('done_at', { withTimezone: true }),
  /** Gave up after the job's last retry (or a permanent error): shown to admins, who can retry it. */
  failedAt: timestamp('failed_at', { withTimezone: true }),
}, (t) => [
  index('outbox_pending_idx').on(t.availableAt).where(sql`${t.relayedAt} is null and ${t.failedAt} is null`),
  index('outbox_unfinished_idx').on(t.availableAt).where(sql`${t.relayedAt} is not null and ${t.doneAt} is null and ${t.failedAt} is null`),
  index('outbox_failed_idx').on(t.failedAt).where(sql`${t.failedAt} is not null`),
]);
