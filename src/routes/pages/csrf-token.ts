// The pages' CSRF token, made here in @fastify/csrf's format (what @fastify/csrf-protection's csrfProtection and
// plugins/caller.ts verify: `<salt>-<base64url sha256 of "<salt>-<secret>">`, the secret in the motcua_csrf cookie),
// and only when the page being drawn shows a form. Why not reply.generateCsrf(): a CPU profile of the citizen dossier
// page (issue 15, bench:status) put it at ~4 % of a view without the cookie — a fresh crypto.randomBytes call for the
// secret (~13 µs on the VM) and a hash object per token. Here the secret and the salt come from the same CSPRNG, drawn
// 4 KB at a time (each byte used once, as Node's randomUUID does), and the hash is one call.
import { hash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE } from '../../plugins/caller.js';

/** @fastify/csrf's defaults: an 18-byte secret (base64url), an 8-character salt without '-', sha256. */
const SECRET_BYTES = 18;
const SALT_BYTES = 4; // 8 hex characters
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let used = 0;

function randomText(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const text = pool.toString(encoding, used, used + bytes);
  used += bytes;
  return text;
}

/** The motcua_csrf cookie's options (routes/pages/index.ts gives @fastify/csrf-protection the same). */
export const csrfCookieOptions = (secure: boolean) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure });

/** A token for `secret`, as @fastify/csrf's Tokens().create(secret) makes it. */
export function csrfTokenFor(secret: string): string {
  const salt = randomText(SALT_BYTES, 'hex');
  return `${salt}-${hash('sha256', `${salt}-${secret}`, 'base64url')}`;
}

/**
 * The page's token, minted on first use: the template calls it (Handlebars calls a function value of `{{csrfToken}}`,
 * `{{@root.csrfToken}}`, `{{../csrfToken}}`) once per form it draws, and every form of the page gets the same token. A
 * page that draws no form sets no cookie; a page that does sets the secret's cookie when the browser had none, before
 * the response is sent (the template runs before it).
 */
export function lazyCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): () => string {
  let token: string | undefined;
  return () => {
    if (token !== undefined) return token;
    let secret = request.cookies[CSRF_COOKIE];
    if (!secret) {
      secret = randomText(SECRET_BYTES, 'base64url');
      reply.setCookie(CSRF_COOKIE, secret, csrfCookieOptions(secure));
      // A second page drawn for this request (the error page after a failed render) keeps the same secret.
      request.cookies[CSRF_COOKIE] = secret;
    }
    token = csrfTokenFor(secret);
    return token;
  };
}
