// /dang-nhap and /dang-xuat: the staff session cookie (services/accounts/auth.ts issues and ends sessions).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { SESSION_COOKIE } from '../../../plugins/caller.js';
import { login, logout } from '../../../services/accounts/auth.js';
import { readPageForm, render, signedInStaff } from '../common.js';

const TITLE = 'Cán bộ đăng nhập';

/**
 * Only a path on this site: one `/` then printable ASCII without spaces. An absolute or protocol-relative `next`
 * (`https://x`, `//x`, `/\x`) would be an open redirect, and so would `/<TAB>/x` (browsers drop tabs and newlines from
 * URLs: `//x`); CR/LF would split the Location header. Our own links are percent-encoded, so they all pass.
 */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/can-bo');

export function signInPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');

  app.get('/dang-nhap', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (signedInStaff(request)) return reply.redirect(next, 303);
    return render(request, reply, 'login', { title: TITLE, next });
  });

  app.post('/dang-nhap', {
    preHandler: app.csrfProtection,
    config: { rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const next = safeNext(fields.next);
    try {
      const session = await login(ctx.db, fields.username ?? '', fields.password ?? '');
      reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
      return reply.redirect(next, 303);
    } catch (error) {
      // A wrong password, or an account held back after too many (LOGIN_THROTTLED, with Retry-After): the form again.
      if (!(error instanceof AppError) || (error.code !== 'INVALID_CREDENTIALS' && error.code !== 'LOGIN_THROTTLED')) throw error;
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      return render(request, reply, 'login', { title: TITLE, next, username: fields.username, error: error.message }, error.statusCode);
    }
  });

  app.post('/dang-xuat', { preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(ctx.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
}
