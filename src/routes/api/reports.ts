import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { exportTrackingBook } from '../../services/reporting/tracking-book.js';

export const reportRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/reports/tracking-book', {
    schema: {
      tags: ['reports'], summary: 'Sổ theo dõi hồ sơ (CSV hoặc XLSX) — cán bộ một cửa, lãnh đạo, quản trị',
      description: 'Hồ sơ nộp từ ngày `from` đến hết ngày `to` (yyyy-mm-dd, giờ Việt Nam; mặc định từ đầu tháng đến hôm nay, tối đa 366 ngày) '
        + 'thuộc các đơn vị trong phạm vi của người xem (quản trị: mọi đơn vị). Cột: STT, mã hồ sơ, trích yếu, số bộ, chủ hồ sơ, địa chỉ, '
        + 'điện thoại, thời gian nhận, hẹn trả, trả kết quả, cán bộ tiếp nhận, trạng thái. CSV: UTF-8 có BOM. 401 khi chưa đăng nhập, '
        + '403 với vai trò khác, 422 khi khoảng thời gian sai.',
      querystring: z.object({ from: z.string().optional(), to: z.string().optional(), format: z.enum(['csv', 'xlsx']).default('csv') }),
    },
  }, async (request, reply) => {
    const book = await exportTrackingBook(ctx, requireStaff(request), request.query, request.ip);
    return reply.type(book.contentType).header('content-disposition', `attachment; filename="${book.fileName}"`)
      .header('cache-control', 'private, no-store').send(book.body);
  });
};
