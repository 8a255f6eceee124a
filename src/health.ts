// Liveness and readiness: the checks behind the HTTP server's /healthz and /readyz (routes/api/health.ts) and the
// worker's own small health server. Readiness fails (503) only when PostgreSQL does not answer. Without Redis,
// filing, actions and login still work (effects wait in the outbox), so the queue is reported as degraded, with 200.
import http from 'node:http';
import type { Logger } from 'pino';
import type { MetricsEndpoint } from './metrics/worker-endpoint.js';

export interface ReadinessProbe {
  database: { kind: string; ping(): Promise<void> };
  /** `ping` absent: nothing to ask (inline jobs). */
  queue: { kind: string; ping?: () => Promise<void> };
}

export type ReadyBody = { status: 'ready' | 'degraded'; database: string; queue: string; degraded?: Array<'queue'> };
export type UnavailableBody = { status: 'unavailable'; problems: Array<'database' | 'queue'> };
export type Readiness = { ok: true; body: ReadyBody } | { ok: false; body: UnavailableBody };

/** Each dependency gets `timeoutMs` to answer, so the probe itself answers within about that time. */
export async function checkReadiness(probe: ReadinessProbe, timeoutMs = 2_000): Promise<Readiness> {
  const [database, queue] = await Promise.all([
    answers(() => probe.database.ping(), timeoutMs),
    probe.queue.ping ? answers(probe.queue.ping, timeoutMs) : Promise.resolve(true),
  ]);
  if (!database) return { ok: false, body: { status: 'unavailable', problems: queue ? ['database'] : ['database', 'queue'] } };
  return queue
    ? { ok: true, body: { status: 'ready', database: probe.database.kind, queue: probe.queue.kind } }
    : { ok: true, body: { status: 'degraded', database: probe.database.kind, queue: probe.queue.kind, degraded: ['queue'] } };
}

async function answers(ping: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthServer { port: number; close(): Promise<void> }

/**
 * The worker serves no HTTP otherwise: GET /healthz (the process answers) and GET /readyz (as the server's), on
 * WORKER_HEALTH_PORT, and GET /metrics when `metrics` is given (metrics/worker-endpoint.ts). node:http rather than
 * fastify: a few fixed answers need no framework.
 */
export async function startHealthServer(options: { host: string; port: number; probe: ReadinessProbe; log: Logger; metrics?: MetricsEndpoint }): Promise<HealthServer> {
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: { code: 'BAD_REQUEST', message: 'Chỉ hỗ trợ GET.' } });
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      checkReadiness(options.probe).then(
        (readiness) => send(res, readiness.ok ? 200 : 503, readiness.body),
        (err: unknown) => { options.log.error({ err }, 'readiness check failed'); send(res, 503, { status: 'unavailable', problems: [] }); },
      );
      return;
    }
    if (path === '/metrics' && options.metrics) {
      options.metrics.handle(req, res).catch((err: unknown) => { options.log.error({ err }, 'metrics scrape failed'); send(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'Không đọc được số liệu giám sát.' } }); });
      return;
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `Không tìm thấy ${req.method} ${path}.` } });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: async () => {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await options.metrics?.close();
    },
  };
}
