// /api/admin/campaigns/:id/remarking: the campaign's re-marking requests (administrators), and answering one
// (services/admissions/remarking.ts). HTTP only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { decideCampaignRemarking, listCampaignRemarkings } from '../../../services/admissions/remarking.js';
import { remarkingView } from '../admission-remarking.js';
import { errorResponse } from '../error-response.js';

const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };
const tags = ['admin'];
const idParams = z.object({ id: z.string().min(1).max(64) });

export const adminCampaignRemarkingRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/campaigns/:id/remarking', {
    schema: {
      tags, summary: 'Các đơn phúc khảo của kỳ tuyển sinh (lọc theo trạng thái, 50 đơn mỗi trang)',
      params: idParams,
      querystring: z.object({
        status: z.enum(['requested', 'unchanged', 'changed', 'refused']).optional(),
        page: z.coerce.number().int().min(1).max(100_000).default(1),
      }),
      response: {
        200: z.object({
          items: z.array(remarkingView.extend({ pupilName: z.string().nullable(), currentScore: z.number().nullable() })),
          total: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
        }),
        ...errors,
      },
    },
  }, async (request) => listCampaignRemarkings(ctx, request.caller, request.params.id, request.query));

  app.post('/api/admin/campaigns/:id/remarking/:requestId', {
    schema: {
      tags, summary: 'Trả lời một đơn phúc khảo: giữ nguyên, thay đổi điểm (cập nhật điểm thi) hoặc không chấp nhận',
      description: 'JSON `{ outcome: "unchanged" | "changed" | "refused", newScore?, note }`: newScore (điểm, tối đa 2 chữ số thập phân) bắt buộc khi '
        + 'outcome = changed. Một giao dịch: đơn, điểm thi, sự kiện trên hồ sơ đăng ký, thư báo cho phụ huynh, nhật ký. Trả lời lần hai: 409 REMARKING_DECIDED; học sinh không còn điểm thi: 409 REMARKING_NO_SCORE.',
      params: idParams.extend({ requestId: z.string().min(1).max(64) }),
      body: z.unknown(),
      response: { 200: remarkingView, ...errors },
    },
  }, async (request) => decideCampaignRemarking(ctx, request.caller, request.params.id, request.params.requestId, request.body));
};
