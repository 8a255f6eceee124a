// /ho-so/:code/phuc-khao: the parent's re-marking request (phúc khảo) about an admission registration — the form (the
// exam subjects as checkboxes, a reason) while the campaign's re-marking window is open, then the request's status and
// outcome. The caller is the dossier's citizen as on /ho-so/:code (VNeID, or the remembered tracking token); the same
// service as POST /api/admissions/remarking.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import type { Caller } from '../../../services/access.js';
import {
  fileRemarking, MAX_REASON_LENGTH, remarkingStateOfDossier, REMARKING_SUBJECTS,
} from '../../../services/admissions/remarking.js';
import { citizenCaller, readPageForm, render } from '../common.js';
import { enc } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';


export function remarkingPages(app: FastifyInstance, ctx: AppContext): void {
  const show = async (
    request: FastifyRequest, reply: FastifyReply, code: string, caller: Caller,
    form: { values?: Record<string, string>; errors?: Record<string, string>; message?: string } = {}, status = 200,
  ) => {
    const state = await remarkingStateOfDossier(ctx, caller, code);
    const values = form.values ?? {};
    return render(request, reply, 'remarking', {
      title: `Phúc khảo bài thi — ${state.campaign.name}`, ...state, base: `/ho-so/${enc(code)}`,
      filed: (request.query as Record<string, unknown>).tb === 'da-nop',
      request: state.request && {
        ...state.request, subjectsText: state.request.subjects.join(', '),
        scoreBeforeText: vnPoints(state.request.scoreBefore, ''), scoreAfterText: vnPoints(state.request.scoreAfter, ''),
      },
      canFile: !state.request && !state.requestElsewhere && state.windowOpen && state.hasScore,
      subjects: REMARKING_SUBJECTS.map((label, i) => ({ id: `subject-${i}`, name: `subject-${i}`, label, checked: values[`subject-${i}`] === label })),
      reason: values.reason ?? '', maxReason: MAX_REASON_LENGTH, errors: form.errors ?? {}, message: form.message,
    }, status);
  };
  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  app.get('/ho-so/:code/phuc-khao', async (request, reply) => {
    const code = codeOf(request);
    return show(request, reply, code, citizenCaller(request, code));
  });

  app.post('/ho-so/:code/phuc-khao', { preHandler: app.csrfProtection }, async (request, reply) => {
    const code = codeOf(request);
    const caller = citizenCaller(request, code);
    const state = await remarkingStateOfDossier(ctx, caller, code);
    const { fields } = await readPageForm(request);
    // One checkbox per subject, each with its own name (a page form keeps one value per name): the checked ones, in order.
    const subjects = REMARKING_SUBJECTS.filter((s, i) => fields[`subject-${i}`] === s);
    try {
      await fileRemarking(ctx, caller, { campaign: state.campaign.id, pupilIdNumber: state.pupilIdNumber, subjects, reason: fields.reason ?? '' }, request.ip);
      return reply.redirect(`/ho-so/${enc(code)}/phuc-khao?tb=da-nop`, 303);
    } catch (error) {
      if (!isAppError(error) || !['VALIDATION_FAILED', 'REMARKING_EXISTS', 'ADMISSION_WINDOW_CLOSED'].includes(error.code)) throw error;
      return show(request, reply, code, caller, { values: fields, errors: error.fields ?? {}, message: error.message }, error.statusCode);
    }
  });
}
