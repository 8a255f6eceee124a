// /ho-so/:code/nhap-hoc and /ho-so/:code/tuyen-bo-sung: the family's pages at the end of an admission season — the
// pupil's published result (school, choice, total, cut-off) with "Xác nhận nhập học" while the confirmation window is
// open, and the supplementary choices among the schools with seats left while that window is open. The caller is the
// dossier's citizen as on /ho-so/:code (VNeID, or the remembered tracking token); the same services as
// POST /api/admissions/enrolment and PUT /api/admissions/supplementary.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError, isAppError } from '../../../errors.js';
import { loadDossierFor, type Caller } from '../../../services/access.js';
import { confirmEnrolment } from '../../../services/admissions/enrolment.js';
import { registrationAdmission } from '../../../services/admissions/registration-admission.js';
import { chooseSupplementary, programsWithSeats } from '../../../services/admissions/supplementary.js';
import { findCampaign } from '../../../db/repositories/admissions.js';
import { citizenCaller, readPageForm, render } from '../common.js';
import { enc } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';

/** Errors a family can meet on these forms: shown on the page, never the error page. */
const SHOWN = ['VALIDATION_FAILED', 'ADMISSION_WINDOW_CLOSED', 'ADMISSION_NOT_ADMITTED', 'ADMISSION_ALREADY_ENROLLED'];

async function admissionOf(ctx: AppContext, code: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const admission = await registrationAdmission(ctx.db, dossier);
  if (!admission) throw new AppError('NOT_FOUND', 'Hồ sơ này không phải hồ sơ đăng ký tuyển sinh.');
  return { dossier, admission };
}

export function enrolmentPages(app: FastifyInstance, ctx: AppContext): void {
  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  const showEnrolment = async (request: FastifyRequest, reply: FastifyReply, code: string, caller: Caller, message?: string, status = 200) => {
    const { admission } = await admissionOf(ctx, code, caller);
    const r = admission.result;
    return render(request, reply, 'admission-enrolment', {
      title: `Kết quả tuyển sinh, xác nhận nhập học — ${admission.campaign.name}`, ...admission, base: `/ho-so/${enc(code)}`, dossierCode: code, message,
      done: (request.query as Record<string, unknown>).tb === 'da-xac-nhan',
      resultView: r && { ...r, totalText: vnPoints(r.total), cutoffText: vnPoints(r.cutoff), roundLabel: r.round === 'supplementary' ? 'Tuyển bổ sung' : 'Xét tuyển' },
      canConfirm: Boolean(r?.confirmable && admission.confirmation.open && !admission.enrolment),
    }, status);
  };

  app.get('/ho-so/:code/nhap-hoc', async (request, reply) => {
    const code = codeOf(request);
    return showEnrolment(request, reply, code, citizenCaller(request, code));
  });

  app.post('/ho-so/:code/nhap-hoc', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { admission } = await admissionOf(ctx, code, caller);
    try {
      await confirmEnrolment(ctx, caller, { campaign: admission.campaign.id, pupilIdNumber: admission.pupilIdNumber });
      return reply.redirect(`/ho-so/${enc(code)}/nhap-hoc?tb=da-xac-nhan`, 303);
    } catch (error) {
      if (!isAppError(error) || !SHOWN.includes(error.code)) throw error;
      return showEnrolment(request, reply, code, caller, error.message, error.statusCode);
    }
  });

  const showSupplementary = async (
    request: FastifyRequest, reply: FastifyReply, code: string, caller: Caller,
    form: { values?: string[]; errors?: Record<string, string>; message?: string } = {}, status = 200,
  ) => {
    const { admission } = await admissionOf(ctx, code, caller);
    const campaign = (await findCampaign(ctx.db, admission.campaign.id))!;
    const programs = admission.supplementary.open ? await programsWithSeats(ctx, campaign) : [];
    const chosen = form.values ?? admission.supplementary.choices ?? [];
    const errors = form.errors ?? {};
    const slots = Array.from({ length: campaign.choices }, (_, i) => ({
      name: `choice${i + 1}`, label: `Nguyện vọng bổ sung ${i + 1}`, required: i === 0, error: errors[`choices.${i}`],
      options: programs.map((p) => ({
        value: p.program, label: `${p.name}${p.categoryLabel ? ` — ${p.categoryLabel}` : ''} (còn ${p.seatsLeft} chỉ tiêu)`, selected: chosen[i] === p.program,
      })),
    }));
    return render(request, reply, 'admission-supplementary', {
      title: `Đăng ký tuyển bổ sung — ${admission.campaign.name}`, ...admission, base: `/ho-so/${enc(code)}`, dossierCode: code,
      saved: (request.query as Record<string, unknown>).tb === 'da-luu', slots, hasPrograms: programs.length > 0,
      canChoose: admission.supplementary.eligible && programs.length > 0, message: form.message, formError: errors.choices,
    }, status);
  };

  app.get('/ho-so/:code/tuyen-bo-sung', async (request, reply) => {
    const code = codeOf(request);
    return showSupplementary(request, reply, code, citizenCaller(request, code));
  });

  app.post('/ho-so/:code/tuyen-bo-sung', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const { admission } = await admissionOf(ctx, code, caller);
    const campaign = (await findCampaign(ctx.db, admission.campaign.id))!;
    const { fields } = await readPageForm(request);
    // The campaign's slots only (choice1 … choiceN, as the form shows them), in order; empty ones left out (a family
    // may list fewer schools than allowed). Other keys are ignored, however many a client posts.
    const values = Array.from({ length: campaign.choices }, (_, i) => fields[`choice${i + 1}`] ?? '');
    const choices = values.filter((v) => v !== '');
    try {
      await chooseSupplementary(ctx, caller, { campaign: admission.campaign.id, pupilIdNumber: admission.pupilIdNumber, choices });
      return reply.redirect(`/ho-so/${enc(code)}/tuyen-bo-sung?tb=da-luu`, 303);
    } catch (error) {
      if (!isAppError(error) || !SHOWN.includes(error.code)) throw error;
      return showSupplementary(request, reply, code, caller, { values: choices, errors: error.fields ?? {}, message: error.message }, error.statusCode);
    }
  });
}
