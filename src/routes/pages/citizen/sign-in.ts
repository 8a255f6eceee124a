// Citizens sign in with VNeID (OpenID Connect, identity/oidc-client.ts): /auth/citizen/login sends the browser to the
// provider with the login state sealed in a short-lived cookie, /auth/citizen/callback completes it and starts the
// citizen session (services/citizens/sign-in.ts), /auth/citizen/logout ends it and goes through the provider's
// logout. Every failure is a Vietnamese page with a way back, never a 5xx for what the provider or the browser sent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { LOGIN_STATE_COOKIE, LOGIN_STATE_COOKIE_PATH, LOGIN_STATE_SECONDS } from '../../../identity/login-state.js';
import { createCitizenIdentityClient } from '../../../identity/oidc-client.js';
import { CITIZEN_COOKIE, endCitizenSession } from '../../../services/citizens/sessions.js';
import { signInCitizen, signOutCitizen } from '../../../services/citizens/sign-in.js';
import { render } from '../common.js';
import { safeNext } from '../staff/sign-in.js';

/** The citizen's space ("Hồ sơ của tôi"), where a sign-in lands unless `next` says otherwise. */
export const CITIZEN_HOME = '/ho-so-cua-toi';

const ERROR_TITLES: Partial<Record<string, string>> = {
  CITIZEN_LOGIN_DENIED: 'Bạn đã hủy đăng nhập',
  CITIZEN_CLAIMS_INVALID: 'Thông tin định danh không hợp lệ',
  IDENTITY_PROVIDER_UNAVAILABLE: 'Máy chủ định danh không phản hồi',
  CITIZEN_LOGIN_NOT_CONFIGURED: 'Chưa hỗ trợ đăng nhập bằng VNeID',
};

export function citizenSignInPages(app: FastifyInstance, ctx: AppContext): void {
  const settings = ctx.config.citizenLogin;
  const secure = ctx.config.publicUrl.startsWith('https://');
  const identity = settings.provider ? createCitizenIdentityClient(settings, ctx.secret, ctx.log) : undefined;
  const loginStateCookie = { path: LOGIN_STATE_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure } as const;
  // Counted like the staff sign-in: a coarse per-address flood guard.
  const rateLimit = { max: ctx.config.loginRateLimit, timeWindow: '1 minute' };

  function failurePage(request: FastifyRequest, reply: FastifyReply, error: AppError) {
    if (error.retryAfterSeconds === undefined && error.statusCode === 503) void reply.header('retry-after', '30');
    return render(request, reply, 'citizen-login-error', {
      title: ERROR_TITLES[error.code] ?? 'Đăng nhập bằng VNeID không thành công',
      message: error.message, code: error.code,
      problems: Object.entries(error.fields ?? {}).map(([field, message]) => ({ field, message })),
      canRetry: identity !== undefined,
    }, error.statusCode);
  }

  app.get('/auth/citizen/login', { config: { rateLimit } }, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next) ?? CITIZEN_HOME;
    try {
      if (!identity) throw new AppError('CITIZEN_LOGIN_NOT_CONFIGURED', 'Cổng chưa được kết nối với máy chủ định danh (VNeID). Bạn vẫn có thể nộp và tra cứu hồ sơ không cần đăng nhập.');
      const { url, sealedState } = await identity.startLogin(next);
      reply.setCookie(LOGIN_STATE_COOKIE, sealedState, { ...loginStateCookie, maxAge: LOGIN_STATE_SECONDS });
      return reply.redirect(url, 302);
    } catch (error) {
      if (error instanceof AppError) return failurePage(request, reply, error);
      throw error;
    }
  });

  app.get('/auth/citizen/callback', { config: { rateLimit } }, async (request, reply) => {
    // The login state is spent whatever happens: a callback is never completed twice.
    reply.clearCookie(LOGIN_STATE_COOKIE, loginStateCookie);
    try {
      if (!identity) throw new AppError('CITIZEN_LOGIN_NOT_CONFIGURED', 'Cổng chưa được kết nối với máy chủ định danh (VNeID).');
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const { login, next } = await identity.completeLogin(query, request.cookies[LOGIN_STATE_COOKIE]);
      // A session already in this browser (another citizen, or an older sign-in) ends here.
      const previous = request.cookies[CITIZEN_COOKIE];
      if (previous) await endCitizenSession(ctx.db, previous);
      const session = await signInCitizen(ctx.db, login, request.ip, request.log);
      reply.setCookie(CITIZEN_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
      return reply.redirect(next, 303);
    } catch (error) {
      if (error instanceof AppError) return failurePage(request, reply, error);
      throw error;
    }
  });

  app.post('/auth/citizen/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[CITIZEN_COOKIE];
    const ended = token ? await signOutCitizen(ctx.db, token, request.ip) : undefined;
    reply.clearCookie(CITIZEN_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    // The provider's session too, when it has an end_session_endpoint (RP-initiated logout), then back to the portal.
    const providerLogout = ended && identity ? await identity.logoutUrl(ended.idToken) : null;
    return reply.redirect(providerLogout ?? '/', 303);
  });
}
