// The pages' CSRF token, made only when the page being drawn shows a form: a page without one sets no motcua_csrf
// cookie. The token is @fastify/csrf-protection's (reply.generateCsrf), so its csrfProtection and plugins/caller.ts
// verify it as before; only a new browser's secret is made here, from a pool of random bytes, instead of by the
// plugin's one randomBytes call per secret (bench:status: 5 % of the citizen page's server CPU, the first page of a
// browser session drawing the page's forms).
import { randomFillSync } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { CSRF_COOKIE } from '../../plugins/caller.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The CSRF cookie's options (routes/pages/index.ts registers @fastify/csrf-protection with them). */
    csrfCookieOptions: CsrfCookieOptions;
  }
}

export interface CsrfCookieOptions { path: '/'; httpOnly: true; sameSite: 'lax'; secure: boolean }

/** The cookie the plugin sets, and this file when it makes the secret: the same options for both. */
export function csrfCookieOptions(publicUrl: string): CsrfCookieOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https://') };
}

/** @fastify/csrf's secret: 18 random bytes, base64url (Tokens.secretSync). */
const SECRET_BYTES = 18;
/** Random bytes for 256 secrets, filled at once; each secret takes bytes no other secret had. */
const pool = Buffer.alloc(SECRET_BYTES * 256);
let nextByte = pool.length;

export function newCsrfSecret(): string {
  if (nextByte + SECRET_BYTES > pool.length) {
    randomFillSync(pool);
    nextByte = 0;
  }
  const secret = pool.toString('base64url', nextByte, nextByte + SECRET_BYTES);
  nextByte += SECRET_BYTES;
  return secret;
}

/**
 * The page's token, minted on first use: the template calls it (Handlebars calls a function value of `{{csrfToken}}`,
 * `{{@root.csrfToken}}`, `{{../csrfToken}}`) once per form it draws, and every form of the page gets the same token.
 * The cookie, when the browser had none, is set before the response is sent (the template runs before it).
 */
export function lazyCsrfToken(reply: FastifyReply): () => string {
  let token: string | undefined;
  return () => (token ??= tokenFor(reply));
}

function tokenFor(reply: FastifyReply): string {
  const { cookies } = reply.request;
  if (!cookies[CSRF_COOKIE]) {
    // What generateCsrf would do, with a pooled secret: it now finds the secret and only signs a token with it.
    const secret = newCsrfSecret();
    reply.setCookie(CSRF_COOKIE, secret, reply.server.csrfCookieOptions);
    cookies[CSRF_COOKIE] = secret;
  }
  return reply.generateCsrf();
}
