// Messages sent to citizens about their dossiers: one row per history event (dossier version), written after the
// message left. A retried notify job finds the row and sends nothing twice; the table is also the record that the
// citizen was told.
import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';

export const citizenNotifications = pgTable('citizen_notifications', {
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  dossierVersion: integer('dossier_version').notNull(),
  /** email, sms, or none when the dossier gives no way to reach the citizen. */
  channel: text('channel', { enum: ['email', 'sms', 'none'] }).notNull(),
  recipient: text('recipient'),
  subject: text('subject'),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.dossierId, t.dossierVersion] })]);
