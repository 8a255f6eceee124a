// Files behind one interface (storage/README.md): new files go where the configured driver says (PostgreSQL rows or
// S3-compatible object storage); reads follow each file's recorded location, so a deployment can move between them.
import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { findFile, insertFileRecords, insertUploads, sha256Hex, staleUploads, takeOrphanUpload, type FileLocation, type FileRecord } from '../db/repositories/files.js';
import { AppError } from '../errors.js';
import { createS3ObjectStore, type ObjectStore } from './s3.js';

export type { FileRecord } from '../db/repositories/files.js';

export interface NewFile { key: string; data: Buffer }

/** A file to send: the bytes (postgres) or a stream that fails before its last chunk if they are not the recorded ones (s3). */
export interface FileBody { sizeBytes: number; sha256: string; location: FileLocation; data: Buffer | Readable }

/** An object-storage upload whose transaction never committed is deleted this long after it started. */
export const ORPHAN_AFTER_MS = 60 * 60_000;

export class FileStorage {
  constructor(
    /** Where new files' bytes go. */
    readonly driver: FileLocation,
    private readonly objects: ObjectStore | undefined,
    private readonly log: Pick<Logger, 'error' | 'warn' | 'info'>,
  ) {
    if (driver === 's3' && !objects) throw new Error('the s3 file storage driver needs an object store (S3_BUCKET)');
  }

  get bucket(): string | undefined {
    return this.objects?.bucket;
  }

  /**
   * Step 1, BEFORE the transaction that will reference the files: makes their bytes durable. PostgreSQL keeps them in
   * the stored_files rows `record` writes, so nothing happens here but the hash. Object storage: the keys are
   * committed to stored_file_uploads first (so a crash leaves a name the sweep finds), then the objects are uploaded.
   * `db` must not be an open transaction. Throws FILE_STORAGE_UNAVAILABLE (503) when the store does not take them.
   */
  async put(db: Db, files: NewFile[]): Promise<FileRecord[]> {
    const records: FileRecord[] = files.map((f) => ({ key: f.key, data: f.data, sizeBytes: f.data.length, sha256: sha256Hex(f.data), location: 'postgres' }));
    if (this.driver === 'postgres' || files.length === 0) return records;
    const objects = this.objects!;
    await insertUploads(db, files.map((f) => f.key));
    try {
      await Promise.all(files.map((f) => objects.put(f.key, f.data)));
    } catch (error) {
      this.log.error({ err: error, keys: files.map((f) => f.key) }, 'object storage did not take the files; nothing recorded');
      throw storageUnavailable();
    }
    return records.map((r) => ({ ...r, data: null, location: 's3' }));
  }

  /**
   * Step 2, INSIDE the referencing transaction: the stored_files rows, and the claim on the uploads (their
   * stored_file_uploads rows deleted). A claim that finds its row gone means the sweep took the object: the
   * transaction must not commit a reference to it.
   */
  async record(tx: Db, records: FileRecord[]): Promise<void> {
    const lost = await insertFileRecords(tx, records);
    if (lost.length > 0) {
      this.log.error({ keys: lost }, 'object-storage uploads were swept before their transaction committed: rolled back');
      throw storageUnavailable();
    }
  }

  /** The whole file, its SHA-256 checked when it comes from object storage. */
  async read(db: Db, key: string): Promise<Buffer> {
    const row = await findFile(db, key);
    if (!row) throw new Error(`stored file ${key} is missing`);
    if (row.location === 'postgres') {
      if (!row.data) throw new Error(`stored file ${key} has no bytes`);
      return row.data;
    }
    const stream = await this.fetch(db, key);
    if (Buffer.isBuffer(stream)) return stream;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (error) {
      this.log.error({ err: error, key }, 'object storage read broke off');
      throw storageUnavailable();
    }
    const data = Buffer.concat(chunks);
    if (sha256Hex(data) !== row.sha256) throw this.integrityFailed(key, row.sha256, sha256Hex(data));
    return data;
  }

