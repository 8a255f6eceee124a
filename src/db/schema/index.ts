// drizzle tables: the one description of the database that migrations are generated from.
// Dossier history (dossier_events) and the outbox are append-only; everything a dossier needs to be processed lives here.
import { sql } from 'drizzle-orm';
import {
  bigserial, boolean, check, customType, index, integer, json, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // postgres.js gives a Buffer, PGlite a Uint8Array: callers always get a Buffer.
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** An agency (the department, a school, the public-service centre); `code` is its QCVN 102 code, used in dossier codes. */
export const agencies = pgTable('agencies', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  parentName: text('parent_name').notNull(),
  place: text('place').notNull(),
  kind: text('kind', { enum: ['department', 'school', 'centre'] }).notNull(),
  createdAt: createdAt(),
});

/** A unit inside an agency (a division, the one-stop desk, a school's office). Staff belong to one unit. */
export const units = pgTable('units', {
  id: text('id').primaryKey(),
  agencyCode: text('agency_code').notNull().references(() => agencies.code),
  parentId: text('parent_id'),
  name: text('name').notNull(),
  /** A one-stop desk receives for every unit of its agency; other units see their own subtree. */
  kind: text('kind', { enum: ['board', 'division', 'one_stop_desk', 'school_office'] }).notNull(),
  createdAt: createdAt(),
});

export const staffAccounts = pgTable('staff_accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  fullName: text('full_name').notNull(),
  title: text('title').notNull(),
  email: text('email'),
  roles: text('roles').array().notNull(),
  unitId: text('unit_id').notNull().references(() => units.id),
  passwordHash: text('password_hash').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});

