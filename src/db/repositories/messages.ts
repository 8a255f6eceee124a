// Messages between the office and the citizen about one dossier (dossier_messages), with their read receipts.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossierMessages } from '../schema/index.js';

export type DossierMessageRow = typeof dossierMessages.$inferSelect;
export type DossierMessageInsert = typeof dossierMessages.$inferInsert;

export async function insertMessage(db: Db, values: DossierMessageInsert): Promise<DossierMessageRow> {
  const [row] = await db.insert(dossierMessages).values(values).returning();
  if (!row) throw new Error('message insert returned no row');
  return row;
}

export async function findMessage(db: Db, id: string): Promise<DossierMessageRow | undefined> {
  const [row] = await db.select().from(dossierMessages).where(eq(dossierMessages.id, id));
  return row;
}

/** The dossier's latest `limit` messages, oldest of them first (dossier_messages_dossier_idx). */
export async function listMessages(db: Db, dossierId: string, limit: number): Promise<DossierMessageRow[]> {
  const rows = await db.select().from(dossierMessages).where(eq(dossierMessages.dossierId, dossierId))
    .orderBy(desc(dossierMessages.createdAt), desc(dossierMessages.id)).limit(limit);
  return rows.reverse();
}

/** The read receipt: every message of `authorKind` on the dossier not read yet is read now. Returns how many. */
export async function markMessagesRead(db: Db, dossierId: string, authorKind: DossierMessageRow['authorKind'], at: Date): Promise<number> {
  const rows = await db.update(dossierMessages).set({ readAt: at })
    .where(and(eq(dossierMessages.dossierId, dossierId), eq(dossierMessages.authorKind, authorKind), isNull(dossierMessages.readAt)))
    .returning({ id: dossierMessages.id });
  return rows.length;
}
