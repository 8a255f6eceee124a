// The link with the national public-service portal (Cổng Dịch vụ công quốc gia): every message it pushed to us
// (accepted, replayed or refused, for the administrators), and the processing steps owed to it, one per history event,
// with the dossier's dates as they stood when the step happened (a catch-up after an outage must not send today's).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { dossierEvents, dossiers } from './dossiers.js';

/** Each dossier the portal pushed: the answer we gave it, kept for the administrators (never the attachments). */
export const nationalInboundMessages = pgTable('national_inbound_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  /** The national dossier code (mã hồ sơ trên Cổng DVC quốc gia), when the body had one. */
  nationalCode: text('national_code'),
  /** The national procedure code (mã TTHC), when the body had one. */
  procedureCode: text('procedure_code'),
  outcome: text('outcome', { enum: ['accepted', 'replayed', 'refused'] }).notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  /** The dossier created (accepted) or answered again (replayed). */
  dossierId: uuid('dossier_id').references(() => dossiers.id),
  /** sha256 of the raw body: a replay with another body under the same national code is a conflict. */
  bodySha256: text('body_sha256').notNull(),
  sourceIp: text('source_ip'),
  /** Per-field problems of a refused message, the attachments fetched of an accepted one. */
  details: jsonb('details').$type<Record<string, unknown>>(),
}, (t) => [
  index('national_inbound_received_idx').on(t.receivedAt),
  index('national_inbound_code_idx').on(t.nationalCode),
]);

/**
 * A processing step owed to the national portal: written with its history event (same transaction), sent in event
 * order per dossier, marked sent once the portal acknowledged it. The dates are those of the dossier right after the
 * step (statutory deadline of the step, appointment date, an apology's new date).
 */
export const nationalSyncSteps = pgTable('national_sync_steps', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  eventId: bigint('event_id', { mode: 'number' }).notNull().unique().references(() => dossierEvents.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  status: text('status').notNull(),
  unitId: text('unit_id').notNull(),
  dueAt: timestamp('due_at', { withTimezone: true }),
  stateDueAt: timestamp('state_due_at', { withTimezone: true }),
  apologyDueAt: timestamp('apology_due_at', { withTimezone: true }),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
  lastError: text('last_error'),
}, (t) => [
  index('national_sync_unsent_idx').on(t.dossierId, t.eventId).where(sql`${t.sentAt} is null`),
  index('national_sync_backlog_idx').on(t.createdAt).where(sql`${t.sentAt} is null`),
]);
