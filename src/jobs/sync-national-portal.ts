import { z } from 'zod';
import { NATIONAL_SYNC_JOB } from '../db/repositories/dossiers.js';
import { syncDossierToPortal } from '../services/national-portal/sync-dossier.js';
import type { JobDefinition } from './types.js';

const payload = z.object({ dossierId: z.uuid() });

/**
 * Sends a dossier's current state and its unsent steps to the national portal (services/national-portal/sync-dossier.ts):
 * written with every step (intake, actions, clock actions, assignments) and with state changes that have none (a fee
 * paid: record-step.ts nationalSyncOutboxRow); idempotent (sent steps are skipped; one sender per dossier, a job that
 * finds the dossier busy fails and is retried seconds later). The portal may be down for hours (maintenance): 40 tries, 2 s doubling to at most 10 min, keep trying
 * for about five hours before the effect is reported failed to the administrators, who retry it from
 * /quan-tri/lien-thong/dong-bo or /can-bo/tac-vu-loi.
 */
export const syncNationalPortalJob: JobDefinition<typeof payload> = {
  name: NATIONAL_SYNC_JOB,
  payload,
  handle: (ctx, { dossierId }) => syncDossierToPortal(ctx, dossierId),
  retry: { attempts: 40, baseDelayMs: 2000, maxDelayMs: 10 * 60_000 },
};
