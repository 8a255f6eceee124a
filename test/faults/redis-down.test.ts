// Redis down or hung, production mode (PostgreSQL + BullMQ): filing, actions and staff sign-in do not need Redis
// (effects wait in the outbox), so they keep working — the login rate limit is skipped rather than failing or
// hanging — /readyz answers 200 'degraded', and the outage costs a few log lines, not one per reconnection attempt.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { freePort, startOwnRedis, type OwnRedis } from '../helpers/own-services.js';
import { startServerApp, type ServerApp } from '../helpers/server-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capturedLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({ write(chunk, _encoding, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function fileOne(api: ApiClient) {
  return api.submit('diploma-copy', diplomaRequest('Vũ Thị Mai'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }]);
}

describe('Redis down', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database?.drop(); });

  it('with nothing listening on the Redis port: login 200, filing 201, /readyz 200 degraded, a few log lines', async () => {
    const { log, lines } = capturedLog();
    const server: ServerApp = await startServerApp({ databaseUrl: database.url, redisUrl: `redis://127.0.0.1:${await freePort()}`, log });
    try {
      const api = await listenForHttp(server);
      expect((await api.json('POST', '/api/auth/login', { json: { username: 'clerk', password: 'demo' } })).status).toBe(200);
      const filed = await fileOne(api);
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      const clerk = await api.login('clerk');
      expect((await api.act(filed.body.code, 'receive', clerk, { version: 1 })).status).toBe(200);
      const ready = await api.json('GET', '/readyz');
      expect(ready).toEqual({ status: 200, body: { status: 'degraded', database: 'postgres', queue: 'bullmq', degraded: ['queue'] } });
      // ioredis retries every few hundred ms; the log says so once (then at most once a minute).
      await sleep(3_000);
      const redisLines = lines.filter((l) => /redis/i.test(l.msg));
      expect(redisLines.length, JSON.stringify(redisLines)).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });

  describe('own Redis', () => {
    let own: Awaited<ReturnType<typeof createTestDatabase>>;
    let redis: OwnRedis;
    let server: ServerApp;
    let api: ApiClient;
    beforeAll(async () => {
      own = await createTestDatabase();
      redis = await startOwnRedis();
      server = await startServerApp({ databaseUrl: own.url, redisUrl: redis.url, env: { LOGIN_RATE_LIMIT: '2' } });
      api = await listenForHttp(server);
    });
    afterAll(async () => {
      await server?.close();
      await redis?.close();
      await own?.drop();
    });

    const login = () => api.json('POST', '/api/auth/login', { json: { username: 'clerk', password: 'demo' }, headers: { 'x-test': String(Math.random()) } });

    it('counts logins in Redis while it answers, skips the limit while it is down or hung, and recovers', async () => {
      // The client connects in the background (requests never wait for it): ready once it has.
      await eventually(async () => ((await api.json('GET', '/readyz')).body.status === 'ready' ? true : undefined), 10_000, 50);
      expect((await api.json('GET', '/readyz')).body).toEqual({ status: 'ready', database: 'postgres', queue: 'bullmq' });
      const statuses = [(await login()).status, (await login()).status, (await login()).status];
      expect(statuses).toEqual([200, 200, 429]);

      redis.pause(); // connections open, nothing answered: commands time out instead of waiting forever
      expect((await login()).status).toBe(200);
      expect((await api.json('GET', '/readyz')).body).toMatchObject({ status: 'degraded', degraded: ['queue'] });
      redis.resume();

      await redis.stop();
      expect((await login()).status).toBe(200);
      expect((await fileOne(api)).status).toBe(201);
      expect((await api.json('GET', '/readyz')).body).toMatchObject({ status: 'degraded' });

      await redis.start(); // empty: the counters start again
      await eventually(async () => ((await api.json('GET', '/readyz')).body.status === 'ready' ? true : undefined), 15_000, 200);
      expect([(await login()).status, (await login()).status, (await login()).status]).toEqual([200, 200, 429]);
    });
  });
});
