// /api/dossiers/:code/messages: the conversation between the office and the citizen about a dossier, with read
// receipts (services/messages/dossier-messages.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { MAX_MESSAGE_LENGTH, MESSAGES_SHOWN, postDossierMessage, readDossierMessages } from '../../services/messages/dossier-messages.js';
import { messagePostLimiter } from '../message-limit.js';
import { errorResponse } from './error-response.js';

const codeParams = z.object({ code: z.string().min(1).max(64) });
const message = z.object({
  id: z.string(), author: z.object({ kind: z.enum(['staff', 'citizen']), name: z.string() }), body: z.string(),
  createdAt: z.string(), readAt: z.string().nullable(), mine: z.boolean(),
});

export const messageRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const limit = messagePostLimiter(app, ctx);
  app.get('/api/dossiers/:code/messages', {
    schema: {
      tags: ['dossiers'], summary: 'Tin nhắn giữa cán bộ và công dân về hồ sơ (đọc là đã xem)',
      description: 'Ai xem được hồ sơ thì đọc được tin nhắn: công dân (phiên VNeID, hoặc `Authorization: Bearer <trackingToken>`), cán bộ của đơn vị '
        + `với tới hồ sơ. ${MESSAGES_SHOWN} tin gần nhất, cũ nhất trước; \`hasEarlier\`: còn tin cũ hơn không hiển thị. ` + 'Đọc tin nhắn của phía bên kia là đánh dấu đã xem (`readAt`): công dân đọc thì tin của cán bộ được đánh dấu, '
        + 'cán bộ của đơn vị đang giữ hồ sơ đọc thì tin của công dân được đánh dấu. `canWrite`: người gọi có được gửi tin nhắn không.',
      params: codeParams,
      response: { 200: z.object({ items: z.array(message), canWrite: z.boolean(), hasEarlier: z.boolean() }), 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => readDossierMessages(ctx, request.params.code, request.caller));

  app.post('/api/dossiers/:code/messages', {
    schema: {
      tags: ['dossiers'], summary: 'Gửi tin nhắn về hồ sơ (cán bộ của đơn vị đang giữ hồ sơ, hoặc công dân)',
      description: `JSON \`{ body }\`: 1–${MAX_MESSAGE_LENGTH} ký tự (422 VALIDATION_FAILED). Cán bộ chỉ xem được hồ sơ (đơn vị đã chuyển hồ sơ đi) 403 UNIT_FORBIDDEN. `
        + 'Tin nhắn của cán bộ được ghi nhật ký (message.sent) và báo cho công dân qua thư điện tử khi hồ sơ có email. '
        + `Tối đa ${ctx.config.messageRatePerMinute || 'không giới hạn'} tin mỗi phút cho mỗi địa chỉ và hồ sơ (MESSAGE_RATE_LIMIT, cùng với các trang hồ sơ): 429 RATE_LIMITED, Retry-After.`,
      params: codeParams,
      // Validated by the service after the access check (the pages post the same shape): a stranger always gets 404/403.
      body: z.unknown(),
      response: { 201: message, 403: errorResponse, 404: errorResponse, 422: errorResponse, 429: errorResponse },
    },
    preHandler: async (request) => {
      const refused = await limit(request);
      if (refused) throw refused;
    },
  }, async (request, reply) => reply.status(201).send(await postDossierMessage(ctx, request.params.code, request.caller, request.body)));
};
