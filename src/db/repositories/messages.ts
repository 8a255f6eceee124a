// Messages between the office and the citizen about one dossier (dossier_messages), with their read receipts.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
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

/**
 * The dossier's latest `limit` messages, oldest of them first (dossier_messages_dossier_idx), and, in the same
 * statement, whether any message of `unreadAuthor` on the dossier (listed or not) is
 * still unread: a page that shows the messages writes its read receipt only when there is something to mark.
 */
export async function listMessagesAndUnread(db: Db, dossierId: string, limit: number, unreadAuthor: DossierMessageRow['authorKind'] | null): Promise<{ rows: DossierMessageRow[]; unread: boolean }> {
  const unread = unreadAuthor === null ? sql<boolean>`false` : sql<boolean>`exists (select 1 from dossier_messages u where u.dossier_id = ${dossierId} and u.author_kind = ${unreadAuthor} and u.read_at is null)`;
  const rows = await db.select({ message: dossierMessages, unread }).from(dossierMessages).where(eq(dossierMessages.dossierId, dossierId))
    .orderBy(desc(dossierMessages.createdAt), desc(dossierMessages.id)).limit(limit);
  // No message at all: nothing unread either.
  return { rows: rows.map((r) => r.message).reverse(), unread: rows[0]?.unread === true };
}

/**
 * The read receipt: every message of `authorKind` on the dossier not read yet, up to the newest one the reader was shown
 * (`upTo`, a message id), is read now. Returns how many. The bound: one posted after the list was read was not shown,
 * so it stays unread. Compared in SQL, at the column's microseconds (a JS Date keeps milliseconds only).
 */
export async function markMessagesRead(db: Db, dossierId: string, authorKind: DossierMessageRow['authorKind'], at: Date, upTo: string): Promise<number> {
  const rows = await db.update(dossierMessages).set({ readAt: at })
    .where(and(eq(dossierMessages.dossierId, dossierId), eq(dossierMessages.authorKind, authorKind), isNull(dossierMessages.readAt),
      sql`${dossierMessages.createdAt} <= (select m.created_at from dossier_messages m where m.id = ${upTo})`))
    .returning({ id: dossierMessages.id });
  return rows.length;
}
