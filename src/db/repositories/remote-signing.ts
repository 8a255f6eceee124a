// Remote-signing requests (one provider transaction, one confirmation on the holder's phone) and their documents.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, remoteSigningItems, remoteSigningRequests } from '../schema/index.js';

export type RemoteSigningRequestRow = typeof remoteSigningRequests.$inferSelect;
export type RemoteSigningItemRow = typeof remoteSigningItems.$inferSelect;

export async function insertRemoteRequest(db: Db, values: typeof remoteSigningRequests.$inferInsert): Promise<RemoteSigningRequestRow> {
  const [row] = await db.insert(remoteSigningRequests).values(values).returning();
  if (!row) throw new Error('remote signing request insert returned no row');
  return row;
}

export async function insertRemoteItems(db: Db, values: Array<typeof remoteSigningItems.$inferInsert>): Promise<void> {
  // A few at a time: each row carries its whole PDF.
  for (let i = 0; i < values.length; i += 50) await db.insert(remoteSigningItems).values(values.slice(i, i + 50));
}

export async function findRemoteRequest(db: Db, id: string): Promise<RemoteSigningRequestRow | undefined> {
  const [row] = await db.select().from(remoteSigningRequests).where(eq(remoteSigningRequests.id, id));
  return row;
}

/** The items of a request with their dossier codes, without the PDFs. */
export async function listRemoteItemSummaries(db: Db, requestId: string) {
  return db.select({
    id: remoteSigningItems.id, dossierId: remoteSigningItems.dossierId, code: dossiers.code, status: remoteSigningItems.status, error: remoteSigningItems.error,
  }).from(remoteSigningItems).innerJoin(dossiers, eq(dossiers.id, remoteSigningItems.dossierId))
    .where(eq(remoteSigningItems.requestId, requestId)).orderBy(dossiers.code);
}

export async function listPendingRemoteItems(db: Db, requestId: string): Promise<RemoteSigningItemRow[]> {
  return db.select().from(remoteSigningItems).where(and(eq(remoteSigningItems.requestId, requestId), eq(remoteSigningItems.status, 'pending')));
}

/**
 * Dossiers among `dossierIds` already in a request that is not over: waiting for the phone (until its expiry), or
 * confirmed with the provider's signature kept here and not sealed yet.
 */
export async function dossiersAwaitingRemote(db: Db, dossierIds: string[]): Promise<string[]> {
  if (dossierIds.length === 0) return [];
  const rows = await db.select({ dossierId: remoteSigningItems.dossierId }).from(remoteSigningItems)
    .innerJoin(remoteSigningRequests, eq(remoteSigningRequests.id, remoteSigningItems.requestId))
    .where(and(
      inArray(remoteSigningItems.dossierId, dossierIds), eq(remoteSigningRequests.status, 'pending'),
      or(
        and(eq(remoteSigningItems.status, 'pending'), sql`${remoteSigningRequests.expiresAt} > now()`),
        eq(remoteSigningItems.status, 'received'),
      ),
    ));
  return rows.map((r) => r.dossierId);
}

/**
 * Claims one run of a request's job: the update succeeds only for the run the request expects (`polls`) while it is
 * pending, and moves the count on, so a job run twice (or a stale successor) finds `polls` moved and stops. `error`
 * is what the official reads meanwhile (the provider away, a sealing failure being retried); undefined keeps it.
 */
export async function advancePoll(db: Db, id: string, poll: number, error?: string | null): Promise<boolean> {
  const rows = await db.update(remoteSigningRequests).set({ polls: poll + 1, ...(error === undefined ? {} : { error }) })
    .where(and(eq(remoteSigningRequests.id, id), eq(remoteSigningRequests.polls, poll), eq(remoteSigningRequests.status, 'pending')))
    .returning({ id: remoteSigningRequests.id });
  return rows.length === 1;
}

/** The provider's transaction, once it accepted the request (the request was committed before asking it). */
export async function setRemoteTransaction(db: Db, id: string, transactionId: string, expiresAt: Date): Promise<boolean> {
  const rows = await db.update(remoteSigningRequests).set({ transactionId, expiresAt })
    .where(and(eq(remoteSigningRequests.id, id), eq(remoteSigningRequests.status, 'pending'), isNull(remoteSigningRequests.transactionId)))
    .returning({ id: remoteSigningRequests.id });
  return rows.length === 1;
}

/** The request's end (confirmed and done, rejected, expired, failed); only a pending request ends. */
export async function finishRemoteRequest(db: Db, id: string, status: Exclude<RemoteSigningRequestRow['status'], 'pending'>, error: string | null): Promise<boolean> {
  const rows = await db.update(remoteSigningRequests).set({ status, error, completedAt: new Date() })
    .where(and(eq(remoteSigningRequests.id, id), eq(remoteSigningRequests.status, 'pending')))
    .returning({ id: remoteSigningRequests.id });
  return rows.length === 1;
}

export async function listReceivedRemoteItems(db: Db, requestId: string): Promise<RemoteSigningItemRow[]> {
  return db.select().from(remoteSigningItems).where(and(eq(remoteSigningItems.requestId, requestId), eq(remoteSigningItems.status, 'received')));
}

/** Whether any document of the request holds a provider signature not sealed yet. */
export async function hasReceivedRemoteItems(db: Db, requestId: string): Promise<boolean> {
  const [row] = await db.select({ id: remoteSigningItems.id }).from(remoteSigningItems)
    .where(and(eq(remoteSigningItems.requestId, requestId), eq(remoteSigningItems.status, 'received'))).limit(1);
  return row !== undefined;
}

/** Keeps the provider's checked CMS on its pending item ('received'): sealing can be retried without the provider. */
export async function markRemoteItemReceived(db: Db, id: string, cms: Buffer): Promise<boolean> {
  const rows = await db.update(remoteSigningItems).set({ status: 'received', cms, error: null })
    .where(and(eq(remoteSigningItems.id, id), eq(remoteSigningItems.status, 'pending'))).returning({ id: remoteSigningItems.id });
  return rows.length === 1;
}

/** Claims a received item for its signed result (in the storing transaction): false when another run took it. */
export async function markRemoteItemSigned(db: Db, id: string): Promise<boolean> {
  const rows = await db.update(remoteSigningItems).set({ status: 'signed', error: null })
    .where(and(eq(remoteSigningItems.id, id), eq(remoteSigningItems.status, 'received'))).returning({ id: remoteSigningItems.id });
  return rows.length === 1;
}

/** Ends these items without a stored result (pending or received ones; a signed one stays signed). */
export async function markRemoteItemsFailed(db: Db, ids: string[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(remoteSigningItems).set({ status: 'failed', error })
    .where(and(inArray(remoteSigningItems.id, ids), inArray(remoteSigningItems.status, ['pending', 'received'])));
}

/** Every document of the request not signed yet (pending or received). */
export async function listUnfinishedRemoteItems(db: Db, requestId: string): Promise<Array<{ id: string }>> {
  return db.select({ id: remoteSigningItems.id }).from(remoteSigningItems)
    .where(and(eq(remoteSigningItems.requestId, requestId), inArray(remoteSigningItems.status, ['pending', 'received'])));
}
