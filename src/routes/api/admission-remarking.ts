// /api/admissions/remarking: a parent's re-marking request (phúc khảo) within the campaign's window, and reading it back
// with its outcome. The caller is the registration's citizen, as for the dossier's other citizen actions: signed in
// with VNeID, or `Authorization: Bearer <trackingToken>` of the registration (services/admissions/remarking.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { fileRemarking, readOwnRemarking, REMARKING_SUBJECTS } from '../../services/admissions/remarking.js';
import { errorResponse } from './error-response.js';

export const remarkingView = z.object({
  id: z.string(), campaign: z.string(), pupilIdNumber: z.string(), dossierCode: z.string(), subjects: z.array(z.string()),
  reason: z.string().nullable(), status: z.enum(['requested', 'unchanged', 'changed', 'refused']), statusLabel: z.string(),
  scoreBefore: z.number().nullable(), scoreAfter: z.number().nullable(), note: z.string().nullable(),
  filedAt: z.string(), decidedAt: z.string().nullable(),
});
const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };

export const admissionRemarkingRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/admissions/remarking', {
    schema: {
      tags: ['procedures'], summary: 'Nộp đơn phúc khảo bài thi tuyển sinh (phụ huynh, trong thời gian phúc khảo)',
      description: `JSON \`{ campaign, pupilIdNumber, subjects, reason? }\`; subjects: 1–${REMARKING_SUBJECTS.length} môn trong ${REMARKING_SUBJECTS.join(', ')}. `
        + 'Người gọi: công dân đăng nhập VNeID có liên quan đến hồ sơ đăng ký, hoặc `Authorization: Bearer <mã tra cứu>` của hồ sơ đăng ký. '
        + 'Không có hồ sơ đăng ký hoặc không phải chủ hồ sơ: 404. Ngoài thời gian phúc khảo: 409 ADMISSION_WINDOW_CLOSED; đã có đơn: 409 REMARKING_EXISTS; '
        + 'học sinh chưa có điểm: 422.',
      // Validated by the service (one zod schema: the page posts the same shape).
      body: z.unknown(),
      response: { 201: remarkingView, ...errors },
    },
  }, async (request, reply) => reply.status(201).send(await fileRemarking(ctx, request.caller, request.body, request.ip)));

  app.get('/api/admissions/remarking', {
    schema: {
      tags: ['procedures'], summary: 'Đơn phúc khảo của học sinh và kết quả (phụ huynh)',
      description: '`?campaign&pupilIdNumber`; cùng cách xác thực như khi nộp đơn. 404 khi chưa có đơn (hoặc không phải chủ hồ sơ); 409 REMARKING_EXISTS khi đơn của học sinh thuộc một hồ sơ đăng ký khác (nội dung không trả về).',
      querystring: z.unknown(),
      response: { 200: remarkingView, ...errors },
    },
  }, async (request) => readOwnRemarking(ctx, request.caller, request.query));
};
