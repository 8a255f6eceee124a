import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNotNull, lt, notExists, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { storedFileUploads, storedFiles } from '../schema/index.js';

/**
 * stored_files holds every file's metadata (size, SHA-256, where the bytes are) and, for location 'postgres', the
 * bytes. The row is written in the same transaction (or statement) as the rows that point to it; an object-storage
 * upload is made durable before that transaction and named in stored_file_uploads until it commits (storage/README.md).
 */
export function newFileKey(prefix: 'uploads' | 'issued'): string {
  return `${prefix}/${randomUUID()}`;
}

export type FileLocation = 'postgres' | 's3';

/** A stored_files row as the storage layer writes it: `data` only for location 'postgres'. */
export interface FileRecord { key: string; data: Buffer | null; sizeBytes: number; sha256: string; location: FileLocation }

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Files kept in PostgreSQL (bytes in the row): what the postgres driver writes, and what tests and tools use. */
export async function insertFiles(db: Db, files: Array<{ key: string; data: Buffer }>): Promise<void> {
  await insertFileRecords(db, files.map((f) => ({ key: f.key, data: f.data, sizeBytes: f.data.length, sha256: sha256Hex(f.data), location: 'postgres' })));
}

/**
 * The stored_files rows, and (same statement list, same transaction) the claim on their object-storage uploads.
 * Returns the uploads that could not be claimed (the orphan sweep took them): the caller must roll back.
 */
export async function insertFileRecords(db: Db, files: FileRecord[]): Promise<string[]> {
  if (files.length === 0) return [];
  await db.insert(storedFiles).values(files.map((f) => ({ key: f.key, data: f.data, sizeBytes: f.sizeBytes, sha256: f.sha256, location: f.location })));
  const uploaded = files.filter((f) => f.location === 's3').map((f) => f.key);
  if (uploaded.length === 0) return [];
  const claimed = new Set((await db.delete(storedFileUploads).where(inArray(storedFileUploads.key, uploaded)).returning({ key: storedFileUploads.key })).map((r) => r.key));
  return uploaded.filter((key) => !claimed.has(key));
}

export interface FileRow { key: string; data: Buffer | null; sizeBytes: number; sha256: string; location: FileLocation }

export async function findFile(db: Db, key: string): Promise<FileRow | undefined> {
  const [row] = await db.select({
    key: storedFiles.key, data: storedFiles.data,
    sizeBytes: storedFiles.sizeBytes, sha256: storedFiles.sha256, location: storedFiles.location,
  }).from(storedFiles).where(eq(storedFiles.key, key));
  return row;
}

/** The bytes of a file kept in PostgreSQL (tests and tools; services read through ctx.files, which knows both places). */
export async function readStoredFile(db: Db, key: string): Promise<Buffer> {
  const row = await findFile(db, key);
  if (!row?.data) throw new Error(`stored file ${key} is missing${row ? ` from PostgreSQL (it is in ${row.location})` : ''}`);
  return row.data;
}

/** Names object-storage uploads about to start; committed on its own, before any byte leaves (the orphan protocol). */
export async function insertUploads(db: Db, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.insert(storedFileUploads).values(keys.map((key) => ({ key })));
}

/**
 * Uploads started over `olderThanMs` ago whose referencing transaction never committed: no stored_files row claims
 * the key. The cut-off is the database's clock (started_at is its now() too): a worker's skewed clock cannot sweep
 * an upload whose intake is still running.
 */
export async function staleUploads(db: Db, olderThanMs: number, limit: number): Promise<string[]> {
  const rows = await db.select({ key: storedFileUploads.key }).from(storedFileUploads)
    .where(and(lt(storedFileUploads.startedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000}::float8)`),
      notExists(db.select({ one: sql`1` }).from(storedFiles).where(eq(storedFiles.key, storedFileUploads.key)))))
    .orderBy(asc(storedFileUploads.startedAt)).limit(limit);
  return rows.map((r) => r.key);
}

/** A batch of files kept in `location`, in key order after `afterKey` (the move CLI's resumable walk). */
export async function filesIn(db: Db, location: FileLocation, afterKey: string, limit: number): Promise<FileRow[]> {
  return db.select({ key: storedFiles.key, data: storedFiles.data, sizeBytes: storedFiles.sizeBytes, sha256: storedFiles.sha256, location: storedFiles.location })
    .from(storedFiles).where(and(eq(storedFiles.location, location), gt(storedFiles.key, afterKey)))
    .orderBy(asc(storedFiles.key)).limit(limit);
}

/** The move CLI's switch of one file to object storage, only if it is still where the batch read it and unchanged. */
export async function markMovedToObjectStorage(db: Db, key: string, sha256: string): Promise<boolean> {
  const rows = await db.update(storedFiles).set({ location: 's3', data: null })
    .where(and(eq(storedFiles.key, key), eq(storedFiles.location, 'postgres'), eq(storedFiles.sha256, sha256), isNotNull(storedFiles.data)))
    .returning({ key: storedFiles.key });
  return rows.length === 1;
}

/** The way back: the bytes into the row again (checked against the recorded SHA-256 by the caller). */
export async function markMovedToPostgres(db: Db, key: string, data: Buffer): Promise<boolean> {
  const rows = await db.update(storedFiles).set({ location: 'postgres', data })
    .where(and(eq(storedFiles.key, key), eq(storedFiles.location, 's3'), eq(storedFiles.sha256, sha256Hex(data))))
    .returning({ key: storedFiles.key });
  return rows.length === 1;
}

export async function countFilesByLocation(db: Db): Promise<Record<FileLocation, { files: number; bytes: number }>> {
  const rows = await db.select({ location: storedFiles.location, files: sql<number>`count(*)::int`, bytes: sql<number>`coalesce(sum(${storedFiles.sizeBytes}), 0)::float8` })
    .from(storedFiles).groupBy(storedFiles.location);
  const out: Record<FileLocation, { files: number; bytes: number }> = { postgres: { files: 0, bytes: 0 }, s3: { files: 0, bytes: 0 } };
  for (const r of rows) out[r.location] = { files: Number(r.files), bytes: Number(r.bytes) };
  return out;
}

/**
 * Takes an unfinished upload's row for the orphan sweep when no stored_files row claims its key; true when taken (the
 * caller deletes the object in the same transaction, under this row's lock, so a late claim waits or fails).
 */
export async function takeOrphanUpload(tx: Db, key: string): Promise<boolean> {
  const [row] = await tx.delete(storedFileUploads).where(and(eq(storedFileUploads.key, key),
    notExists(tx.select({ one: sql`1` }).from(storedFiles).where(eq(storedFiles.key, key))))).returning({ key: storedFileUploads.key });
  return row !== undefined;
}

/** Object uploads not yet claimed by their transaction (or not yet swept). */
export async function countPendingUploads(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(storedFileUploads);
  return row?.n ?? 0;
}
