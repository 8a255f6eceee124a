// Who is calling: a signed-in staff member (session cookie or Bearer session token), a citizen signed in with VNeID
// (their own cookie), or the public — whose Bearer may be a dossier's tracking token, checked later against that dossier.
// A browser sends the session cookie along with requests other sites make it send, so an unsafe /api request that
// the COOKIE authenticated must also prove it comes from our own pages: the CSRF token of the pages (x-csrf-token
// header, secret in the motcua_csrf cookie) or a same-origin Sec-Fetch-Site / Origin. Bearer calls and anonymous
// calls carry no ambient credential and are not checked.
// A session signed in with a temporary password (must_change_password) may only change it, read /api/auth/me and
// sign out: every other /api call is 403 PASSWORD_CHANGE_REQUIRED, every staff page sends it to the change form, and
// on public pages it counts for nothing — decided here, once, so no route can forget it.
import Tokens from '@fastify/csrf';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { StaffRow } from '../db/repositories/staff.js';
import { AppError } from '../errors.js';
import type { Caller } from '../services/access.js';
import { staffForToken } from '../services/accounts/auth.js';
import { CITIZEN_COOKIE, citizenForToken } from '../services/citizens/sessions.js';
import type { AppContext } from '../app-context.js';

export const SESSION_COOKIE = 'motcua_session';
/** The pages' CSRF secret (routes/pages/index.ts registers @fastify/csrf-protection with this cookie). */
export const CSRF_COOKIE = 'motcua_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The session behind the request, and whether the cookie or a Bearer header presented it. */
export interface StaffSession { token: string; via: 'cookie' | 'bearer' }

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    staffSession: StaffSession | null;
  }
  interface FastifyContextConfig {
    /** A public read that never needs to know who asks (the result-day look-up): no session is looked up. */
    anonymous?: boolean;
    /**
     * A dossier read where a Bearer is most often the citizen's tracking token (GET /api/dossiers/:code): a Bearer
     * sent without cookies is checked against the dossier first, and looked up as a staff session only if it is not
     * its token (Caller.staffBearer) — one statement fewer on the status look-up.
     */
    trackingBearer?: boolean;
  }
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const PASSWORD_CHANGE_PAGE = '/tai-khoan/doi-mat-khau';
/** All a session with a temporary password may reach. */
const WHILE_PASSWORD_MUST_CHANGE = new Set(['/api/auth/password', '/api/auth/me', '/api/auth/logout', '/api/auth/login', PASSWORD_CHANGE_PAGE, '/dang-xuat', '/dang-nhap']);
const STAFF_PAGES = /^\/(can-bo|quan-tri|tai-khoan)(\/|$)/;
// Signing in uses no session, so an old cookie riding along must not make it fail. The local signing agent's
// upload is authorised by the one-time token in its path alone (routes/api/signing-agent.ts), never by a cookie.
const CSRF_EXEMPT = new Set(['/api/auth/login']);
const CSRF_EXEMPT_PATTERN = /^\/api\/signing-agent\/[A-Za-z0-9_-]{1,64}\/signed$/;
// Same options as @fastify/csrf-protection's defaults, so tokens the pages hand out verify here.
const csrfTokens = Tokens();

function sameOrigin(request: FastifyRequest, publicOrigin: string): boolean {
  const token = request.headers[CSRF_HEADER];
  const secret = request.cookies[CSRF_COOKIE];
  if (typeof token === 'string' && token && secret && csrfTokens.verify(secret, token)) return true;
  // Set by the browser itself, out of reach of page scripts and other sites.
  if (request.headers['sec-fetch-site'] === 'same-origin') return true;
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === publicOrigin;
}

const passwordChangeRequired = () => new AppError('PASSWORD_CHANGE_REQUIRED',
  'Tài khoản đang dùng mật khẩu tạm: vui lòng đổi mật khẩu (POST /api/auth/password) trước khi làm việc khác.');

export const callerPlugin = fp(async (app: FastifyInstance, opts: { ctx: AppContext }) => {
  const publicOrigin = new URL(opts.ctx.config.publicUrl).origin;
  // Declared without a value (reference types must not be shared); the hook below always sets them.
  app.decorateRequest('caller');
  app.decorateRequest('staffSession', null);
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.anonymous) {
      request.caller = { kind: 'public', bearer: null };
      request.staffSession = null;
      return;
    }
    const bearer = bearerOf(request);
    const path = request.url.split('?')[0]!;
    if (bearer && request.routeOptions.config.trackingBearer && SAFE_METHODS.has(request.method) && !request.cookies[CITIZEN_COOKIE]) {
      // What the lines below decide for a Bearer, once the dossier says it is not its tracking token.
      request.caller = {
        kind: 'public', bearer,
        staffBearer: async () => {
          const found = await staffForToken(opts.ctx.db, bearer);
          if (!found) return undefined;
          if (found.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(path)) throw passwordChangeRequired();
          request.caller = { kind: 'staff', staff: found, ip: request.ip };
          request.staffSession = { token: bearer, via: 'bearer' };
          return request.caller;
        },
      };
      request.staffSession = null;
      return;
    }
    const cookie = bearer ? undefined : request.cookies[SESSION_COOKIE];
    const token = bearer ?? cookie ?? null;
    let staff = token ? await staffForToken(opts.ctx.db, token) : undefined;
    if (staff?.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(path)) {
      request.caller = { kind: 'public', bearer };
      if (path.startsWith('/api/')) throw passwordChangeRequired();
      staff = undefined;
      if (STAFF_PAGES.test(path)) return reply.redirect(PASSWORD_CHANGE_PAGE, 303);
    }
    // A citizen's VNeID session (its own cookie); a Bearer sent along is then a tracking token, never a staff session.
    const citizenCookie = staff ? undefined : request.cookies[CITIZEN_COOKIE];
    const citizen = citizenCookie ? await citizenForToken(opts.ctx.db, citizenCookie) : undefined;
    request.caller = staff ? { kind: 'staff', staff, ip: request.ip }
      : citizen ? { kind: 'citizen', citizen: citizen.citizen, loa: citizen.loa, bearer, ip: request.ip }
        : { kind: 'public', bearer };
    request.staffSession = staff && token ? { token, via: bearer ? 'bearer' : 'cookie' } : null;
    const cookieAuthenticated = request.staffSession?.via === 'cookie' || citizen !== undefined;
    if (cookieAuthenticated && !SAFE_METHODS.has(request.method)) {
      if (path.startsWith('/api/') && !CSRF_EXEMPT.has(path) && !CSRF_EXEMPT_PATTERN.test(path) && !sameOrigin(request, publicOrigin)) {
        throw new AppError('CSRF_REJECTED', 'Yêu cầu bị từ chối: không xác minh được yêu cầu đến từ trang của cổng (thiếu mã chống giả mạo CSRF). '
          + 'Vui lòng tải lại trang và thử lại; ứng dụng tích hợp dùng Authorization: Bearer.');
      }
    }
  });
});

export function requireStaff(request: FastifyRequest): StaffRow {
  if (request.caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return request.caller.staff;
}
