import { and, asc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossierCodeCounters, dossierDocuments, dossierEvents, dossiers } from '../schema/index.js';

export type DossierRow = typeof dossiers.$inferSelect;
export type NewDossier = typeof dossiers.$inferInsert;
export type DossierDocumentRow = typeof dossierDocuments.$inferSelect;
export type NewDossierDocument = typeof dossierDocuments.$inferInsert;
export type DossierEventRow = typeof dossierEvents.$inferSelect;
export type NewDossierEvent = typeof dossierEvents.$inferInsert;

/**
 * Takes the next sequence number for an agency and day. An upsert on one row is atomic under concurrency
 * (the row lock serialises writers), so two submissions can never get the same number.
 */
export async function nextCodeSequence(db: Db, agencyCode: string, day: string): Promise<number> {
  const [row] = await db.insert(dossierCodeCounters).values({ agencyCode, day, last: 1 })
    .onConflictDoUpdate({ target: [dossierCodeCounters.agencyCode, dossierCodeCounters.day], set: { last: sql`${dossierCodeCounters.last} + 1` } })
    .returning({ last: dossierCodeCounters.last });
  if (!row) throw new Error('code counter upsert returned no row');
  return row.last;
}

export async function insertDossier(db: Db, values: NewDossier): Promise<DossierRow> {
  const [row] = await db.insert(dossiers).values(values).returning();
  if (!row) throw new Error('dossier insert returned no row');
  return row;
}

export async function findDossierByCode(db: Db, code: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.code, code));
  return row;
}

export async function findDossierById(db: Db, id: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.id, id));
  return row;
}

export async function findDossierByIdempotencyKey(db: Db, key: string): Promise<DossierRow | undefined> {
  const [row] = await db.select().from(dossiers).where(eq(dossiers.idempotencyKey, key));
  return row;
}

/** Writes only if nobody changed the dossier since `expectedVersion` was read; undefined means someone did. */
export async function updateDossierIfVersion(
  db: Db, id: string, expectedVersion: number, patch: Partial<Omit<NewDossier, 'id' | 'version'>>,
): Promise<DossierRow | undefined> {
  const [row] = await db.update(dossiers)
    .set({ ...patch, version: sql`${dossiers.version} + 1`, updatedAt: new Date() })
    .where(and(eq(dossiers.id, id), eq(dossiers.version, expectedVersion)))
    .returning();
  return row;
}

export async function insertDocuments(db: Db, rows: NewDossierDocument[]): Promise<DossierDocumentRow[]> {
  if (rows.length === 0) return [];
  return db.insert(dossierDocuments).values(rows).returning();
}

export async function listDocuments(db: Db, dossierId: string): Promise<DossierDocumentRow[]> {
  return db.select().from(dossierDocuments).where(eq(dossierDocuments.dossierId, dossierId)).orderBy(asc(dossierDocuments.uploadedAt));
}

export async function findDocument(db: Db, dossierId: string, documentId: string): Promise<DossierDocumentRow | undefined> {
  const [row] = await db.select().from(dossierDocuments)
    .where(and(eq(dossierDocuments.dossierId, dossierId), eq(dossierDocuments.id, documentId)));
  return row;
}

export async function insertEvent(db: Db, event: NewDossierEvent): Promise<void> {
  await db.insert(dossierEvents).values(event);
}

export async function listEvents(db: Db, dossierId: string): Promise<DossierEventRow[]> {
  return db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, dossierId)).orderBy(asc(dossierEvents.id));
}

export interface InboxQuery {
  /** (procedure version, status) pairs the caller's roles may act on. */
  actionable: Array<{ procedureVersionId: number; status: string }>;
  unitIds: string[];
  agencyCodes: string[];
  status?: string;
  procedureId?: string;
  overdueBefore?: Date;
  limit: number;
}

/** Dossiers in the caller's reach on which they may act now, oldest due date first. */
export async function listInbox(db: Db, q: InboxQuery): Promise<DossierRow[]> {
  if (q.actionable.length === 0 || (q.unitIds.length === 0 && q.agencyCodes.length === 0)) return [];
  const inState = or(...q.actionable.map((a) => and(eq(dossiers.procedureVersionId, a.procedureVersionId), eq(dossiers.status, a.status)))) as SQL;
  const reach = or(
    q.unitIds.length > 0 ? inArray(dossiers.unitId, q.unitIds) : undefined,
    q.agencyCodes.length > 0 ? inArray(dossiers.agencyCode, q.agencyCodes) : undefined,
  ) as SQL;
  const filters: SQL[] = [inState, reach];
  if (q.status) filters.push(eq(dossiers.status, q.status));
  if (q.procedureId) filters.push(eq(dossiers.procedureId, q.procedureId));
  if (q.overdueBefore) filters.push(lt(dossiers.dueAt, q.overdueBefore));
  return db.select().from(dossiers).where(and(...filters))
    .orderBy(sql`${dossiers.dueAt} asc nulls last`, asc(dossiers.submittedAt)).limit(q.limit);
}
