// The worker's side: GET /metrics on its health server (health.ts, WORKER_HEALTH_PORT), with the same access rule as
// the server's. The worker has no HTTP routes to time; it has the signing times (it issues results) and the gauges.
import type http from 'node:http';
import type { Redis } from 'ioredis';
import type { AppContext } from '../app-context.js';
import { QueueInspector } from '../services/operations/queue-status.js';
import { metricsAccess } from './access.js';
import { createAppMetrics, METRICS_CONTENT_TYPE } from './app-metrics.js';

export interface MetricsEndpoint {
  /** Answers one GET /metrics request. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export function workerMetricsEndpoint(ctx: AppContext, redis: Redis | undefined): MetricsEndpoint {
  const inspector = new QueueInspector(ctx, redis);
  const metrics = createAppMetrics(inspector);
  return {
    async handle(req, res) {
      const access = metricsAccess({ address: req.socket.remoteAddress, headers: req.headers, token: ctx.config.metricsToken });
      if (!access.allowed) {
        res.writeHead(access.status, {
          'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store',
          ...(access.status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {}),
        }).end(JSON.stringify({ error: { code: access.code, message: access.message } }));
        return;
      }
      const text = await metrics.scrape();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text);
    },
    close: () => inspector.close(),
  };
}
