// /dang-nhap and /dang-xuat: the staff session cookie (services/accounts/auth.ts issues and ends sessions). An account
// with two-factor on is asked for its code when the server answers TOTP_REQUIRED; after sign-in an account with a
// temporary password goes to the change form, an administrator (and nothing else) to /quan-tri, others to `next`
// or their inbox.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import type { StaffRow } from '../../../db/repositories/staff.js';
import { AppError } from '../../../errors.js';
import { PASSWORD_CHANGE_PAGE, SESSION_COOKIE } from '../../../plugins/caller.js';
import { login, logout } from '../../../services/accounts/auth.js';
import { readPageForm, render, signedInStaff } from '../common.js';

const TITLE = 'Cán bộ đăng nhập';
const SHOWN_ERRORS = new Set(['INVALID_CREDENTIALS', 'LOGIN_THROTTLED', 'TOTP_REQUIRED', 'TOTP_INVALID']);

/**
 * Only a path on this site: one `/` then printable ASCII without spaces. An absolute or protocol-relative `next`
 * (`https://x`, `//x`, `/\x`) would be an open redirect, and so would `/<TAB>/x` (browsers drop tabs and newlines from
 * URLs: `//x`); CR/LF would split the Location header. Our own links are percent-encoded, so they all pass.
 */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : null);

/** Where a signed-in account lands. */
function landingFor(staff: StaffRow, next: string | null): string {
  if (staff.mustChangePassword) return PASSWORD_CHANGE_PAGE;
  if (next) return next;
  return staff.roles.length === 1 && staff.roles[0] === 'admin' ? '/quan-tri' : '/can-bo';
}

export function signInPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');

  app.get('/dang-nhap', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    const staff = signedInStaff(request);
    if (staff) return reply.redirect(landingFor(staff, next), 303);
    return render(request, reply, 'login', { title: TITLE, next });
  });

  app.post('/dang-nhap', {
    preHandler: app.csrfProtection,
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const next = safeNext(fields.next);
    try {
      const session = await login(ctx.db, fields.username ?? '', fields.password ?? '', { otp: fields.otp, ip: request.ip, secrets: ctx.signerKeys });
      reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
      return reply.redirect(landingFor(session.staff, next), 303);
    } catch (error) {
      // A wrong password or code, a missing code, or an account held back after too many (LOGIN_THROTTLED, with
      // Retry-After): the form again — with the code field once the server asked for one.
      if (!(error instanceof AppError) || !SHOWN_ERRORS.has(error.code)) throw error;
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      const askOtp = error.code === 'TOTP_REQUIRED' || error.code === 'TOTP_INVALID' || Boolean(fields.otp);
      const message = error.code === 'TOTP_REQUIRED' ? `${error.message} Nhập lại mật khẩu cùng với mã.` : error.message;
      return render(request, reply, 'login', { title: TITLE, next, username: fields.username, error: message, askOtp }, error.statusCode);
    }
  });

  app.post('/dang-xuat', { preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(ctx.db, token, request.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
}
