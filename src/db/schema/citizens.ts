// Citizens who sign in with VNeID (the national SSO, OpenID Connect): who they are as the state vouches for them, their
// family as the claims list it, their sessions, the messages on their dossiers, their e-document store, and the
// feedback and complaints (phản ánh, kiến nghị) they file.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { staffAccounts } from './organisation.js';

/** One person known from the identity provider's claims (refreshed at every sign-in). */
export const citizens = pgTable('citizens', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Số định danh cá nhân (12 digits): how the state and every other system name this person. */
  personalId: text('personal_id').notNull(),
  /** The provider's `iss` and `sub`: the account this row was created from. */
  issuer: text('issuer').notNull(),
  subject: text('subject').notNull(),
  fullName: text('full_name').notNull(),
  /** YYYY-MM-DD. */
  birthDate: text('birth_date'),
  gender: text('gender'),
  email: text('email'),
  phone: text('phone'),
  permanentAddress: text('permanent_address'),
  currentAddress: text('current_address'),
  /** Level of assurance of the last sign-in (e.g. VNeID level 2). */
  loa: text('loa'),
  /** The mapped claims of the last sign-in, as received (for the record; the columns above are what the code reads). */
  claims: jsonb('claims').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('citizens_personal_id_uq').on(t.personalId),
  uniqueIndex('citizens_subject_uq').on(t.issuer, t.subject),
]);

export const CITIZEN_RELATIONS = ['child', 'parent', 'spouse', 'head_of_household'] as const;
export type CitizenRelation = (typeof CITIZEN_RELATIONS)[number];

/** A family member the claims name (population database): replaced as a whole at every sign-in. */
export const citizenRelations = pgTable('citizen_relations', {
  citizenId: uuid('citizen_id').notNull().references(() => citizens.id, { onDelete: 'cascade' }),
  relation: text('relation', { enum: CITIZEN_RELATIONS }).notNull(),
  personalId: text('personal_id').notNull(),
  fullName: text('full_name').notNull(),
  birthDate: text('birth_date'),
  gender: text('gender'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.citizenId, t.relation, t.personalId] }),
  index('citizen_relations_person_idx').on(t.personalId),
]);

export const citizenSessions = pgTable('citizen_sessions', {
  /** sha256 of the token. */
  tokenHash: text('token_hash').primaryKey(),
  citizenId: uuid('citizen_id').notNull().references(() => citizens.id, { onDelete: 'cascade' }),
  /** The level of assurance this sign-in reached (recorded on every dossier filed in it). */
  loa: text('loa'),
  /** The provider's ID token, for RP-initiated logout (end_session_endpoint). */
  idToken: text('id_token'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: createdAt(),
}, (t) => [index('citizen_sessions_citizen_idx').on(t.citizenId)]);

/** A message between the desk (or the office) and the citizen about one dossier, with its read receipt. */
export const dossierMessages = pgTable('dossier_messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  authorKind: text('author_kind', { enum: ['staff', 'citizen'] }).notNull(),
  authorStaffId: uuid('author_staff_id').references(() => staffAccounts.id),
  authorCitizenId: uuid('author_citizen_id').references(() => citizens.id),
  authorName: text('author_name').notNull(),
  body: text('body').notNull(),
  /** When the other side first read it (the citizen for a staff message, staff for a citizen's). */
  readAt: timestamp('read_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [index('dossier_messages_dossier_idx').on(t.dossierId, t.createdAt)]);

/**
 * The citizen's e-document store (kho dữ liệu điện tử): results issued to them and documents the desk digitised for
 * them, kept under the person's ID number so they can be attached to a later dossier by reference instead of uploaded.
 */
export const citizenDocuments = pgTable('citizen_documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Whose document it is: the person it is about (a pupil's result belongs to the pupil; their parent sees it). */
  ownerPersonalId: text('owner_personal_id').notNull(),
  kind: text('kind', { enum: ['result', 'digitised'] }).notNull(),
  title: text('title').notNull(),
  fileName: text('file_name').notNull(),
  mimeType: text('mime_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  sha256: text('sha256').notNull(),
  storageKey: text('storage_key').notNull(),
  sourceDossierId: uuid('source_dossier_id').references(() => dossiers.id),
  digitisedByStaffId: uuid('digitised_by_staff_id').references(() => staffAccounts.id),
  createdAt: createdAt(),
}, (t) => [
  index('citizen_documents_owner_idx').on(t.ownerPersonalId, t.createdAt),
  // The dashboard counts documents digitised in a period (db/repositories/stats.ts digitisedDocumentCount).
  index('citizen_documents_kind_created_idx').on(t.kind, t.createdAt),
  uniqueIndex('citizen_documents_source_uq').on(t.sourceDossierId, t.kind, t.storageKey),
]);

export const FEEDBACK_KINDS = ['feedback', 'petition'] as const;

/** Phản ánh (feedback) or kiến nghị (petition) about a dossier or a procedure, answered by staff within a due date. */
export const feedbackItems = pgTable('feedback_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** "PAKN-2026-000123": what the citizen quotes. */
  code: text('code').notNull(),
  kind: text('kind', { enum: FEEDBACK_KINDS }).notNull(),
  citizenId: uuid('citizen_id').references(() => citizens.id),
  dossierId: uuid('dossier_id').references(() => dossiers.id),
  procedureId: text('procedure_id'),
  title: text('title').notNull(),
  body: text('body').notNull(),
  contactName: text('contact_name').notNull(),
  contactEmail: text('contact_email'),
  contactPhone: text('contact_phone'),
  /** The citizen asks for the answer to be published (without their name). */
  publishRequested: boolean('publish_requested').notNull().default(false),
  status: text('status', { enum: ['open', 'answered'] }).notNull().default('open'),
  dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  answer: text('answer'),
  /**
   * The question as the portal publishes it, written by the answering official (the filer's own title and text may
   * hold names, ID numbers, phone numbers and are never published); set exactly when published_at is.
   */
  publishedQuestion: text('published_question'),
  answeredByStaffId: uuid('answered_by_staff_id').references(() => staffAccounts.id),
  answeredAt: timestamp('answered_at', { withTimezone: true }),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('feedback_items_code_uq').on(t.code),
  index('feedback_items_status_idx').on(t.status, t.dueAt),
  index('feedback_items_dossier_idx').on(t.dossierId),
  index('feedback_items_citizen_idx').on(t.citizenId),
  // The dashboard counts by filing date; the per-contact limit counts recent anonymous filings by e-mail (lower-case,
  // without a +tag: the expression must stay the query's, repositories/feedback.ts) or phone.
  index('feedback_items_created_idx').on(t.createdAt),
  index('feedback_items_contact_email_idx').on(sql`lower(regexp_replace(${t.contactEmail}, '[+][^@]*@', '@'))`, t.createdAt),
  index('feedback_items_contact_phone_idx').on(t.contactPhone, t.createdAt),
]);
