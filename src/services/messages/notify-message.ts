// Tells the citizen by e-mail that the office wrote to them about their dossier: postDossierMessage writes a
// `notify-message` outbox row in the same transaction as a staff message on a dossier with an e-mail, and this
// use-case, run by the job, sends templates/emails/message.hbs. The message has its own Message-ID, so the rare resend
// (the job crashing after the mail left, before the outbox row was marked done) is one message to mail systems.
// What the citizen typed reaches the mail only as a short plain name; the staff member's message is quoted whole.
import type { AppContext } from '../../app-context.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { findMessage } from '../../db/repositories/messages.js';
import { AppError } from '../../errors.js';
import { mailerFor } from '../../notifications/mailer.js';
import { dossierMail, renderEmail } from '../notifications/notify-citizen.js';
import { formatTimeVN } from '../results/one-stop-forms.js';

export const NOTIFY_MESSAGE_JOB = 'notify-message';

/** The outbox row announcing one staff message (the dossier id lets the failed-effects page name the dossier). */
export function notifyMessageRow(dossierId: string, messageId: string): { job: string; payload: Record<string, unknown> } {
  return { job: NOTIFY_MESSAGE_JOB, payload: { dossierId, messageId } };
}

export async function notifyMessage(ctx: AppContext, dossierId: string, messageId: string): Promise<void> {
  const message = await findMessage(ctx.db, messageId);
  if (!message || message.dossierId !== dossierId) throw new AppError('NOT_FOUND', `message ${messageId} of dossier ${dossierId} is gone`);
  if (message.authorKind !== 'staff') return;
  const dossier = await findDossierById(ctx.db, dossierId);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
  if (!dossier.applicantEmail) return;
  const { fromName, context } = await dossierMail(ctx, dossier);
  const mail = await renderEmail(ctx.config.templatesDir, 'message.hbs', {
    ...context, authorName: message.authorName, body: message.body, at: formatTimeVN(message.createdAt),
  });
  await mailerFor(ctx.config, ctx.log).send({ to: dossier.applicantEmail, ...mail, messageId: messageIdFor(ctx.config.publicUrl, message.id), fromName });
}

/** One Message-ID per message, under the portal's own domain. */
export function messageIdFor(publicUrl: string, messageId: string): string {
  const host = new URL(publicUrl).hostname || 'motcua.local';
  return `<${messageId}.message@${host}>`;
}
