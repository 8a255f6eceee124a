// Messages sent to citizens about their dossiers: one row per history event (dossier version), written BEFORE the
// message leaves (with the Message-ID it will carry) and marked sent after. A retried notify job finds a sent row
// and sends nothing; an unsent row is sent again with the same Message-ID, which mail systems deduplicate. The
// table is also the record that the citizen was told.
import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';

export const citizenNotifications = pgTable('citizen_notifications', {
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  dossierVersion: integer('dossier_version').notNull(),
  /** email, sms, or none when the dossier gives no way to reach the citizen. */
  channel: text('channel', { enum: ['email', 'sms', 'none'] }).notNull(),
  recipient: text('recipient'),
  subject: text('subject'),
  /** The RFC 5322 Message-ID every attempt of this message carries. */
  messageId: text('message_id'),
  attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
  /** Null while the message is being sent (or its sending was interrupted). */
  sentAt: timestamp('sent_at', { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.dossierId, t.dossierVersion] })]);
