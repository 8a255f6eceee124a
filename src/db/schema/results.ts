// What a dossier ends with: the documents motcua issues for it and the citizen's survey answer.
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
}, (t) => [
  uniqueIndex('issued_documents_kind_uq').on(t.dossierId, t.kind),
  // The verifier matches an uploaded file to what was issued by its hash.
  index('issued_documents_sha256_idx').on(t.sha256),
]);

/**
 * What verifying an issued result's exact bytes found, by the bytes' SHA-256 and the trust anchors it was checked
 * against (the SHA-256 of their PEM bundle). Verification judges every signature at its own signing time from what
 * the file carries, so the same bytes against the same anchors always give the same answer: the QR page and an
 * upload of the same file are answered from here instead of re-verifying. Only files matching an issued result are
 * kept, so anonymous uploads cannot grow the table.
 */
export const documentVerifications = pgTable('document_verifications', {
  sha256: text('sha256').notNull(),
  anchors: text('anchors').notNull(),
  result: jsonb('result').$type<Record<string, unknown>>().notNull(),
  verifiedAt: timestamp('verified_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.sha256, t.anchors] })]);

export const surveyAnswers = pgTable('survey_answers', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().unique().references(() => dossiers.id),
  rating: text('rating', { enum: ['very_satisfied', 'satisfied', 'unsatisfied'] }).notNull(),
  reason: text('reason'),
  criteria: jsonb('criteria').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});
