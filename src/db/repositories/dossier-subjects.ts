// Dossiers by the person they are about (subject_personal_id): a live one of the same person and procedure is flagged
// to the desk as a possible duplicate when another is filed, and the desk's pages name the dossier flagged.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers } from '../schema/index.js';

/** The oldest live (not yet in a final state: closed_at is null) dossier of this person and procedure. */
export async function findLiveDossierOfSubject(db: Db, subjectPersonalId: string, procedureId: string): Promise<{ id: string; code: string } | undefined> {
  const [row] = await db.select({ id: dossiers.id, code: dossiers.code }).from(dossiers)
    .where(and(eq(dossiers.subjectPersonalId, subjectPersonalId), eq(dossiers.procedureId, procedureId), isNull(dossiers.closedAt)))
    .orderBy(asc(dossiers.submittedAt)).limit(1);
  return row;
}

/** Codes of the dossiers with these ids (the ones others were flagged as possible duplicates of). */
export async function dossierCodesByIds(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: dossiers.id, code: dossiers.code }).from(dossiers).where(inArray(dossiers.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.code]));
}
