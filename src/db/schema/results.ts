// What a dossier ends with: the documents motcua issues for it and the citizen's survey answer.
import { integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { staffAccounts } from './organisation.js';

/** Documents motcua issues: the signed result, and (later) the one-stop forms. One per dossier and kind. */
export const issuedDocuments = pgTable('issued_documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  kind: text('kind').notNull(),
  storageKey: text('storage_key').notNull(),
  sha256: text('sha256').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  signerStaffId: uuid('signer_staff_id').references(() => staffAccounts.id),
  signedAt: timestamp('signed_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('issued_documents_kind_uq').on(t.dossierId, t.kind)]);

export const surveyAnswers = pgTable('survey_answers', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().unique().references(() => dossiers.id),
  rating: text('rating', { enum: ['very_satisfied', 'satisfied', 'unsatisfied'] }).notNull(),
  reason: text('reason'),
  criteria: jsonb('criteria').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});
