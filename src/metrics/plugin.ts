// The server's side: times every request by its route pattern, serves GET /metrics to scrapers on the private
// network or holding METRICS_TOKEN (access.ts), and decorates the app with the QueueInspector the admins' queue page
// reads. Registered at the root (fastify-plugin) so the timing hook sees every route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { QueueInspector } from '../services/operations/queue-status.js';
import { metricsAccess } from './access.js';
import { createAppMetrics, METRICS_CONTENT_TYPE } from './app-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Queue and outbox state for the admins' queue page and the metrics (services/operations/queue-status.ts). */
    queueInspector: QueueInspector;
  }
}

/** 404s have no route: one label for all of them, so scanners cannot grow the metric's label set. */
const UNMATCHED_ROUTE = '(unmatched)';

export const metricsPlugin = fp(async (app: FastifyInstance, opts: { ctx: AppContext; redis: Redis | undefined }) => {
  const inspector = new QueueInspector(opts.ctx, opts.redis);
  const metrics = createAppMetrics(inspector);
  app.decorate('queueInspector', inspector);
  app.addHook('onClose', async () => { await inspector.close(); });

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    schema: {
      tags: ['health'],
      summary: 'Số liệu giám sát (Prometheus): chỉ từ mạng nội bộ hoặc với METRICS_TOKEN',
      security: [{ bearer: [] }],
    },
    // Answered here, before the caller plugin's preHandler looks the bearer token up as a staff session: a scrape
    // must work while PostgreSQL is down (that is when the numbers matter), and the token is not a session.
    onRequest: async (request, reply) => {
      const access = metricsAccess({ address: request.ip, headers: request.headers, token: opts.ctx.config.metricsToken });
      if (!access.allowed) {
        if (access.status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError(access.code, access.message);
      }
      return reply.header('cache-control', 'no-store').type(METRICS_CONTENT_TYPE).send(await metrics.scrape());
    },
  }, async (_request, reply) => reply);
}, { name: 'motcua-metrics' });
