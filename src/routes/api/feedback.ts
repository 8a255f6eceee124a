// Feedback and complaints (phản ánh, kiến nghị): filing (anyone; per-address limit like intake), the filer's view
// (signed in, or `Authorization: Bearer <accessToken>` given at filing), the staff queue and answers of the caller's
// agency, the signed-in citizen's own items, and the published answers.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { answerFeedback } from '../../services/feedback/answer-feedback.js';
import { fileFeedback } from '../../services/feedback/file-feedback.js';
import { feedbackFor, feedbackQueue, myFeedback, publishedAnswers } from '../../services/feedback/read-feedback.js';
import { intakeRouteLimit } from '../intake-limit.js';
import { errorResponse } from './error-response.js';

const code = z.object({ code: z.string().min(1).max(64) });

/** One item as its filer sees it; staff also get `contact`, `signedIn` and `answeredOnTime`. */
const feedbackView = z.object({
  code: z.string(), kind: z.enum(['feedback', 'petition']), kindLabel: z.string(), status: z.enum(['open', 'answered']), statusLabel: z.string(),
  title: z.string(), body: z.string(), dossierCode: z.string().nullable(), procedure: z.object({ id: z.string(), title: z.string() }).nullable(),
  createdAt: z.string(), dueDate: z.string(), dueAt: z.string(), overdue: z.boolean(), publishRequested: z.boolean(),
  answer: z.string().nullable(), answeredAt: z.string().nullable(), published: z.boolean(), publishedQuestion: z.string().nullable(),
  contact: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }).optional(),
  signedIn: z.boolean().optional(), answeredOnTime: z.boolean().nullable().optional(),
});
const publishedAnswer = z.object({
  kindLabel: z.string(), procedure: z.string().nullable(), question: z.string(), answer: z.string(), answeredAt: z.string(),
});

export const feedbackRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/feedback', {
    ...intakeRouteLimit(ctx),
    schema: {
      tags: ['feedback'], summary: 'Gửi phản ánh, kiến nghị (công dân)',
      description: 'JSON `{ kind: feedback | petition, dossierCode?, procedureId?, title, body, contactName?, contactEmail?, contactPhone?, publishRequested? }`. '
        + 'Công dân đăng nhập VNeID: họ tên, liên hệ lấy từ tài khoản. Người giữ mã tra cứu hồ sơ (`Authorization: Bearer <trackingToken>`) phản ánh về hồ sơ đó. '
        + 'Người khác: bắt buộc họ tên và email hoặc số điện thoại (422). Hồ sơ không xem được: 404. → 201 `{ code, dueDate, accessToken, … }`.',
      // Validated by the service (the page posts the same shape), so its 422 names the fields in Vietnamese.
      body: z.unknown(),
      response: {
        201: z.object({
          code: z.string(), kind: z.string(), status: z.literal('open'), dueDate: z.string(), dueAt: z.string(), accessToken: z.string(),
          links: z.object({ self: z.string(), page: z.string() }),
        }),
        404: errorResponse, 422: errorResponse, 429: errorResponse,
      },
    },
  }, async (request, reply) => reply.status(201).send(await fileFeedback(ctx, request.caller, request.body, { ip: request.ip })));

  app.get('/api/feedback', {
    schema: {
      tags: ['feedback'], summary: 'Phản ánh, kiến nghị của cơ quan (lãnh đạo, cán bộ một cửa)',
      querystring: z.object({
        status: z.enum(['open', 'answered']).optional(),
        overdue: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
      response: { 200: z.object({ items: z.array(feedbackView) }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => ({ items: await feedbackQueue(ctx, request.caller, request.query) }));

  app.get('/api/feedback/published', {
    schema: {
      tags: ['feedback'], summary: 'Câu trả lời phản ánh, kiến nghị đã công khai (không có họ tên, liên hệ của người gửi)',
      response: { 200: z.object({ items: z.array(publishedAnswer) }) },
    },
  }, async () => ({ items: await publishedAnswers(ctx) }));

  app.get('/api/me/feedback', {
    schema: {
      tags: ['feedback'], summary: 'Phản ánh, kiến nghị của công dân đang đăng nhập',
      response: { 200: z.object({ items: z.array(feedbackView) }), 401: errorResponse },
    },
  }, async (request) => ({ items: await myFeedback(ctx, request.caller) }));

  app.get('/api/feedback/:code', {
    schema: {
      tags: ['feedback'], summary: 'Một phản ánh, kiến nghị: người gửi (đăng nhập, hoặc `Bearer <accessToken>`) hoặc cán bộ cơ quan trả lời',
      params: code, response: { 200: feedbackView, 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => feedbackFor(ctx, request.params.code, request.caller));

  app.post('/api/feedback/:code/answer', {
    schema: {
      tags: ['feedback'], summary: 'Trả lời phản ánh, kiến nghị (lãnh đạo, cán bộ một cửa của cơ quan)',
      description: 'JSON `{ answer, publish?, publishedQuestion? }`; `publish: true` chỉ khi người gửi đề nghị công khai, kèm `publishedQuestion` (câu hỏi được công khai do cán bộ viết lại, không có họ tên, số định danh, liên hệ; 5–2000 ký tự) (422). Đã trả lời: 409 FEEDBACK_ALREADY_ANSWERED.',
      params: code, body: z.unknown(),
      response: { 200: feedbackView, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request) => answerFeedback(ctx, request.params.code, request.caller, request.body));
};
