import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff, SESSION_COOKIE } from '../../plugins/caller.js';
import { changePassword, login, logout } from '../../services/accounts/auth.js';
import { beginTotpEnrolment, confirmTotpEnrolment, disableOwnTotp, totpEnabled, totpStatus } from '../../services/accounts/two-factor.js';
import { INBOX_PAGE, inboxCursor, inboxPage } from '../../services/processing/inbox.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { DOSSIER_CHANNELS } from '../../services/viewing/channels.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });
const staffView = z.object({
  id: z.string(), username: z.string(), fullName: z.string(), title: z.string(), roles: z.array(z.string()), unitId: z.string(),
  mustChangePassword: z.boolean().describe('Đang dùng mật khẩu tạm: phiên chỉ được đổi mật khẩu, xem /api/auth/me và đăng xuất'),
  temporaryPasswordExpiresAt: z.string().nullable().describe('Khi mật khẩu tạm hết hạn đăng nhập (null: không dùng mật khẩu tạm)'),
  totpEnabled: z.boolean(),
});
const staffViewOf = (staff: StaffRow) => ({
  id: staff.id, username: staff.username, fullName: staff.fullName, title: staff.title, roles: staff.roles, unitId: staff.unitId,
  mustChangePassword: staff.mustChangePassword,
  temporaryPasswordExpiresAt: staff.mustChangePassword ? staff.temporaryPasswordExpiresAt?.toISOString() ?? null : null,
  totpEnabled: totpEnabled(staff),
});
const totpSetupBody = z.object({ currentPassword: z.string().min(1).max(200).describe('Mật khẩu hiện tại của tài khoản') });
const otpBody = z.object({ otp: z.string().min(1).max(20).describe('Mã 6 chữ số trong ứng dụng xác thực') });
const enrolment = z.object({ secret: z.string(), groupedSecret: z.string(), uri: z.string().describe('otpauth://totp/… (mã QR)') });

