// /tien-kiem: pre-verification (tiền kiểm) for a parent signed in with VNeID — each child's row on the roster of a
// campaign whose window is open, with a form to confirm it and one to correct it (messages next to the fields). Not
// signed in: a prompt to sign in. The same services as the API (routes/api/admission-roster.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import { answerRoster, CORRECTABLE, myRoster, ROSTER_STATUS_LABELS, rosterAnswer, rosterCorrection, type FamilyRosterView } from '../../../services/admissions/roster.js';
import { readPageForm, render } from '../common.js';
import { enc } from './shared.js';

export const ROSTER_PAGE = '/tien-kiem';
const LABELS: Record<(typeof CORRECTABLE)[number], string> = {
  fullName: 'Họ và tên', birthDate: 'Ngày sinh', gender: 'Giới tính', currentSchool: 'Trường đang học', residence: 'Nơi cư trú',
};
const GENDERS = [{ value: 'male', label: 'Nam' }, { value: 'female', label: 'Nữ' }];

interface Problem { key: string; message: string; errors?: Record<string, string>; values?: Record<string, string> }

/** One row of the page: its details, and the correction form's fields (the sent values and messages after a refusal). */
function rowModel(r: FamilyRosterView, problem?: Problem) {
  const key = `${r.campaignId}/${r.pupilIdNumber}`;
  const mine = problem?.key === key ? problem : undefined;
  const value = (f: (typeof CORRECTABLE)[number]) => mine?.values?.[f] ?? r[f] ?? '';
  const id = (f: string) => `${r.campaignId}-${r.pupilIdNumber}-${f}`;
  return {
    ...r, statusLabel: ROSTER_STATUS_LABELS[r.status], answered: r.status !== 'pending', message: mine?.message,
    genderText: GENDERS.find((g) => g.value === r.gender)?.label ?? '',
    birthDateText: r.birthDate.split('-').reverse().join('/'),
    fields: CORRECTABLE.map((f) => ({
      id: id(f), name: f, label: LABELS[f], value: value(f), error: mine?.errors?.[f],
      kind: f === 'gender' ? 'select' : 'input', inputType: f === 'birthDate' ? 'date' : 'text', maxLength: f === 'birthDate' ? undefined : f === 'fullName' ? 200 : 300,
      options: f === 'gender' ? GENDERS.map((g) => ({ ...g, selected: value(f) === g.value })) : undefined,
    })),
  };
}

async function show(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, problem?: Problem, status = 200) {
  if (request.caller.kind !== 'citizen') {
    return render(request, reply, 'roster', { title: 'Tiền kiểm thông tin tuyển sinh', signInUrl: `/auth/citizen/login?next=${enc(ROSTER_PAGE)}` });
  }
  const rows = await myRoster(ctx, request.caller);
  const flash = (request.query as Record<string, unknown>).tb === 'da-ghi-nhan' ? 'Đã ghi nhận câu trả lời của bạn. Có thể sửa lại trong thời gian tiền kiểm.' : undefined;
  return render(request, reply, 'roster', {
    title: 'Tiền kiểm thông tin tuyển sinh', citizenName: request.caller.citizen.fullName, signedIn: true, flash,
    items: rows.map((r) => rowModel(r, problem)), message: problem && !rows.some((r) => `${r.campaignId}/${r.pupilIdNumber}` === problem.key) ? problem.message : undefined,
  }, status);
}

export function rosterPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(ROSTER_PAGE, async (request, reply) => show(ctx, request, reply));

  app.post(ROSTER_PAGE, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (request.caller.kind !== 'citizen') return reply.redirect(`/auth/citizen/login?next=${enc(ROSTER_PAGE)}`, 303);
    const { fields } = await readPageForm(request);
    const key = `${fields.campaignId ?? ''}/${fields.pupilIdNumber ?? ''}`;
    const current = (await myRoster(ctx, request.caller)).find((r) => `${r.campaignId}/${r.pupilIdNumber}` === key);
    // Only what the parent changed is a correction: the form shows every field filled in.
    const corrections = Object.fromEntries(CORRECTABLE.flatMap((f) => {
      const sent = fields[f]?.trim() ?? '';
      return sent !== '' && sent !== (current?.[f] ?? '') ? [[f, sent]] : [];
    }));
    // The correction's own schema, so each message comes back with its field's path.
    const parsed = fields.answer === 'confirm' ? rosterAnswer.safeParse({ confirm: true }) : rosterCorrection.safeParse({ corrections });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[1] ?? '');
        if (field && !errors[field]) errors[field] = issue.message;
      }
      const message = Object.keys(errors).length > 0 ? 'Thông tin điều chỉnh chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.'
        : 'Chưa có thông tin nào khác với danh sách: sửa thông tin sai rồi gửi lại, hoặc bấm "Thông tin đúng".';
      return show(ctx, request, reply, { key, message, errors, values: fields }, 422);
    }
    try {
      await answerRoster(ctx, request.caller, String(fields.campaignId ?? ''), String(fields.pupilIdNumber ?? ''), parsed.data);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500) throw error;
      return show(ctx, request, reply, { key, message: error.message }, error.statusCode);
    }
    return reply.redirect(`${ROSTER_PAGE}?tb=da-ghi-nhan`, 303);
  });
}