export const sessions = pgTable('sessions', {
  /** sha256 of the token: a leaked table does not leak usable tokens. */
  tokenHash: text('token_hash').primaryKey(),
  staffId: uuid('staff_id').notNull().references(() => staffAccounts.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
}, (t) => [index('sessions_staff_idx').on(t.staffId)]);

/** Each distinct definition a procedure has had; dossiers stay pinned to the one they were filed under. */
export const procedureVersions = pgTable('procedure_versions', {
  id: serial('id').primaryKey(),
  procedureId: text('procedure_id').notNull(),
  version: integer('version').notNull(),
  hash: text('hash').notNull(),
  /** json, not jsonb: jsonb reorders keys, and the order of actions in a state is the order of the buttons. */
  definition: json('definition').notNull(),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('procedure_versions_version_uq').on(t.procedureId, t.version),
  uniqueIndex('procedure_versions_hash_uq').on(t.procedureId, t.hash),
]);

/** Per agency and day, the last dossier sequence number handed out (code `{agency}-{yyMMdd}-{NNNN}`). */
export const dossierCodeCounters = pgTable('dossier_code_counters', {
  agencyCode: text('agency_code').notNull(),
  day: text('day').notNull(),
  last: integer('last').notNull(),
}, (t) => [primaryKey({ columns: [t.agencyCode, t.day] })]);

export const dossiers = pgTable('dossiers', {
  id: uuid('id').primaryKey().defaultRandom(),
  code: text('code').notNull().unique(),
  procedureId: text('procedure_id').notNull(),
  procedureVersionId: integer('procedure_version_id').notNull().references(() => procedureVersions.id),
  agencyCode: text('agency_code').notNull().references(() => agencies.code),
  unitId: text('unit_id').notNull().references(() => units.id),
  status: text('status').notNull(),
  /** Optimistic concurrency: every change bumps it; a writer holding an older one gets STALE_VERSION. */
  version: integer('version').notNull().default(1),
  formData: jsonb('form_data').$type<Record<string, unknown>>().notNull(),
  applicantName: text('applicant_name').notNull(),
  applicantEmail: text('applicant_email'),
  applicantPhone: text('applicant_phone'),
  applicantAddress: text('applicant_address'),
  applicantIdNumber: text('applicant_id_number'),
  channel: text('channel', { enum: ['online', 'desk'] }).notNull().default('online'),
  idempotencyKey: text('idempotency_key').unique(),
  /** sha256 of the intake request, so a reused Idempotency-Key with another request is refused, not silently answered. */
  requestHash: text('request_hash'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  receivedAt: timestamp('received_at', { withTimezone: true }),
  dueAt: timestamp('due_at', { withTimezone: true }),
  clockState: text('clock_state', { enum: ['not_started', 'running', 'paused', 'stopped'] }).notNull().default('not_started'),
  clockPausedAt: timestamp('clock_paused_at', { withTimezone: true }),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  /** The staff member who claimed or was assigned the dossier inside its unit (services/assignment.ts). */
  assigneeId: uuid('assignee_id'),
  /** Deadline of the current step when its state has its own `sla` (services/clock.ts). */
  stateDueAt: timestamp('state_due_at', { withTimezone: true }),
  /** The new return date promised in an apology for lateness; the dossier may go on only after one (services/sla.ts). */
  apologyDueAt: timestamp('apology_due_at', { withTimezone: true }),
  /** Set by the SLA sweep: due_soon | overdue (null = on time). */
  slaMark: text('sla_mark'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('dossiers_queue_idx').on(t.unitId, t.status, t.dueAt),
  index('dossiers_procedure_idx').on(t.procedureId, t.status),
]);

/** Files the citizen (or staff) uploaded. The bytes live in file storage; `sha256` lets us prove integrity later. */
export const dossierDocuments = pgTable('dossier_documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  documentKey: text('document_key').notNull(),
  fileName: text('file_name').notNull(),
  mimeType: text('mime_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  sha256: text('sha256').notNull(),
  storageKey: text('storage_key').notNull(),
  uploadedBy: text('uploaded_by').notNull(),
  uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('dossier_documents_dossier_idx').on(t.dossierId)]);

/** Append-only history: never updated, never deleted. */
export const dossierEvents = pgTable('dossier_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  action: text('action').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  actorKind: text('actor_kind', { enum: ['citizen', 'staff', 'system'] }).notNull(),
  actorId: text('actor_id'),
  actorName: text('actor_name').notNull(),
  comment: text('comment'),
  data: jsonb('data').$type<Record<string, unknown>>(),
  dossierVersion: integer('dossier_version').notNull(),
}, (t) => [index('dossier_events_dossier_idx').on(t.dossierId, t.id)]);

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

/** A signer's certificate and private key, the key encrypted (AES-256-GCM) under the configured secret. */
export const signingKeys = pgTable('signing_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').references(() => staffAccounts.id),
  unitId: text('unit_id').references(() => units.id),
  certificatePem: text('certificate_pem').notNull(),
  chainPem: text('chain_pem').array().notNull().default(sql`'{}'::text[]`),
  encryptedPrivateKey: text('encrypted_private_key').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
}, (t) => [
  check('signing_keys_owner_ck', sql`(${t.staffId} is not null) <> (${t.unitId} is not null)`),
  index('signing_keys_staff_idx').on(t.staffId),
]);

export const surveyAnswers = pgTable('survey_answers', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().unique().references(() => dossiers.id),
  rating: text('rating', { enum: ['very_satisfied', 'satisfied', 'unsatisfied'] }).notNull(),
  reason: text('reason'),
  criteria: jsonb('criteria').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});

/**
 * File contents (uploads, issued PDFs). In the database rather than on a local disk: server and worker copies on
 * different machines all read them, they commit and back up with the rows that point to them, and no shared volume
 * is needed. Storage is EXTERNAL (set in the migration): PDFs and images do not compress, so PostgreSQL should not try.
 */
export const storedFiles = pgTable('stored_files', {
  key: text('key').primaryKey(),
  data: bytea('data').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  createdAt: createdAt(),
});

export * from './routing.js';
export * from './registers.js';
export * from './admissions.js';
export * from './signing.js';
export * from './notifications.js';
