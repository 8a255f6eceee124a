import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { listFailedEffects, retryFailedEffect } from '../../services/operations/failed-effects.js';

export const failedEffect = z.object({
  id: z.number().int(), job: z.string(), label: z.string(), dossierCode: z.string().nullable(), attempts: z.number().int(),
  lastError: z.string().nullable(), createdAt: z.string(), failedAt: z.string(),
});

export const adminEffectRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/effects', {
    schema: {
      tags: ['admin'], summary: 'Tác vụ (kết quả, biểu mẫu, thư) đã lỗi hẳn sau mọi lần thử lại',
      response: { 200: z.object({ items: z.array(failedEffect) }) },
    },
  }, async (request) => ({ items: await listFailedEffects(ctx, requireStaff(request)) }));

  app.post('/api/admin/effects/:id/retry', {
    schema: {
      tags: ['admin'], summary: 'Chạy lại một tác vụ lỗi, với đủ số lần thử như mới',
      params: z.object({ id: z.coerce.number().int().positive().max(2 ** 53) }),
      response: { 200: z.object({ id: z.number().int(), job: z.string() }) },
    },
  }, async (request) => retryFailedEffect(ctx, requireStaff(request), request.params.id, request.ip));
};
