// Outgoing-document registers (Decree 30/2020, art. 15): each issuing agency numbers what it issues in one register
// per calendar year from 1, continuously; the symbol is "{document type}-{agency abbreviation}". Copies from the
// master register are numbered in the register of copies issued instead.
import { sql } from 'drizzle-orm';
import { integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { agencies } from './organisation.js';

export const DOCUMENT_REGISTERS = ['outgoing', 'copies'] as const;
export type DocumentRegister = (typeof DOCUMENT_REGISTERS)[number];

/** A kind of document motcua issues (decision, notice, copy from the register, each one-stop form) and how it is numbered. */
export const documentKinds = pgTable('document_kinds', {
  key: text('key').primaryKey(),
  /** "Quyết định", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả". */
  name: text('name').notNull(),
  /** Type abbreviation in the symbol: "QĐ" in "125/QĐ-SGDĐT". */
  abbreviation: text('abbreviation').notNull(),
  register: text('register', { enum: DOCUMENT_REGISTERS }).notNull().default('outgoing'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The last number given in one register of one agency for one year: the row lock serialises allocations. */
export const documentRegisterCounters = pgTable('document_register_counters', {
  agencyCode: text('agency_code').notNull().references(() => agencies.code),
  register: text('register', { enum: DOCUMENT_REGISTERS }).notNull(),
  year: integer('year').notNull(),
  lastNumber: integer('last_number').notNull(),
}, (t) => [primaryKey({ columns: [t.agencyCode, t.register, t.year] })]);

/**
 * One line of a register: the number given to one document of a dossier (`subject`: "result", "form:receipt-1", ...).
 * Reserved when the document is first rendered with its number (the number is inside what gets signed), issued when
 * the signed document is stored; re-rendering the same document reuses the line. A line is voided only when the
 * document is finally issued in a later year than it was reserved in (then it takes a number of the new year).
 */
export const registeredDocuments = pgTable('registered_documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  agencyCode: text('agency_code').notNull().references(() => agencies.code),
  register: text('register', { enum: DOCUMENT_REGISTERS }).notNull(),
  year: integer('year').notNull(),
  number: integer('number').notNull(),
  kind: text('kind').notNull(),
  /** The kind's name when the number was given ("Quyết định"): renaming a kind later never rewrites the register. */
  kindName: text('kind_name').notNull(),
  /** "QĐ-SGDĐT": fixed when the number is given, so a later change of abbreviations never rewrites the register. */
  symbol: text('symbol').notNull(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  subject: text('subject').notNull(),
  /** Trích yếu: what the document is about. */
  summary: text('summary').notNull(),
  recipients: text('recipients').array().notNull().default(sql`'{}'::text[]`),
  signerName: text('signer_name'),
  signerTitle: text('signer_title'),
  status: text('status', { enum: ['reserved', 'issued', 'void'] }).notNull().default('reserved'),
  issuedAt: timestamp('issued_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('registered_documents_number_uq').on(t.agencyCode, t.register, t.year, t.number),
  uniqueIndex('registered_documents_subject_uq').on(t.dossierId, t.subject, t.year),
]);
