// What the feedback use-cases share: who answers an item (the agency of the unit holding its dossier now, else the
// Department), the filer's access token (derived, never stored, like a dossier's tracking token), and the views —
// the filer's, the staff's (with the filer's contacts) and the public one (never a name or a contact).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { vnDay } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import type { FeedbackWithAgency } from '../../db/repositories/feedback.js';
import { findAgencyOfUnit, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { can } from '../access.js';

export const FEEDBACK_KIND_LABELS = { feedback: 'Phản ánh', petition: 'Kiến nghị' } as const;
export const FEEDBACK_STATUS_LABELS = { open: 'Đang xử lý', answered: 'Đã trả lời' } as const;

export function feedbackNotFound(): AppError {
  return new AppError('FEEDBACK_NOT_FOUND', 'Không tìm thấy phản ánh, kiến nghị hoặc mã tra cứu không đúng.');
}

/**
 * The agency whose leaders and clerks answer `staff`'s items; refuses staff without the role (403), so no query runs
 * for them.
 */
export async function answeringAgencyOf(ctx: Pick<AppContext, 'db'>, staff: StaffRow): Promise<string> {
  if (!can(staff, 'feedback')) throw new AppError('FORBIDDEN', 'Chỉ lãnh đạo và cán bộ một cửa được xem và trả lời phản ánh, kiến nghị.');
  const agency = await findAgencyOfUnit(ctx.db, staff.unitId);
  if (!agency) throw new AppError('FORBIDDEN', 'Tài khoản chưa thuộc cơ quan nào.');
  return agency.code;
}

/** The token handed to the filer at filing (and e-mailed in a link's fragment): it opens that item only. */
export function feedbackTokenFor(secret: string, feedbackId: string): string {
  return createHmac('sha256', secret).update(`feedback:${feedbackId}`).digest('base64url');
}

export function isFeedbackToken(secret: string, feedbackId: string, token: string): boolean {
  const a = Buffer.from(feedbackTokenFor(secret, feedbackId));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The item's page for its filer: the token travels in the fragment, which browsers never send (public/assets/track.js). */
export function feedbackLookupUrl(publicUrl: string, code: string, token?: string): string {
  const page = `${publicUrl}/phan-anh-kien-nghi/tra-cuu?ma=${encodeURIComponent(code)}`;
  return token ? `${page}#t=${encodeURIComponent(token)}` : page;
}

function procedureOf(ctx: Pick<AppContext, 'catalog'>, id: string | null): { id: string; title: string } | null {
  if (!id) return null;
  const found = ctx.catalog.listAll().find((p) => p.definition.id === id);
  return { id, title: found?.definition.title ?? id };
}

/** What the filer sees of their item. */
export function filerView(ctx: Pick<AppContext, 'catalog'>, item: FeedbackWithAgency, now = new Date()) {
  return {
    code: item.code,
    kind: item.kind,
    kindLabel: FEEDBACK_KIND_LABELS[item.kind],
    status: item.status,
    statusLabel: FEEDBACK_STATUS_LABELS[item.status],
    title: item.title,
    body: item.body,
    dossierCode: item.dossierCode,
    procedure: procedureOf(ctx, item.procedureId),
    createdAt: item.createdAt.toISOString(),
    dueDate: vnDay(item.dueAt),
    dueAt: item.dueAt.toISOString(),
    overdue: item.status === 'open' && item.dueAt.getTime() < now.getTime(),
    publishRequested: item.publishRequested,
    answer: item.answer,
    answeredAt: item.answeredAt?.toISOString() ?? null,
    published: item.publishedAt !== null,
    /** The question as the portal publishes it (written by the official); null unless published. */
    publishedQuestion: item.publishedQuestion,
  };
}
export type FeedbackView = ReturnType<typeof filerView>;

/** The staff's view: the filer's, with how to reach them and whether they signed in with VNeID. */
export function staffView(ctx: Pick<AppContext, 'catalog'>, item: FeedbackWithAgency, now = new Date()) {
  return {
    ...filerView(ctx, item, now),
    contact: { name: item.contactName, email: item.contactEmail, phone: item.contactPhone },
    signedIn: item.citizenId !== null,
    answeredOnTime: item.answeredAt ? item.answeredAt.getTime() <= item.dueAt.getTime() : null,
  };
}
export type FeedbackStaffView = ReturnType<typeof staffView>;
