import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { PUBLIC_INDEX_RATE_LIMIT } from '../public-index-limit.js';
import { PERIOD_KINDS, publicIndex766 } from '../../services/reporting/index-766.js';
import { serviceStats } from '../../services/reporting/stats.js';

const rate = z.number().nullable();
const indicators = z.object({
  dossiers: z.number().int(), online: z.number().int(), completed: z.number().int(), onTime: z.number().int(),
  lateOpen: z.number().int(), rated: z.number().int(), unsatisfied: z.number().int(), complained: z.number().int(), satisfactory: z.number().int(),
  onlineRate: rate, onTimeRate: rate, satisfactionRate: rate,
});

const index766 = z.object({
  points: z.number(), maxPoints: z.literal(100), unmeasuredPoints: z.number(), note: z.string(),
  groups: z.array(z.object({
    key: z.string(), title: z.string(), maxPoints: z.number(), points: z.number(), unmeasuredPoints: z.number(),
    indicators: z.array(z.object({
      key: z.string(), title: z.string(), formula: z.string(), numerator: z.number().int(), denominator: z.number().int().nullable(),
      value: rate, maxPoints: z.number(), points: z.number().nullable(), note: z.string().nullable(),
    })),
  })),
});

const INDEX_766_DESCRIPTION = 'index766: năm nhóm chỉ số theo Quyết định 766/QĐ-TTg (100 điểm: công khai, minh bạch 18; tiến độ, kết quả giải quyết 20; '
  + 'số hóa hồ sơ 22; dịch vụ trực tuyến 12 và thanh toán trực tuyến 10; mức độ hài lòng 18). Mỗi chỉ tiêu có tử số, mẫu số, tỷ lệ (value) và công thức; '
  + 'điểm = tỷ lệ × điểm tối đa của chỉ tiêu (cách đọc tỷ lệ thuận, giả định của hệ thống — xem note); chỉ tiêu maxPoints 0 chỉ để tham khảo; '
  + 'chỉ tiêu chưa có mẫu số không được tính điểm (unmeasuredPoints).';

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
        + 'digitisedDocuments = giấy tờ được số hóa vào kho trong kỳ (theo hồ sơ nguồn; không có hồ sơ: theo đơn vị cán bộ số hóa). '
        + 'Trực tuyến gồm hồ sơ nộp trên Cổng này và hồ sơ từ Cổng Dịch vụ công quốc gia. ' + INDEX_766_DESCRIPTION,
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
          index766,
        }),
      },
    },
  }, async (request) => serviceStats(ctx, requireStaff(request), request.query));

  app.get('/api/public/index-766', {
    config: { rateLimit: PUBLIC_INDEX_RATE_LIMIT },
    schema: {
      tags: ['stats'], summary: 'Chỉ số phục vụ theo Quyết định 766 của toàn Sở (công khai, không cần đăng nhập)',
      description: 'Toàn bộ hồ sơ của Sở nộp trong kỳ (tháng, quý hoặc năm, giờ Việt Nam; kỳ đang diễn ra tính đến hôm nay); chỉ số lượng, '
        + 'không có dữ liệu cá nhân. period = month | quarter | year (mặc định month), year (mặc định năm nay), month 1-12 hoặc quarter 1-4 '
        + '(mặc định tháng, quý hiện tại). Kỳ sai hoặc chưa bắt đầu: 422 VALIDATION_FAILED. Số liệu được lưu tạm 5 phút. ' + INDEX_766_DESCRIPTION,
      querystring: z.object({
        period: z.string().max(16).optional(), year: z.string().max(8).optional(), month: z.string().max(8).optional(), quarter: z.string().max(8).optional(),
      }),
      response: {
        200: z.object({
          departmentName: z.string(), generatedAt: z.string(),
          period: z.object({
            kind: z.enum(PERIOD_KINDS), year: z.number().int(), month: z.number().int().nullable(), quarter: z.number().int().nullable(),
            from: z.string(), to: z.string(), label: z.string(),
          }),
          index766,
        }),
      },
    },
  }, async (request) => publicIndex766(ctx, request.query));
};
