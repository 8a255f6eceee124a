// /phan-anh-kien-nghi: the feedback and complaints form (a signed-in citizen's name and contacts come from VNeID, and
// their own items are listed under it), the published answers (/da-tra-loi: never a name or a contact) and the
// filer's page of one item (/tra-cuu: code + the token given at filing, posted like the dossier tracking form; a
// signed-in filer needs no token). Same services as /api/feedback.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import type { Caller } from '../../../services/access.js';
import { fileFeedback, MAX_BODY_LENGTH, MAX_TITLE_LENGTH } from '../../../services/feedback/file-feedback.js';
import { feedbackFor, myFeedback, publishedAnswers } from '../../../services/feedback/read-feedback.js';
import { intakeRateLimited } from '../../intake-limit.js';
import { citizenCaller, fieldErrors, readPageForm, render } from '../common.js';

const TITLE = 'Phản ánh, kiến nghị';
const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

export function feedbackPages(app: FastifyInstance, ctx: AppContext): void {
  // Per client address, like the intake form (INTAKE_RATE_LIMIT a minute), counted apart from dossier filings.
  const max = ctx.config.intake.ratePerMinute;
  const limiter = max > 0 ? app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: (request) => `feedback-page|${request.ip}` }) : undefined;

  const formPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const caller = request.caller;
    const citizen = caller?.kind === 'citizen' ? caller.citizen : undefined;
    const values = (extra.values as Record<string, string> | undefined) ?? {
      dossierCode: text((request.query as Record<string, unknown>).ho_so, 64), contactEmail: citizen?.email ?? '', contactPhone: citizen?.phone ?? '',
    };
    return render(request, reply, 'feedback', {
      title: TITLE, maxTitle: MAX_TITLE_LENGTH, maxBody: MAX_BODY_LENGTH,
      procedures: ctx.catalog.list().map((p) => ({ value: p.definition.id, label: p.definition.title, selected: p.definition.id === values.procedureId })),
      citizen: citizen ? { fullName: citizen.fullName } : null,
      mine: citizen ? await myFeedback(ctx, caller) : [],
      values, errors: {}, ...extra,
    }, status);
  };

  app.get('/phan-anh-kien-nghi', async (request, reply) => formPage(request, reply));

  app.post('/phan-anh-kien-nghi', { preHandler: app.csrfProtection }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const values = {
      kind: fields.kind ?? '', dossierCode: text(fields.dossierCode, 64), procedureId: fields.procedureId ?? '', title: fields.title ?? '', body: fields.body ?? '',
      contactName: fields.contactName ?? '', contactEmail: fields.contactEmail ?? '', contactPhone: fields.contactPhone ?? '', publishRequested: fields.publishRequested ?? '',
    };
    if (limiter) {
      const outcome = await limiter(request);
      if (!outcome.isAllowed && outcome.isExceeded) {
        const refusal = intakeRateLimited(outcome.ttlInSeconds);
        reply.header('retry-after', String(refusal.retryAfterSeconds));
        return formPage(request, reply, { values, error: 'Thiết bị hoặc mạng của bạn đã gửi quá nhiều yêu cầu trong một phút. Vui lòng thử lại sau ít phút.' }, 429);
      }
    }
    // About a dossier: the citizen signed in, or this browser's remembered tracking token for it.
    const caller: Caller = values.dossierCode ? citizenCaller(request, values.dossierCode)
      : request.caller.kind === 'citizen' ? request.caller : request.caller.kind === 'staff' ? request.caller : { kind: 'public', bearer: null };
    try {
      const filed = await fileFeedback(ctx, caller, {
        kind: values.kind, dossierCode: values.dossierCode, procedureId: values.procedureId, title: values.title, body: values.body,
        contactName: values.contactName, contactEmail: values.contactEmail, contactPhone: values.contactPhone, publishRequested: values.publishRequested === 'on',
      }, { ip: request.ip });
      return render(request, reply, 'feedback-filed', { title: 'Đã gửi phản ánh, kiến nghị', filed, signedIn: request.caller.kind === 'citizen' }, 201);
    } catch (error) {
      const problem = fieldErrors(error);
      // An unknown or unseen dossier is the error page's (404); what was typed wrong is drawn on the form again.
      if (!problem || !['VALIDATION_FAILED', 'RATE_LIMITED'].includes((error as AppError).code)) throw error;
      if ((error as AppError).retryAfterSeconds) reply.header('retry-after', String((error as AppError).retryAfterSeconds));
      return formPage(request, reply, { values, error: problem.message, errors: problem.fields }, (error as AppError).statusCode);
    }
  });

  app.get('/phan-anh-kien-nghi/da-tra-loi', async (request, reply) => render(request, reply, 'feedback-published', {
    title: 'Trả lời phản ánh, kiến nghị', items: await publishedAnswers(ctx),
  }));

  const lookupPage = (request: FastifyRequest, reply: FastifyReply, data: { code: string; error?: string }, status = 200) =>
    render(request, reply, 'feedback-lookup', { title: 'Tra cứu phản ánh, kiến nghị', ...data, scripts: ['track.js'] }, status);

  const showItem = async (request: FastifyRequest, reply: FastifyReply, code: string, caller: Caller) => {
    try {
      const item = await feedbackFor(ctx, code, caller);
      return render(request, reply, 'feedback-item', { title: `${item.kindLabel} ${item.code}`, item });
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      return lookupPage(request, reply, { code, error: error.message }, error.statusCode);
    }
  };

  app.get('/phan-anh-kien-nghi/tra-cuu', async (request, reply) => {
    const code = text((request.query as Record<string, unknown>).ma, 64);
    // A signed-in filer opens their own item without a token.
    if (code && request.caller.kind === 'citizen') return showItem(request, reply, code, request.caller);
    return lookupPage(request, reply, { code });
  });

  // The token travels in the body only (typed, or taken from the e-mailed link's fragment by track.js).
  app.post('/phan-anh-kien-nghi/tra-cuu', { preHandler: app.csrfProtection }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const code = text(fields.code, 64);
    const token = text(fields.token, 200);
    if (!code || !token) return lookupPage(request, reply, { code, error: 'Vui lòng nhập mã phản ánh, kiến nghị và mã tra cứu.' }, 422);
    const caller: Caller = request.caller.kind === 'citizen' ? { ...request.caller, bearer: token } : { kind: 'public', bearer: token };
    return showItem(request, reply, code, caller);
  });
}
