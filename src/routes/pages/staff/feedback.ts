// /can-bo/phan-anh: the feedback and complaints the caller's agency answers (leaders and clerks), open ones first with
// their due dates and overdue marks, and one item with its answer form. Same services as /api/feedback.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import type { AppError } from '../../../errors.js';
import { answerFeedback, MAX_ANSWER_LENGTH, MAX_PUBLISHED_QUESTION_LENGTH } from '../../../services/feedback/answer-feedback.js';
import { feedbackFor, feedbackQueue } from '../../../services/feedback/read-feedback.js';
import type { FeedbackStaffView } from '../../../services/feedback/shared.js';
import { fieldErrors, readPageForm, render } from '../common.js';
import { enc, flashOf, queryText, staffOr } from './shared.js';

const DAY_MS = 86_400_000;
const FLASH: Record<string, string> = { 'da-tra-loi': 'Đã gửi câu trả lời cho người phản ánh, kiến nghị.' };

function rowView(item: FeedbackStaffView, now = Date.now()) {
  const dueSoon = item.status === 'open' && !item.overdue && new Date(item.dueAt).getTime() - now < DAY_MS;
  return { ...item, url: `/can-bo/phan-anh/${enc(item.code)}`, dueClass: item.overdue ? 'overdue' : dueSoon ? 'due-soon' : '', dueSoon };
}

/** The answer form's fields as the service takes them (the published question only with "publish"). */
function answerOf(fields: Record<string, string | undefined>) {
  const publish = fields.publish === 'on';
  return { answer: fields.answer ?? '', publish, ...(publish ? { publishedQuestion: fields.publishedQuestion ?? '' } : {}) };
}

export function feedbackPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/can-bo/phan-anh', async (request, reply) => {
    const staff = staffOr(request, reply);
    if (!staff) return reply;
    const query = queryText(request);
    const status = query.status === 'open' || query.status === 'answered' ? query.status : undefined;
    const items = (await feedbackQueue(ctx, request.caller, { status, overdue: query.overdue === 'on' })).map((i) => rowView(i));
    return render(request, reply, 'feedback-queue', {
      title: 'Phản ánh, kiến nghị', items, query,
      statuses: [{ value: 'open', label: 'Đang xử lý' }, { value: 'answered', label: 'Đã trả lời' }].map((s) => ({ ...s, selected: s.value === status })),
      openCount: items.filter((i) => i.status === 'open').length, overdueCount: items.filter((i) => i.overdue).length,
    });
  });

  const itemPage = async (request: FastifyRequest, code: string, extra: Record<string, unknown> = {}) => {
    const item = await feedbackFor(ctx, code, request.caller) as FeedbackStaffView;
    const flash = flashOf(request);
    return {
      title: `${item.kindLabel} ${item.code}`, item, maxAnswer: MAX_ANSWER_LENGTH, maxPublishedQuestion: MAX_PUBLISHED_QUESTION_LENGTH,
      flash: flash ? FLASH[flash] : undefined, errors: {},
      // The published question starts as the filer's title, for the official to rewrite without names or contacts.
      values: { publishedQuestion: item.title },
      ...extra,
    };
  };

  app.get('/can-bo/phan-anh/:code', async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code } = request.params as { code: string };
    return render(request, reply, 'feedback-staff-item', await itemPage(request, code));
  });

  app.post('/can-bo/phan-anh/:code/tra-loi', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code } = request.params as { code: string };
    const { fields } = await readPageForm(request);
    try {
      await answerFeedback(ctx, code, request.caller, answerOf(fields));
      return reply.redirect(`/can-bo/phan-anh/${enc(code)}?tb=da-tra-loi`, 303);
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem || (error as AppError).code !== 'VALIDATION_FAILED') throw error;
      return render(request, reply, 'feedback-staff-item',
        await itemPage(request, code, { error: problem.message, errors: problem.fields, values: { ...answerOf(fields), publishedQuestion: fields.publishedQuestion ?? '' } }), 422);
    }
  });
}
