// The public admission look-ups: a pupil's result (built for result day) and the demand per school during the
// registration window. Neither needs to know who asks: both routes are marked `anonymous` so the caller plugin skips
// its session look-ups, and both are rate limited per client IP (config admissionLookup.ratePerMinute).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { lookupRateLimit } from '../admission-lookup-limit.js';
import { campaignDemand } from '../../services/admission-lookup/demand.js';
import { admissionResultQuery, admissionResultResponse, CAMPAIGN_ID, lookupAdmissionResult } from '../../services/admission-lookup/result.js';

// The answer is built by our own code from typed values, so the zod serializer's validation pass is redundant work on
// the hottest route of result day: plain JSON.stringify (the zod schema still documents the response).
const plainJson = () => (data: unknown) => JSON.stringify(data);

export const admissionLookupRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const rateLimit = lookupRateLimit(ctx);

  app.get('/api/admissions/result', {
    config: { anonymous: true, ...(rateLimit ? { rateLimit } : {}) },
    serializerCompiler: plainJson,
    schema: {
      tags: ['procedures'], summary: 'Tra cứu kết quả tuyển sinh theo số định danh và ngày sinh của học sinh (công khai)',
      description: 'Chỉ đọc lần xét tuyển đã công bố mới nhất của kỳ tuyển sinh. total và cutoff tính bằng điểm (tổng điểm gồm điểm ưu tiên; '
        + 'cutoff là điểm chuẩn của trường trúng tuyển). school null: không trúng tuyển nguyện vọng nào. Số định danh không có, ngày sinh sai '
        + 'hoặc kỳ chưa công bố kết quả đều trả cùng một lỗi 404 ADMISSION_RESULT_NOT_FOUND.',
      querystring: admissionResultQuery,
      response: { 200: admissionResultResponse },
    },
  }, async (request) => lookupAdmissionResult(ctx, request.query));

  app.get('/api/campaigns/:id/demand', {
    config: { anonymous: true, ...(rateLimit ? { rateLimit } : {}) },
    serializerCompiler: plainJson,
    schema: {
      tags: ['procedures'], summary: 'Số học sinh đăng ký theo trường của kỳ tuyển sinh (công khai trong thời gian đăng ký và sau khi công bố kết quả)',
      description: 'applicants: số hồ sơ đăng ký còn hiệu lực có chọn trường (ở bất kỳ nguyện vọng nào); firstChoice: số hồ sơ chọn trường là '
        + 'nguyện vọng 1. Số liệu được lưu tạm vài giây.',
      params: z.object({ id: z.string().regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh không hợp lệ.') }),
      response: {
        200: z.object({
          schools: z.array(z.object({
            unitId: z.string(), name: z.string(), quota: z.number().int(), applicants: z.number().int(), firstChoice: z.number().int(),
          })),
        }),
      },
    },
  }, async (request) => campaignDemand(ctx, request.params.id));
};
