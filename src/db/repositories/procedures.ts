import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { procedureVersions } from '../schema/index.js';

export type ProcedureVersionRow = typeof procedureVersions.$inferSelect;

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

/** Inserts unless another process inserted the same (procedure, hash) first; returns the row either way. */
export async function insertVersion(
  db: Db, values: { procedureId: string; version: number; hash: string; definition: unknown },
): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.insert(procedureVersions).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findVersionById(db: Db, id: number): Promise<ProcedureVersionRow | undefined> {
  const [row] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, id));
  return row;
}

export async function listVersions(db: Db): Promise<ProcedureVersionRow[]> {
  return db.select().from(procedureVersions).orderBy(procedureVersions.id);
}
