// What the administrators' queue page says about file storage: the driver new files go to (and the bucket), how many
// files and bytes are in each place (a move under way shows in both), and uploads not yet claimed or swept.
import type { AppContext } from '../../app-context.js';
import { countFilesByLocation, countPendingUploads } from '../../db/repositories/files.js';

export interface FileStorageStatus {
  driver: 'postgres' | 's3';
  bucket: string | undefined;
  postgres: { files: number; bytes: number };
  s3: { files: number; bytes: number };
  /** Object uploads whose transaction has not committed (or never will: the sweep deletes them after an hour). */
  pendingUploads: number;
}

export async function fileStorageStatus(ctx: AppContext): Promise<FileStorageStatus> {
  const [byLocation, pendingUploads] = await Promise.all([countFilesByLocation(ctx.db), countPendingUploads(ctx.db)]);
  return { driver: ctx.files.driver, bucket: ctx.files.bucket, ...byLocation, pendingUploads };
}
