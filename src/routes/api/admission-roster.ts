// The pre-verification roster as a parent signed in with VNeID sees it: their children's rows of campaigns whose
// preVerification window is open, and their answer (confirm, or correct). HTTP only: services/admissions/roster.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { answerRoster, myRoster, rosterAnswer } from '../../services/admissions/roster.js';
import { rosterRow } from './admin/campaign-roster.js';
import { errorResponse } from './error-response.js';

const tags = ['citizens'];

export const admissionRosterRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admissions/roster', {
    schema: {
      tags, summary: 'Thông tin tiền kiểm của con tôi (đăng nhập VNeID), trong thời gian tiền kiểm',
      description: 'Các dòng có số định danh cha mẹ/người giám hộ là của tôi, hoặc học sinh là con tôi theo thông tin VNeID.',
      response: { 200: z.object({ items: z.array(rosterRow.extend({ campaignName: z.string(), closesAt: z.string() })) }), 401: errorResponse },
    },
  }, async (request) => ({ items: await myRoster(ctx, request.caller) }));

  app.post('/api/admissions/roster/:campaignId/:pupilIdNumber', {
    schema: {
      tags, summary: 'Xác nhận hoặc điều chỉnh thông tin tiền kiểm của con (đăng nhập VNeID)',
      description: '`{ "confirm": true }` hoặc `{ "corrections": { fullName?, birthDate?, gender?, currentSchool?, residence? } }`. '
        + 'Học sinh không phải con của người đăng nhập: 404 (như học sinh không có trong danh sách). 409 ADMISSION_WINDOW_CLOSED ngoài thời gian tiền kiểm.',
      params: z.object({ campaignId: z.string().min(1).max(64), pupilIdNumber: z.string().min(1).max(20) }), body: rosterAnswer,
      response: { 200: rosterRow, 401: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request) => answerRoster(ctx, request.caller, request.params.campaignId, request.params.pupilIdNumber, request.body));
};
