// /ho-so/:code: the dossier's timeline, supplementing (/bo-sung), the files and the signed result, the satisfaction
// survey (/danh-gia) and "Đổi mã tra cứu" (/doi-ma-tra-cuu). The citizen is the holder of the remembered tracking
// token; staff see it as themselves.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import type { Caller } from '../../../services/access.js';
import { changeTrackingToken } from '../../../services/processing/change-tracking-token.js';
import { performAction } from '../../../services/processing/perform-action.js';
import { SURVEY_CRITERIA, submitSurvey, surveyState } from '../../../services/reporting/survey.js';
import { dossierDetails, dossierDocument, dossierResult } from '../../../services/viewing/dossier-view.js';
import {
  citizenCaller, fieldErrors, formVersion, readPageForm, rememberDossier, rememberedDossiers, render, TRACK_COOKIE_DAYS, wantsJson,
} from '../common.js';
import { sendDownload } from '../downloads.js';
import { citizenDossierModel, type CitizenDossierExtra } from './dossier-model.js';
import { enc, FLASH } from './shared.js';

export function dossierPages(app: FastifyInstance, ctx: AppContext): void {
  const page = async (request: FastifyRequest, code: string, caller: Caller, extra: CitizenDossierExtra = {}) => {
    const [details, survey] = await Promise.all([dossierDetails(ctx, code, caller), surveyState(ctx, code, caller)]);
    return citizenDossierModel(code, details, survey, request.caller.kind === 'staff', extra);
  };
  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  app.get('/ho-so/:code', async (request, reply) => {
    const code = codeOf(request);
    try {
      const flash = (request.query as Record<string, string>).tb;
      return render(request, reply, 'dossier', await page(request, code, citizenCaller(request, code), { flash: FLASH[flash ?? ''] }));
    } catch (error) {
      if (error instanceof AppError && error.code === 'DOSSIER_NOT_FOUND') {
        const known = rememberedDossiers(request).some((e) => e.code === code);
        return render(request, reply, 'track', {
          title: 'Tra cứu hồ sơ', code, remembered: rememberedDossiers(request), rememberDays: TRACK_COOKIE_DAYS, scripts: ['track.js'],
          // A remembered token that was changed or expired says so; otherwise nothing is told about the code.
          error: known ? error.message : 'Vui lòng nhập mã tra cứu để xem hồ sơ này.',
        }, 404);
      }
      throw error;
    }
  });

  app.get('/ho-so/:code/tep/:id', async (request, reply) => {
    const { code, id } = request.params as { code: string; id: string };
    const { document, data } = await dossierDocument(ctx, code, id, citizenCaller(request, code));
    return sendDownload(reply, document.mimeType, document.fileName, data, true);
  });

  app.get('/ho-so/:code/ket-qua', async (request, reply) => {
    const code = codeOf(request);
    const { fileName, data } = await dossierResult(ctx, code, citizenCaller(request, code));
    return sendDownload(reply, 'application/pdf', fileName, data, false);
  });

  app.post('/ho-so/:code/bo-sung', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { fields, files } = await readPageForm(request);
    try {
      await performAction(ctx, { code, action: fields.action ?? 'resubmit', caller, version: formVersion(fields.version), comment: fields.comment, files });
      if (wantsJson(request)) return reply.send({ redirect: `/ho-so/${enc(code)}?tb=bo-sung` });
      return reply.redirect(`/ho-so/${enc(code)}?tb=bo-sung`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      const status = (error as AppError).statusCode;
      if (wantsJson(request)) return reply.status(status).send({ error: { code: (error as AppError).code, message: problem.message, fields: problem.fields } });
      return render(request, reply, 'dossier', await page(request, code, caller, { supplementError: problem.message, errors: problem.fields }), status);
    }
  });

  // "Đổi mã tra cứu": the old token (links, QR codes, other browsers) stops working; the new one is shown once, here,
  // and this browser remembers it.
  app.post('/ho-so/:code/doi-ma-tra-cuu', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { trackingToken } = await changeTrackingToken(ctx, code, caller);
    // Staff revoking from this page never see the new token (it goes to the citizen by e-mail).
    if (trackingToken === null) return reply.redirect(`/ho-so/${encodeURIComponent(code)}`, 303);
    rememberDossier(request, reply, code, trackingToken, ctx.config.publicUrl.startsWith('https://'));
    return render(request, reply, 'dossier', await page(request, code, { kind: 'public', bearer: trackingToken }, { newToken: trackingToken }));
  });

  app.post('/ho-so/:code/danh-gia', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { fields } = await readPageForm(request);
    const criteria = Object.fromEntries(SURVEY_CRITERIA.map((c) => [c.name, fields[`criteria.${c.name}`] || undefined]));
    try {
      await submitSurvey(ctx, code, caller, { rating: fields.rating || undefined, reason: fields.reason, criteria });
      return reply.redirect(`/ho-so/${enc(code)}?tb=danh-gia`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      if ((error as AppError).code === 'SURVEY_ALREADY_SUBMITTED') return reply.redirect(`/ho-so/${enc(code)}?tb=da-danh-gia`, 303);
      return render(request, reply, 'dossier', await page(request, code, caller, {
        surveyError: problem.message, surveyFieldErrors: problem.fields, surveyValues: { rating: fields.rating, reason: fields.reason },
      }), (error as AppError).statusCode);
    }
  });
}
