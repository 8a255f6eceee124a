import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { serviceStats } from '../../services/reporting/stats.js';

const rate = z.number().nullable();
const indicators = z.object({
  dossiers: z.number().int(), online: z.number().int(), completed: z.number().int(), onTime: z.number().int(),
  lateOpen: z.number().int(), rated: z.number().int(), unsatisfied: z.number().int(), complained: z.number().int(), satisfactory: z.number().int(),
  onlineRate: rate, onTimeRate: rate, satisfactionRate: rate,
});

export const statsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/stats', {
    schema: {
      tags: ['stats'], summary: 'Chỉ số chất lượng phục vụ theo thủ tục và tháng (lãnh đạo, quản trị)',
      description: 'Hồ sơ nộp trong khoảng [from, to] (ngày giờ Việt Nam, mặc định 12 tháng gần nhất). Tỷ lệ từ 0 đến 1, null khi chưa có mẫu số. '
        + 'onlineRate = nộp trực tuyến / tổng; onTimeRate = giải quyết đúng hạn / đã giải quyết; lateOpen = đang xử lý đã quá hạn; '
        + 'satisfactionRate = đã giải quyết đúng hạn, không bị đánh giá "Không hài lòng" và không bị phản ánh, kiến nghị / đã giải quyết; '
        + 'complained = hồ sơ bị phản ánh, kiến nghị. complaints: phản ánh, kiến nghị gửi trong kỳ (của cơ quan người xem trả lời; quản trị: tất cả) — '
        + 'received, answered, answeredOnTime, overdue (chưa trả lời, đã quá hạn). '
        + 'digital (Chính phủ số): vneid = hồ sơ nộp khi đăng nhập VNeID, vneidRate = vneid / hồ sơ nộp trực tuyến (online); '
        + 'withReusedDocument = hồ sơ có ít nhất một giấy tờ lấy lại từ kho dữ liệu điện tử của công dân, reuseRate = withReusedDocument / tổng hồ sơ (dossiers); '
        + 'digitisedDocuments = giấy tờ được số hóa vào kho trong kỳ (theo hồ sơ nguồn; không có hồ sơ: theo đơn vị cán bộ số hóa).',
      querystring: z.object({ from: z.string().optional(), to: z.string().optional(), procedure: z.string().max(64).optional() }),
      response: {
        200: z.object({
          from: z.string(), to: z.string(), procedure: z.string().nullable(), generatedAt: z.string(), totals: indicators,
          byProcedure: z.array(indicators.extend({ procedure: z.object({ id: z.string(), title: z.string() }) })),
          byMonth: z.array(indicators.extend({ month: z.string() })),
          byStatus: z.array(z.object({ procedure: z.string(), status: z.string(), statusLabel: z.string(), count: z.number().int() })),
          complaints: z.object({ received: z.number().int(), answered: z.number().int(), answeredOnTime: z.number().int(), overdue: z.number().int() }),
          digital: z.object({
            dossiers: z.number().int(), online: z.number().int(), vneid: z.number().int(), vneidRate: rate,
            withReusedDocument: z.number().int(), reuseRate: rate, digitisedDocuments: z.number().int(),
          }),
        }),
      },
    },
  }, async (request) => serviceStats(ctx, requireStaff(request), request.query));
};
