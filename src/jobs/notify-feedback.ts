import { z } from 'zod';
import { FEEDBACK_MAIL_EVENTS, notifyFeedback, NOTIFY_FEEDBACK_JOB } from '../services/feedback/notify-feedback.js';
import type { JobDefinition } from './types.js';

// Written when feedback is filed or answered (services/feedback), in that transaction, when the filer gave an e-mail.
const payload = z.object({ feedbackId: z.uuid(), event: z.enum(FEEDBACK_MAIL_EVENTS) });

/** E-mail the filer of feedback or a complaint: the acknowledgement, then the answer; each sent once. */
export const notifyFeedbackJob: JobDefinition<typeof payload> = {
  name: NOTIFY_FEEDBACK_JOB,
  payload,
  handle: (ctx, { feedbackId, event }) => notifyFeedback(ctx, feedbackId, event),
  // Like the status e-mails: a mail server can be away for hours.
  retry: { attempts: 40, baseDelayMs: 5000, maxDelayMs: 15 * 60_000 },
};
