import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded mode: PGlite under DATA_DIR, inline jobs, demo data', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/motcua-x' });
    expect(config.database).toEqual({ kind: 'pglite', dir: '/tmp/motcua-x/pglite' });
    expect(config.queue).toEqual({ kind: 'inline' });
    expect(config.demoData).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('is production with DATABASE_URL: no demo data, BullMQ when REDIS_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379', APP_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://dichvucong.example.vn/' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
    expect(config.queue).toMatchObject({ kind: 'bullmq', url: 'redis://r:6379', prefix: 'motcua' });
    expect(config.demoData).toBe(false);
    expect(config.publicUrl).toBe('https://dichvucong.example.vn');
    expect(config.keyEncryptionSecret).toBe('x'.repeat(32));
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://r', LOG_LEVEL: 'loud', MAX_UPLOAD_MB: '-1' });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['APP_SECRET', 'DATABASE_URL', 'LOG_LEVEL', 'MAX_UPLOAD_MB', 'PORT', 'REDIS_URL']);
    expect((error as ConfigError).message).toContain('PORT');
  });

  it('keeps files in PostgreSQL by default; STORAGE_DRIVER=s3 takes the bucket, path style and keys from S3_*', () => {
    const production = { DATABASE_URL: 'postgres://db/x', APP_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ DATA_DIR: '/tmp/motcua-x' }).storage).toEqual({ driver: 'postgres', s3: undefined });
    const s3 = loadConfig({
      ...production, STORAGE_DRIVER: 's3', S3_BUCKET: 'motcua-files', S3_ENDPOINT: 'http://minio.local:9000/',
      S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret',
    }).storage;
    expect(s3).toEqual({
      driver: 's3',
      s3: { endpoint: 'http://minio.local:9000', region: 'us-east-1', bucket: 'motcua-files', credentials: { accessKeyId: 'key', secretAccessKey: 'secret' }, forcePathStyle: true, timeoutMs: 30_000, maxSockets: 50 },
    });
    // Path style follows S3_ENDPOINT unless set: AWS itself (no endpoint) is addressed by virtual host.
    const aws = { ...production, STORAGE_DRIVER: 's3', S3_BUCKET: 'motcua-files' };
    expect(loadConfig(aws).storage.s3?.forcePathStyle).toBe(false);
    expect(loadConfig({ ...aws, S3_ENDPOINT: 'https://s3.example.vn', S3_FORCE_PATH_STYLE: 'false' }).storage.s3?.forcePathStyle).toBe(false);
    expect(loadConfig({ ...aws, S3_MAX_SOCKETS: '8' }).storage.s3?.maxSockets).toBe(8);
  });

  it('refuses object storage without a bucket, in the embedded default, or with half the keys', () => {
    const problems = (env: Record<string, string>) => {
      try { loadConfig(env); } catch (e) { return (e as ConfigError).problems.map((p) => p.split(':')[0]).sort(); }
      return [];
    };
    expect(problems({ STORAGE_DRIVER: 's3', S3_BUCKET: 'motcua-files' })).toEqual(['STORAGE_DRIVER']);
    expect(problems({ DATABASE_URL: 'postgres://db/x', APP_SECRET: 'x'.repeat(32), STORAGE_DRIVER: 's3', S3_ACCESS_KEY_ID: 'key' }))
      .toEqual(['S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY', 'S3_BUCKET']);
    expect(problems({ DATABASE_URL: 'postgres://db/x', APP_SECRET: 'x'.repeat(32), STORAGE_DRIVER: 'disk' })).toEqual(['STORAGE_DRIVER']);
  });
});
