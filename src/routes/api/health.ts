import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { checkReadiness } from '../../health.js';

export const healthRoutes: FastifyPluginAsyncZod<{ ctx: AppContext; queuePing?: () => Promise<void> }> = async (app, { ctx, queuePing }) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Tiến trình còn chạy', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));

  // 503 only without the database; without Redis filing still works (effects wait in the outbox): 200 'degraded'.
  app.get('/readyz', {
    schema: {
      tags: ['health'], summary: 'Cơ sở dữ liệu sẵn sàng (hàng đợi: ready / degraded)',
      response: {
        200: z.object({ status: z.enum(['ready', 'degraded']), database: z.string(), queue: z.string(), degraded: z.array(z.literal('queue')).optional() }),
        503: z.object({ status: z.literal('unavailable'), problems: z.array(z.enum(['database', 'queue'])) }),
      },
    },
  }, async (_request, reply) => {
    const readiness = await checkReadiness({ database: ctx.database, queue: { kind: ctx.config.queue.kind, ping: queuePing } });
    if (!readiness.ok) return reply.status(503).header('retry-after', '5').send(readiness.body);
    return readiness.body;
  });
};
