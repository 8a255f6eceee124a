import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { formPdf } from '../../services/results/one-stop-forms.js';

function asciiFileName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\w.-]+/g, '_');
}

export const formRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/dossiers/:code/forms/:kind', {
    schema: {
      tags: ['dossiers'], summary: 'Tải phiếu/giấy một cửa (PDF)',
      description: 'Quyền như xem hồ sơ. `kind`: `receipt` (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), `supplement-request` '
        + '(Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ), `refusal` (Phiếu từ chối tiếp nhận giải quyết hồ sơ), `apology` (Phiếu xin lỗi '
        + 'và hẹn lại ngày trả kết quả), `control-slip` (Phiếu kiểm soát quá trình giải quyết hồ sơ). Lần thứ n của cùng một phiếu: '
        + '`supplement-request-2`, `supplement-request-3` ... (danh sách trong `forms` của GET /api/dossiers/:code). 404 khi phiếu '
        + 'không áp dụng cho hồ sơ hoặc chưa được lập.',
      params: z.object({ code: z.string().min(1).max(64), kind: z.string().min(1).max(64) }),
    },
  }, async (request, reply) => {
    const { fileName, data } = await formPdf(ctx, request.params.code, request.params.kind, request.caller);
    return reply.type('application/pdf')
      .header('content-disposition', `inline; filename="${asciiFileName(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
      .header('cache-control', 'private, no-store')
      .send(data);
  });
};
