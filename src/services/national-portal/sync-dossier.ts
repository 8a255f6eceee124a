// The sync job's work for one dossier: tell the national portal what the dossier is now (create on its first sync,
// update afterwards), then send every unsent step in event order, ten at a time (the contract's limit), marking each
// batch sent only after the portal's acknowledgement and stopping at the first failure (the job is retried with
// backoff, and the next try starts again from the oldest unsent step).
//
// One sender per dossier: several sync jobs of a dossier may be due at once (one outbox row per step), and the
// contract has no step id the portal could deduplicate on (MaBuoc is our addition), so the read of the unsent steps,
// the sends and the marking run under a per-dossier lock (withDossierSyncLock). A job that finds the lock held fails
// with a retryable error rather than returning: a step committed just after the holder's last read would otherwise
// wait for the dossier's next act. Steps thus go out once and in event order; only a lost acknowledgement (the portal
// stored a batch but its answer never came back) makes a batch go out twice.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findDossierById, type DossierRow } from '../../db/repositories/dossiers.js';
import {
  hasSentStep, listUnsentSteps, markStepsSent, paymentState, recordStepFailure, type UnsentStep, withDossierSyncLock,
} from '../../db/repositories/national-sync.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { dossierNotFound } from '../../errors.js';
import { NationalPortalSyncClient } from '../../integrations/national-portal/sync-client.js';
import {
  MAX_STEPS_PER_REQUEST, toWireDossier, toWireStep, type PortalDossier, type PortalStep,
} from '../../integrations/national-portal/wire.js';
import type { NationalDef, WorkflowDefinition } from '../../workflow/types.js';
import { commentForCitizen, eventLabel } from '../history-events.js';

/** The dossier's code at the portal: the portal's own for a dossier it pushed to us, else ours. */
export function portalDossierCode(dossier: Pick<DossierRow, 'code' | 'nationalCode'>): string {
  return dossier.nationalCode ?? dossier.code;
}

/**
 * A step's stable id (MaBuoc, our addition: the contract's step has none). A portal that keys on it can drop the one
 * resend we make, after a lost acknowledgement; one that ignores it stores that batch twice.
 */
export function portalStepId(dossierCode: string, eventId: number): string {
  return `${dossierCode}:${eventId}`;
}

/** Retryable (a plain Error): another job is sending this dossier; the retry, seconds later, sends what is left. */
export class DossierSyncBusyError extends Error {
  override readonly name = 'DossierSyncBusyError';
}

/** Retryable: steps are owed but this process has no portal link (NATIONAL_PORTAL_URL unset where the job runs). */
export class NationalPortalNotConfiguredError extends Error {
  override readonly name = 'NationalPortalNotConfiguredError';
}

