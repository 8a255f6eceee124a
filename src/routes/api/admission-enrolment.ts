// The family's side of the end of an admission season: confirming enrolment online, the seats left for the
// supplementary round, and the pupil's supplementary choices. HTTP only: services/admissions (enrolment.ts,
// supplementary.ts) holds the rules; the caller is authenticated as for the dossier's other citizen actions (VNeID
// session or `Authorization: Bearer <trackingToken>`), so the bodies are checked by the service after the access check.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { CAMPAIGN_ID } from '../../services/admission-lookup/result.js';
import { confirmEnrolment } from '../../services/admissions/enrolment.js';
import { chooseSupplementary, supplementaryOffer } from '../../services/admissions/supplementary.js';
import { errorResponse } from './error-response.js';

const tags = ['procedures'];
const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };

export const enrolmentView = z.object({
  campaign: z.string(), pupilIdNumber: z.string(), school: z.object({ unitId: z.string(), name: z.string() }), category: z.string(),
  round: z.enum(['main', 'supplementary']), runId: z.string(), confirmedAt: z.string(), by: z.enum(['citizen', 'school']),
});

export const admissionEnrolmentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/admissions/enrolment', {
    schema: {
      tags, summary: 'Xác nhận nhập học trực tuyến (cha mẹ đã nộp hồ sơ đăng ký, trong thời gian xác nhận nhập học)',
      description: 'JSON `{ campaign, pupilIdNumber }`. Công dân đăng nhập VNeID có hồ sơ đăng ký của học sinh, hoặc `Authorization: Bearer <trackingToken>` '
        + 'của hồ sơ đó. 201 khi xác nhận lần đầu, 200 khi đã xác nhận trước đó. 409 ADMISSION_WINDOW_CLOSED ngoài thời gian xác nhận; '
        + '409 ADMISSION_NOT_ADMITTED khi học sinh không trúng tuyển trong lượt xét tuyển đã công bố mới nhất.',
      body: z.unknown(),
      response: { 200: enrolmentView, 201: enrolmentView, ...errors },
    },
  }, async (request, reply) => {
    const { created, enrolment } = await confirmEnrolment(ctx, request.caller, request.body);
    return reply.status(created ? 201 : 200).send(enrolment);
  });

  app.get('/api/campaigns/:id/supplementary', {
    config: { anonymous: true },
    schema: {
      tags, summary: 'Các trường còn chỉ tiêu tuyển bổ sung (công khai trong thời gian tuyển bổ sung)',
      description: 'Chỉ tiêu còn lại = chỉ tiêu − số học sinh đã xác nhận nhập học, theo từng trường (và từng loại hình khi kỳ tuyển sinh có). '
        + '`program` là giá trị dùng trong `choices` của PUT /api/admissions/supplementary.',
      params: z.object({ id: z.string().regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh không hợp lệ.') }),
      response: {
        200: z.object({
          opensAt: z.string(), closesAt: z.string(), choices: z.number().int(),
          programs: z.array(z.object({
            program: z.string(), unitId: z.string(), name: z.string(), category: z.string(), categoryLabel: z.string().nullable(), seatsLeft: z.number().int(),
          })),
        }),
        404: errorResponse, 422: errorResponse,
      },
    },
  }, async (request) => supplementaryOffer(ctx, request.params.id));

  app.put('/api/admissions/supplementary', {
    schema: {
      tags, summary: 'Đăng ký nguyện vọng tuyển bổ sung (thay danh sách đã đăng ký trước đó)',
      description: 'JSON `{ campaign, pupilIdNumber, choices: [program…] }` (1 đến số nguyện vọng của kỳ tuyển sinh), trong thời gian tuyển bổ sung, '
        + 'cho học sinh đã đăng ký và chưa xác nhận nhập học; mỗi nguyện vọng là một trường còn chỉ tiêu. 409 ADMISSION_ALREADY_ENROLLED, '
        + '409 ADMISSION_WINDOW_CLOSED, 422 với `fields.choices.N`.',
      body: z.unknown(),
      response: {
        200: z.object({ campaign: z.string(), pupilIdNumber: z.string(), choices: z.array(z.string()), filedAt: z.string() }),
        ...errors,
      },
    },
  }, async (request) => chooseSupplementary(ctx, request.caller, request.body));
};
