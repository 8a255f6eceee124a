// Dossiers and what hangs off each one directly: the procedure version it is pinned to, its code counter, uploaded
// documents and the append-only history (dossier_events: never updated, never deleted).
import { sql } from 'drizzle-orm';
import {
  bigserial, index, integer, json, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { agencies, units } from './organisation.js';

/** Each distinct definition a procedure has had; dossiers stay pinned to the one they were filed under. */
export const procedureVersions = pgTable('procedure_versions', {
  id: serial('id').primaryKey(),
  procedureId: text('procedure_id').notNull(),
  version: integer('version').notNull(),
  hash: text('hash').notNull(),
  /** json, not jsonb: jsonb reorders keys, and the order of actions in a state is the order of the buttons. */
  definition: json('definition').notNull(),
  /** The workflow file as an administrator uploaded it (null for versions read from workflows/ at boot). */
  source: text('source'),
  uploadedBy: uuid('uploaded_by'),
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

/** The channels a dossier can come in by (Decision 766 counts the online ones: this portal and the national one). */
export const DOSSIER_CHANNELS = ['online', 'desk', 'national'] as const;
export type DossierChannel = typeof DOSSIER_CHANNELS[number];

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
  /** How it came in: this portal ('online'), the one-stop desk, or pushed by the national public-service portal. */
  channel: text('channel', { enum: DOSSIER_CHANNELS }).notNull().default('online'),
  /** The national portal's dossier code (mã hồ sơ DVCQG) of a dossier it pushed: a push is idempotent on it. */
  nationalCode: text('national_code'),
  /** The fee owed when filed (đồng), from the procedure's fee lines; null when the procedure had none. */
  feeAmount: integer('fee_amount'),
  idempotencyKey: text('idempotency_key'),
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
  /**
   * The generation of the citizen's tracking token (part of its HMAC, services/access.ts): changing the token
   * ("Đổi mã tra cứu", or staff revoking it) bumps it, and every earlier token stops working.
   */
  trackingTokenVersion: integer('tracking_token_version').notNull().default(1),
  /** When the dossier entered a final state; its tracking token expires TRACKING_TOKEN_DAYS later. */
  closedAt: timestamp('closed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * The signed-in citizen who filed it (citizens.id; no foreign key: schema/citizens.ts builds on this file). Null for
   * dossiers filed without an account (desk, kiosk, code + token tracking).
   */
  citizenId: uuid('citizen_id'),
  /** The person the dossier is about (a pupil's ID number when a parent files for them); their family sees it too. */
  subjectPersonalId: text('subject_personal_id'),
  /** Filed for oneself, for one's child, or as an authorised proxy (the workflow says which a procedure allows). */
  filedFor: text('filed_for', { enum: ['self', 'child', 'proxy'] }),
  /** The level of assurance of the sign-in it was filed in (Decision 766 counts VNeID-authenticated dossiers). */
  loa: text('loa'),
  /** A live dossier of the same person and procedure when this one was filed: flagged to the desk. */
  possibleDuplicateOf: uuid('possible_duplicate_of'),
}, (t) => [
  // Columns most dossiers leave empty (filed without an account, without an Idempotency-Key) are indexed only where
  // set: an anonymous filing, the admission burst's every registration, writes three index entries fewer, and each
  // lookup (`= $1`, `= any($1)`) implies the column is not null, so PostgreSQL still uses these.
  uniqueIndex('dossiers_idempotency_key_uq').on(t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
  index('dossiers_citizen_idx').on(t.citizenId).where(sql`${t.citizenId} is not null`),
  uniqueIndex('dossiers_national_code_uq').on(t.nationalCode).where(sql`${t.nationalCode} is not null`),
  index('dossiers_subject_person_idx').on(t.subjectPersonalId, t.procedureId).where(sql`${t.subjectPersonalId} is not null`),
  index('dossiers_queue_idx').on(t.unitId, t.status, t.dueAt),
  // The staff inbox (repositories/dossiers.ts listInbox): open dossiers in the inbox's order, so PostgreSQL walks
  // them oldest due first and stops at the page's limit; closed dossiers (most of the years) are not in it.
  index('dossiers_open_due_idx').on(t.dueAt, t.submittedAt).where(sql`${t.closedAt} is null`),
  index('dossiers_procedure_idx').on(t.procedureId, t.status),
  // Every report (stats, Decision 766 index, tracking book) takes the dossiers filed in a period.
  index('dossiers_submitted_idx').on(t.submittedAt),
  // One live admission registration per pupil per campaign (409 DUPLICATE_REGISTRATION): the database keeps it even
  // when two filings of the same pupil race. A refused (or withdrawn) registration no longer counts.
  uniqueIndex('dossiers_live_registration_uq').on(sql`(${t.formData} ->> 'campaign')`, sql`(${t.formData} ->> 'pupilIdNumber')`)
    .where(sql`${t.procedureId} = 'admission-registration' and ${t.status} not in ('refused', 'withdrawn')`),
  // Intake's per-contact limit (services/intake/contact-limit.ts) counts recent filings by the same e-mail (lower-case,
  // without a +tag) or phone; the expression must stay the same as the query's.
  index('dossiers_applicant_email_idx').on(sql`lower(regexp_replace(${t.applicantEmail}, '[+][^@]*@', '@'))`, t.submittedAt),
  index('dossiers_applicant_phone_idx').on(t.applicantPhone, t.submittedAt),
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
  /** Attached by reference from the citizen's e-document store (citizen_documents.id) instead of uploaded: re-used. */
  reusedFromDocumentId: uuid('reused_from_document_id'),
}, (t) => [
  index('dossier_documents_dossier_idx').on(t.dossierId),
  // The reports' "with a re-used document" test per dossier (repositories/stats.ts): a probe of this small index, not
  // of every uploaded document's row.
  index('dossier_documents_reused_idx').on(t.dossierId).where(sql`${t.reusedFromDocumentId} is not null`),
]);

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
