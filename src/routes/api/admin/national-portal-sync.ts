// /api/admin/national-portal/sync: the outbound sync with the national portal — backlog, failures, retry.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import { nationalSyncOverview, retryFailedNationalSync } from '../../../services/national-portal/sync-overview.js';
import { failedEffect } from '../admin-effects.js';
import { errorResponse } from '../error-response.js';

const overview = z.object({
  configured: z.boolean(),
  portalUrl: z.string().nullable(),
  unsentSteps: z.number().int(),
  oldestUnsentAt: z.string().nullable(),
  failingDossiers: z.array(z.object({
    dossierCode: z.string(), unsentSteps: z.number().int(), attempts: z.number().int(), lastAttemptAt: z.string().nullable(), lastError: z.string().nullable(),
  })),
  recentSent: z.array(z.object({ dossierCode: z.string(), eventId: z.number().int(), action: z.string(), status: z.string(), sentAt: z.string() })),
  failedEffects: z.array(failedEffect),
});

export const adminNationalSyncRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/national-portal/sync', {
    schema: {
      tags: ['admin'], summary: 'Đồng bộ lên Cổng DVC quốc gia: bước chưa gửi, hồ sơ đang lỗi, bước đã gửi gần đây, tác vụ đồng bộ lỗi hẳn',
      response: { 200: overview, 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => nationalSyncOverview(ctx, requireStaff(request)));

  app.post('/api/admin/national-portal/sync/retry', {
    schema: {
      tags: ['admin'], summary: 'Chạy lại mọi tác vụ đồng bộ đã lỗi hẳn (mỗi tác vụ một dòng nhật ký effect.retried)',
      response: { 200: z.object({ retried: z.array(z.number().int()) }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => retryFailedNationalSync(ctx, requireStaff(request), request.ip));
};
