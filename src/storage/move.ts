// Moving an existing deployment's files between PostgreSQL and object storage (npm run files:move, docs/OPERATIONS.md
// "Moving files to object storage"): in key order, a batch at a time; every step is safe to repeat or to interrupt.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { filesIn, markMovedToObjectStorage, markMovedToPostgres, sha256Hex } from '../db/repositories/files.js';
import { readAll, type FileStorage } from './index.js';

export type MoveDirection = 'to-s3' | 'to-postgres';

export interface MoveOutcome {
  moved: number; bytes: number; skipped: number;
  /** Why each file was left where it is (the first 1000; `skipped` counts them all). */
  skippedFiles: Array<{ key: string; reason: string }>;
}

/**
 * to-s3: each file kept in PostgreSQL is uploaded, read back and checked against its recorded SHA-256, and only then
 * is its row switched to location 's3' with `data` nulled (in one UPDATE that also checks the row is still as read).
 * An interruption leaves at most objects whose rows still hold the bytes: the next run uploads them again (same
 * key, same bytes). to-postgres: each object is read, checked, written back into its row, then deleted from the
 * bucket. Files written while it runs go where the running processes' STORAGE_DRIVER sends them.
 */
export async function moveFiles(
  db: Db, files: FileStorage, direction: MoveDirection,
  options: { batchSize?: number; log?: Pick<Logger, 'info' | 'warn'>; limit?: number } = {},
): Promise<MoveOutcome> {
  const batchSize = options.batchSize ?? 50;
  const objects = files.objectStore();
  const outcome: MoveOutcome = { moved: 0, bytes: 0, skipped: 0, skippedFiles: [] };
  // A file that cannot move is left where it is (and still served from there); the run goes on with the next one.
  const skip = (key: string, reason: string) => {
    options.log?.warn({ key, reason }, 'a file was left where it is');
    outcome.skipped++;
    if (outcome.skippedFiles.length < 1000) outcome.skippedFiles.push({ key, reason });
  };
  let after = '';
  for (;;) {
    const batch = await filesIn(db, direction === 'to-s3' ? 'postgres' : 's3', after, batchSize);
    if (batch.length === 0) break;
    for (const file of batch) {
      after = file.key;
      if (options.limit !== undefined && outcome.moved >= options.limit) return outcome;
      if (direction === 'to-s3') {
        if (!file.data || sha256Hex(file.data) !== file.sha256) {
          skip(file.key, 'its bytes in PostgreSQL do not match its recorded SHA-256');
          continue;
        }
        await objects.put(file.key, file.data);
        const back = await objects.get(file.key);
        if (!back || sha256Hex(await readAll(back)) !== file.sha256) throw new Error(`object ${file.key} does not read back as uploaded: stopped`);
        if (await markMovedToObjectStorage(db, file.key, file.sha256)) {
          outcome.moved++;
          outcome.bytes += file.sizeBytes;
        } else skip(file.key, 'its row changed while it was being moved');
      } else {
        // An unreachable object store stops the run (objects.get throws); a missing or altered object is skipped.
        const stream = await objects.get(file.key);
        if (!stream) {
          skip(file.key, 'its object is missing from the bucket');
          continue;
        }
        const data = await readAll(stream);
        if (sha256Hex(data) !== file.sha256) {
          skip(file.key, 'its object does not match its recorded SHA-256');
          continue;
        }
        if (await markMovedToPostgres(db, file.key, data)) {
          await objects.delete(file.key);
          outcome.moved++;
          outcome.bytes += file.sizeBytes;
        } else skip(file.key, 'its row changed while it was being moved');
      }
    }
    options.log?.info({ direction, ...outcome, lastKey: after }, 'files moved so far');
  }
  return outcome;
}
