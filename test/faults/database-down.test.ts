// PostgreSQL down: callers are told 503 SERVICE_UNAVAILABLE with Retry-After, soon (the pool's connect timeout and
// back-off are bounded, db/client.ts), in the API's error format and as a Vietnamese page; /readyz says 503; and
// everything answers again once PostgreSQL is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diplomaRequest } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';
import { makePdf } from '../helpers/files.js';
import { startOwnPostgres, startTcpProxy, type OwnPostgres, type TcpProxy } from '../helpers/own-services.js';
import { REDIS_URL } from '../helpers/databases.js';
import { startServerApp, type ServerApp } from '../helpers/server-app.js';

async function filing() {
  const boundary = '----motcua-test';
  const pdf = await makePdf();
  const parts = [
    `--${boundary}\r\nContent-Disposition: form-data; name="procedure"\r\n\r\ndiploma-copy\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${JSON.stringify(diplomaRequest('Phạm Văn Đức'))}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="identity"; filename="cccd.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  ];
  const payload = Buffer.concat([Buffer.from(parts.join('')), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { method: 'POST' as const, url: '/api/dossiers', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
}

describe('PostgreSQL down', () => {
  let pg: OwnPostgres;
  let server: ServerApp;
  beforeAll(async () => {
    pg = await startOwnPostgres();
    server = await startServerApp({ databaseUrl: pg.url, redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await server?.close();
    await pg?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After (API and pages), then recovers when PostgreSQL is back', async () => {
    const { app } = server;
    expect((await app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' })).statusCode).toBe(200);
    await pg.stop('fast');

    for (const request of [{ method: 'GET' as const, url: '/api/procedures/diploma-copy' }, await filing()]) {
      const response = await app.inject(request);
      expect(response.statusCode, `${request.url}: ${response.body}`).toBe(503);
      expect(response.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('tạm thời gián đoạn') } });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }

    const page = await app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['retry-after']).toBeDefined();
    expect(page.body).toContain('Dịch vụ tạm thời gián đoạn');

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', problems: ['database'] });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    await pg.start();
    await eventually(async () => ((await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200 ? true : undefined), 15_000, 100);
    expect((await app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' })).statusCode).toBe(200);
    const filed = await app.inject(await filing());
    expect(filed.statusCode, filed.body).toBe(201);
  });

  it('answers 503 too when the network to PostgreSQL swallows packets (connect timeout, not a hang)', async () => {
    const proxy: TcpProxy = await startTcpProxy(pg.port);
    const behind = await startServerApp({ databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, redisUrl: REDIS_URL, seedStaff: false });
    try {
      expect((await behind.app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' })).statusCode).toBe(200);
      proxy.blackhole();
      // The first request may meet a connection just cut (fails at once); the next ones must connect anew and wait.
      for (let attempt = 0; attempt < 2; attempt++) {
        const started = Date.now();
        const response = await behind.app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' });
        console.log(`blackholed network, request ${attempt + 1}: ${response.statusCode} after ${Date.now() - started} ms`);
        expect(response.statusCode, response.body).toBe(503);
        expect(response.json().error.code).toBe('SERVICE_UNAVAILABLE');
        expect(response.headers['retry-after']).toBeDefined();
      }
      proxy.pass();
      await eventually(async () => ((await behind.app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' })).statusCode === 200 ? true : undefined), 15_000, 100);
    } finally {
      await behind.close();
      await proxy.close();
    }
  });
});
