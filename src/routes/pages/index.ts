// The portal's HTML pages, in their own encapsulated scope: form bodies, CSRF protection (secret in a cookie, token
// in every form), a Content-Security-Policy that allows only our own scripts, and errors shown as pages, not JSON.
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { CSRF_COOKIE } from '../../plugins/caller.js';
import { csrfCookieOptions } from './csrf-token.js';
import { clientFault, isServiceUnavailable, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE } from '../../plugins/errors.js';
import { citizenPages } from './citizen/index.js';
import { citizenCaller, render } from './common.js';
import { formsAvailability, sendDownload } from './downloads.js';
import { formPdf } from '../../services/results/one-stop-forms.js';
import { staffPages } from './staff/index.js';
import { adminPages } from './admin/index.js';

/**
 * Our own scripts only; the staff pages may also call the official's local signing agent (SIGNING_AGENT_URL). The
 * citizen's "Đăng xuất" form is redirected on to the identity provider's logout, and "Nộp phí trực tuyến" to the Payment
 * Platform, which form-action must allow (browsers check a form's redirects too).
 */
const pagesCsp = (signingAgentUrl: string, formTargets: Array<string | undefined>) => [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-src 'self'", "object-src 'self'",
  `connect-src 'self' ${new URL(signingAgentUrl).origin}`, "frame-ancestors 'self'",
  ["form-action 'self'", ...formTargets.filter((t): t is string => Boolean(t)).map((t) => new URL(t).origin)].join(' '), "base-uri 'none'",
].join('; ');

/** The tracking-book export (issue 4B), if this build has it. */
const TRACKING_BOOK_PATHS = ['/api/reports/tracking-book', '/api/tracking-book', '/api/reports/tracking-book.xlsx'];
const FORMS_PATH = '/api/dossiers/:code/forms/:kind';

export async function pageRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  // "Nộp phí trực tuyến" is redirected on to the Payment Platform's page.
  const CSP = pagesCsp(ctx.config.signingAgentUrl, [ctx.config.citizenLogin.provider?.issuer, ctx.config.paymentPlatform?.url]);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Verifies the tokens of page forms; render (common.ts) makes them when a form is drawn (csrf-token.ts).
  const cookieOpts = csrfCookieOptions(ctx.config.publicUrl);
  app.decorate('csrfCookieOptions', cookieOpts);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts,
    // Page forms send `_csrf` in the body; multipart forms send it in the query (the body is read later, by the
    // handler) or, from the upload script, in a header.
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const query = request.query as Record<string, unknown> | undefined;
      const header = request.headers['x-csrf-token'];
      return (typeof body?._csrf === 'string' ? body._csrf : undefined)
        ?? (typeof header === 'string' ? header : undefined)
        ?? (typeof query?._csrf === 'string' ? query._csrf : undefined);
    },
  });

  formsAvailability.enabled = app.hasRoute({ method: 'GET', url: FORMS_PATH });
  const trackingBookUrl = TRACKING_BOOK_PATHS.find((url) => app.hasRoute({ method: 'GET', url })) ?? null;

  app.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    }
    return payload;
  });

  app.setErrorHandler(async (thrown: FastifyError | AppError, request, reply) => {
    // The database refusing the client's text (a NUL byte) is a malformed request here too (plugins/errors.ts).
    const error = clientFault(thrown) ?? thrown;
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') return reply.redirect(`/dang-nhap?next=${encodeURIComponent(request.url)}`, 303);
    if (isServiceUnavailable(error)) { // the database does not answer (plugins/errors.ts): 503, come back later
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return render(request, reply, 'error', { title: 'Dịch vụ tạm thời gián đoạn', message: error instanceof AppError ? error.message : UNAVAILABLE_MESSAGE, status: 503 }, 503);
    }
    const csrfFailure = error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET';
    const status = error instanceof AppError ? error.statusCode : csrfFailure ? 403 : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    const message = csrfFailure ? 'Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.'
      : error instanceof AppError && status < 500 ? error.message
        : status === 413 ? 'Tệp tải lên quá lớn.' : status < 500 ? 'Yêu cầu không hợp lệ.' : 'Đã xảy ra lỗi, vui lòng thử lại sau.';
    try {
      return render(request, reply, 'error', { title: 'Không thực hiện được', message, status }, status);
    } catch (renderError) {
      // The error page must answer whatever failed before it (e.g. a body that never parsed): a bare page then.
      request.log.error({ err: renderError }, 'error page failed');
      return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8')
        .send(`<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không thực hiện được</title><p>${escapeHtml(message)}</p></html>`);
    }
  });

  await citizenPages(app, ctx);
  await staffPages(app, ctx, { trackingBookUrl });
  await adminPages(app, ctx);

  // The one-stop forms for a citizen holding the remembered tracking token (the browser cannot send it as a Bearer
  // header): same service as GET /api/dossiers/:code/forms/:kind (issue 4B).
  if (formsAvailability.enabled) {
    app.get('/ho-so/:code/mau/:kind', async (request, reply) => {
      const { code, kind } = request.params as { code: string; kind: string };
      const { fileName, data } = await formPdf(ctx, code, kind, citizenCaller(request, code));
      return sendDownload(reply, 'application/pdf', fileName, data, true);
    });
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
