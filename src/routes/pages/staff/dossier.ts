// /can-bo/ho-so/:code: the dossier with files inline, history and the actions the workflow allows; posting an action,
// claiming, the unsigned preview of the result, PIN signing of a result waiting for the official's signature, and
// revoking the citizen's tracking token (a new one is shown once, to hand over; the citizen is e-mailed it), and
// messages to the citizen (/tin-nhan).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import type { AppError } from '../../../errors.js';
import { postDossierMessage } from '../../../services/messages/dossier-messages.js';
import { assignDossier } from '../../../services/processing/assign-dossier.js';
import { changeTrackingToken } from '../../../services/processing/change-tracking-token.js';
import { performAction } from '../../../services/processing/perform-action.js';
import { signWithPin } from '../../../services/results/batch-sign.js';
import { previewResult } from '../../../services/results/preview.js';
import { dossierView } from '../../../services/viewing/dossier-view.js';
import { fieldErrors, formVersion, prefixedData, readPageForm, render } from '../common.js';
import { messagePostLimiter } from '../../message-limit.js';
import { sendDownload } from '../downloads.js';
import { loadStaffDossier, staffDossierModel, type StaffDossierExtra } from './dossier-model.js';
import { enc, flashOf, staffOr } from './shared.js';

/** Where to go after an action: back to the queue the official came from, else the dossier. */
const BACK: Record<string, string> = { 'phe-duyet': '/can-bo/phe-duyet', 'hop-thu': '/can-bo' };

export function dossierPages(app: FastifyInstance, ctx: AppContext): void {
  const messageLimit = messagePostLimiter(app, ctx);
  const page = async (request: FastifyRequest, code: string, extra: StaffDossierExtra = {}) =>
    staffDossierModel(code, await loadStaffDossier(ctx, code, request.caller), extra);
  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;
  const backTo = (code: string, message: string) => `/can-bo/ho-so/${enc(code)}?tb=${enc(message)}`;

  app.get('/can-bo/ho-so/:code', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    return render(request, reply, 'staff-dossier', await page(request, codeOf(request), { flash: flashOf(request) }));
  });

  app.post('/can-bo/ho-so/:code/thao-tac/:action', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code, action } = request.params as { code: string; action: string };
    const { fields, files } = await readPageForm(request);
    const data = prefixedData(fields, 'data.');
    try {
      const outcome = await performAction(ctx, {
        code, action, caller: request.caller, version: formVersion(fields.version), comment: fields.comment,
        data: Object.keys(data).length > 0 ? data : undefined, files,
      });
      const label = (await dossierView(ctx, code, request.caller)).history.at(-1)?.actionLabel ?? outcome.status;
      const back = BACK[fields.back ?? ''] ?? `/can-bo/ho-so/${enc(code)}`;
      return reply.redirect(`${back}?tb=${enc(`Đã thực hiện: ${label}`)}`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return render(request, reply, 'staff-dossier', await page(request, code, { actionError: { action, ...problem, values: fields } }), (error as AppError).statusCode);
    }
  });

  // Claim: the official takes the dossier from the unit's queue (the assignment service).
  app.post('/can-bo/ho-so/:code/nhan-xu-ly', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = codeOf(request);
    const { fields } = await readPageForm(request);
    try {
      await assignDossier(ctx, { code, caller: request.caller, version: formVersion(fields.version) });
      return reply.redirect(backTo(code, 'Bạn đã nhận xử lý hồ sơ này.'), 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(backTo(code, problem.message), 303);
    }
  });

  // A message to the citizen (e-mailed to them when the dossier has an e-mail); audited.
  app.post('/can-bo/ho-so/:code/tin-nhan', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const refused = await messageLimit(request);
    if (refused) throw refused;
    const code = codeOf(request);
    const { fields } = await readPageForm(request);
    try {
      await postDossierMessage(ctx, code, request.caller, { body: fields.body });
      return reply.redirect(`${backTo(code, 'Đã gửi tin nhắn cho công dân.')}#tin-nhan`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      // Only what was typed is drawn again; access errors are the error page's.
      if (!problem || (error as AppError).code !== 'VALIDATION_FAILED') throw error;
      return render(request, reply, 'staff-dossier', await page(request, code, { messageForm: { error: problem.fields.body ?? problem.message, value: fields.body } }),
        (error as AppError).statusCode);
    }
  });

  // The citizen says their tracking token leaked: every earlier token, link and remembered browser stops working.
  app.post('/can-bo/ho-so/:code/thu-hoi-ma-tra-cuu', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = codeOf(request);
    try {
      await changeTrackingToken(ctx, code, request.caller);
      return reply.redirect(backTo(code, 'Đã thu hồi mã tra cứu cũ. Mã mới được gửi tới thư điện tử công dân đã khai; cán bộ không xem được mã mới.'), 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(backTo(code, problem.message), 303);
    }
  });

  app.get('/can-bo/ho-so/:code/xem-truoc', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { fileName, data } = await previewResult(ctx, codeOf(request), request.caller);
    return sendDownload(reply, 'application/pdf', fileName, data, true);
  });

  // A result approved earlier and waiting for this official's own PIN-locked key.
  app.post('/can-bo/ho-so/:code/ky-so', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const code = codeOf(request);
    const { fields } = await readPageForm(request);
    try {
      await signWithPin(ctx, code, request.caller, fields.pin ?? '');
      return reply.redirect(backTo(code, 'Đã ký số kết quả.'), 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return reply.redirect(backTo(code, problem.message), 303);
    }
  });
}
