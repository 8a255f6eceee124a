// `npm run files:move -- to-s3 [--batch 50]` (or `to-postgres`): moves the stored files' bytes between PostgreSQL and
// the object storage that S3_BUCKET and the other S3_* settings name (storage/move.ts; docs/OPERATIONS.md "Moving
// files to object storage"). Resumable and idempotent: run it again after an interruption.
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { countFilesByLocation } from '../db/repositories/files.js';
import { createFileStorage } from '../storage/index.js';
import { moveFiles, type MoveDirection } from '../storage/move.js';

const [direction, ...rest] = process.argv.slice(2);
const batchAt = rest.indexOf('--batch');
const batchSize = batchAt >= 0 ? Number(rest[batchAt + 1]) : 50;
if ((direction !== 'to-s3' && direction !== 'to-postgres') || !Number.isInteger(batchSize) || batchSize < 1) {
  console.error('usage: npm run files:move -- to-s3|to-postgres [--batch 50]');
  process.exit(2);
}
const config = loadConfig();
if (!config.storage.s3) {
  console.error('S3_BUCKET (and S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE) must be set');
  process.exit(2);
}
const log = pino({ level: config.logLevel });
const database = await openDatabase(config.database, { migrate: true });
const files = createFileStorage(config.storage, log);
try {
  const outcome = await moveFiles(database.db, files, direction as MoveDirection, { batchSize, log });
  const left = await countFilesByLocation(database.db);
  console.log(`${outcome.moved} files (${(outcome.bytes / 1048576).toFixed(1)} MiB) moved ${direction}, ${outcome.skipped} skipped; now in PostgreSQL: ${left.postgres.files}, in object storage: ${left.s3.files}`);
  for (const { key, reason } of outcome.skippedFiles) console.log(`skipped ${key}: ${reason}`);
  if (outcome.skipped > outcome.skippedFiles.length) console.log(`… and ${outcome.skipped - outcome.skippedFiles.length} more (see the log)`);
  if (outcome.skipped > 0) process.exitCode = 1;
} finally {
  files.close();
  await database.close();
}
