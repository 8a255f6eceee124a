import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;

/** The NOTIFY channel the relay listens on; sent inside the writing transaction, so it fires only on commit. */
export const OUTBOX_CHANNEL = 'motcua_outbox';

export async function insertOutbox(db: Db, rows: Array<{ job: string; payload: Record<string, unknown> }>): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(outbox).values(rows);
  await db.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}

/**
 * Claims up to `limit` due rows for `leaseMs`: their availability moves into the future, so a relay that crashes
 * mid-way leaves them to be claimed again when the lease runs out. SKIP LOCKED lets several relays share the table.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const result = await db.execute<{ id: number }>(sql`
    update ${outbox} set available_at = now() + (${leaseMs} * interval '1 millisecond')
    where id in (
      select id from ${outbox}
      where relayed_at is null and failed_at is null and available_at <= now()
      order by id limit ${limit} for update skip locked)
    returning id`);
  const ids = rowsOf<{ id: number }>(result).map((r) => Number(r.id));
  if (ids.length === 0) return [];
  return db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id);
}

export async function markRelayed(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox).set({ relayedAt: new Date() }).where(inArray(outbox.id, ids));
}

export async function markAttemptFailed(db: Db, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db.update(outbox)
    .set(retryAt
      ? { attempts: sql`${outbox.attempts} + 1`, lastError: error, availableAt: retryAt }
      : { attempts: sql`${outbox.attempts} + 1`, lastError: error, failedAt: new Date() })
    .where(eq(outbox.id, id));
}

/** Makes a row due now (used when a relay gives its claim back because the queue did not answer). */
export async function releaseClaim(db: Db, ids: number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox).set({ availableAt: new Date(Date.now() + 1000), lastError: error }).where(inArray(outbox.id, ids));
}

export async function countPending(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(and(isNull(outbox.relayedAt), isNull(outbox.failedAt)));
  return row?.n ?? 0;
}

export async function listForDossier(db: Db, dossierId: string): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(sql`${outbox.payload}->>'dossierId' = ${dossierId}`).orderBy(outbox.id);
}

export async function duePending(db: Db): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(and(isNull(outbox.relayedAt), isNull(outbox.failedAt), lte(outbox.availableAt, new Date())));
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []);
}
