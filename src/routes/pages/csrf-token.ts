// The pages' CSRF token, made only when the page being drawn shows a form: a page without one sets no motcua_csrf
// cookie. The token and its secret are @fastify/csrf-protection's (reply.generateCsrf), so its csrfProtection and
// plugins/caller.ts verify them as before.
import type { FastifyReply } from 'fastify';

/**
 * The page's token, minted on first use: the template calls it (Handlebars calls a function value of `{{csrfToken}}`,
 * `{{@root.csrfToken}}`, `{{../csrfToken}}`) once per form it draws, and every form of the page gets the same token.
 * The cookie, when the browser had none, is set before the response is sent (the template runs before it).
 */
export function lazyCsrfToken(reply: FastifyReply): () => string {
  let token: string | undefined;
  return () => (token ??= reply.generateCsrf());
}
