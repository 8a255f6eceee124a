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
});
