// Dossiers left in a system state (e.g. `signing`: only the system moves them on) with nothing in the outbox that
// would ever move them — the effect was lost before the outbox became a ledger, or its row was removed by hand.
// The job effects of the transition that led into the state are written again; every job is idempotent (an issued
// result is reused and the dossier just moved on, a form is not drawn twice), so running one again does no harm.
// A dossier whose effect failed for good is left to the admins, who see it among the failed effects.
import type { AppContext } from '../../app-context.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { findEntryEvent, findStranded, hasFailedJob } from '../../db/repositories/recovery.js';
import { systemActionIn } from '../../workflow/engine.js';

export interface RecoveredDossier { code: string; status: string; jobs: string[] }

/** Re-issues the effects of dossiers quiet for `quietMs` in a system state; returns what it re-issued. */
export async function recoverStrandedDossiers(ctx: AppContext, quietMs = 2 * 60_000, limit = 50): Promise<RecoveredDossier[]> {
  const systemStates = ctx.catalog.allVersions().flatMap(([versionId, definition]) =>
    Object.keys(definition.states).filter((status) => systemActionIn(definition, status) !== undefined).map((status) => ({ versionId, status })));
  const recovered: RecoveredDossier[] = [];
  for (const dossier of await findStranded(ctx.db, systemStates, new Date(Date.now() - quietMs), limit)) {
    const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
    const entered = await findEntryEvent(ctx.db, dossier.id, dossier.status);
    const transition = entered?.fromStatus ? definition.states[entered.fromStatus]?.on[entered.action] : undefined;
    const jobs = (transition?.effects ?? []).filter((name) => ctx.effects.names.has(name) && ctx.effects.get(name).kind === 'job');
    if (!entered || jobs.length === 0 || (await hasFailedJob(ctx.db, dossier.id, jobs))) continue;
    const actorStaffId = entered.actorKind === 'staff' ? entered.actorId : null;
    await ctx.db.transaction((tx) => insertOutbox(tx, jobs.map((job) => ({ job, payload: { dossierId: dossier.id, dossierVersion: entered.dossierVersion, actorStaffId } }))));
    recovered.push({ code: dossier.code, status: dossier.status, jobs });
  }
  if (recovered.length > 0) ctx.jobs.wake();
  return recovered;
}
