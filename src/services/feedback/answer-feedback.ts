// Answering feedback or a complaint: a leader or clerk of the agency that answers it (the agency of the unit holding
// its dossier now, else the Department) writes the answer once. It is published on the portal's list only when the
// official asks and the filer asked for it when filing, under a question the official writes for publication (the
// page offers the title to edit): the filer's own title and text may name people, ID numbers or phones and stay private. The answer, its audit entry and the filer's e-mail (when they
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
export const MAX_PUBLISHED_QUESTION_LENGTH = 2000;

const text = (v: unknown) => (typeof v === 'string' ? v.normalize('NFC').replace(/\r\n?/g, '\n').trim() : v);

/** The body of POST /api/feedback/:code/answer and of the staff page's answer form. */
export const answerInput = z.strictObject({
  answer: z.preprocess(
    text,
    z.string({ error: 'Vui lòng nhập nội dung trả lời.' }).min(10, 'Nội dung trả lời cần ít nhất 10 ký tự.').max(MAX_ANSWER_LENGTH, `Nội dung trả lời tối đa ${MAX_ANSWER_LENGTH} ký tự.`),
  ),
  publish: z.boolean({ error: 'Giá trị không hợp lệ (true hoặc false).' }).default(false),
  /** The question as published (required with `publish`; ignored without it). */
  publishedQuestion: z.preprocess(
    (v) => { const t = text(v); return t === '' ? undefined : t; },
    z.string({ error: 'Nội dung câu hỏi công khai không hợp lệ.' }).min(5, 'Nội dung câu hỏi công khai cần ít nhất 5 ký tự.')
      .max(MAX_PUBLISHED_QUESTION_LENGTH, `Nội dung câu hỏi công khai tối đa ${MAX_PUBLISHED_QUESTION_LENGTH} ký tự.`).optional(),
  ),
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
  if (publish && !parsed.data.publishedQuestion) {
    throw new AppError('VALIDATION_FAILED', 'Vui lòng nhập nội dung câu hỏi được công khai.', {
      publishedQuestion: 'Bắt buộc khi công khai: viết lại câu hỏi, bỏ họ tên, số định danh, số điện thoại, địa chỉ của người gửi.',
    });
  }
  const publishedQuestion = publish ? parsed.data.publishedQuestion! : null;
  const answered = await ctx.db.transaction(async (tx) => {
    const row = await answerFeedbackIfOpen(tx, item.id, { text: answer, staffId: caller.staff.id, at: now, publishedQuestion });
    if (!row) throw alreadyAnswered();
    await recordAudit(tx, staffActor(caller.staff, caller.ip), 'feedback.answered', row.code, {
      publish, publishedQuestion, onTime: now.getTime() <= row.dueAt.getTime(), dossierCode: item.dossierCode,
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
