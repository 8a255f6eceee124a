// Procedure versions (one row per distinct definition of a procedure), the procedures switched on or off, and how
// many dossiers sit on each version.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, procedureSettings, procedureVersions } from '../schema/index.js';

export type ProcedureVersionRow = typeof procedureVersions.$inferSelect;
export type NewProcedureVersion = Pick<typeof procedureVersions.$inferInsert, 'procedureId' | 'version' | 'hash' | 'definition' | 'source' | 'uploadedBy'>;

export async function findVersionByHash(db: Db, procedureId: string, hash: string): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.select().from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.hash, hash)));
  return row;
}

export async function latestVersionNumber(db: Db, procedureId: string): Promise<number> {
  const [row] = await db.select({ version: procedureVersions.version }).from(procedureVersions)
    .where(eq(procedureVersions.procedureId, procedureId)).orderBy(desc(procedureVersions.version)).limit(1);
  return row?.version ?? 0;
}

/** Inserts unless another process inserted the same (procedure, hash) or (procedure, version) first. */
export async function insertVersion(db: Db, values: NewProcedureVersion): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.insert(procedureVersions).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findVersionById(db: Db, id: number): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, id));
  return row;
}

export async function findVersion(db: Db, procedureId: string, version: number): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.select().from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.version, version)));
  return row;
}

export async function listVersions(db: Db): Promise<ProcedureVersionRow[]> {
  return db.select().from(procedureVersions).orderBy(procedureVersions.id);
}

export async function listVersionsByIds(db: Db, ids: number[]): Promise<ProcedureVersionRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(procedureVersions).where(inArray(procedureVersions.id, ids));
}

/** Every version without its definition or uploaded text: what a reload or the administration list needs first. */
export interface VersionHead {
  id: number; procedureId: string; version: number; hash: string; uploaded: boolean; uploadedBy: string | null; createdAt: Date;
}

export async function listVersionHeads(db: Db): Promise<VersionHead[]> {
  return db.select({
    id: procedureVersions.id, procedureId: procedureVersions.procedureId, version: procedureVersions.version,
    hash: procedureVersions.hash, uploaded: sql<boolean>`${procedureVersions.source} is not null`,
    uploadedBy: procedureVersions.uploadedBy, createdAt: procedureVersions.createdAt,
  }).from(procedureVersions).orderBy(procedureVersions.id);
}

/** Procedures an administrator switched on or off (a procedure without a row is on). */
export async function listProcedureSettings(db: Db): Promise<Array<{ procedureId: string; enabled: boolean }>> {
  return db.select({ procedureId: procedureSettings.procedureId, enabled: procedureSettings.enabled }).from(procedureSettings);
}

export async function setProcedureEnabled(db: Db, procedureId: string, enabled: boolean): Promise<void> {
  await db.insert(procedureSettings).values({ procedureId, enabled })
    .onConflictDoUpdate({ target: procedureSettings.procedureId, set: { enabled, updatedAt: new Date() } });
}

/** Per version: every dossier filed under it, and those not closed yet. */
export async function dossierCountsByVersion(db: Db): Promise<Map<number, { total: number; open: number }>> {
  const rows = await db.select({
    versionId: dossiers.procedureVersionId,
    total: sql<number>`count(*)::int`,
    open: sql<number>`(count(*) filter (where ${dossiers.closedAt} is null))::int`,
  }).from(dossiers).groupBy(dossiers.procedureVersionId);
  return new Map(rows.map((r) => [r.versionId, { total: Number(r.total), open: Number(r.open) }]));
}