export async function syncDossierToPortal(ctx: AppContext, dossierId: string): Promise<void> {
  const portal = ctx.config.nationalPortal;
  if (!portal) {
    // Rows are written only where the portal is configured, so this is a process whose configuration differs from
    // the one that wrote them (a worker without NATIONAL_PORTAL_*), or a link switched off while steps were owed.
    // Failing keeps the effect visible (retried, then reported failed to the administrators) instead of done.
    ctx.log.error({ dossierId }, 'national portal sync job ran without NATIONAL_PORTAL_URL/SECRET/SYSTEM_CODE: set them on every process that runs jobs');
    throw new NationalPortalNotConfiguredError('national portal not configured in this process (NATIONAL_PORTAL_*): sync not sent');
  }
  const dossier = await findDossierById(ctx.db, dossierId);
  if (!dossier) throw dossierNotFound();
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const national = definition.national;
  if (!national) return;
  const client = new NationalPortalSyncClient(portal);
  const code = portalDossierCode(dossier);

  const locked = await withDossierSyncLock(ctx.database, dossierId, async (db) => {
    // The dossier first, even with no step waiting (a fee paid changes DuocThanhToanTrucTuyen only): the portal takes
    // steps only for a dossier it knows.
    const current = (await findDossierById(db, dossierId)) ?? dossier;
    let batch = await listUnsentSteps(db, dossierId, MAX_STEPS_PER_REQUEST);
    try {
      await client.upsertDossier(toWireDossier(await portalDossier(ctx, db, definition, national, current)), await hasSentStep(db, dossierId));
    } catch (error) {
      return { failed: batch, error };
    }
    while (batch.length > 0) {
      try {
        await client.sendSteps(batch.map((step) => toWireStep(portalStep(definition, national, code, step))));
      } catch (error) {
        return { failed: batch, error };
      }
      await markStepsSent(db, batch.map((s) => s.id));
      if (batch.length < MAX_STEPS_PER_REQUEST) break;
      batch = await listUnsentSteps(db, dossierId, MAX_STEPS_PER_REQUEST);
    }
    // A change committed while we sent (without a step, or whose job is waiting for this lock): send the newer state
    // now, still under the lock, so no older state can land after it.
    let sent = current;
    for (let round = 0; round < 3; round++) {
      const latest = await findDossierById(db, dossierId);
      if (!latest || latest.version === sent.version) break;
      sent = latest;
      try {
        await client.upsertDossier(toWireDossier(await portalDossier(ctx, db, definition, national, latest)), true);
      } catch (error) {
        return { failed: [], error };
      }
    }
    return { failed: null, error: null };
  });
  if (!locked.acquired) throw new DossierSyncBusyError(`national portal sync of dossier ${dossierId} already running in another job`);
  const { failed, error } = locked.value;
  if (failed) {
    // After the lock's transaction committed the batches acknowledged before the failure.
    await recordStepFailure(ctx.db, failed.map((s) => s.id), error instanceof Error ? error.message : String(error));
    throw error;
  }
}

async function portalDossier(ctx: AppContext, db: Db, definition: WorkflowDefinition, national: NationalDef, dossier: DossierRow): Promise<PortalDossier> {
  const statusCode = national.statuses[dossier.status] ?? '4';
  const [unit] = await findUnitsByIds(db, [dossier.unitId]);
  const fee = await paymentState(db, dossier.id);
  const closed = dossier.closedAt;
  return {
    code: portalDossierCode(dossier),
    procedureCode: national.procedureCode,
    procedureName: definition.title,
    channel: dossier.channel,
    ownerName: dossier.applicantName,
    ownerIdNumber: dossier.applicantIdNumber,
    ownerPhone: dossier.applicantPhone,
    ownerEmail: dossier.applicantEmail,
    summary: `${definition.title}: ${dossier.applicantName}`,
    statusCode,
    submittedAt: dossier.submittedAt,
    receivedAt: dossier.receivedAt,
    appointmentAt: dossier.apologyDueAt ?? dossier.dueAt,
    returnedAt: statusCode === '10' ? closed : null,
    finishedAt: dossier.completedAt ?? (statusCode === '9' || statusCode === '10' ? closed : null),
    refusedAt: statusCode === '3' ? closed : null,
    unitName: unit?.name ?? null,
    vneidAuthenticated: dossier.loa !== null,
    payment: fee.paidOnline ? 'paid-online' : (dossier.feeAmount ?? 0) > 0 && !fee.paid ? 'unpaid' : 'none',
  };
}

/**
 * A step as the portal shows it to the citizen: the action's label with the comment only when the citizen may read it
 * (history-events.ts commentForCitizen; the office's internal notes stay here), the dates of the dossier right after
 * the step (kept on the step row, so a catch-up after an outage sends the dates of then, not of now).
 */
function portalStep(definition: WorkflowDefinition, national: NationalDef, code: string, step: UnsentStep): PortalStep {
  const label = eventLabel(definition, step);
  const comment = commentForCitizen(definition, step);
  return {
    id: portalStepId(code, step.eventId),
    dossierCode: code,
    handlerName: step.actorName,
    handlerTitle: step.actorTitle ?? '',
    unitName: step.unitName ?? '',
    at: step.at,
    content: comment ? `${label}: ${comment}` : label,
    statusCode: national.statuses[step.status] ?? '4',
    statutoryEndAt: step.stateDueAt ?? step.dueAt,
    appointmentAt: step.apologyDueAt ?? step.dueAt,
  };
}
