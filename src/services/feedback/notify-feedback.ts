// E-mails the filer of feedback or a complaint: the acknowledgement when it is filed and the answer when it is given.
// The filing and the answer write a `notify-feedback` outbox row in their own transaction when the filer gave an
// e-mail; this use-case, run by the job, sends templates/emails/feedback-<event>.hbs. After the mail has left, an audit
// entry (`feedback.notified`) records it, so a retried job sends nothing; a crash between the two resends with the
// same Message-ID, which mail systems recognise as one message. What the filer typed reaches the mail only as short
// plain text (no links, no line breaks: the address may be anyone's); the official's answer is quoted whole.
import { vnDay } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import { feedbackMailSent, findFeedbackById } from '../../db/repositories/feedback.js';
import { formatDateVN } from '../../documents/format.js';
import { AppError } from '../../errors.js';
import { mailerFor } from '../../notifications/mailer.js';
import { siteNames } from '../administration/organisation-info.js';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.js';
import { citizenTextForMessage, renderEmail } from '../notifications/notify-citizen.js';
import { FEEDBACK_KIND_LABELS, feedbackLookupUrl, feedbackTokenFor } from './shared.js';

export const NOTIFY_FEEDBACK_JOB = 'notify-feedback';
export const FEEDBACK_MAIL_EVENTS = ['filed', 'answered'] as const;
export type FeedbackMailEvent = (typeof FEEDBACK_MAIL_EVENTS)[number];

export function notifyFeedbackRow(feedbackId: string, event: FeedbackMailEvent): { job: string; payload: Record<string, unknown> } {
  return { job: NOTIFY_FEEDBACK_JOB, payload: { feedbackId, event } };
}

export async function notifyFeedback(ctx: AppContext, feedbackId: string, event: FeedbackMailEvent): Promise<void> {
  const item = await findFeedbackById(ctx.db, feedbackId);
  if (!item) throw new AppError('FEEDBACK_NOT_FOUND', `feedback ${feedbackId} is gone`);
  if (!item.contactEmail || await feedbackMailSent(ctx.db, item.code, event)) return;
  const site = siteNames(ctx.organisation);
  const mail = await renderEmail(ctx.config.templatesDir, `feedback-${event}.hbs`, {
    code: item.code,
    kindLabel: FEEDBACK_KIND_LABELS[item.kind],
    name: citizenTextForMessage(item.contactName),
    title: citizenTextForMessage(item.title, 120),
    dueDate: formatDateVN(vnDay(item.dueAt)) ?? '',
    answer: item.answer ?? '',
    published: item.publishedAt !== null,
    // The item's page with its token in the fragment (never sent to the server); a signed-in filer also finds it in their space.
    lookupUrl: feedbackLookupUrl(ctx.config.publicUrl, item.code, feedbackTokenFor(ctx.secret, item.id)),
    departmentName: site.departmentName,
    siteName: site.siteName,
    publicUrl: ctx.config.publicUrl,
  });
  const host = new URL(ctx.config.publicUrl).hostname || 'motcua.local';
  await mailerFor(ctx.config, ctx.log).send({
    to: item.contactEmail, ...mail, messageId: `<${item.id}.${event}.feedback@${host}>`,
    fromName: ctx.organisation.departmentAgencyCode ? site.siteName : undefined,
  });
  await recordAudit(ctx.db, SYSTEM_ACTOR, 'feedback.notified', item.code, { event });
}
