// /api/admin/national-portal/inbound: what the national portal pushed to us, accepted or refused (services/national-portal/inbound-log.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { INBOUND_OUTCOMES, INBOUND_PAGE_SIZE, listInboundLog } from '../../../services/national-portal/inbound-log.js';
import { errorResponse } from '../error-response.js';

const inboundItem = z.object({
  id: z.number().int(), receivedAt: z.string(), nationalCode: z.string().nullable(), procedureCode: z.string().nullable(),
  outcome: z.enum(INBOUND_OUTCOMES), outcomeLabel: z.string(), errorCode: z.string().nullable(), errorMessage: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(), sourceIp: z.string().nullable(), dossierCode: z.string().nullable(),
});

export const adminNationalInboundRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/national-portal/inbound', {
    schema: {
      tags: ['admin'], summary: 'Nhật ký hồ sơ Cổng DVC quốc gia đẩy sang: đã tiếp nhận, gửi lại, bị từ chối',
      description: 'Mới nhất trước; `next` (hoặc null) là `before` của trang sau. Mỗi lần nhận một thông điệp: mã hồ sơ trên Cổng (MaHoSo), '
        + 'mã TTHC, kết quả, mã lỗi và thông báo khi từ chối (`details.fields`: lỗi từng trường), hồ sơ đã tạo (`dossierCode`).',
      querystring: z.object({
        outcome: z.enum(INBOUND_OUTCOMES).optional(),
        before: z.coerce.number().int().positive().max(2 ** 53).optional().describe('`next` của trang trước'),
        limit: z.coerce.number().int().min(1).max(INBOUND_PAGE_SIZE.max).optional(),
      }),
      response: { 200: z.object({ items: z.array(inboundItem), next: z.number().int().nullable() }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => listInboundLog(ctx, request.caller, request.query));
};
