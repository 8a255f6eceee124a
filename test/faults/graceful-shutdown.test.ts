// Graceful shutdown: while the server finishes what is running, a request that still reaches it (on a connection
// kept alive) is answered 503 in our error format, { error: { code, message } }, with Retry-After — not fastify's
// own body — and the request already running completes normally.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, REDIS_URL } from '../helpers/databases.js';
import { startServerApp, type ServerApp } from '../helpers/server-app.js';

/** Raw HTTP/1.1 responses read off one socket (fetch would open a new connection, which the closing server refuses). */
function responsesOf(raw: string): Array<{ status: number; headers: Record<string, string>; body: string }> {
  const out = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

describe('graceful shutdown', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: ServerApp;
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const slowEntered = new Promise<void>((resolve) => { entered = resolve; });
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServerApp({
      databaseUrl: database.url, redisUrl: REDIS_URL, seedStaff: false,
      extend: (app) => {
        app.get('/test/slow', async () => {
          entered();
          await new Promise<void>((resolve) => { release = resolve; });
          return { done: true };
        });
      },
    });
  });
  afterAll(async () => {
    await server?.close().catch(() => {});
    await database?.drop();
  });

  it('answers a request arriving while closing with 503 SERVICE_UNAVAILABLE and Retry-After, and finishes the running one', async () => {
    const { app } = server;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (chunk) => { raw += chunk.toString('utf8'); });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /test/slow HTTP/1.1\r\nHost: motcua.test\r\n\r\n');
    await slowEntered;

    const closed = app.close();
    await new Promise((r) => setTimeout(r, 100)); // close has begun: preClose ran, the listener is shut
    socket.write('GET /api/procedures HTTP/1.1\r\nHost: motcua.test\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    release();
    await closed;
    await ended;

    const [first, second] = responsesOf(raw);
    expect(first?.status).toBe(200);
    expect(JSON.parse(first!.body)).toEqual({ done: true });
    expect(second?.status, raw).toBe(503);
    expect(JSON.parse(second!.body)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } });
    expect(Number(second!.headers['retry-after'])).toBeGreaterThan(0);
    expect(second!.headers.connection).toBe('close');
  });
});
