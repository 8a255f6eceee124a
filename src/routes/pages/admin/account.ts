// Tài khoản của chính mình (mọi cán bộ): /tai-khoan (name, unit, roles, signing authority), /tai-khoan/doi-mat-khau
// (change the password; the only page a temporary password reaches, plugins/caller.ts) and
// /tai-khoan/xac-thuc-hai-lop (TOTP two-factor: enrol with a QR code, confirm with a code, turn off).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AppContext } from '../../../app-context.js';
import type { StaffRow } from '../../../db/repositories/staff.js';
import { changePassword } from '../../../services/accounts/auth.js';
import { beginTotpEnrolment, confirmTotpEnrolment, disableOwnTotp, totpStatus } from '../../../services/accounts/two-factor.js';
import { authorityText, ownAccount, STAFF_ROLES } from '../../../services/administration/staff-accounts.js';
import { fieldErrors, readPageForm, render } from '../common.js';
import { staffOr } from '../staff/shared.js';
import { flashText } from './shared.js';

const ACCOUNT = '/tai-khoan';
const PASSWORD = '/tai-khoan/doi-mat-khau';
const TWO_FACTOR = '/tai-khoan/xac-thuc-hai-lop';

export const roleLabel = (role: string) => STAFF_ROLES[role as keyof typeof STAFF_ROLES] ?? role;

async function showPassword(request: FastifyRequest, reply: FastifyReply, staff: StaffRow, problem?: { message: string; fields: Record<string, string> }) {
  return render(request, reply, 'account-password', {
    title: 'Đổi mật khẩu', mustChange: staff.mustChangePassword, temporaryPasswordExpiresAt: staff.temporaryPasswordExpiresAt?.toISOString() ?? null, error: problem?.message, errors: problem?.fields ?? {},
  }, problem ? 422 : 200);
}

async function showTwoFactor(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, staff: StaffRow, problem?: { message: string; fields: Record<string, string> }) {
  const status = await totpStatus(ctx, staff);
  // The QR code is an image made here (data: URL, allowed by the pages' CSP); the secret never leaves this page.
  const qr = status.pending ? await QRCode.toDataURL(status.pending.uri, { margin: 2, width: 220 }) : null;
  return render(request, reply, 'account-totp', {
    title: 'Xác thực hai lớp', status, qr, flash: flashText(request, ACCOUNT_FLASH), error: problem?.message, errors: problem?.fields ?? {},
  }, problem ? 422 : 200);
}

/** The notices after a redirect (`?tb=<key>`): fixed texts, so a link cannot put words on the page. */
const ACCOUNT_FLASH: Readonly<Record<string, string>> = {
  'doi-mat-khau': 'Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.',
  'da-bat': 'Đã bật xác thực hai lớp. Từ lần đăng nhập sau, cần nhập mã trong ứng dụng.',
  'da-tat': 'Đã tắt xác thực hai lớp.',
};

export function accountPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(ACCOUNT, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const account = await ownAccount(ctx, staff);
    return render(request, reply, 'account', {
      title: 'Tài khoản của tôi', account, roles: account.roles.map(roleLabel), authority: authorityText(account.authority), flash: flashText(request, ACCOUNT_FLASH),
    });
  });

  app.get(PASSWORD, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    return showPassword(request, reply, staff);
  });

  app.post(PASSWORD, { preHandler: app.csrfProtection, config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } } }, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const { fields } = await readPageForm(request);
    const currentPassword = fields.currentPassword ?? '';
    const newPassword = fields.newPassword ?? '';
    if (!currentPassword || !newPassword) {
      return showPassword(request, reply, staff, { message: 'Vui lòng nhập đủ mật khẩu hiện tại và mật khẩu mới.', fields: {
        ...(currentPassword ? {} : { currentPassword: 'Bắt buộc.' }), ...(newPassword ? {} : { newPassword: 'Bắt buộc.' }),
      } });
    }
    if (newPassword !== (fields.confirmPassword ?? '')) {
      return showPassword(request, reply, staff, { message: 'Mật khẩu nhập lại không khớp.', fields: { confirmPassword: 'Không khớp với mật khẩu mới.' } });
    }
    try {
      await changePassword(ctx.db, staff, request.staffSession?.token ?? null, { currentPassword, newPassword }, request.ip);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return showPassword(request, reply, staff, problem);
    }
    return reply.redirect(`${ACCOUNT}?tb=doi-mat-khau`, 303);
  });

  app.get(TWO_FACTOR, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    return showTwoFactor(ctx, request, reply, staff);
  });

  app.post(`${TWO_FACTOR}/bat-dau`, { preHandler: app.csrfProtection, config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } } }, async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const { fields } = await readPageForm(request);
    if (!fields.currentPassword) {
      return showTwoFactor(ctx, request, reply, staff, { message: 'Vui lòng nhập mật khẩu hiện tại.', fields: { currentPassword: 'Bắt buộc.' } });
    }
    try {
      await beginTotpEnrolment(ctx, staff, fields.currentPassword);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return showTwoFactor(ctx, request, reply, staff, problem);
    }
    return reply.redirect(TWO_FACTOR, 303);
  });

  for (const [path, act, done] of [
    [`${TWO_FACTOR}/xac-nhan`, confirmTotpEnrolment, 'da-bat'],
    [`${TWO_FACTOR}/tat`, disableOwnTotp, 'da-tat'],
  ] as const) {
    app.post(path, { preHandler: app.csrfProtection, config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } } }, async (request, reply) => {
      const staff = staffOr(request, reply);
      if (!staff) return reply;
      const { fields } = await readPageForm(request);
      try {
        await act(ctx, staff, fields.otp ?? '', request.ip);
      } catch (error) {
        const problem = fieldErrors(error);
        if (!problem) throw error;
        return showTwoFactor(ctx, request, reply, staff, problem);
      }
      return reply.redirect(`${TWO_FACTOR}?tb=${done}`, 303);
    });
  }
}
