// Reading feedback and complaints: the staff queue of the caller's agency (leaders and clerks), one item for whoever
// may see it (staff of the answering agency; its filer — signed in, or holding the token given at filing), a signed-in
// citizen's own items, and the published answers (the question as the official wrote it for publication, the answer,
// the date: never the filer's own words, name or contacts).
import type { AppContext } from '../../app-context.js';
import { findFeedbackByCode, listFeedback, listFeedbackOfCitizen, listPublishedFeedback } from '../../db/repositories/feedback.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { answeringAgencyOf, FEEDBACK_KIND_LABELS, feedbackNotFound, filerView, isFeedbackToken, staffView, type FeedbackStaffView, type FeedbackView } from './shared.js';

export interface FeedbackQueueFilter { status?: 'open' | 'answered'; overdue?: boolean; limit?: number }

export async function feedbackQueue(ctx: AppContext, caller: Caller, filter: FeedbackQueueFilter = {}, now = new Date()): Promise<FeedbackStaffView[]> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng tài khoản cán bộ.');
  const agencyCode = await answeringAgencyOf(ctx, caller.staff);
  const rows = await listFeedback(ctx.db, ctx.organisation.departmentAgencyCode, {
    agencyCode, status: filter.status, overdue: filter.overdue, now, limit: Math.min(filter.limit ?? 500, 500),
  });
  return rows.map((r) => staffView(ctx, r, now));
}

/** One item: the staff's view for its agency's leaders and clerks, the filer's view for its filer, else 404. */
export async function feedbackFor(ctx: AppContext, code: string, caller: Caller, now = new Date()): Promise<FeedbackView | FeedbackStaffView> {
  if (caller.kind === 'staff') {
    const agencyCode = await answeringAgencyOf(ctx, caller.staff);
    const item = await findFeedbackByCode(ctx.db, code, ctx.organisation.departmentAgencyCode);
    if (!item || item.agencyCode !== agencyCode) throw feedbackNotFound();
    return staffView(ctx, item, now);
  }
  if (caller.kind === 'system') throw feedbackNotFound();
  const item = await findFeedbackByCode(ctx.db, code, null);
  if (!item) throw feedbackNotFound();
  const ownedBySignedIn = caller.kind === 'citizen' && item.citizenId === caller.citizen.id;
  if (!ownedBySignedIn && !(caller.bearer && isFeedbackToken(ctx.secret, item.id, caller.bearer))) throw feedbackNotFound();
  return filerView(ctx, item, now);
}

export async function myFeedback(ctx: AppContext, caller: Caller, now = new Date()): Promise<FeedbackView[]> {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng VNeID.');
  return (await listFeedbackOfCitizen(ctx.db, caller.citizen.id, 200)).map((r) => filerView(ctx, r, now));
}

export interface PublishedAnswer { kindLabel: string; procedure: string | null; question: string; answer: string; answeredAt: string }

/** The published answers, newest first: nothing the filer wrote, nothing that names or reaches them. */
export async function publishedAnswers(ctx: AppContext, limit = 100): Promise<PublishedAnswer[]> {
  const titles = new Map(ctx.catalog.listAll().map((p) => [p.definition.id, p.definition.title]));
  return (await listPublishedFeedback(ctx.db, Math.min(limit, 200))).map((r) => ({
    kindLabel: FEEDBACK_KIND_LABELS[r.kind],
    procedure: r.procedureId ? titles.get(r.procedureId) ?? null : null,
    question: r.publishedQuestion,
    answer: r.answer ?? '',
    answeredAt: (r.answeredAt ?? r.publishedAt ?? r.createdAt).toISOString(),
  }));
}
