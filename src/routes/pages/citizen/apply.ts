// /thu-tuc/:id/nop: the application form generated from the current definition (browser + server validation, the
// draft kept in localStorage, upload progress); a filed dossier is remembered in this browser and shows its receipt.
// Filing is rate-limited per client (routes/intake-limit.ts) and per applicant contact (the intake service).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { vnToday } from '../../../calendar/vn-time.js';
import type { AppError } from '../../../errors.js';
import { optionsFor } from '../../../services/intake/routing.js';
import { submitDossier } from '../../../services/intake/submit-dossier.js';
import type { FieldOption } from '../../../workflow/types.js';
import { intakePageLimiter } from '../../intake-limit.js';
import { fieldErrors, readPageForm, rememberDossier, render, wantsJson } from '../common.js';
import { documentViews, fieldViews } from '../form-view.js';
import { enc, findProcedure } from './shared.js';

interface ApplyState { values: Record<string, unknown>; errors: Record<string, string>; message?: string; idempotencyKey?: string }

async function applyModel(ctx: AppContext, id: string, { values, errors, message, idempotencyKey = randomUUID() }: ApplyState) {
  const d = findProcedure(ctx, id).definition;
  const form = d.forms[d.intakeForm]!;
  const dataOptions: Record<string, FieldOption[]> = {};
  for (const f of form.fields) if (f.optionsFrom) dataOptions[f.name] = await optionsFor(ctx.db, f.optionsFrom);
  return {
    title: `Nộp hồ sơ: ${d.title}`, message, procedure: { id: d.id, title: d.title },
    fields: fieldViews(form, values, errors, '', vnToday(), dataOptions), documents: documentViews(d.documents, null, errors),
    idempotencyKey, scripts: ['form.js'], draftKey: `motcua-draft:${d.id}`,
    errorList: Object.entries(errors).map(([name, text]) => ({ name, text, label: form.fields.find((f) => f.name === name)?.label ?? d.documents[name]?.label ?? name })),
  };
}

export function applyPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const intakeLimit = intakePageLimiter(app, ctx);

  app.get('/thu-tuc/:id/nop', async (request, reply) =>
    render(request, reply, 'apply', await applyModel(ctx, (request.params as { id: string }).id, { values: {}, errors: {} })));

  // CSRF token travels in the query string for multipart posts: the body is not parsed before the check runs.
  app.post('/thu-tuc/:id/nop', { preHandler: app.csrfProtection }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    // Refused before the uploads are read; the browser keeps the draft (form.js), so nothing typed is lost.
    const flooded = await intakeLimit(request);
    if (flooded) {
      reply.header('retry-after', String(flooded.retryAfterSeconds));
      if (wantsJson(request)) return reply.status(flooded.statusCode).send({ error: { code: flooded.code, message: flooded.message } });
      return render(request, reply, 'apply', await applyModel(ctx, id, { values: {}, errors: {}, message: flooded.message }), flooded.statusCode);
    }
    const { fields, files } = await readPageForm(request);
    const { _csrf: _, idempotencyKey, ...data } = fields;
    try {
      const result = await submitDossier(ctx, { procedureId: id, data, files, idempotencyKey: idempotencyKey || undefined });
      rememberDossier(request, reply, result.code, result.trackingToken, secure);
      const target = `/ho-so/${enc(result.code)}/bien-nhan`;
      if (wantsJson(request)) return reply.send({ redirect: target, code: result.code });
      return reply.redirect(target, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      const status = (error as AppError).statusCode;
      const retryAfter = (error as AppError).retryAfterSeconds;
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      if (wantsJson(request)) return reply.status(status).send({ error: { code: (error as AppError).code, message: problem.message, fields: problem.fields } });
      return render(request, reply, 'apply', await applyModel(ctx, id, { values: data, errors: problem.fields, message: problem.message, idempotencyKey }), status);
    }
  });
}
