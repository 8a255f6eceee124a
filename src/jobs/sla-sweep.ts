import { z } from 'zod';
import { cleanUpSigningHandovers } from '../services/operations/signing-cleanup.js';
import { reconcilePendingPayments } from '../services/payments/reconcile-payments.js';
import { autoConfirmRosters } from '../services/admissions/roster.js';
import { sweepSla } from '../services/processing/sla-sweep.js';
import type { JobDefinition } from './types.js';

const payload = z.object({}).passthrough();

/** How often the sweep runs: BullMQ job scheduler in production, a timer in the inline driver. */
export const SLA_SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Repeatable: marks dossiers due soon / overdue and raises alerts for their units (services/sla-sweep.ts); then deletes
 * ended signing hand-overs (services/operations/signing-cleanup.ts) and checks online payments still pending with the
 * Payment Platform (services/payments/reconcile-payments.ts), then takes unanswered pre-verification rows as correct
 * once their window has closed (services/admissions/roster.ts), then deletes orphaned object-storage uploads (storage/).
 */
export const slaSweepJob: JobDefinition<typeof payload> = {
  name: 'sla-sweep',
  payload,
  handle: async (ctx) => {
    const outcome = await sweepSla(ctx.db);
    if (outcome.alerts > 0) ctx.log.info(outcome, 'sla sweep raised alerts');
    // The periodic maintenance both job drivers run (BullMQ's scheduler once per interval, the inline timer).
    await cleanUpSigningHandovers(ctx);
    // Payments whose callback never came are asked about (services/payments/reconcile-payments.ts).
    await reconcilePendingPayments(ctx);
    // Pre-verification rows nobody answered by the deadline are taken as correct (services/admissions/roster.ts).
    const confirmed = await autoConfirmRosters(ctx);
    if (Object.keys(confirmed).length > 0) ctx.log.info({ confirmed }, 'roster rows auto-confirmed at the deadline');
    // Object-storage uploads whose transaction never committed, an hour on, are deleted (storage/index.ts).
    // Last, and guarded: an object-storage outage must not fail the rest of the periodic maintenance; the next run retries.
    await ctx.files.sweepOrphans(ctx.db).catch((error: unknown) => ctx.log.warn({ err: error }, 'orphaned object-storage uploads not swept this time'));
  },
};
