// /api/signatures/remote: remote signing (ký số từ xa, SmartCA-style) of one or many results waiting for the caller —
// one confirmation on the official's phone — and the request's progress (services/results/remote-signing.ts).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { MAX_REMOTE_BATCH, remoteSigningStatus, startRemoteSigning } from '../../services/results/remote-signing.js';
import { errorResponse } from './error-response.js';

const outcome = z.object({ code: z.string(), message: z.string() });

/**
 * Each start renders and prepares up to MAX_REMOTE_BATCH documents and sends a request to the official's phone: a few
 * a minute is what a person does. Counted per official (after the caller is known), else per address.
 */
const START_RATE_LIMIT = {
  max: 30, timeWindow: '1 minute', hook: 'preHandler' as const,
  keyGenerator: (request: FastifyRequest) => (request.caller?.kind === 'staff' ? `remote-start|${request.caller.staff.id}` : `remote-start|${request.ip}`),
};

export const remoteSigningRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/signatures/remote', {
    config: { rateLimit: START_RATE_LIMIT },
    schema: {
      tags: ['signing'], summary: 'Ký số từ xa: gửi yêu cầu ký một hoặc nhiều văn bản kết quả, người ký xác nhận một lần trên điện thoại',
      description: 'Các hồ sơ phải đang chờ chữ ký số từ xa của người gọi. Trả 202 ngay khi nhà cung cấp nhận yêu cầu; tiến trình xem ở '
        + '`GET /api/signatures/remote/{requestId}`. Hồ sơ không ký được trong một lô nằm trong `skipped` (một hồ sơ: trả lỗi trực tiếp). '
        + 'Chưa đăng ký ký số từ xa → 403 NO_REMOTE_SIGNING_KEY; hồ sơ đang chờ xác nhận → 409 REMOTE_SIGNING_IN_PROGRESS; '
        + 'không hồ sơ nào chờ ký → 409 SIGNING_NOT_PENDING; nhà cung cấp không phản hồi → 503 REMOTE_SIGNING_UNAVAILABLE (yêu cầu đã ghi '
        + 'nhận được kết thúc ở trạng thái failed kèm lỗi). Tối đa 30 lần gọi mỗi phút cho mỗi người ký (429 RATE_LIMITED).',
      body: z.object({ codes: z.array(z.string().min(1).max(64)).min(1).max(MAX_REMOTE_BATCH) }),
      response: {
        202: z.object({
          requestId: z.string(), transactionId: z.string(), expiresAt: z.string(), count: z.number().int(),
          skipped: z.array(z.object({ code: z.string(), error: outcome })),
        }),
        401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse, 429: errorResponse, 502: errorResponse, 503: errorResponse,
      },
    },
  }, async (request, reply) => reply.status(202).send(await startRemoteSigning(ctx, request.caller, request.body)));

  app.get('/api/signatures/remote/:requestId', {
    schema: {
      tags: ['signing'], summary: 'Ký số từ xa: trạng thái yêu cầu và kết quả từng hồ sơ',
      description: '`status`: pending (chờ xác nhận trên điện thoại, hoặc đã xác nhận và đang đóng dấu, lưu văn bản — `error` cho biết vì sao '
        + 'đang thử lại) | confirmed (đã xác nhận; từng hồ sơ: signed hoặc failed kèm lỗi) | rejected | expired | failed (kèm `error`, ví dụ không '
        + 'gửi được yêu cầu hoặc không đóng dấu được sau nhiều lần thử). Khi từ chối/hết hạn, văn bản vẫn chờ ký và có thể gửi lại yêu cầu. Mã lỗi từng hồ sơ: CERTIFICATE_MISMATCH, '
        + 'SIGNATURE_INVALID, SIGNING_NOT_PENDING, REMOTE_SIGNING_REJECTED, REMOTE_SIGNING_EXPIRED, REMOTE_SIGNING_UNAVAILABLE, REMOTE_SIGNING_REFUSED, hoặc mã lỗi của việc đóng dấu khi hết số lần thử (ví dụ SIGNING_KEY_MISSING, REVOCATION_UNAVAILABLE).',
      params: z.object({ requestId: z.string().min(1).max(64) }),
      response: {
        200: z.object({
          requestId: z.string(), transactionId: z.string().nullable(), status: z.enum(['pending', 'confirmed', 'rejected', 'expired', 'failed']),
          createdAt: z.string(), expiresAt: z.string(), completedAt: z.string().nullable(), error: outcome.nullable(),
          counts: z.object({ pending: z.number().int(), signed: z.number().int(), failed: z.number().int() }),
          items: z.array(z.object({ code: z.string(), status: z.enum(['pending', 'signed', 'failed']), error: outcome.optional() })),
        }),
        401: errorResponse, 404: errorResponse,
      },
    },
  }, async (request) => remoteSigningStatus(ctx, request.caller, request.params.requestId));
};
