// /api/me/dossiers: the signed-in citizen's space as JSON (services/citizens/space.ts). Who the citizen is (GET /api/me)
// is served with the sign-in routes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { MY_DOSSIERS_PAGE, myDossiers, myDossiersQuery } from '../../services/citizens/space.js';
import { errorResponse } from './error-response.js';

const person = z.object({ relation: z.enum(['self', 'child']), personalId: z.string(), name: z.string() });
const myDossier = z.object({
  code: z.string(), procedure: z.object({ id: z.string(), title: z.string() }), status: z.string(), statusLabel: z.string(),
  submittedAt: z.string(), dueAt: z.string().nullable(),
  for: z.object({ relation: z.enum(['self', 'child', 'other']), personalId: z.string().nullable(), name: z.string().nullable() }),
  filedByMe: z.boolean(), unreadMessages: z.number().int(), resultAvailable: z.boolean(),
  links: z.object({ self: z.string(), page: z.string(), result: z.string().nullable() }),
});

export const meRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/me/dossiers', {
    schema: {
      tags: ['citizens'], summary: 'Hồ sơ của tôi: hồ sơ công dân đã nộp và hồ sơ liên quan đến công dân hoặc con của công dân',
      description: 'Công dân đã đăng nhập bằng VNeID (cookie phiên công dân); người khác 401 UNAUTHENTICATED. Mới nhất trước; '
        + `\`next\` (hoặc null) là \`before\` của trang sau; \`limit\` ≤ ${MY_DOSSIERS_PAGE.max} (mặc định ${MY_DOSSIERS_PAGE.default}). `
        + '`person`: chỉ hồ sơ của chính công dân hoặc của một người con (422 với số định danh khác). `people`: công dân và các con theo dữ liệu định danh.',
      querystring: myDossiersQuery,
      response: {
        200: z.object({ people: z.array(person), items: z.array(myDossier), next: z.string().nullable() }),
        401: errorResponse, 422: errorResponse,
      },
    },
  }, async (request) => myDossiers(ctx, request.caller, request.query));
};
