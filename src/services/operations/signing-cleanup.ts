// Signing hand-overs each keep a whole PDF: the file served to an official's agent, the prepared file of an external
// signature, the documents of a remote-signing request. Once the hand-over ended (used, completed, finished or
// expired) nothing reads that file again — the signed result is stored on its own — so after
// SIGNING_HANDOVER_RETENTION_HOURS the rows go. Run by the periodic sweep (jobs/sla-sweep.ts) in both job drivers.
// No audit event: nothing a person did, and the audit log cites dossier codes and request ids, never these rows.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { deleteEndedAgentSessions, deleteEndedPreparations, deleteFinishedRemoteItems } from '../../db/repositories/signing.js';

/** Rows per DELETE statement: each is its own short transaction, so no lock is held for long. */
export const SIGNING_CLEANUP_BATCH = 500;
/** Statements per table per pass: a backlog is worked off over several passes instead of in one long one. */
export const SIGNING_CLEANUP_MAX_BATCHES = 20;

export interface SigningCleanupOutcome {
  agentSessions: number;
  preparations: number;
  remoteItems: number;
}

async function inBatches(remove: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < SIGNING_CLEANUP_MAX_BATCHES; i++) {
    const removed = await remove(SIGNING_CLEANUP_BATCH);
    total += removed;
    if (removed < SIGNING_CLEANUP_BATCH) break;
  }
  return total;
}

/** Deletes the hand-overs that ended more than `retentionHours` before `now`; returns how many rows of each kind. */
export async function deleteEndedSigningHandovers(db: Db, retentionHours: number, now = new Date()): Promise<SigningCleanupOutcome> {
  const endedBefore = new Date(now.getTime() - retentionHours * 3_600_000);
  return {
    agentSessions: await inBatches((limit) => deleteEndedAgentSessions(db, endedBefore, limit)),
    preparations: await inBatches((limit) => deleteEndedPreparations(db, endedBefore, limit)),
    remoteItems: await inBatches((limit) => deleteFinishedRemoteItems(db, endedBefore, limit)),
  };
}

/** One pass with the configured retention; logs what it removed. */
export async function cleanUpSigningHandovers(ctx: AppContext): Promise<SigningCleanupOutcome> {
  const outcome = await deleteEndedSigningHandovers(ctx.db, ctx.config.signingHandoverRetentionHours);
  if (outcome.agentSessions + outcome.preparations + outcome.remoteItems > 0) {
    ctx.log.info(outcome, 'signing clean-up: ended hand-overs deleted');
  }
  return outcome;
}
