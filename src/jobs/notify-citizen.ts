import { z } from 'zod';
import { notifyCitizen, NOTIFY_CITIZEN_JOB } from '../services/notifications/notify-citizen.js';
import type { JobDefinition } from './types.js';

// Written by intake (inside its one SQL statement) and by every status change (inside its transaction).
// `dossierVersion` names the history event to announce.
const payload = z.object({ dossierId: z.uuid(), dossierVersion: z.number().int().positive() });

/** E-mail (or SMS) the citizen about one event of their dossier; sends at most once per event. */
export const notifyCitizenJob: JobDefinition<typeof payload> = {
  name: NOTIFY_CITIZEN_JOB,
  payload,
  handle: (ctx, { dossierId, dossierVersion }) => notifyCitizen(ctx, dossierId, dossierVersion),
  // A mail server can be away for hours: keep trying for about eight (5 s, 10 s, … then every 15 min), then report.
  retry: { attempts: 40, baseDelayMs: 5000, maxDelayMs: 15 * 60_000 },
};