export const staffRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/auth/login', {
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Đăng nhập (cán bộ)',
      description: 'Sai mật khẩu nhiều lần cho cùng một tài khoản: tài khoản bị chặn đăng nhập trong thời gian tăng dần (tối đa 15 phút), '
        + 'trả 429 LOGIN_THROTTLED kèm Retry-After mà không kiểm tra mật khẩu. Mỗi địa chỉ IP còn có giới hạn số lần gọi mỗi phút (429 RATE_LIMITED). '
        + 'Phiên hết hạn sau 12 giờ, hoặc sau 30 phút không dùng. Tài khoản bật xác thực hai lớp gửi thêm `otp`: thiếu → 401 TOTP_REQUIRED, '
        + 'sai hoặc đã dùng → 401 TOTP_INVALID (tính vào số lần sai). `staff.mustChangePassword`: phải đổi mật khẩu tạm trước khi làm việc khác; '
        + 'mật khẩu tạm dùng được 72 giờ, quá hạn → 401 TEMPORARY_PASSWORD_EXPIRED (quản trị hệ thống cấp mật khẩu tạm mới).',
      body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200), otp: z.string().max(20).optional() }),
      response: { 200: z.object({ token: z.string(), expiresAt: z.string(), staff: staffView }), 401: errorResponse, 429: errorResponse },
    },
  }, async (request, reply) => {
    const session = await login(ctx.db, request.body.username, request.body.password, { otp: request.body.otp, ip: request.ip, secrets: ctx.signerKeys });
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.publicUrl.startsWith('https://'), expires: session.expiresAt,
    });
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), staff: staffViewOf(session.staff) };
  });

  app.post('/api/auth/password', {
    // Each call runs scrypt; the per-account throttle also counts a wrong current password.
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Đổi mật khẩu của chính mình',
      description: 'Mật khẩu mới: ít nhất 10 ký tự, không chứa tên đăng nhập, khác mật khẩu hiện tại. Mọi phiên khác của tài khoản kết thúc; '
        + 'phiên đang dùng vẫn giữ. 422 PASSWORD_WRONG (mật khẩu hiện tại sai, được tính vào giới hạn đăng nhập sai), 422 PASSWORD_WEAK.',
      body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) }),
      response: { 204: z.null(), 401: errorResponse, 422: errorResponse, 429: errorResponse },
    },
  }, async (request, reply) => {
    const staff = requireStaff(request);
    await changePassword(ctx.db, staff, request.staffSession?.token ?? null, request.body, request.ip);
    return reply.status(204).send(null);
  });

  app.post('/api/auth/logout', {
    schema: { tags: ['auth'], summary: 'Đăng xuất: kết thúc phiên trên máy chủ', response: { 204: z.null() } },
  }, async (request, reply) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : request.cookies[SESSION_COOKIE];
    if (token) await logout(ctx.db, token, request.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'Cán bộ đang đăng nhập', response: { 200: staffView } } }, async (request) => staffViewOf(requireStaff(request)));

  app.get('/api/auth/totp', {
    schema: {
      tags: ['auth'], summary: 'Xác thực hai lớp (TOTP) của chính mình: đang bật, hoặc đang thiết lập',
      response: { 200: z.object({ enabled: z.boolean(), enabledAt: z.string().nullable(), pending: enrolment.nullable() }), 401: errorResponse },
    },
  }, async (request) => totpStatus(ctx, requireStaff(request)));

  app.post('/api/auth/totp/setup', {
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Bắt đầu thiết lập xác thực hai lớp: khóa bí mật mới cho ứng dụng xác thực', body: totpSetupBody,
      description: 'Cần mật khẩu hiện tại (sai: 422 PASSWORD_WRONG, được tính vào số lần đăng nhập sai, rồi 429 LOGIN_THROTTLED). '
        + 'Chưa có hiệu lực cho đến khi xác nhận bằng một mã (POST /api/auth/totp/confirm). 409 TOTP_ALREADY_ENABLED.',
      response: { 200: enrolment, 401: errorResponse, 409: errorResponse, 422: errorResponse, 429: errorResponse },
    },
  }, async (request) => beginTotpEnrolment(ctx, requireStaff(request), request.body.currentPassword));

  app.post('/api/auth/totp/confirm', {
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Bật xác thực hai lớp bằng mã đầu tiên từ ứng dụng', body: otpBody,
      description: '409 TOTP_ENROLMENT_REPLACED: một lần thiết lập mới hơn (thẻ khác) đã thay khóa bí mật; quét lại mã QR.',
      response: { 204: z.null(), 401: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    await confirmTotpEnrolment(ctx, requireStaff(request), request.body.otp, request.ip);
    return reply.status(204).send(null);
  });

  app.post('/api/auth/totp/disable', {
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Tắt xác thực hai lớp của chính mình (cần một mã hiện tại)', body: otpBody,
      description: 'Mã sai được tính vào số lần đăng nhập sai của tài khoản (422 VALIDATION_FAILED, rồi 429 LOGIN_THROTTLED).',
      response: { 204: z.null(), 401: errorResponse, 422: errorResponse, 429: errorResponse },
    },
  }, async (request, reply) => {
    await disableOwnTotp(ctx, requireStaff(request), request.body.otp, request.ip);
    return reply.status(204).send(null);
  });

  app.get('/api/inbox', {
    schema: {
      tags: ['dossiers'], summary: 'Hồ sơ cán bộ có thể xử lý ngay, hạn sớm nhất trước',
      querystring: z.object({
        status: z.string().optional(), procedure: z.string().optional(),
        channel: z.enum(DOSSIER_CHANNELS).optional().describe('online: cổng này; desk: tại bộ phận một cửa; national: Cổng DVC quốc gia đẩy sang'),
        overdue: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
        limit: z.coerce.number().int().min(1).max(INBOX_PAGE.max).optional().describe(`Số hồ sơ một trang (mặc định ${INBOX_PAGE.default})`),
        after: inboxCursor.optional(),
      }),
    },
  }, async (request, reply) => {
    const page = await inboxPage(ctx, requireStaff(request), request.query);
    // The body stays the array it always was; the next page is named in headers (absent on the last page).
    if (page.next) {
      const url = new URL(request.url, 'http://x');
      url.searchParams.set('after', page.next);
      reply.header('X-Next-Cursor', page.next).header('Link', `<${url.pathname}${url.search}>; rel="next"`);
    }
    return page.items;
  });
};
