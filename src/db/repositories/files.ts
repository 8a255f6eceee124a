import { createHash, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { storedFiles } from '../schema/index.js';

/**
 * File bytes live in stored_files and are written in the same transaction (or statement) as the rows that point
 * to them: no orphan files, no dangling references, nothing on a local disk that another server copy cannot see.
 */
export function newFileKey(prefix: 'uploads' | 'issued'): string {
  return `${prefix}/${randomUUID()}`;
}

export async function insertFiles(db: Db, files: Array<{ key: string; data: Buffer }>): Promise<void> {
  if (files.length === 0) return;
  await db.insert(storedFiles).values(files.map((f) => ({
    key: f.key, data: f.data, sizeBytes: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex'),
  })));
}

export async function readStoredFile(db: Db, key: string): Promise<Buffer> {
  const [row] = await db.select({ data: storedFiles.data }).from(storedFiles).where(eq(storedFiles.key, key));
  // A null data is a file in object storage, which arrives with the storage driver (issue 15).
  if (!row?.data) throw new Error(`stored file ${key} is missing`);
  return row.data;
}