  /**
   * The file for a download: PostgreSQL's bytes as they are, object storage's streamed. A stream's last chunk is held
   * back until the whole file's SHA-256 is checked: a tampered or truncated object ends in an error (the response is
   * cut short of its length), never in a complete wrong file.
   */
  async open(db: Db, key: string): Promise<FileBody> {
    // One query: PostgreSQL's bytes come with the metadata; an object's row has none.
    const row = await findFile(db, key);
    if (!row) throw new Error(`stored file ${key} is missing`);
    if (row.location === 'postgres') {
      if (!row.data) throw new Error(`stored file ${key} has no bytes`);
      return { ...row, data: row.data };
    }
    const source = await this.fetch(db, key);
    if (Buffer.isBuffer(source)) return { sizeBytes: source.length, sha256: row.sha256, location: 'postgres', data: source };
    const hash = createHash('sha256');
    let held: Buffer | undefined;
    const verified = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        const previous = held;
        held = chunk;
        callback(null, previous);
      },
      flush: (callback) => {
        const actual = hash.digest('hex');
        if (actual !== row.sha256) callback(this.integrityFailed(key, row.sha256, actual));
        else callback(null, held);
      },
    });
    pipeline(source, verified, () => {});
    // The length a response announces (content-length): a download the hash check cuts short is visibly incomplete.
    Object.defineProperty(verified, 'sizeBytes', { value: row.sizeBytes });
    return { sizeBytes: row.sizeBytes, sha256: row.sha256, location: row.location, data: verified };
  }

  /**
   * The orphan sweep (run by the periodic sweep job): objects whose upload started over an hour ago and that no
   * stored_files row claims are deleted, then their stored_file_uploads rows. Each one under the row's lock: a
   * referencing transaction claiming it at that moment waits, finds the row gone, and rolls back (record()).
   */
  async sweepOrphans(db: Db, olderThanMs = ORPHAN_AFTER_MS): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys = await staleUploads(db, olderThanMs, 100);
      if (keys.length === 0) {
        if (removed > 0) this.log.info({ removed }, 'orphaned object-storage uploads removed');
        return removed;
      }
      if (!this.objects) {
        this.log.warn({ uploads: keys.length }, 'uploads to object storage were left unfinished, but no object storage is configured (S3_BUCKET) to remove them from');
        return removed;
      }
      for (const key of keys) {
        const gone = await db.transaction(async (tx) => {
          const taken = await takeOrphanUpload(tx, key);
          if (taken) await this.objects!.delete(key);
          return taken;
        });
        if (gone) removed++;
      }
    }
  }

  /** The object store itself, for the move CLI; throws when none is configured. */
  objectStore(): ObjectStore {
    if (!this.objects) throw new AppError('FILE_STORAGE_UNAVAILABLE', 'Chưa cấu hình kho lưu trữ đối tượng (S3_BUCKET) để đọc tệp này.');
    return this.objects;
  }

  close(): void {
    this.objects?.close();
  }

  /**
   * The object's bytes as they arrive; or, when the object is gone because `files:move to-postgres` moved the file
   * back between this reader's look at the row and its GET, the bytes now in the row (checked by the move already).
   */
  private async fetch(db: Db, key: string): Promise<Readable | Buffer> {
    let stream: Readable | undefined;
    try {
      stream = await this.objectStore().get(key);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.log.error({ err: error, key }, 'object storage did not give the file');
      throw storageUnavailable();
    }
    if (!stream) {
      const now = await findFile(db, key);
      if (now?.location === 'postgres' && now.data) return now.data;
      this.log.error({ key }, 'a stored file is missing from object storage');
      throw new AppError('FILE_INTEGRITY_FAILED', 'Tệp đã lưu không còn trong kho lưu trữ. Vui lòng báo quản trị hệ thống.');
    }
    return stream;
  }

  private integrityFailed(key: string, expected: string, actual: string): AppError {
    this.log.error({ key, expected, actual }, 'a stored file does not match its recorded SHA-256: not served');
    return new AppError('FILE_INTEGRITY_FAILED', 'Tệp đã lưu không còn khớp với mã băm ghi khi lưu nên không được trả về. Vui lòng báo quản trị hệ thống.');
  }
}

/**
 * Intake's one statement claims its uploads itself (repositories/dossiers.ts `claimed`/`files` CTEs): a key the sweep
 * already took gets no location, and the NOT NULL violation on stored_files.location rolls the statement back.
 */
export function uploadClaimLost(error: unknown): boolean {
  const e = error as { code?: string; table_name?: string; column_name?: string; cause?: unknown } | null;
  if (e?.code === '23502' && e.table_name === 'stored_files' && e.column_name === 'location') return true;
  return e?.cause !== undefined && e.cause !== error && uploadClaimLost(e.cause);
}

export function storageUnavailable(): AppError {
  const error = new AppError('FILE_STORAGE_UNAVAILABLE', 'Kho lưu trữ tệp tạm thời không phản hồi, chưa có gì được ghi nhận. Vui lòng thử lại sau ít phút.');
  error.retryAfterSeconds = 30;
  return error;
}

export function createFileStorage(config: Config['storage'], log: Pick<Logger, 'error' | 'warn' | 'info'>): FileStorage {
  return new FileStorage(config.driver, config.s3 ? createS3ObjectStore(config.s3) : undefined, log);
}

/** The byte length of a file's body as open() gave it (a Buffer's, or a verified stream's recorded size). */
export function bodyLength(data: Buffer | Readable): number | undefined {
  if (Buffer.isBuffer(data)) return data.length;
  const size = (data as Readable & { sizeBytes?: unknown }).sizeBytes;
  return typeof size === 'number' ? size : undefined;
}

/** Read a whole stream (tests, tools). */
export async function readAll(data: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(data)) return data;
  const chunks: Buffer[] = [];
  for await (const chunk of data) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
