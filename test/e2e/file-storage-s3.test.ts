// Files on the S3 driver (issue 15 item 3) against a local S3-compatible server (s3rver) started here: a dossier filed
// over HTTP keeps its upload as an object and only metadata in stored_files, and the download gives the same bytes; a
// tampered object is refused, never served; the orphan protocol (an upload whose transaction rolled back is swept
// after an hour, a committed file never is, a claim after the sweep rolls back); the move CLI's work both ways;
// object storage down at intake is a 503 with nothing committed.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode, listDocuments } from '../../src/db/repositories/dossiers.js';
import { insertFiles, newFileKey } from '../../src/db/repositories/files.js';
import { dossiers, storedFileUploads, storedFiles } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { readAll } from '../../src/storage/index.js';
import { moveFiles } from '../../src/storage/move.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { multipartBody } from '../security/corpus-runner.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let s3: LocalS3;
let env: TestEnvironment;
let scan: Buffer;
let filed: { code: string; token: string; key: string; documentId: string };

async function file(pdf: Buffer) {
  const boundary = `s3-${Math.random().toString(36).slice(2)}`;
  return env.app.inject({
    method: 'POST', url: '/api/dossiers', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipartBody([
      { name: 'procedure', value: 'diploma-copy' },
      { name: 'data', value: JSON.stringify(diplomaRequest()) },
      { name: 'identity', value: pdf, filename: 'cccd.pdf', contentType: 'application/pdf' },
    ], boundary),
  });
}

async function objectBytes(key: string): Promise<Buffer | undefined> {
  const stream = await env.ctx.files.objectStore().get(key);
  return stream ? readAll(stream) : undefined;
}

const fileRow = async (key: string) => (await env.ctx.db.select().from(storedFiles).where(eq(storedFiles.key, key)))[0];
const uploadRow = async (key: string) => (await env.ctx.db.select().from(storedFileUploads).where(eq(storedFileUploads.key, key)))[0];

beforeAll(async () => {
  s3 = await startLocalS3();
  env = await startTestEnvironment('production', { env: s3.env });
  // Over one chunk of the HTTP stream, so a download is streamed in pieces.
  scan = Buffer.concat([await makePdf('Bản quét căn cước'), Buffer.from(`\n%${randomBytes(200_000).toString('base64')}\n`)]);
}, 120_000);

afterAll(async () => {
  await env?.close();
  await s3?.close();
});

