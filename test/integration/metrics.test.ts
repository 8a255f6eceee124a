// Prometheus metrics: GET /metrics on the server (HTTP latency by route pattern, queue depths, outbox lag, failed
// effects, Node's own) and on the worker's health port; readable from loopback/private addresses or with the
// METRICS_TOKEN bearer token, refused (403, or 401 when a token is configured) from a public address or through a proxy.
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { startHealthServer } from '../../src/health.js';
import { signingSeconds, timeSigning } from '../../src/metrics/process.js';
import { workerMetricsEndpoint } from '../../src/metrics/worker-endpoint.js';
import { failFastRedis } from '../../src/redis.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/databases.js';

const PUBLIC_ADDRESS = '203.0.113.7';
const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample line (`name{labels} value`), or undefined when the line is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('metrics in production mode (PostgreSQL + BullMQ)', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => { await env?.close(); });

  const scrape = async (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
    env.app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress });

  it('times requests by route pattern and status class, never by raw URL', async () => {
    expect((await env.app.inject({ method: 'GET', url: '/api/procedures/diploma-copy' })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'GET', url: '/api/procedures/khong-co-thu-tuc-nay' })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: '/duong-dan/la-1234' })).statusCode).toBe(404);

    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.body;
    expect(text).toMatch(/^motcua_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/procedures\/:id",status_class="2xx"\} 1$/m);
    expect(sample(text, 'motcua_http_request_duration_seconds_count', { route: '/api/procedures/:id', status_class: '2xx' })).toBe(1);
    expect(sample(text, 'motcua_http_request_duration_seconds_count', { route: '/api/procedures/:id', status_class: '4xx' })).toBe(1);
    expect(sample(text, 'motcua_http_request_duration_seconds_count', { route: '(unmatched)', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('khong-co-thu-tuc-nay');
    expect(text).not.toContain('la-1234');
    // Node's own metrics and the signing histogram's declaration.
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('# TYPE motcua_signing_duration_seconds histogram');
  });

  it('reports queue depths per BullMQ queue, the outbox lag and failed effects', async () => {
    // An effect not yet due (as if waiting for a retry), filed an hour ago: the outbox lag is at least an hour.
    const [row] = await env.ctx.db.insert(outbox).values({
      job: 'notify-citizen', payload: { probe: true },
      createdAt: new Date(Date.now() - 3_600_000), availableAt: new Date(Date.now() + 86_400_000),
    }).returning();
    // And one that failed for good.
    const [failed] = await env.ctx.db.insert(outbox).values({
      job: 'notify-citizen', payload: { probe: true }, failedAt: new Date(), relayedAt: new Date(), lastError: 'thử',
    }).returning();
    try {
      const text = (await scrape()).body;
      for (const queue of ['notify-citizen', 'notify-citizen-batch', 'issue-result', 'sla-sweep']) {
        for (const state of ['waiting', 'active', 'delayed', 'failed']) {
          expect(sample(text, 'motcua_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
        }
        expect(sample(text, 'motcua_queue_oldest_waiting_seconds', { queue })).toBeGreaterThanOrEqual(0);
      }
      expect(sample(text, 'motcua_metrics_source_up', { source: 'queue' })).toBe(1);
      expect(sample(text, 'motcua_metrics_source_up', { source: 'outbox' })).toBe(1);
      expect(sample(text, 'motcua_outbox_lag_seconds')).toBeGreaterThanOrEqual(3_600);
      expect(sample(text, 'motcua_outbox_rows', { stage: 'pending' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'motcua_failed_effects')).toBeGreaterThanOrEqual(1);
    } finally {
      await env.ctx.db.delete(outbox).where(sql`id in (${row!.id}, ${failed!.id})`);
    }
  });

  it('counts a waiting job and its age in the BullMQ queue it sits in', async () => {
    const prefix = env.config.queue.kind === 'bullmq' ? env.config.queue.prefix : '';
    const queue = new Queue('sla-sweep', { connection: { url: REDIS_URL }, prefix });
    await queue.pause(); // the test's own worker would otherwise take the job at once
    try {
      await queue.add('probe', {}, { jobId: 'metrics-probe', timestamp: Date.now() - 120_000 });
      const text = (await scrape()).body;
      expect(sample(text, 'motcua_queue_jobs', { queue: 'sla-sweep', state: 'waiting' })).toBe(1);
      expect(sample(text, 'motcua_queue_oldest_waiting_seconds', { queue: 'sla-sweep' })).toBeGreaterThanOrEqual(119);
    } finally {
      await queue.remove('metrics-probe');
      await queue.resume();
      await queue.close();
    }
  });

  it('is refused from a public address without the token (401), with a wrong token, and through a proxy', async () => {
    const anonymous = await scrape({}, PUBLIC_ADDRESS);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    expect((await scrape({ authorization: 'Bearer not-the-token' }, PUBLIC_ADDRESS)).statusCode).toBe(401);
    // A wrong token is refused even from loopback; a public client behind a local proxy looks like 127.0.0.1.
    expect((await scrape({ authorization: 'Bearer not-the-token' })).statusCode).toBe(401);
    expect((await scrape({ 'x-forwarded-for': PUBLIC_ADDRESS })).statusCode).toBe(401);
    expect((await scrape({ forwarded: `for=${PUBLIC_ADDRESS}` }, '10.1.2.3')).statusCode).toBe(401);
    // The token opens it from anywhere; private addresses need none.
    const withToken = await scrape({ authorization: `Bearer ${TOKEN}` }, PUBLIC_ADDRESS);
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toContain('motcua_queue_jobs');
    for (const address of ['10.0.0.5', '172.20.0.3', '192.168.1.10', '::1', '::ffff:127.0.0.1', 'fd00::7']) {
      expect((await scrape({}, address)).statusCode, address).toBe(200);
    }
    for (const address of ['172.32.0.1', '8.8.8.8', '2001:db8::1', '::ffff:203.0.113.7']) {
      expect((await scrape({}, address)).statusCode, address).toBe(401);
    }
  });

  it('serves the worker metrics on its health server', async () => {
    const redis = failFastRedis(REDIS_URL, pino({ level: 'silent' }), 'test-health');
    const health = await startHealthServer({
      host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }),
      probe: { database: env.ctx.database, queue: { kind: 'bullmq', ping: async () => { await redis.ping(); } } },
      metrics: workerMetricsEndpoint(env.ctx, redis),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${health.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(sample(text, 'motcua_queue_jobs', { queue: 'issue-result', state: 'waiting' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'motcua_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(text).toContain('process_resident_memory_bytes');
      // A proxied request needs the token on the worker too.
      const proxied = await fetch(`http://127.0.0.1:${health.port}/metrics`, { headers: { 'x-forwarded-for': PUBLIC_ADDRESS } });
      expect(proxied.status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${health.port}/metrics`, { headers: { 'x-forwarded-for': PUBLIC_ADDRESS, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await health.close();
      redis.disconnect();
    }
  });
});

describe('metrics in the embedded mode (PGlite + inline jobs)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('embedded'); });
  afterAll(async () => { await env?.close(); });

  it('reports the outbox per job in place of queues, and refuses a public address without a token configured (403)', async () => {
    const text = (await env.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'motcua_queue_jobs', { queue: 'notify-citizen', state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'motcua_queue_jobs', { queue: 'notify-citizen', state: 'active' })).toBeUndefined();
    expect(sample(text, 'motcua_metrics_source_up', { source: 'outbox' })).toBe(1);
    expect(sample(text, 'motcua_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    const refused = await env.app.inject({ method: 'GET', url: '/metrics', remoteAddress: PUBLIC_ADDRESS });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
  });
});

describe('signing durations', () => {
  it('records each signing step by kind and outcome', async () => {
    const before = async (kind: string, outcome: string) =>
      (await signingSeconds.get()).values.find((v) => v.metricName === 'motcua_signing_duration_seconds_count' && v.labels.kind === kind && v.labels.outcome === outcome)?.value ?? 0;
    const okBefore = await before('seal', 'ok');
    const errorBefore = await before('signature', 'error');
    expect(await timeSigning('seal', async () => 'signed')).toBe('signed');
    await expect(timeSigning('signature', async () => { throw new Error('PIN sai'); })).rejects.toThrow('PIN sai');
    expect(await before('seal', 'ok')).toBe(okBefore + 1);
    expect(await before('signature', 'error')).toBe(errorBefore + 1);
  });
});
