// /api/admin/campaigns/:id/enrolments: confirmations of enrolment as the schools see them (admitted against confirmed,
// seats left) and a school's desk recording a confirmation for a parent. HTTP only: services/admissions/enrolment.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { ENROLMENT_PAGE, readEnrolments, recordEnrolmentAtDesk } from '../../../services/admissions/enrolment.js';
import { enrolmentView } from '../admission-enrolment.js';
import { errorResponse } from '../error-response.js';

const tags = ['admin'];
const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };
const idParams = z.object({ id: z.string().min(1).max(64) });

export const adminCampaignEnrolmentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/campaigns/:id/enrolments', {
    schema: {
      tags, summary: 'Xác nhận nhập học theo trường: số trúng tuyển, số đã xác nhận, chỉ tiêu còn lại, danh sách học sinh',
      description: 'Quản trị xem mọi trường (hoặc `school`); hiệu trưởng (vai trò leader của một trường trong kỳ) xem trường mình. '
        + 'Trúng tuyển theo lượt xét tuyển đã công bố mới nhất (vòng bổ sung thay vòng chính cho học sinh có trong vòng bổ sung). '
        + `Danh sách học sinh theo trang: \`limit\` (tối đa ${ENROLMENT_PAGE}), \`offset\`; \`total\` là tổng số.`,
      params: idParams,
      querystring: z.object({
        school: z.string().min(1).max(64).optional(),
        limit: z.coerce.number().int().min(1).max(ENROLMENT_PAGE).default(ENROLMENT_PAGE),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
      response: {
        200: z.object({
          schools: z.array(z.object({
            unitId: z.string(), name: z.string(), quota: z.number().int(), admitted: z.number().int(), confirmed: z.number().int(), seatsLeft: z.number().int(),
          })),
          items: z.array(z.object({
            pupilIdNumber: z.string(), school: z.string(), category: z.string(), round: z.enum(['main', 'supplementary']), choiceRank: z.number().int().nullable(),
            total: z.number(), confirmed: z.boolean(), confirmedAt: z.string().nullable(), by: z.enum(['citizen', 'school']).nullable(),
          })),
          /** Admitted pupils in all (of `school` when given): `items` is one page of them (`limit`, `offset`). */
          total: z.number().int(),
        }),
        ...errors,
      },
    },
  }, async (request) => readEnrolments(ctx, request.caller, request.params.id, request.query.school, request.query));

  app.post('/api/admin/campaigns/:id/enrolments', {
    schema: {
      tags, summary: 'Nhà trường ghi nhận xác nhận nhập học cho phụ huynh (trong thời gian xác nhận nhập học)',
      description: 'JSON `{ pupilIdNumber }`. Cán bộ vai trò school hoặc leader của trường học sinh trúng tuyển, hoặc quản trị. 201 lần đầu, 200 khi đã xác nhận.',
      params: idParams, body: z.unknown(),
      response: { 200: enrolmentView, 201: enrolmentView, ...errors },
    },
  }, async (request, reply) => {
    const { created, enrolment } = await recordEnrolmentAtDesk(ctx, request.caller, request.params.id, request.body);
    return reply.status(created ? 201 : 200).send(enrolment);
  });
};
