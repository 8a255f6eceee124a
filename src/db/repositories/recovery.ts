// Queries of the reconciler (services/processing/recover-stranded.ts): dossiers that nothing would move on.
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossierEvents, dossiers, outbox, signingDrafts } from '../schema/index.js';
import type { DossierEventRow, DossierRow } from './dossiers.js';

/**
 * Dossiers in one of `states` (version, status), untouched since `quietSince`, with no live outbox row (pending,
 * queued or running) and no draft waiting for an official's signature.
 */
export async function findStranded(
  db: Db, states: Array<{ versionId: number; status: string }>, quietSince: Date, limit: number,
): Promise<DossierRow[]> {
  if (states.length === 0) return [];
  return db.select().from(dossiers).where(and(
    or(...states.map((s) => and(eq(dossiers.procedureVersionId, s.versionId), eq(dossiers.status, s.status)))),
    lt(dossiers.updatedAt, quietSince),
    sql`not exists (select 1 from ${outbox} where ${outbox.payload}->>'dossierId' = ${dossiers.id}::text and ${outbox.doneAt} is null and ${outbox.failedAt} is null)`,
    sql`not exists (select 1 from ${signingDrafts} where ${signingDrafts.dossierId} = ${dossiers.id})`,
  )).limit(limit);
}

/** The latest history event that put the dossier into `status`. */
export async function findEntryEvent(db: Db, dossierId: string, status: string): Promise<DossierEventRow | undefined> {
  const [row] = await db.select().from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, dossierId), eq(dossierEvents.toStatus, status)))
    .orderBy(desc(dossierEvents.dossierVersion)).limit(1);
  return row;
}

/** True when one of `jobs` failed for good for this dossier: the admins have it (and its retry). */
export async function hasFailedJob(db: Db, dossierId: string, jobs: string[]): Promise<boolean> {
  if (jobs.length === 0) return false;
  const [row] = await db.select({ id: outbox.id }).from(outbox)
    .where(and(sql`${outbox.payload}->>'dossierId' = ${dossierId}`, inArray(outbox.job, jobs), isNotNull(outbox.failedAt), isNull(outbox.doneAt)))
    .limit(1);
  return row !== undefined;
}
