import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { issuedDocuments, signingKeys } from '../schema/index.js';

export type IssuedDocumentRow = typeof issuedDocuments.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;

export async function findIssuedDocument(db: Db, dossierId: string, kind: string): Promise<IssuedDocumentRow | undefined> {
  const [row] = await db.select().from(issuedDocuments).where(and(eq(issuedDocuments.dossierId, dossierId), eq(issuedDocuments.kind, kind)));
  return row;
}

/** A second issue of the same kind (a retried job) keeps the first: the unique index makes this idempotent. */
export async function insertIssuedDocument(db: Db, values: typeof issuedDocuments.$inferInsert): Promise<IssuedDocumentRow> {
  const [row] = await db.insert(issuedDocuments).values(values).onConflictDoNothing().returning();
  return row ?? (await findIssuedDocument(db, values.dossierId, values.kind))!;
}

export async function findActiveStaffKey(db: Db, staffId: string): Promise<SigningKeyRow | undefined> {
  const [row] = await db.select().from(signingKeys).where(and(eq(signingKeys.staffId, staffId), eq(signingKeys.active, true)));
  return row;
}

export async function insertSigningKey(db: Db, values: typeof signingKeys.$inferInsert): Promise<SigningKeyRow> {
  const [row] = await db.insert(signingKeys).values(values).returning();
  if (!row) throw new Error('signing key insert returned no row');
  return row;
}
