import { z } from 'zod';
import { notifyMessage, NOTIFY_MESSAGE_JOB } from '../services/messages/notify-message.js';
import type { JobDefinition } from './types.js';

// Written by postDossierMessage in the transaction that stores a staff message (services/messages/dossier-messages.ts).
const payload = z.object({ dossierId: z.uuid(), messageId: z.uuid() });

/** E-mail the citizen that the office wrote to them about their dossier. */
export const notifyMessageJob: JobDefinition<typeof payload> = {
  name: NOTIFY_MESSAGE_JOB,
  payload,
  handle: (ctx, { dossierId, messageId }) => notifyMessage(ctx, dossierId, messageId),
  // Like the status e-mails: a mail server can be away for hours.
  retry: { attempts: 40, baseDelayMs: 5000, maxDelayMs: 15 * 60_000 },
};
