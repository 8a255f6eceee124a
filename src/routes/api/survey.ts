import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { submitSurvey } from '../../services/reporting/survey.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });

export const surveyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/dossiers/:code/survey', {
    schema: {
      tags: ['dossiers'], summary: 'Đánh giá mức độ hài lòng (công dân, sau khi có kết quả)',
      description: 'Công dân: `Authorization: Bearer <trackingToken>`. JSON `{ rating: very_satisfied | satisfied | unsatisfied, reason?, criteria? }`; '
        + 'lý do bắt buộc khi `unsatisfied` (422); mỗi hồ sơ chỉ đánh giá một lần (409). criteria: timeliness (early|on_time|late), '
        + 'staffAttitude (good|normal|poor), contacts (1|2|3+), easeOfUse (easy|normal|hard).',
      params: z.object({ code: z.string().min(1).max(64) }),
      // The body is validated by the service (the page posts the same shape), so its 422 names the fields in Vietnamese.
      body: z.unknown(),
      response: { 201: z.object({ code: z.string(), rating: z.string(), createdAt: z.string() }), 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => reply.status(201).send(await submitSurvey(ctx, request.params.code, request.caller, request.body)));
};
