// Streamed exports hold a pool connection and a snapshot while their client reads: at most EXPORT_CONCURRENCY at once
// per process (here 1; beyond it 429 EXPORT_BUSY with Retry-After), the slot given back when the download ends. Real
// HTTP (node:http, a paused response), real PostgreSQL, a month of ~20,000 dossiers (bench/growth-data.ts), a few MB
// of CSV. The idle timeout (EXPORT_IDLE_MS) is not tested here: loopback sockets buffer several MB, so a paused client
// of this size does not stall the server's stream.
import http from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDossiers, lastMonth, prepareChoices } from '../../bench/growth-data.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

describe('streamed exports: a limit per process', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let clerk: string;
  const month = lastMonth();
  const path = `/api/reports/tracking-book?from=${month.from}&to=${month.to}&format=csv`;

  beforeAll(async () => {
    env = await startTestEnvironment('production', { env: { EXPORT_CONCURRENCY: '1' } });
    if (env.config.database.kind !== 'postgres') throw new Error('this test needs PostgreSQL');
    const sql = postgres(env.config.database.url, { max: 2, onnotice: () => {} });
    try {
      await prepareChoices(sql);
      await buildDossiers(sql, 1, 40_000, 'Lê Thị Thu Hà');
    } finally {
      await sql.end({ timeout: 5 });
    }
    api = await listenForHttp(env);
    clerk = await api.login('clerk');
  }, 240_000);
  afterAll(async () => { await env?.close(); });

  /** Starts a download and stops reading after its first chunk; resolves with the response, paused. */
  const openAndStall = () => new Promise<{ res: http.IncomingMessage; ended: Promise<boolean> }>((resolve, reject) => {
    http.get(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${clerk}` } }, (res) => {
      const ended = new Promise<boolean>((done) => {
        res.once('end', () => done(true));
        res.once('aborted', () => done(false));
        res.once('error', () => done(false));
        res.once('close', () => done(res.complete));
      });
      res.once('data', () => { res.pause(); resolve({ res, ended }); });
    }).on('error', reject);
  });
  const exportStatus = async () => {
    const response = await api.request('GET', path, { token: clerk });
    const body = response.status === 200 ? Buffer.from(await response.arrayBuffer()) : await response.json() as { error: { code: string; message: string } };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('refuses a second export while the first is open (EXPORT_BUSY), and serves one after it was read to the end', async () => {
    const first = await openAndStall();
    const busy = await exportStatus();
    expect(busy.status).toBe(429);
    expect(busy.retryAfter).toBe('30');
    expect((busy.body as { error: { code: string; message: string } }).error.code).toBe('EXPORT_BUSY');
    expect((busy.body as { error: { message: string } }).error.message).toMatch(/thử lại/);
    // The first read to its end: the slot is free again.
    first.res.resume();
    expect(await first.ended).toBe(true);
    let next = await exportStatus();
    for (let i = 0; i < 50 && next.status === 429; i++) { await sleep(100); next = await exportStatus(); }
    expect(next.status).toBe(200);
    expect((next.body as Buffer).length).toBeGreaterThan(2_000_000);
  });
});
