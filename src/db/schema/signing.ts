// Signing: each signer's key and appearance images, and signing in progress — a result waiting for an official who
// signs outside the server (USB token, remote signing service, or a key unlocked only by the owner's PIN), and the
// external-signing preparations handed out for it.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { staffAccounts, units } from './organisation.js';

/** A signer's certificate and private key, the key encrypted (AES-256-GCM) under the configured secret. */
export const signingKeys = pgTable('signing_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').references(() => staffAccounts.id),
  unitId: text('unit_id').references(() => units.id),
  certificatePem: text('certificate_pem').notNull(),
  chainPem: text('chain_pem').array().notNull().default(sql`'{}'::text[]`),
  encryptedPrivateKey: text('encrypted_private_key').notNull(),
  active: boolean('active').notNull().default(true),
  /** Wrong PINs since the last right one; from the 5th on each locks the key for longer (accounts/throttle.ts). */
  pinFailures: integer('pin_failures').notNull().default(0),
  /** While in the future, the PIN is not even checked. */
  pinLockedUntil: timestamp('pin_locked_until', { withTimezone: true }),
  /** Remote signing (SmartCA-style): the holder's ID number at the provider; the key stays with the provider. */
  remoteHolderId: text('remote_holder_id'),
  createdAt: createdAt(),
}, (t) => [
  check('signing_keys_owner_ck', sql`(${t.staffId} is not null) <> (${t.unitId} is not null)`),
  index('signing_keys_staff_idx').on(t.staffId),
]);

/**
 * One per dossier while its result is being signed by someone the worker cannot sign for. `pdf` is the document
 * so far (rendered, plus the signatures already applied); `signedCount` says how many of the definition's
 * `result.signers` are done, so each later signature is one more incremental update of exactly this file.
 */
export const signingDrafts = pgTable('signing_drafts', {
  dossierId: uuid('dossier_id').primaryKey().references(() => dossiers.id),
  pdf: bytea('pdf').notNull(),
  signedCount: integer('signed_count').notNull().default(0),
  /** The approving official: the one who must sign the next role signature. */
  signerStaffId: uuid('signer_staff_id').notNull().references(() => staffAccounts.id),
  /** 'external' (USB token: local agent or prepare/complete), 'remote' (remote-signing provider) or 'pin' (server-held key locked by the owner's PIN). */
  waitingFor: text('waiting_for', { enum: ['external', 'pin', 'remote'] }).notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
}, (t) => [index('signing_drafts_signer_idx').on(t.signerStaffId)]);

/** A prepared external signature: the file is fixed, only a signature over `signedAttributes` completes it. */
export const signingPreparations = pgTable('signing_preparations', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  staffId: uuid('staff_id').notNull().references(() => staffAccounts.id),
  /** The draft's signedCount this preparation extends: a stale preparation cannot complete a moved-on draft. */
  baseSignedCount: integer('base_signed_count').notNull(),
  pdf: bytea('pdf').notNull(),
  signedAttributes: bytea('signed_attributes').notNull(),
  certificatePem: text('certificate_pem').notNull(),
  chainPem: text('chain_pem').array().notNull().default(sql`'{}'::text[]`),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [index('signing_preparations_dossier_idx').on(t.dossierId)]);

/** Images shown in the visible signature (Decree 30): an official's signature, a unit's seal (PNG, transparent). */
export const signingAppearances = pgTable('signing_appearances', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').references(() => staffAccounts.id),
  unitId: text('unit_id').references(() => units.id),
  image: bytea('image').notNull(),
  createdAt: createdAt(),
}, (t) => [
  check('signing_appearances_owner_ck', sql`(${t.staffId} is not null) <> (${t.unitId} is not null)`),
  uniqueIndex('signing_appearances_staff_uq').on(t.staffId),
  uniqueIndex('signing_appearances_unit_uq').on(t.unitId),
]);

/**
 * A hand-over to the official's local signing agent (USB token): the exact file served, and two one-time tokens —
 * one to download it, one to upload the signed file — bound to the official and the dossier, short-lived, single use.
 * Only hashes of the tokens are stored.
 */
export const agentSigningSessions = pgTable('agent_signing_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  staffId: uuid('staff_id').notNull().references(() => staffAccounts.id),
  /** The draft's signedCount the served file extends: a stale session cannot complete a moved-on draft. */
  baseSignedCount: integer('base_signed_count').notNull(),
  /** The file served to the agent; the upload must start with exactly these bytes. */
  pdf: bytea('pdf').notNull(),
  certificatePem: text('certificate_pem').notNull(),
  downloadTokenHash: text('download_token_hash').notNull(),
  uploadTokenHash: text('upload_token_hash').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  downloadedAt: timestamp('downloaded_at', { withTimezone: true }),
  /** Set by the first upload, accepted or refused: a token is never used twice. */
  usedAt: timestamp('used_at', { withTimezone: true }),
  outcome: text('outcome'),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('agent_signing_sessions_download_uq').on(t.downloadTokenHash),
  uniqueIndex('agent_signing_sessions_upload_uq').on(t.uploadTokenHash),
  index('agent_signing_sessions_dossier_idx').on(t.dossierId),
]);

/**
 * One request to a remote-signing provider (SmartCA-style): one or several hashes the holder confirms once on their
 * phone. Polled by a job with backoff until confirmed, rejected or expired.
 */
export const remoteSigningRequests = pgTable('remote_signing_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').notNull().references(() => staffAccounts.id),
  /** The provider's transaction id. */
  transactionId: text('transaction_id'),
  status: text('status', { enum: ['pending', 'confirmed', 'rejected', 'expired', 'failed'] }).notNull().default('pending'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  polls: integer('polls').notNull().default(0),
  error: text('error'),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [index('remote_signing_requests_staff_idx').on(t.staffId, t.status)]);

/** A document inside a remote-signing request: its prepared file and the digest sent to the provider. */
export const remoteSigningItems = pgTable('remote_signing_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  requestId: uuid('request_id').notNull().references(() => remoteSigningRequests.id),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  baseSignedCount: integer('base_signed_count').notNull(),
  /** The PDF with the signature field appended and /ByteRange fixed; the CMS goes into its /Contents. */
  pdf: bytea('pdf').notNull(),
  /** SHA-256 over the /ByteRange-covered bytes: the hash the provider signs. */
  contentDigest: bytea('content_digest').notNull(),
  /** 'received': the provider's CMS is checked and kept here before the seal is applied, so a retry never needs the provider again. */
  status: text('status', { enum: ['pending', 'received', 'signed', 'failed'] }).notNull().default('pending'),
  /** The detached CMS the provider returned for this document (checked), once received. */
  cms: bytea('cms'),
  /** The time the prepared document was rendered with (its stamp, its /M, its register year). */
  renderedAt: timestamp('rendered_at', { withTimezone: true }),
  error: text('error'),
  createdAt: createdAt(),
}, (t) => [index('remote_signing_items_request_idx').on(t.requestId), index('remote_signing_items_dossier_idx').on(t.dossierId)]);
