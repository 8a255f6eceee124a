// Outgoing-document registers (schema/documents.ts): the counters, the register lines and the document kinds.
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  documentKinds, documentRegisterCounters, dossiers, registeredDocuments, units, type DocumentRegister,
} from '../schema/index.js';

export type DocumentKindRow = typeof documentKinds.$inferSelect;
export type RegisteredDocumentRow = typeof registeredDocuments.$inferSelect;

export async function findDocumentKind(db: Db, key: string): Promise<DocumentKindRow | undefined> {
  const [row] = await db.select().from(documentKinds).where(eq(documentKinds.key, key));
  return row;
}

export function listDocumentKinds(db: Db): Promise<DocumentKindRow[]> {
  return db.select().from(documentKinds).orderBy(asc(documentKinds.key));
}

/** The kind locked until the transaction ends (its row before a change, for the audit entry). */
export async function findDocumentKindForUpdate(db: Db, key: string): Promise<DocumentKindRow | undefined> {
  const [row] = await db.select().from(documentKinds).where(eq(documentKinds.key, key)).for('update');
  return row;
}

export async function updateDocumentKind(
  db: Db, key: string, changes: Partial<Pick<DocumentKindRow, 'name' | 'abbreviation' | 'register'>>,
): Promise<DocumentKindRow | undefined> {
  const [row] = await db.update(documentKinds).set({ ...changes, updatedAt: new Date() }).where(eq(documentKinds.key, key)).returning();
  return row;
}

/** A register line as the register shows it: with the dossier's code and the unit holding it. */
export interface RegisterLineView extends RegisteredDocumentRow {
  dossierCode: string;
  unitName: string | null;
}

/** One page of a register in number order: the lines after `afterNumber`, at most `limit`. */
export async function listRegisterLines(
  db: Db, filter: { agencyCode: string; register: DocumentRegister; year: number; afterNumber?: number; limit: number },
): Promise<RegisterLineView[]> {
  const rows = await db.select({ line: registeredDocuments, dossierCode: dossiers.code, unitName: units.name })
    .from(registeredDocuments)
    .innerJoin(dossiers, eq(dossiers.id, registeredDocuments.dossierId))
    .leftJoin(units, eq(units.id, dossiers.unitId))
    .where(and(
      eq(registeredDocuments.agencyCode, filter.agencyCode), eq(registeredDocuments.register, filter.register),
      eq(registeredDocuments.year, filter.year), gt(registeredDocuments.number, filter.afterNumber ?? 0),
    ))
    .orderBy(asc(registeredDocuments.number))
    .limit(filter.limit);
  return rows.map((r) => ({ ...r.line, dossierCode: r.dossierCode, unitName: r.unitName }));
}

/** The years in which the agency has numbered something (in either register), newest first. */
export async function listRegisterYears(db: Db, agencyCode: string): Promise<number[]> {
  const rows = await db.selectDistinct({ year: documentRegisterCounters.year }).from(documentRegisterCounters)
    .where(eq(documentRegisterCounters.agencyCode, agencyCode)).orderBy(desc(documentRegisterCounters.year));
  return rows.map((r) => r.year);
}

/** Advisory-lock namespace of one document of one dossier (the first key of pg_advisory_xact_lock(int, int)). */
const DOCUMENT_LOCK_NAMESPACE = 0x5d0c; // "số"

/**
 * Serialises numbering of one document of one dossier until the caller's transaction ends. Row locks cannot do it
 * before its first line exists: two first renders would both find nothing, and the second insert would break the
 * (dossier, subject, year) unique index instead of waiting and reusing the first one's number.
 */
export async function lockDocumentSubject(db: Db, dossierId: string, subject: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${DOCUMENT_LOCK_NAMESPACE}, hashtext(${`${dossierId}:${subject}`}))`);
}

/** Every line given to this document of this dossier (all years, oldest first), locked until the transaction ends. */
export async function findLineForUpdate(db: Db, dossierId: string, subject: string): Promise<RegisteredDocumentRow[]> {
  return db.select().from(registeredDocuments)
    .where(and(eq(registeredDocuments.dossierId, dossierId), eq(registeredDocuments.subject, subject)))
    .orderBy(asc(registeredDocuments.year)).for('update');
}

/**
 * The next number of one register: an upsert that increments the counter and keeps its row locked until the caller's
 * transaction ends, so numbers are unique and, since a rollback undoes the increment, without gaps. The highest line
 * already in the register bounds it from below (one index probe), so a counter lost or set back by a restore or a
 * repair continues after the lines instead of colliding with them.
 */
export async function nextNumber(db: Db, agencyCode: string, register: DocumentRegister, year: number): Promise<number> {
  const highestLine = sql`(select coalesce(max(${registeredDocuments.number}), 0) from ${registeredDocuments}
    where ${registeredDocuments.agencyCode} = ${agencyCode} and ${registeredDocuments.register} = ${register} and ${registeredDocuments.year} = ${year})`;
  const [row] = await db.insert(documentRegisterCounters).values({ agencyCode, register, year, lastNumber: sql`${highestLine} + 1` })
    .onConflictDoUpdate({
      target: [documentRegisterCounters.agencyCode, documentRegisterCounters.register, documentRegisterCounters.year],
      set: { lastNumber: sql`greatest(${documentRegisterCounters.lastNumber}, ${highestLine}) + 1` },
    })
    .returning({ lastNumber: documentRegisterCounters.lastNumber });
  if (!row) throw new Error('register counter upsert returned no row');
  return row.lastNumber;
}

export async function insertLine(db: Db, values: typeof registeredDocuments.$inferInsert): Promise<RegisteredDocumentRow> {
  const [row] = await db.insert(registeredDocuments).values(values).returning();
  if (!row) throw new Error('register line insert returned no row');
  return row;
}

export async function voidLine(db: Db, id: string): Promise<void> {
  await db.update(registeredDocuments).set({ status: 'void' }).where(eq(registeredDocuments.id, id));
}

export async function updateLine(db: Db, id: string, values: Partial<typeof registeredDocuments.$inferInsert>): Promise<void> {
  await db.update(registeredDocuments).set(values).where(eq(registeredDocuments.id, id));
}
