// /api/admin/setup: the first-run set-up of an empty database (province, the Department's agency, its core units and
// their unit roles), once; and whether it is done. The page /quan-tri/thiet-lap calls the same service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import { completeSetup, setupInputSchema } from '../../../services/administration/setup.js';
import { errorResponse } from '../error-response.js';


const setupState = z.object({
  setupCompleted: z.boolean(),
  provinceName: z.string(),
  departmentName: z.string(),
  departmentAgencyCode: z.string().nullable(),
});

const setupResult = z.object({
  provinceName: z.string(),
  departmentAgencyCode: z.string(),
  units: z.array(z.object({
    id: z.string(), name: z.string(), kind: z.enum(['board', 'division', 'one_stop_desk', 'school_office']),
    role: z.enum(['leadership', 'desk', 'office']).nullable().describe('Vai trò mặc định cho mọi thủ tục (*) mà đơn vị được giao'),
  })),
  movedAccounts: z.array(z.string()).describe('Tài khoản quản trị chuyển từ đơn vị tạm "Quản trị hệ thống" sang Ban Giám đốc'),
});

export const adminSetupRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/setup', {
    schema: {
      tags: ['admin'], summary: 'Trạng thái thiết lập ban đầu (tỉnh, Sở)',
      response: { 200: setupState, 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    administratorOf(request.caller);
    const { setupCompleted, provinceName, departmentName, departmentAgencyCode } = ctx.organisation;
    return { setupCompleted, provinceName, departmentName, departmentAgencyCode };
  });

  app.post('/api/admin/setup', {
    schema: {
      tags: ['admin'], summary: 'Thiết lập ban đầu: tỉnh, Sở (mã QCVN 102) và các đơn vị cốt lõi; chỉ một lần',
      description: 'Tạo cơ quan Sở, Ban Giám đốc (lãnh đạo), Bộ phận Tiếp nhận và Trả kết quả (một cửa) và các phòng chuyên môn '
        + '(phòng đầu tiên chủ trì mọi thủ tục: `*`). `id` của đơn vị có thể bỏ trống: suy ra từ tên. '
        + 'Đã thiết lập rồi: 409 SETUP_ALREADY_DONE.',
      body: setupInputSchema,
      response: { 201: setupResult, 401: errorResponse, 403: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    requireStaff(request);
    return reply.status(201).send(await completeSetup(ctx, request.caller, request.body));
  });
};