describe('a dossier filed on the S3 driver', () => {
  it('keeps the upload as an object and only its metadata in PostgreSQL; the download is the same bytes', async () => {
    expect(env.ctx.files.driver).toBe('s3');
    const response = await file(scan);
    expect(response.statusCode, response.body).toBe(201);
    const { code, trackingToken } = response.json() as { code: string; trackingToken: string };
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const [document] = await listDocuments(env.ctx.db, dossier.id);
    filed = { code, token: trackingToken, key: document!.storageKey, documentId: document!.id };

    const row = await fileRow(filed.key);
    expect(row).toMatchObject({ location: 's3', data: null, sizeBytes: scan.length, sha256: sha(scan) });
    expect(await uploadRow(filed.key)).toBeUndefined();
    expect((await objectBytes(filed.key))?.equals(scan)).toBe(true);

    const download = await env.app.inject({
      method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}/documents/${document!.id}`, headers: { authorization: `Bearer ${trackingToken}` },
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    // Streamed from object storage, yet its length is announced up front (what makes a cut-short download visible).
    expect(download.headers['content-length']).toBe(String(scan.length));
    expect(download.rawPayload.equals(scan)).toBe(true);
  });

  it('refuses a tampered object: an error, never the wrong file', async () => {
    const tampered = Buffer.from(scan);
    tampered[tampered.length - 10] = tampered[tampered.length - 10]! ^ 0xff;
    await env.ctx.files.objectStore().put(filed.key, tampered);
    try {
      const read = await env.ctx.files.read(env.ctx.db, filed.key).then(() => undefined, (error: unknown) => error);
      expect(read).toBeInstanceOf(AppError);
      expect((read as AppError).code).toBe('FILE_INTEGRITY_FAILED');
      // The streamed download holds its last chunk back until the hash is checked: it breaks off short of the file.
      const download = await env.app.inject({
        method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}/documents/${filed.documentId}`, headers: { authorization: `Bearer ${filed.token}` },
      }).then((r) => r, (error: unknown) => error);
      // The response announced the file's length (content-length) and is destroyed short of it: the client sees a
      // broken download (here inject's rejection; over a socket, a reset before the announced length), never a complete one.
      expect(download).toBeInstanceOf(Error);
      expect((download as Error).message).toBe('response destroyed before completion');
      // A missing object is the same refusal.
      await env.ctx.files.objectStore().delete(filed.key);
      const missing = await env.app.inject({
        method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}/documents/${filed.documentId}`, headers: { authorization: `Bearer ${filed.token}` },
      });
      expect(missing.statusCode).toBe(500);
      expect(missing.json().error.code).toBe('FILE_INTEGRITY_FAILED');
    } finally {
      await env.ctx.files.objectStore().put(filed.key, scan);
    }
    expect((await env.ctx.files.read(env.ctx.db, filed.key)).equals(scan)).toBe(true);
  });
});

describe('the orphan protocol', () => {
  it('sweeps an upload whose transaction rolled back, after an hour, and never a committed file', async () => {
    const key = newFileKey('uploads');
    const data = randomBytes(5000);
    const records = await env.ctx.files.put(env.ctx.db, [{ key, data }]);
    const failed = await env.ctx.db.transaction(async (tx) => {
      await env.ctx.files.record(tx, records);
      throw new Error('the referencing use-case failed');
    }).catch((error: unknown) => error);
    expect((failed as Error).message).toBe('the referencing use-case failed');
    expect(await fileRow(key)).toBeUndefined();
    expect(await uploadRow(key)).toBeDefined();
    expect((await objectBytes(key))?.equals(data)).toBe(true);

    // Not yet an hour (by the database's clock): the transaction might still commit. Later calls pass 0: any age.
    expect(await env.ctx.files.sweepOrphans(env.ctx.db)).toBe(0);
    expect(await objectBytes(key)).toBeDefined();

    expect(await env.ctx.files.sweepOrphans(env.ctx.db, 0)).toBe(1);
    expect(await objectBytes(key)).toBeUndefined();
    expect(await uploadRow(key)).toBeUndefined();
    // The filed dossier's object is claimed: still there.
    expect((await objectBytes(filed.key))?.equals(scan)).toBe(true);
  });

  it('a transaction claiming an upload the sweep already took rolls back instead of referencing a missing object', async () => {
    const key = newFileKey('uploads');
    const records = await env.ctx.files.put(env.ctx.db, [{ key, data: randomBytes(100) }]);
    expect(await env.ctx.files.sweepOrphans(env.ctx.db, 0)).toBe(1);
    const late = await env.ctx.db.transaction((tx) => env.ctx.files.record(tx, records)).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(AppError);
    expect((late as AppError).code).toBe('FILE_STORAGE_UNAVAILABLE');
    expect(await fileRow(key)).toBeUndefined();
  });

  it('filings at once each claim their own uploads; one whose upload was swept is a 503 alone, the others are written', async () => {
    const lost = await makePdf('Tải lên bị dọn, nộp cùng lúc với hồ sơ khác');
    const files = env.ctx.files;
    files.put = async (db, uploads) => {
      const records = await Object.getPrototypeOf(files).put.call(files, db, uploads);
      // The sweep's work for this one upload only (the others of the batch are still unclaimed and must stay).
      for (const upload of uploads.filter((u) => u.data.equals(lost))) {
        await env.ctx.db.delete(storedFileUploads).where(eq(storedFileUploads.key, upload.key));
        await files.objectStore().delete(upload.key);
      }
      return records;
    };
    let responses;
    try {
      const scans = await Promise.all([1, 2, 3, 4, 5].map((n) => makePdf(`Bản quét ${n}`)));
      responses = await Promise.all([...scans.slice(0, 2), lost, ...scans.slice(2)].map((pdf) => file(pdf)));
    } finally {
      delete (files as { put?: unknown }).put;
    }
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 503, 201, 201, 201]);
    for (const response of responses.filter((r) => r.statusCode === 201)) {
      const dossier = (await findDossierByCode(env.ctx.db, (response.json() as { code: string }).code))!;
      const [document] = await listDocuments(env.ctx.db, dossier.id);
      expect(await fileRow(document!.storageKey)).toMatchObject({ location: 's3', data: null });
      expect(await uploadRow(document!.storageKey)).toBeUndefined();
      expect((await objectBytes(document!.storageKey))?.length).toBe(document!.sizeBytes);
    }
  });

  it('an intake whose upload the sweep took before its statement ran is a 503 and commits nothing', async () => {
    const dossiersBefore = (await env.ctx.db.select({ n: count() }).from(dossiers))[0]!.n;
    const filesBefore = (await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n;
    // The real sweep, run at the worst moment: between the upload and intake's statement (as a paused process would).
    const files = env.ctx.files;
    files.put = async (db, uploads) => {
      const records = await Object.getPrototypeOf(files).put.call(files, db, uploads);
      expect(await files.sweepOrphans(env.ctx.db, 0)).toBeGreaterThanOrEqual(1);
      return records;
    };
    try {
      const response = await file(await makePdf('Tải lên bị dọn trước khi ghi nhận'));
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().error.code).toBe('FILE_STORAGE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBeDefined();
    } finally {
      delete (files as { put?: unknown }).put;
    }
    expect((await env.ctx.db.select({ n: count() }).from(dossiers))[0]!.n).toBe(dossiersBefore);
    expect((await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n).toBe(filesBefore);
  });
});

describe('moving files (npm run files:move)', () => {
  it('moves PostgreSQL files to object storage, checked, resumable, and back', async () => {
    const keys = [newFileKey('issued'), newFileKey('issued'), newFileKey('issued')];
    const bytes = keys.map(() => randomBytes(3000));
    await insertFiles(env.ctx.db, keys.map((key, i) => ({ key, data: bytes[i]! })));

    // Interrupted after one file, then run again: each file moves once.
    const first = await moveFiles(env.ctx.db, env.ctx.files, 'to-s3', { batchSize: 2, limit: 1 });
    expect(first.moved).toBe(1);
    const rest = await moveFiles(env.ctx.db, env.ctx.files, 'to-s3', { batchSize: 2 });
    expect(rest.moved).toBeGreaterThanOrEqual(2);
    expect((await moveFiles(env.ctx.db, env.ctx.files, 'to-s3')).moved).toBe(0);
    for (const [i, key] of keys.entries()) {
      expect(await fileRow(key)).toMatchObject({ location: 's3', data: null, sha256: sha(bytes[i]!) });
      expect((await objectBytes(key))?.equals(bytes[i]!)).toBe(true);
      expect((await env.ctx.files.read(env.ctx.db, key)).equals(bytes[i]!)).toBe(true);
    }

    // A reader racing the move back: it saw location 's3', and by its GET the move has put the bytes in the row and
    // deleted the object (the real move, run at that moment). It is served the row's bytes, not an error.
    const objects = env.ctx.files.objectStore();
    let back: Awaited<ReturnType<typeof moveFiles>> | undefined;
    const get = objects.get;
    objects.get = async (key) => {
      objects.get = get;
      back = await moveFiles(env.ctx.db, env.ctx.files, 'to-postgres');
      return objects.get(key);
    };
    const raced = await env.app.inject({
      method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}/documents/${filed.documentId}`, headers: { authorization: `Bearer ${filed.token}` },
    });
    expect(objects.get).toBe(get);
    expect(raced.statusCode, raced.body).toBe(200);
    expect(raced.rawPayload.equals(scan)).toBe(true);
    expect(back!.moved).toBeGreaterThanOrEqual(4);
    expect(back!.skipped).toBe(0);
    for (const [i, key] of keys.entries()) {
      expect(await fileRow(key)).toMatchObject({ location: 'postgres', sha256: sha(bytes[i]!) });
      expect((await fileRow(key))!.data!.equals(bytes[i]!)).toBe(true);
      expect(await objectBytes(key)).toBeUndefined();
    }
    // The filed dossier's upload came back too, and still downloads.
    expect((await fileRow(filed.key))!.location).toBe('postgres');
    const download = await env.app.inject({
      method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}/documents/${filed.documentId}`, headers: { authorization: `Bearer ${filed.token}` },
    });
    expect(download.rawPayload.equals(scan)).toBe(true);
  });
});

describe('moving files back when some objects are bad', () => {
  it('skips a missing or altered object with its reason, moves the rest, and skips them again on the next run', async () => {
    const keys = [newFileKey('issued'), newFileKey('issued'), newFileKey('issued')];
    const bytes = keys.map(() => randomBytes(2000));
    await insertFiles(env.ctx.db, keys.map((key, i) => ({ key, data: bytes[i]! })));
    await moveFiles(env.ctx.db, env.ctx.files, 'to-s3');
    const [good, missing, altered] = keys as [string, string, string];
    await env.ctx.files.objectStore().delete(missing);
    await env.ctx.files.objectStore().put(altered, randomBytes(2000));
    try {
      const reasons = { [missing]: 'its object is missing from the bucket', [altered]: 'its object does not match its recorded SHA-256' };
      for (let run = 0; run < 2; run++) {
        const outcome = await moveFiles(env.ctx.db, env.ctx.files, 'to-postgres');
        expect(outcome.skipped).toBe(2);
        expect(Object.fromEntries(outcome.skippedFiles.map((f) => [f.key, f.reason]))).toEqual(reasons);
      }
      expect((await fileRow(good))!.data!.equals(bytes[0]!)).toBe(true);
      expect((await fileRow(missing))!.location).toBe('s3');
      expect((await fileRow(altered))!.location).toBe('s3');
    } finally {
      await env.ctx.db.delete(storedFiles).where(inArray(storedFiles.key, [missing, altered]));
      await env.ctx.files.objectStore().delete(altered);
    }
  });
});

describe('the administrators\' queue page', () => {
  it('says where new files go and how many are in each place', async () => {
    const token = (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'demo' } })).json().token as string;
    const page = await env.app.inject({ method: 'GET', url: '/quan-tri/hang-doi', headers: { authorization: `Bearer ${token}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="storage-driver">kho lưu trữ đối tượng S3 (bucket <code>motcua-files</code>)');
    expect(page.body).toMatch(/<dt>Trong kho S3<\/dt><dd>\d+ tệp/);
  });
});

