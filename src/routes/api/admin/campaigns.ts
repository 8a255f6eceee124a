// /api/admin/campaigns: admission campaigns with their windows, schools and quotas (scores, assignment and results
// come with the admission assignment).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import {
  CAMPAIGN_RULES, campaignInput, campaignPatch, createCampaign, getCampaign, LATER_WINDOWS, listCampaignViews, updateCampaign,
} from '../../../services/administration/campaigns.js';
import { errorResponse } from '../error-response.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const window = z.object({ opensAt: z.string(), closesAt: z.string() });

const campaign = z.object({
  id: z.string(), name: z.string(), grade: z.number().int(), schoolYear: z.string(), choices: z.number().int(),
  // Every window of the season (services/admissions/windows.ts): the serializer drops what the schema does not list,
  // and a client that PATCHes back the campaign it read would then erase the windows it never saw.
  windows: z.object({ registration: window, ...Object.fromEntries(LATER_WINDOWS.map((name) => [name, window.optional()])) }),
  rule: z.enum(CAMPAIGN_RULES), tieBreak: z.array(z.string()),
  categories: z.array(z.object({ id: z.string(), label: z.string(), choices: z.number().int() }))
    .describe('Nhóm nguyện vọng theo thứ tự; các trường choiceK được chia lần lượt cho các nhóm (rỗng: không chia nhóm)'),
  schools: z.array(z.object({
    unitId: z.string(), name: z.string(), quota: z.number().int().describe('Tổng chỉ tiêu (tổng các nhóm khi có nhóm)'),
    quotas: z.record(z.string(), z.number().int()).describe('Chỉ tiêu theo nhóm nguyện vọng ({} khi không chia nhóm)'),
    places: z.number().int().describe('Số học sinh đã trúng tuyển'), registrations: z.number().int().describe('Số hồ sơ đăng ký có nguyện vọng vào trường'),
  })),
  open: z.boolean().describe('Đang trong thời gian đăng ký'),
  createdAt: z.string(),
});

export const adminCampaignRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/campaigns', {
    schema: {
      tags: ['admin'], summary: 'Các kỳ tuyển sinh: thời gian, trường tham gia, chỉ tiêu, số đã đăng ký và trúng tuyển',
      response: { 200: z.object({ items: z.array(campaign) }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return { items: await listCampaignViews(ctx, request.caller) };
  });

  app.get('/api/admin/campaigns/:id', {
    schema: {
      tags: ['admin'], summary: 'Một kỳ tuyển sinh', params: idParams,
      response: { 200: campaign, 401: errorResponse, 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return getCampaign(ctx, request.caller, request.params.id);
  });

  app.post('/api/admin/campaigns', {
    schema: {
      tags: ['admin'], summary: 'Tạo kỳ tuyển sinh với thời gian đăng ký, các trường tham gia và chỉ tiêu',
      description: 'Trong thời gian `windows.registration`, kỳ tuyển sinh xuất hiện trong danh sách chọn của phiếu đăng ký tuyển sinh. '
        + 'Các trường phải là đơn vị loại trường (school_office); chỉ tiêu là số nguyên dương.',
      body: campaignInput,
      response: { 201: campaign, 401: errorResponse, 403: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    requireStaff(request);
    return reply.status(201).send(await createCampaign(ctx, request.caller, request.body));
  });

  app.patch('/api/admin/campaigns/:id', {
    schema: {
      tags: ['admin'], summary: 'Sửa kỳ tuyển sinh: thời gian, trường và chỉ tiêu, quy tắc xét tuyển',
      description: '`schools` (nếu gửi) là toàn bộ danh sách mới: không được hạ chỉ tiêu dưới số đã trúng tuyển, không được bỏ trường đã có hồ sơ '
        + 'đăng ký (422 với `fields`). `windows` (nếu gửi) thay toàn bộ các khoảng thời gian.',
      params: idParams,
      body: campaignPatch,
      response: { 200: campaign, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return updateCampaign(ctx, request.caller, request.params.id, request.body);
  });
};
