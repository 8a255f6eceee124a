// /ho-so/:code: the dossier's timeline, supplementing (/bo-sung), the files and the signed result, the satisfaction
// survey (/danh-gia), messages with the office (/tin-nhan) and "Đổi mã tra cứu" (/doi-ma-tra-cuu). The citizen is the
// one signed in with VNeID whom the dossier concerns, or the holder of the remembered tracking token; staff see it as
// themselves.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import type { Caller } from '../../../services/access.js';
import { adjustChoices, adjustmentSlots } from '../../../services/admissions/adjustment.js';
import { remarkingLinkShown } from '../../../services/admissions/remarking.js';
import { MESSAGES_LISTED, messagesOf, postDossierMessage } from '../../../services/messages/dossier-messages.js';
import { changeTrackingToken } from '../../../services/processing/change-tracking-token.js';
import { performAction } from '../../../services/processing/perform-action.js';
import { SURVEY_CRITERIA, submitSurvey, surveyStateOf } from '../../../services/reporting/survey.js';
import { dossierDetails, dossierDocument, dossierResult } from '../../../services/viewing/dossier-view.js';
import {
  citizenCaller, fieldErrors, formVersion, readPageForm, rememberDossier, rememberedDossiers, render, TRACK_COOKIE_DAYS, wantsJson,
} from '../common.js';
import { messagePostLimiter } from '../../message-limit.js';
import { sendDownload } from '../downloads.js';
import { messagesPanel, type MessageFormState } from '../messages-model.js';
import { citizenDossierModel, type CitizenDossierExtra } from './dossier-model.js';
import { enc, FLASH } from './shared.js';
import { paymentPanel } from './payment.js';

export function dossierPages(app: FastifyInstance, ctx: AppContext): void {
  const messageLimit = messagePostLimiter(app, ctx);
  const page = async (request: FastifyRequest, code: string, caller: Caller, extra: CitizenDossierExtra = {}, messageForm: MessageFormState = {}) => {
    // One load and one access check (for a citizen, one read of their children): the rest takes what it loaded.
    const details = await dossierDetails(ctx, code, caller, { messages: MESSAGES_LISTED });
    const asStaff = request.caller.kind === 'staff';
    const [survey, messages, remarking, adjustment] = await Promise.all([
      surveyStateOf(ctx, details.dossier, details.surveyRating), messagesOf(ctx, details.dossier, details.actor, details.messages), !asStaff && remarkingLinkShown(ctx, details.dossier),
      asStaff ? undefined : adjustmentSlots(ctx, details.dossier),
    ]);
    return citizenDossierModel(code, details, survey, asStaff, {
      ...extra, adjustment: adjustmentPanel(code, adjustment, extra.adjustmentForm as AdjustmentForm | undefined), remarkingUrl: remarking ? `/ho-so/${enc(code)}/phuc-khao` : null, messages: messagesPanel(messages, `/ho-so/${enc(code)}/tin-nhan`, asStaff, messageForm),
      // A signed-in citizen came from their space ("Hồ sơ của tôi"), not from the tracking form.
      inMySpace: request.caller.kind === 'citizen',
      payment: paymentPanel(details.view, `/ho-so/${enc(code)}`, {
        asStaff, online: ctx.config.paymentPlatform !== undefined, closed: details.dossier.closedAt !== null, flash: (request.query as Record<string, string>).tt,
      }),
    });
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

  // "Điều chỉnh nguyện vọng" in the adjustment window (services/admissions/adjustment.ts): the choices only.
  app.post('/ho-so/:code/nguyen-vong', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { fields } = await readPageForm(request);
    const choices = Object.fromEntries(Object.entries(fields).filter(([k]) => /^choice\d$/.test(k)));
    try {
      await adjustChoices(ctx, code, caller, choices, request.ip);
      return reply.redirect(`/ho-so/${enc(code)}?tb=nguyen-vong#nguyen-vong`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem || (error as AppError).code !== 'VALIDATION_FAILED') throw error;
      const adjustmentForm: AdjustmentForm = { values: choices, errors: problem.fields, message: problem.message };
      return render(request, reply, 'dossier', await page(request, code, caller, { adjustmentForm }), (error as AppError).statusCode);
    }
  });

  // A message to the office; the page shows it with its read receipt (services/messages/dossier-messages.ts).
  app.post('/ho-so/:code/tin-nhan', { preHandler: app.csrfProtection }, async (request, reply) => {
    const refused = await messageLimit(request);
    if (refused) throw refused;
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { fields } = await readPageForm(request);
    try {
      await postDossierMessage(ctx, code, caller, { body: fields.body });
      return reply.redirect(`/ho-so/${enc(code)}?tb=tin-nhan#tin-nhan`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      // Only what was typed is drawn again; access errors are the error page's.
      if (!problem || (error as AppError).code !== 'VALIDATION_FAILED') throw error;
      return render(request, reply, 'dossier', await page(request, code, caller, {}, { error: problem.fields.body ?? problem.message, value: fields.body }),
        (error as AppError).statusCode);
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

interface AdjustmentForm { values: Record<string, string>; errors: Record<string, string>; message: string }

/** The "Điều chỉnh nguyện vọng" form's model: each choice with its schools, what was posted and the errors next to it. */
function adjustmentPanel(code: string, open: Awaited<ReturnType<typeof adjustmentSlots>>, posted: AdjustmentForm | undefined) {
  if (!open) return null;
  return {
    action: `/ho-so/${enc(code)}/nguyen-vong`, closesAt: open.closesAt.toISOString(), error: posted?.message ?? null,
    slots: open.slots.map((s) => {
      const value = posted ? posted.values[s.field] ?? '' : s.value;
      return {
        name: s.field, label: `Nguyện vọng ${s.rank}${s.categoryLabel ? ` (${s.categoryLabel})` : ''}`, error: posted?.errors[s.field] ?? null,
        options: s.options.map((o) => ({ ...o, selected: o.value === value })),
      };
    }),
  };
}
