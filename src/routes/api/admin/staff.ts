// /api/admin/staff: staff accounts — list, create (temporary password shown once), change, deactivate (ends every
// session), password reset, two-factor off (services/administration/staff-accounts.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import {
  createStaffAccount, createStaffInput, getStaffAccount, listStaffAccounts, resetStaffPassword, staffFilterInput, updateStaffAccount,
  updateStaffInput,
} from '../../../services/administration/staff-accounts.js';
import { errorResponse } from '../error-response.js';

const usernameParams = z.object({ username: z.string().min(1).max(100) });

const staffAccount = z.object({
  id: z.string(), username: z.string(), fullName: z.string(), title: z.string(), email: z.string().nullable(), roles: z.array(z.string()),
  unitId: z.string(), unitName: z.string(),
  authority: z.object({ kind: z.enum(['KT', 'TL', 'TM']), for: z.string() }).nullable().describe('Thẩm quyền ký, ví dụ { kind: "KT", for: "GIÁM ĐỐC" } = KT. GIÁM ĐỐC'),
  active: z.boolean(), mustChangePassword: z.boolean().describe('Đang dùng mật khẩu tạm, phải đổi khi đăng nhập'),
  totpEnabled: z.boolean(), createdAt: z.string(),
});
const temporaryPassword = z.string().describe('Mật khẩu tạm, chỉ hiện một lần; người dùng phải đổi ở lần đăng nhập đầu');

export const adminStaffRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/staff', {
    schema: {
      tags: ['admin'], summary: 'Danh sách tài khoản cán bộ',
      description: 'Lọc theo `unit` (mã đơn vị), `role`, `active` (true/false) và `q` (tên đăng nhập, họ tên, chức danh).',
      querystring: staffFilterInput,
      response: { 200: z.object({ items: z.array(staffAccount) }), 401: errorResponse, 403: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return { items: await listStaffAccounts(ctx, request.caller, request.query) };
  });

  app.get('/api/admin/staff/:username', {
    schema: {
      tags: ['admin'], summary: 'Một tài khoản cán bộ', params: usernameParams,
      response: { 200: staffAccount, 401: errorResponse, 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return getStaffAccount(ctx, request.caller, request.params.username);
  });

  app.post('/api/admin/staff', {
    schema: {
      tags: ['admin'], summary: 'Tạo tài khoản cán bộ với mật khẩu tạm',
      description: 'Vai trò: clerk (một cửa), specialist (chuyên viên), leader (lãnh đạo), school (cán bộ trường), admin (quản trị). '
        + 'Trả mật khẩu tạm một lần; tài khoản chỉ đổi được mật khẩu cho đến khi đổi. 409 USERNAME_TAKEN.',
      body: createStaffInput,
      response: { 201: z.object({ username: z.string(), temporaryPassword }), 401: errorResponse, 403: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    requireStaff(request);
    return reply.status(201).send(await createStaffAccount(ctx, request.caller, request.body));
  });

  app.patch('/api/admin/staff/:username', {
    schema: {
      tags: ['admin'], summary: 'Sửa tài khoản cán bộ; khóa/mở khóa; tắt xác thực hai lớp',
      description: '`active: false` kết thúc ngay mọi phiên của tài khoản và từ chối đăng nhập. `totp: false` tắt xác thực hai lớp (mất điện thoại). '
        + '`authority: null` bỏ thẩm quyền ký. 409 LAST_ADMIN khi thay đổi làm hệ thống không còn tài khoản quản trị nào hoạt động.',
      params: usernameParams,
      body: updateStaffInput,
      response: { 200: staffAccount, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return updateStaffAccount(ctx, request.caller, request.params.username, request.body);
  });

  app.post('/api/admin/staff/:username/password-reset', {
    schema: {
      tags: ['admin'], summary: 'Cấp lại mật khẩu tạm (kết thúc mọi phiên, phải đổi khi đăng nhập)', params: usernameParams,
      response: { 200: z.object({ temporaryPassword }), 401: errorResponse, 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return resetStaffPassword(ctx, request.caller, request.params.username);
  });
};