describe('object storage down at intake', () => {
  it('is a 503 FILE_STORAGE_UNAVAILABLE and commits nothing', async () => {
    const dossiersBefore = (await env.ctx.db.select({ n: count() }).from(dossiers))[0]!.n;
    const filesBefore = (await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n;
    await s3.stop();
    try {
      const response = await file(await makePdf('Khi kho lưu trữ không phản hồi'));
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().error.code).toBe('FILE_STORAGE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBeDefined();
    } finally {
      await s3.restart();
    }
    expect((await env.ctx.db.select({ n: count() }).from(dossiers))[0]!.n).toBe(dossiersBefore);
    expect((await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n).toBe(filesBefore);
    // After the outage the same filing goes through.
    expect((await file(await makePdf('Sau khi kho hoạt động lại'))).statusCode).toBe(201);
  }, 60_000);
});

describe('object storage that accepts connections and never answers', () => {
  it('fails the intake after S3_TIMEOUT_MS with a 503 FILE_STORAGE_UNAVAILABLE, nothing committed', async () => {
    // A hung gateway: TCP accepted, not one byte back. Without a request timeout that fails, the intake would wait forever.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const hung = await startTestEnvironment('production', { env: { ...s3.env, S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_TIMEOUT_MS: '500' } });
    const dossiersBefore = (await hung.ctx.db.select({ n: count() }).from(dossiers))[0]!.n;
    const filesBefore = (await hung.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n;
    try {
      const boundary = `hung-${Math.random().toString(36).slice(2)}`;
      const response = await hung.app.inject({
        method: 'POST', url: '/api/dossiers', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: multipartBody([
          { name: 'procedure', value: 'diploma-copy' },
          { name: 'data', value: JSON.stringify(diplomaRequest()) },
          { name: 'identity', value: await makePdf('Khi kho lưu trữ treo'), filename: 'cccd.pdf', contentType: 'application/pdf' },
        ], boundary),
      });
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().error.code).toBe('FILE_STORAGE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBeDefined();
      expect(sockets.size).toBeGreaterThan(0);
      expect((await hung.ctx.db.select({ n: count() }).from(dossiers))[0]!.n).toBe(dossiersBefore);
      expect((await hung.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n).toBe(filesBefore);
    } finally {
      await hung.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);
});
