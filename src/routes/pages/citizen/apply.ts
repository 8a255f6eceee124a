// /thu-tuc/:id/nop: the application form generated from the current definition (browser + server validation, the
// draft kept in localStorage, upload progress); a filed dossier is remembered in this browser and shows its receipt.
// Filing is rate-limited per client (routes/intake-limit.ts) and per applicant contact (the intake service).
// A citizen signed in with VNeID chooses whom they file for ("Nộp cho": themselves, a child, as a proxy — what the
// procedure allows); what the state vouches for is shown filled and read-only, and the server fills it again on filing.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { vnToday } from '../../../calendar/vn-time.js';
import type { AppError } from '../../../errors.js';
import { optionsFor } from '../../../services/intake/routing.js';
import { submitDossier } from '../../../services/intake/submit-dossier.js';
import {
  choiceValueOf, derivedFieldNames, filingChoices, prefilledFields, resolveFiling, type FilingRequest,
} from '../../../services/intake/filing.js';
import { documentRefsFromFields, pickableDocuments } from '../../../services/citizens/document-store.js';
import type { Caller } from '../../../services/access.js';
import type { FieldOption, PrefillPath, WorkflowDefinition } from '../../../workflow/types.js';
import { intakePageLimiter } from '../../intake-limit.js';
import { fieldErrors, readPageForm, rememberDossier, render, wantsJson } from '../common.js';
import { displayValue, documentViews, fieldViews } from '../form-view.js';
import { enc, findProcedure } from './shared.js';

/** `caller`: a signed-in citizen gets "Chọn từ kho giấy tờ của tôi" on each document (partials/document-store-picker.hbs). */
/** `choice`: the "Nộp cho" option of a signed-in citizen (`?cho=`: ban-than, uy-quyen or a child's ID number). */
interface ApplyState { values: Record<string, unknown>; errors: Record<string, string>; message?: string; idempotencyKey?: string; caller?: Caller; choice?: string }

/** The filing fields the page posts besides the form's own (the API takes the same names as multipart parts). */
function filingRequestOf(fields: Record<string, string | undefined>): FilingRequest {
  return {
    filedFor: fields.filedFor || undefined, childPersonalId: fields.childPersonalId || undefined,
    principal: { fullName: fields.principalName, personalId: fields.principalPersonalId, email: fields.principalEmail },
  };
}

/**
 * The "Nộp cho" part of the page for a signed-in citizen: the choices, the one made, the fields the state vouches for
 * (value by field name) and the fields not asked (the derived grade; on a proxy filing the represented person's name
 * and ID number, typed in their own inputs).
 */
async function filingModel(ctx: AppContext, d: WorkflowDefinition, caller: Caller | undefined, choice: string | undefined, values: Record<string, unknown>, errors: Record<string, string>) {
  if (caller?.kind !== 'citizen') return { filing: null, vouched: {} as Record<string, string>, hidden: [] as string[] };
  const form = d.forms[d.intakeForm]!;
  const choices = await filingChoices(ctx, d, caller.citizen);
  const chosen = choices.find((c) => c.value === choice) ?? choices[0];
  if (!chosen) return { filing: { choices: [], blocked: true }, vouched: {} as Record<string, string>, hidden: [] as string[] };
  const resolved = await resolveFiling(ctx, d, { citizen: caller.citizen, loa: caller.loa }, { filedFor: chosen.filedFor, childPersonalId: chosen.childPersonalId ?? undefined });
  const proxy = chosen.filedFor === 'proxy';
  // On a proxy filing nothing about the represented person is vouched: only the filer's own fields are.
  const vouchedValues = proxy
    ? Object.fromEntries(Object.entries(resolved.values).filter(([path]) => path.startsWith('applicant.'))) as Partial<Record<PrefillPath, string>>
    : resolved.values;
  const hidden = [...derivedFieldNames(d), ...(proxy ? form.fields.filter((f) => f.prefill === 'pupil.fullName' || f.prefill === 'pupil.personalId').map((f) => f.name) : [])];
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : '');
  return {
    filing: {
      choices: choices.map((c) => ({ value: c.value, label: c.label, checked: c === chosen })), blocked: false,
      filedFor: chosen.filedFor, childPersonalId: chosen.childPersonalId ?? '', proxy,
      derivedNote: derivedFieldNames(d).includes('grade') ? 'Lớp đăng ký được lấy theo kỳ tuyển sinh bạn chọn.' : null,
      principal: proxy ? {
        name: text('principalName'), personalId: text('principalPersonalId'), email: text('principalEmail'),
        nameError: errors.principalName, personalIdError: errors.principalPersonalId, emailError: errors.principalEmail,
      } : null,
    },
    vouched: prefilledFields(form, vouchedValues),
    hidden,
  };
}

