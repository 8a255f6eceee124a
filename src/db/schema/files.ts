// File contents (uploads, issued PDFs): metadata always in the database, the bytes there or in object storage.
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns.js';

/**
 * File contents (uploads, issued PDFs). In the database rather than on a local disk: server and worker copies on
 * different machines all read them, they commit and back up with the rows that point to them, and no shared volume
 * is needed. Storage is EXTERNAL (set in the migration): PDFs and images do not compress, so PostgreSQL should not try.
 */
export const storedFiles = pgTable('stored_files', {
  key: text('key').primaryKey(),
  /** The bytes when `location` is 'postgres'; null when they live in object storage under the same key. */
  data: bytea('data'),
  sizeBytes: integer('size_bytes').notNull(),
  /** Hex SHA-256 of the bytes: checked when an object-storage read comes back, and kept whatever the driver. */
  sha256: text('sha256').notNull(),
  location: text('location', { enum: ['postgres', 's3'] }).notNull().default('postgres'),
  createdAt: createdAt(),
}, (t) => [
  check('stored_files_location_check', sql`${t.location} in ('postgres', 's3')`),
  check('stored_files_postgres_has_data', sql`${t.location} <> 'postgres' or ${t.data} is not null`),
]);

/**
 * Objects written to object storage whose referencing transaction has not committed yet. A row is written (and
 * committed) before the upload and deleted in the transaction that writes the stored_files row; a row left behind
 * an hour later names an orphan the sweep deletes from the bucket (unless a stored_files row claims the key).
 */
export const storedFileUploads = pgTable('stored_file_uploads', {
  key: text('key').primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
});
