// Headers every response carries, whatever route or plugin answered: no MIME sniffing, a referrer policy, a
// Content-Security-Policy that forbids framing, HSTS when the portal is served over https, and Retry-After on an
// AppError that says when to retry. A scope that sets its own CSP later in the onSend chain keeps it (the pages'
// stricter policy, the /docs UI's): this hook runs first and only fills in a default. Files (uploads, results,
// forms, exports) get `sandbox`, so a hostile upload opened in the browser runs no script in our origin.
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

/** JSON, plain text, redirects, errors: nothing to load, never framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** HTML outside the pages' scope (e.g. the /verify page): our own scripts and styles only, never framed. */
export const HTML_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');
/**
 * A file served back (an upload, a result or form PDF, an export): no script, an opaque origin. Our own pages show
 * uploads inline (staff dossier page), so framing by our own origin stays allowed.
 */
export const FILE_CSP = "sandbox; frame-ancestors 'self'";
/** The /docs Swagger UI: its bundled scripts, inline styles it injects, never framed. */
export const DOCS_CSP = [
  "default-src 'self'", "base-uri 'none'", "script-src 'self'", "script-src-attr 'none'", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const HSTS = 'max-age=31536000';

function defaultCsp(reply: FastifyReply): string {
  const type = String(reply.getHeader('content-type') ?? '').toLowerCase();
  if (type.startsWith('text/html')) return HTML_CSP;
  if (type === '' || type.startsWith('application/json') || type.startsWith('text/plain') || type.startsWith('application/problem+json')) return API_CSP;
  if (type.startsWith('text/css') || type.includes('javascript')) return API_CSP;
  return FILE_CSP;
}

export const securityHeadersPlugin = fp(async (app: FastifyInstance, opts: { publicUrl: string }) => {
  const https = opts.publicUrl.startsWith('https://');
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', defaultCsp(reply));
    if (https) reply.header('strict-transport-security', HSTS);
    return payload;
  });
  // Runs before the error handlers (the JSON one and the pages' one), which keep headers already set.
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof AppError && error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  });
});
