// Citizen pages: catalogue with accent-free search, procedure page, the application form generated from the
// workflow, receipt with QR, tracking with a timeline, supplementing, downloads and the satisfaction survey.
// Every page calls the same services as the JSON API.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { vnToday } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import { listAgencies } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { dossierDocument, dossierResult, dossierView, type DossierView } from '../../services/viewing/dossier-view.js';
import { performAction } from '../../services/processing/perform-action.js';
import { optionsFor } from '../../services/intake/routing.js';
import { submitDossier } from '../../services/intake/submit-dossier.js';
import type { FieldOption } from '../../workflow/types.js';
import { RATINGS, SURVEY_CRITERIA, submitSurvey, surveyState } from '../../services/reporting/survey.js';
import {
  citizenCaller, fieldErrors, foldAccents, readPageForm, rememberDossier, rememberedDossiers, render, wantsJson,
} from './common.js';
import { documentViews, fieldViews, formDataRows } from './form-view.js';
import { formLinks, sendDownload } from './downloads.js';

const enc = encodeURIComponent;

export async function citizenPages(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const agencyNames = async () => new Map((await listAgencies(ctx.db)).map((a) => [a.code, a.name]));

  function catalogue(agencies: Map<string, string>) {
    return ctx.catalog.list()
      .map((p) => ({
        id: p.definition.id, title: p.definition.title, agency: agencies.get(p.definition.agency) ?? p.definition.agency,
        workingDays: p.definition.sla.workingDays, fee: feeText(p.definition.fee), search: foldAccents(`${p.definition.title} ${p.definition.description}`),
      }))
      .sort((a, b) => a.title.localeCompare(b.title, 'vi'));
  }

  app.get('/', async (request, reply) => {
    const q = typeof (request.query as Record<string, unknown>).q === 'string' ? String((request.query as Record<string, unknown>).q).slice(0, 100) : '';
    const all = catalogue(await agencyNames());
    const words = foldAccents(q).split(' ').filter(Boolean);
    const procedures = words.length > 0 ? all.filter((p) => words.every((w) => p.search.includes(w))) : all;
    return render(request, reply, 'home', { title: 'Thủ tục hành chính', q, procedures, total: all.length, scripts: ['catalogue.js'] });
  });

  app.get('/thu-tuc/:id', async (request, reply) => {
    const procedure = findProcedure(ctx, (request.params as { id: string }).id);
    const d = procedure.definition;
    const agencies = await agencyNames();
    return render(request, reply, 'procedure', {
      title: d.title, procedure: {
        id: d.id, title: d.title, description: d.description, applicants: d.applicants, legalBasis: d.legalBasis,
        agency: agencies.get(d.agency) ?? d.agency, workingDays: d.sla.workingDays, cutoff: d.sla.cutoff, fee: feeText(d.fee),
        documents: Object.values(d.documents).map((doc) => ({ label: doc.label, required: doc.required, conditional: Boolean(doc.requiredWhen), maxSizeMb: doc.maxSizeMb })),
      },
    });
  });

  const applyPage = async (id: string, values: Record<string, unknown>, errors: Record<string, string>, message?: string, idempotencyKey: string = randomUUID()) => {
    const procedure = findProcedure(ctx, id);
    const d = procedure.definition;
    const form = d.forms[d.intakeForm]!;
    const dataOptions: Record<string, FieldOption[]> = {};
    for (const f of form.fields) if (f.optionsFrom) dataOptions[f.name] = await optionsFor(ctx.db, f.optionsFrom);
    return {
      title: `Nộp hồ sơ: ${d.title}`, message, procedure: { id: d.id, title: d.title },
      fields: fieldViews(form, values, errors, '', vnToday(), dataOptions), documents: documentViews(d.documents, null, errors),
      idempotencyKey, scripts: ['form.js'], draftKey: `motcua-draft:${d.id}`,
      errorList: Object.entries(errors).map(([name, text]) => ({ name, text, label: form.fields.find((f) => f.name === name)?.label ?? d.documents[name]?.label ?? name })),
    };
  };

  app.get('/thu-tuc/:id/nop', async (request, reply) =>
    render(request, reply, 'apply', await applyPage((request.params as { id: string }).id, {}, {})));

  // CSRF token travels in the query string for multipart posts: the body is not parsed before the check runs.
  app.post('/thu-tuc/:id/nop', { preHandler: app.csrfProtection }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
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
      if (wantsJson(request)) return reply.status(status).send({ error: { code: (error as AppError).code, message: problem.message, fields: problem.fields } });
      return render(request, reply, 'apply', await applyPage(id, data, problem.fields, problem.message, idempotencyKey), status);
    }
  });

  app.get('/ho-so/:code/bien-nhan', async (request, reply) => {
    const code = (request.params as { code: string }).code;
    const remembered = rememberedDossiers(request).find((e) => e.code === code);
    const view = await dossierView(ctx, code, citizenCaller(request, code));
    const trackUrl = `${ctx.config.publicUrl}/tra-cuu?code=${enc(code)}${remembered ? `&token=${enc(remembered.token)}` : ''}`;
    const qrSvg = await QRCode.toString(trackUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return render(request, reply, 'receipt', {
      title: 'Biên nhận hồ sơ', dossier: view, token: remembered?.token, trackUrl,
      // The QR SVG comes from the qrcode library (paths only, the URL is not embedded as text): safe to inline.
      qrDataUri: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      draftKey: `motcua-draft:${view.procedure.id}`, scripts: ['receipt.js'], forms: formLinks(view, `/ho-so/${enc(code)}`),
    });
  });

  app.get('/tra-cuu', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const code = typeof query.code === 'string' ? query.code.trim().slice(0, 64) : '';
    const token = typeof query.token === 'string' ? query.token.trim().slice(0, 200) : '';
    const remembered = rememberedDossiers(request);
    if (code && (token || remembered.some((e) => e.code === code) || request.caller.kind === 'staff')) {
      try {
        const caller = token ? { kind: 'public' as const, bearer: token } : citizenCaller(request, code);
        await dossierView(ctx, code, caller);
        if (token) rememberDossier(request, reply, code, token, secure);
        return reply.redirect(`/ho-so/${enc(code)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
        return render(request, reply, 'track', { title: 'Tra cứu hồ sơ', code, error: error.message, remembered }, 404);
      }
    }
    return render(request, reply, 'track', { title: 'Tra cứu hồ sơ', code, remembered, error: code ? 'Vui lòng nhập mã tra cứu trên biên nhận.' : undefined });
  });

  const dossierPage = async (code: string, view: DossierView, request: Parameters<typeof render>[0], extra: Record<string, unknown> = {}) => {
    const definition = ctx.catalog.find(view.procedure.id)?.definition;
    const survey = await surveyState(ctx, code, citizenCaller(request, code));
    const resubmit = view.actions.find((a) => a.documents.length > 0 || a.name === 'resubmit');
    const lastRequest = [...view.history].reverse().find((h) => h.to === view.status && h.comment);
    const base = `/ho-so/${enc(code)}`;
    return {
      title: `Hồ sơ ${code}`, dossier: view, base,
      timeline: [...view.history].reverse(),
      dataRows: formDataRows(definition?.forms[definition.intakeForm], view.formData),
      documents: view.documents.map((d) => ({ ...d, url: `${base}/tep/${enc(d.id)}` })),
      resultUrl: view.result ? `${base}/ket-qua` : null,
      forms: formLinks(view, base),
      supplement: resubmit && definition ? {
        action: resubmit.name, label: resubmit.label, needsComment: resubmit.needsComment, request: lastRequest?.comment,
        documents: documentViews(definition.documents, resubmit.documents, (extra.errors as Record<string, string>) ?? {}),
      } : null,
      survey: survey.open && !survey.answered && request.caller.kind !== 'staff'
        ? { ratings: RATINGS, criteria: SURVEY_CRITERIA } : null,
      surveyDone: survey.answered ? RATINGS.find((r) => r.value === survey.rating)?.label : null,
      scripts: ['form.js'],
      ...extra,
    };
  };

  app.get('/ho-so/:code', async (request, reply) => {
    const code = (request.params as { code: string }).code;
    try {
      const view = await dossierView(ctx, code, citizenCaller(request, code));
      const flash = (request.query as Record<string, string>).tb;
      return render(request, reply, 'dossier', await dossierPage(code, view, request, { flash: FLASH[flash ?? ''] }));
    } catch (error) {
      if (error instanceof AppError && error.code === 'DOSSIER_NOT_FOUND') {
        return render(request, reply, 'track', { title: 'Tra cứu hồ sơ', code, error: 'Vui lòng nhập mã tra cứu để xem hồ sơ này.', remembered: rememberedDossiers(request) }, 404);
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
    const code = (request.params as { code: string }).code;
    const { fileName, data } = await dossierResult(ctx, code, citizenCaller(request, code));
    return sendDownload(reply, 'application/pdf', fileName, data, false);
  });

  app.post('/ho-so/:code/bo-sung', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = (request.params as { code: string }).code;
    const caller = citizenCaller(request, code);
    const { fields, files } = await readPageForm(request);
    try {
      await performAction(ctx, { code, action: fields.action ?? 'resubmit', caller, version: Number(fields.version), comment: fields.comment, files });
      if (wantsJson(request)) return reply.send({ redirect: `/ho-so/${enc(code)}?tb=bo-sung` });
      return reply.redirect(`/ho-so/${enc(code)}?tb=bo-sung`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      const status = (error as AppError).statusCode;
      if (wantsJson(request)) return reply.status(status).send({ error: { code: (error as AppError).code, message: problem.message, fields: problem.fields } });
      const view = await dossierView(ctx, code, caller);
      return render(request, reply, 'dossier', await dossierPage(code, view, request, { supplementError: problem.message, errors: problem.fields }), status);
    }
  });

  app.post('/ho-so/:code/danh-gia', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = (request.params as { code: string }).code;
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
      const view = await dossierView(ctx, code, caller);
      return render(request, reply, 'dossier', await dossierPage(code, view, request, {
        surveyError: problem.message, surveyFieldErrors: problem.fields, surveyValues: { rating: fields.rating, reason: fields.reason },
      }), (error as AppError).statusCode);
    }
  });
}

const FLASH: Record<string, string> = {
  'bo-sung': 'Đã nộp bổ sung hồ sơ. Bộ phận một cửa sẽ kiểm tra lại.',
  'danh-gia': 'Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn.',
  'da-danh-gia': 'Hồ sơ này đã được đánh giá trước đó.',
};

function findProcedure(ctx: AppContext, id: string) {
  const procedure = ctx.catalog.find(id);
  if (!procedure) throw new AppError('PROCEDURE_NOT_FOUND', 'Không tìm thấy thủ tục.');
  return procedure;
}

function feeText(fee: { amount: number; note?: string }): string {
  if (fee.amount === 0) return fee.note ?? 'Miễn phí';
  const amount = `${new Intl.NumberFormat('vi-VN').format(fee.amount)} đồng`;
  return fee.note ? `${amount} (${fee.note})` : amount;
}
