// The citizen's e-document store (citizen_documents, keyed by the owner's ID number): results issued to a person and
// scans the desk digitised for them, each pointing at a stored file it shares with the dossier it came from.
import { and, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenDocuments, dossierDocuments, dossiers } from '../schema/index.js';

export type CitizenDocumentRow = typeof citizenDocuments.$inferSelect;
export type NewCitizenDocument = typeof citizenDocuments.$inferInsert;

/**
 * Adds a document to a person's store; the same file from the same dossier as the same kind is there once (the
 * source index), so a retried result or a second click of "Số hóa" changes nothing and returns the row already there.
 */
export async function insertCitizenDocument(db: Db, values: NewCitizenDocument): Promise<{ row: CitizenDocumentRow; inserted: boolean }> {
  const [inserted] = await db.insert(citizenDocuments).values(values).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, inserted: true };
  const [existing] = await db.select().from(citizenDocuments).where(and(
    values.sourceDossierId ? eq(citizenDocuments.sourceDossierId, values.sourceDossierId) : sql`false`,
    eq(citizenDocuments.kind, values.kind), eq(citizenDocuments.storageKey, values.storageKey),
  ));
  if (!existing) throw new Error('citizen document insert returned no row');
  return { row: existing, inserted: false };
}

/** Every document of these people, newest first. */
export async function listCitizenDocuments(db: Db, ownerPersonalIds: string[]): Promise<CitizenDocumentRow[]> {
  if (ownerPersonalIds.length === 0) return [];
  return db.select().from(citizenDocuments).where(inArray(citizenDocuments.ownerPersonalId, ownerPersonalIds))
    .orderBy(desc(citizenDocuments.createdAt), desc(citizenDocuments.id));
}

export async function findCitizenDocuments(db: Db, ids: string[]): Promise<CitizenDocumentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(citizenDocuments).where(inArray(citizenDocuments.id, ids));
}

/** The store entries that came from one dossier, of one kind, oldest first (citizen_documents_source_uq leads with it). */
export async function listDossierStoreEntries(db: Db, dossierId: string, kind: CitizenDocumentRow['kind']): Promise<CitizenDocumentRow[]> {
  return db.select().from(citizenDocuments)
    .where(and(eq(citizenDocuments.sourceDossierId, dossierId), eq(citizenDocuments.kind, kind)))
    .orderBy(citizenDocuments.createdAt, citizenDocuments.id);
}

/** Takes an entry out of the store (not its stored file, which others may share); the row removed, if it was there. */
export async function deleteCitizenDocument(db: Db, id: string): Promise<CitizenDocumentRow | undefined> {
  const [row] = await db.delete(citizenDocuments).where(eq(citizenDocuments.id, id)).returning();
  return row;
}

/** How many of a dossier's documents were attached from the store instead of uploaded. */
export async function countReusedDocuments(db: Db, dossierId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(dossierDocuments)
    .where(and(eq(dossierDocuments.dossierId, dossierId), isNotNull(dossierDocuments.reusedFromDocumentId)));
  return row?.n ?? 0;
}

export interface DocumentReuseCounts {
  /** Dossiers submitted in the period with at least one document attached from the store. */
  dossiersWithReuse: number;
  /** Documents attached from the store to the dossiers submitted in the period. */
  reusedDocuments: number;
  /** Documents the desk digitised into a person's store in the period. */
  digitisedDocuments: number;
  /** Results that landed in a person's store in the period. */
  storedResults: number;
}

/** Re-use and digitisation over [from, to) (Decision 766 counts re-used data and digitised records). */
export async function documentReuseCounts(db: Db, period: { from: Date; to: Date }): Promise<DocumentReuseCounts> {
  const [reuse] = await db.select({
    dossiers: sql<number>`count(distinct ${dossierDocuments.dossierId})::int`,
    documents: sql<number>`count(*)::int`,
  }).from(dossierDocuments).innerJoin(dossiers, eq(dossiers.id, dossierDocuments.dossierId))
    .where(and(isNotNull(dossierDocuments.reusedFromDocumentId), gte(dossiers.submittedAt, period.from), lt(dossiers.submittedAt, period.to)));
  const [store] = await db.select({
    digitised: sql<number>`count(*) filter (where ${citizenDocuments.kind} = 'digitised')::int`,
    results: sql<number>`count(*) filter (where ${citizenDocuments.kind} = 'result')::int`,
  }).from(citizenDocuments).where(and(gte(citizenDocuments.createdAt, period.from), lt(citizenDocuments.createdAt, period.to)));
  return {
    dossiersWithReuse: reuse?.dossiers ?? 0, reusedDocuments: reuse?.documents ?? 0,
    digitisedDocuments: store?.digitised ?? 0, storedResults: store?.results ?? 0,
  };
}
