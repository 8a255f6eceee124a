// Answering feedback or a complaint: a leader or clerk of the agency that answers it (the agency of the unit holding
// its dossier now, else the Department) writes the answer once. It is published on the portal's list only when the
// official asks and the filer asked for it when filing. The answer, its audit entry and the filer's e-mail (when they
// gave one) are one transaction; a second answer, or two racing, gets 409 FEEDBACK_ALREADY_ANSWERED.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { answerFeedbackIfOpen, findFeedbackByCode } from '../../db/repositories/feedback.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { feedbackValidationFailed, unknownField } from './file-feedback.js';
import { notifyFeedbackRow } from './notify-feedback.js';
import { answeringAgencyOf, feedbackNotFound, staffView, type FeedbackStaffView } from './shared.js';

export const MAX_ANSWER_LENGTH = 5000;

/** The body of POST /api/feedback/:code/answer and of the staff page's answer form. */
export const answerInput = z.strictObject({
  answer: z.preprocess(
    (v) => (typeof v === 'string' ? v.normalize('NFC').replace(/\r\n?/g, '\n').trim() : v),
    z.string({ error: 'Vui lòng nhập nội dung trả lời.' }).min(10, 'Nội dung trả lời cần ít nhất 10 ký tự.').max(MAX_ANSWER_LENGTH, `Nội dung trả lời tối đa ${MAX_ANSWER_LENGTH} ký tự.`),
  ),
  publish: z.boolean({ error: 'Giá trị không hợp lệ (true hoặc false).' }).default(false),
}, { error: unknownField });

export async function answerFeedback(ctx: AppContext, code: string, caller: Caller, raw: unknown, now = new Date()): Promise<FeedbackStaffView> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng tài khoản cán bộ.');
  const agencyCode = await answeringAgencyOf(ctx, caller.staff);
  const item = await findFeedbackByCode(ctx.db, code, ctx.organisation.departmentAgencyCode);
  // Another agency's item looks like no item at all.
  if (!item || item.agencyCode !== agencyCode) throw feedbackNotFound();
  const parsed = answerInput.safeParse(raw ?? {});
  if (!parsed.success) throw feedbackValidationFailed(parsed.error, 'Câu trả lời chưa hợp lệ.');
  if (item.status === 'answered') throw alreadyAnswered();
  const { answer, publish } = parsed.data;
  if (publish && !item.publishRequested) {
    throw new AppError('VALIDATION_FAILED', 'Người gửi không đề nghị công khai câu trả lời.', { publish: 'Chỉ công khai khi người gửi đề nghị.' });
  }
  const answered = await ctx.db.transaction(async (tx) => {
    const row = await answerFeedbackIfOpen(tx, item.id, { text: answer, staffId: caller.staff.id, at: now, publish });
    if (!row) throw alreadyAnswered();
    await recordAudit(tx, staffActor(caller.staff, caller.ip), 'feedback.answered', row.code, {
      publish, onTime: now.getTime() <= row.dueAt.getTime(), dossierCode: item.dossierCode,
    });
    if (row.contactEmail) await insertOutbox(tx, [notifyFeedbackRow(row.id, 'answered')]);
    return row;
  });
  ctx.jobs.wake();
  return staffView(ctx, { ...answered, dossierCode: item.dossierCode, agencyCode: item.agencyCode }, now);
}

function alreadyAnswered(): AppError {
  return new AppError('FEEDBACK_ALREADY_ANSWERED', 'Phản ánh, kiến nghị này đã được trả lời.');
}
