// The sync job's work for one dossier: tell the national portal what the dossier is now (create on its first sync,
// update afterwards), then send every unsent step in event order, ten at a time (the contract's limit), marking each
// batch sent only after the portal's acknowledgement and stopping at the first failure (the job is retried with
// backoff, and the next try starts again from the oldest unsent step).
//
// Order: several sync jobs of the same dossier may run at once (one outbox row per step, BullMQ runs them in
// parallel). Each sends the unsent steps in ascending event order, so every step reaches the portal for the first time
// after the steps before it; a step sent twice (two jobs, or a lost acknowledgement) carries the same MaBuoc
// (`<MaHoSo>:<event id>`) and the portal keeps the first copy. Order of first receipt is therefore event order.
import type { AppContext } from '../../app-context.js';
import { findDossierById, type DossierRow } from '../../db/repositories/dossiers.js';
import {
  hasSentStep, listUnsentSteps, markStepsSent, paymentState, recordStepFailure, type UnsentStep,
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

/** The idempotency id of a step (MaBuoc): the portal drops a step whose id it already holds. */
export function portalStepId(dossierCode: string, eventId: number): string {
  return `${dossierCode}:${eventId}`;
}

export async function syncDossierToPortal(ctx: AppContext, dossierId: string): Promise<void> {
  const portal = ctx.config.nationalPortal;
  if (!portal) {
    // The link was switched off after the steps were written: they stay unsent (the admin page counts them) and go
    // out with the next step once it is switched on again.
    ctx.log.warn({ dossierId }, 'national portal not configured: sync skipped');
    return;
  }
  const dossier = await findDossierById(ctx.db, dossierId);
  if (!dossier) throw dossierNotFound();
  let batch = await listUnsentSteps(ctx.db, dossierId, MAX_STEPS_PER_REQUEST);
  // Another job of this dossier sent everything already, the dossier's state with it.
  if (batch.length === 0) return;
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const national = definition.national;
  if (!national) return;
  const client = new NationalPortalSyncClient(portal);
  const code = portalDossierCode(dossier);
  const failed = async (steps: UnsentStep[], error: unknown): Promise<never> => {
    await recordStepFailure(ctx.db, steps.map((s) => s.id), error instanceof Error ? error.message : String(error));
    throw error;
  };

  // The dossier first: the portal takes steps only for a dossier it knows.
  let sent = dossier;
  try {
    await client.upsertDossier(toWireDossier(await portalDossier(ctx, definition, national, dossier)), await hasSentStep(ctx.db, dossierId));
  } catch (error) {
    await failed(batch, error);
  }
  while (batch.length > 0) {
    try {
      await client.sendSteps(batch.map((step) => toWireStep(portalStep(definition, national, code, step))));
    } catch (error) {
      await failed(batch, error);
    }
    await markStepsSent(ctx.db, batch.map((s) => s.id));
    if (batch.length < MAX_STEPS_PER_REQUEST) break;
    batch = await listUnsentSteps(ctx.db, dossierId, MAX_STEPS_PER_REQUEST);
  }
  // A job that read the dossier before a later change may have sent its older state after the newer job sent the new
  // one: each job checks, after its last call, that the state it sent is still current, and sends the current one if
  // not. The last write of every job is thus checked after it landed, and the portal ends with the latest state.
  for (let round = 0; round < 3; round++) {
    const current = await findDossierById(ctx.db, dossierId);
    if (!current || current.version === sent.version) return;
    sent = current;
    await client.upsertDossier(toWireDossier(await portalDossier(ctx, definition, national, current)), true);
  }
}

async function portalDossier(ctx: AppContext, definition: WorkflowDefinition, national: NationalDef, dossier: DossierRow): Promise<PortalDossier> {
  const statusCode = national.statuses[dossier.status] ?? '4';
  const [unit] = await findUnitsByIds(ctx.db, [dossier.unitId]);
  const fee = await paymentState(ctx.db, dossier.id);
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