async function applyModel(ctx: AppContext, id: string, { values, errors, message, idempotencyKey = randomUUID(), caller, choice }: ApplyState) {
  const d = findProcedure(ctx, id).definition;
  const form = d.forms[d.intakeForm]!;
  const dataOptions: Record<string, FieldOption[]> = {};
  for (const f of form.fields) if (f.optionsFrom) dataOptions[f.name] = await optionsFor(ctx.db, f.optionsFrom);
  const { filing, vouched, hidden } = await filingModel(ctx, d, caller, choice, values, errors);
  const fields = fieldViews(form, { ...values, ...vouched }, errors, '', vnToday(), dataOptions)
    .filter((f) => !hidden.includes(f.name))
    .map((f) => (f.name in vouched ? { ...f, vouched: true, displayValue: displayValue(form, f.name, vouched[f.name]) } : f));
  // A proxy filing requires the authorisation, whatever the form's own rule for that document says.
  const proxyDocument = filing?.proxy ? d.filing?.proxyDocument : undefined;
  const documents = documentViews(d.documents, null, errors).map((doc) => (doc.key === proxyDocument ? { ...doc, required: true, requiredWhen: undefined } : doc));
  return {
    title: `Nộp hồ sơ: ${d.title}`, message, procedure: { id: d.id, title: d.title },
    filing, fields, documents,
    idempotencyKey, scripts: ['form.js'], draftKey: `motcua-draft:${d.id}`,
    storedDocuments: caller ? await pickableDocuments(ctx, caller) : [],
    errorList: Object.entries(errors).map(([name, text]) => ({ name, text, label: form.fields.find((f) => f.name === name)?.label ?? d.documents[name]?.label ?? FILING_LABELS[name] ?? name })),
  };
}

const FILING_LABELS: Record<string, string> = {
  filedFor: 'Nộp cho', childPersonalId: 'Nộp cho con', principalName: 'Họ và tên người ủy quyền',
  principalPersonalId: 'Số định danh cá nhân người ủy quyền', principalEmail: 'Email người ủy quyền',
};

export function applyPages(app: FastifyInstance, ctx: AppContext): void {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const intakeLimit = intakePageLimiter(app, ctx);

  app.get('/thu-tuc/:id/nop', async (request, reply) =>
    render(request, reply, 'apply', await applyModel(ctx, (request.params as { id: string }).id, {
      values: {}, errors: {}, caller: request.caller, choice: (request.query as { cho?: string }).cho,
    })));

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
    const { refs: documentRefs, rest } = documentRefsFromFields(fields);
    const { _csrf: _, idempotencyKey, filedFor, childPersonalId, principalName, principalPersonalId, principalEmail, ...data } = rest;
    const filing = filingRequestOf({ filedFor, childPersonalId, principalName, principalPersonalId, principalEmail });
    const caller = request.caller;
    const filer = caller.kind === 'citizen' ? { citizen: caller.citizen, loa: caller.loa } : undefined;
    try {
      const result = await submitDossier(ctx, { procedureId: id, data, files, idempotencyKey: idempotencyKey || undefined, documentRefs, filer, filing });
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
      return render(request, reply, 'apply', await applyModel(ctx, id, {
        values: { ...data, principalName, principalPersonalId, principalEmail }, errors: problem.fields, message: problem.message, idempotencyKey,
        caller: request.caller, choice: choiceValueOf(filing),
      }), status);
    }
  });
}
