// File contents (uploads, issued PDFs) kept in the database; db/repositories/files.ts reads and writes them by key.
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns.js';

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
