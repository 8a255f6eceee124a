import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';

export const healthRoutes: FastifyPluginAsyncZod<{ ctx: AppContext; queuePing: () => Promise<void> }> = async (app, { ctx, queuePing }) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Tiến trình còn chạy', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['health'], summary: 'Cơ sở dữ liệu và hàng đợi sẵn sàng',
      response: { 200: z.object({ status: z.literal('ready'), database: z.string(), queue: z.string() }), 503: z.object({ status: z.literal('unavailable'), problems: z.array(z.string()) }) },
    },
  }, async (_request, reply) => {
    const problems: string[] = [];
    await ctx.database.ping().catch(() => problems.push('database'));
    await queuePing().catch(() => problems.push('queue'));
    if (problems.length > 0) return reply.status(503).send({ status: 'unavailable' as const, problems });
    return { status: 'ready' as const, database: ctx.database.kind, queue: ctx.config.queue.kind };
  });
};
