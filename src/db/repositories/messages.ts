// Messages between the office and the citizen about one dossier (dossier_messages), with their read receipts.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { dossierMessages } from '../schema/index.js';
import { decodeRows } from './json-rows.js';

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
 * SQL (written out, not built per request) for the dossier's latest `limit` messages, oldest of them first, as a
 * JSON array of whole rows (null when none), `dossierId` and `limit` being SQL expressions: shared by the statement
 * below and the dossier pages' one view statement (repositories/dossier-view.ts), which read them on every view.
 */
export const latestMessagesSql = (dossierId: string, limit: string) => `(select json_agg(m order by m.created_at, m.id) from
  (select * from dossier_messages where dossier_id = ${dossierId} order by created_at desc, id desc limit ${limit}) m)`;
/** SQL: whether any message of `author` (an SQL expression; null: false) on the dossier is still unread. */
export const unreadMessagesSql = (dossierId: string, author: string) =>
  `exists (select 1 from dossier_messages u where u.dossier_id = ${dossierId} and u.author_kind = ${author} and u.read_at is null)`;

/** The JSON array of latestMessagesSql back to rows. */
export const decodeMessages = (raw: unknown): DossierMessageRow[] => decodeRows<DossierMessageRow>(dossierMessages, raw);

// Through the raw client, prepared once per connection: the query builder's work and garbage for this one select cost
// more than the rest of a page's model did (issue 15).
const MESSAGES_AND_UNREAD_SQL = `select ${latestMessagesSql('$1', '$2')} as messages, ${unreadMessagesSql('$1', '$3')} as unread`;

/**
 * The dossier's latest `limit` messages, oldest of them first (dossier_messages_dossier_idx), and, in the same
 * statement, whether any message of `unreadAuthor` on the dossier (listed or not) is
 * still unread: a page that shows the messages writes its read receipt only when there is something to mark.
 */
export async function listMessagesAndUnread(database: Pick<Database, 'query'>, dossierId: string, limit: number, unreadAuthor: DossierMessageRow['authorKind'] | null): Promise<{ rows: DossierMessageRow[]; unread: boolean }> {
  const [row] = await database.query<{ messages: unknown; unread: boolean }>(MESSAGES_AND_UNREAD_SQL, [dossierId, limit, unreadAuthor]);
  return { rows: decodeMessages(row?.messages ?? null), unread: row?.unread === true };
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
