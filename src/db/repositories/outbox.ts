import { and, desc, eq, inArray, isNotNull, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;

/** The NOTIFY channel the relay listens on; sent inside the writing transaction, so it fires only on commit. */
export const OUTBOX_CHANNEL = 'motcua_outbox';

/** `availableAt` in the future delays the job (both drivers claim only due rows): a poll with backoff. */
export async function insertOutbox(db: Db, rows: Array<{ job: string; payload: Record<string, unknown>; availableAt?: Date }>): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(outbox).values(rows);
  await db.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}

/**
 * Claims up to `limit` due rows for `leaseMs`: their availability moves into the future, so a relay that crashes
 * mid-way leaves them to be claimed again when the lease runs out. SKIP LOCKED lets several relays share the table.
 * The longest-due first, in outbox_pending_idx's order: a claim reads `limit` index entries however long the backlog
 * (a Redis outage can leave a hundred thousand; in id order each claim read and sorted them all).
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return claimWithLease(db, sql`relayed_at is null and done_at is null and failed_at is null and available_at <= now()`, sql`available_at, id`, limit, leaseMs);
}

/** Leases up to `limit` rows matching `where` (pushes `available_at` by `leaseMs`) and returns them. */
async function claimWithLease(db: Db, where: SQL, orderBy: SQL, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const result = await db.execute<{ id: number }>(sql`
    update ${outbox} set available_at = now() + (${leaseMs} * interval '1 millisecond')
    where id in (select id from ${outbox} where ${where} order by ${orderBy} limit ${limit} for update skip locked)
    returning id`);
  const ids = rowsOf<{ id: number }>(result).map((r) => Number(r.id));
  if (ids.length === 0) return [];
  return db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id);
}

/** Handed to the queue: the reconciler looks at these rows again from `checkAfterMs` on. */
export async function markRelayed(db: Db, ids: number[], checkAfterMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox)
    .set({ relayedAt: new Date(), availableAt: new Date(Date.now() + checkAfterMs) })
    .where(inArray(outbox.id, ids));
}

/** The handler succeeded. A constant prepared text, not the builder: the worker runs it once per job (bench:burst). */
export async function markDone(database: Pick<Database, 'query'>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await database.query('update outbox set done_at = now(), relayed_at = coalesce(relayed_at, now()) where id = any($1::bigint[])', [ids]);
}

/** One failed attempt: due again at `retryAt`, or failed for good when there is none. */
export async function markAttemptFailed(db: Db, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db.update(outbox)
    .set(retryAt
      ? { attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 2000), availableAt: retryAt }
      : { attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 2000), failedAt: new Date() })
    .where(eq(outbox.id, id));
}

/** Failed for good (the queue's last retry, or a permanent error), without counting another attempt. */
export async function markFailed(db: Db, id: number, error: string): Promise<void> {
  await db.update(outbox).set({ lastError: error.slice(0, 2000), failedAt: new Date() }).where(and(eq(outbox.id, id), isNull(outbox.doneAt)));
}

/**
 * Claims relayed rows whose job should be checked: not done, not failed, and due for a look. The look is leased
 * like a relay claim, so several workers' reconcilers share the table.
 */
export async function claimUnfinished(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return claimWithLease(db, sql`relayed_at is not null and done_at is null and failed_at is null and available_at <= now()`, sql`available_at`, limit, leaseMs);
}

/** Gives a row back to the relay (its job vanished from the queue): it is enqueued again under the same job id. */
export async function requeue(db: Db, ids: number[], reason: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox).set({ relayedAt: null, availableAt: new Date(), lastError: reason }).where(and(inArray(outbox.id, ids), isNull(outbox.doneAt)));
}

/** An admin's retry of a failed effect: a fresh start with all its attempts. */
export async function retryFailed(db: Db, id: number): Promise<OutboxRow | undefined> {
  const [row] = await db.update(outbox)
    .set({ failedAt: null, relayedAt: null, attempts: 0, availableAt: new Date() })
    .where(and(eq(outbox.id, id), isNotNull(outbox.failedAt)))
    .returning();
  if (row) await db.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
  return row;
}

export async function listFailed(db: Db, limit = 200): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(isNotNull(outbox.failedAt)).orderBy(desc(outbox.failedAt)).limit(limit);
}

/** Effects with no live outbox row for this dossier (nothing pending, queued or running for it). */
export async function hasUnfinishedForDossier(db: Db, dossierId: string): Promise<boolean> {
  const [row] = await db.select({ id: outbox.id }).from(outbox)
    .where(and(sql`${outbox.payload}->>'dossierId' = ${dossierId}`, isNull(outbox.doneAt), isNull(outbox.failedAt)))
    .limit(1);
  return row !== undefined;
}

/** Deletes done rows older than `olderThan` (failed rows stay until an admin retries them). */
export async function pruneDone(db: Db, olderThan: Date): Promise<number> {
  const rows = await db.delete(outbox).where(and(isNotNull(outbox.doneAt), lt(outbox.doneAt, olderThan))).returning({ id: outbox.id });
  return rows.length;
}

/** Makes a row due now (used when a relay gives its claim back because the queue did not answer). */
export async function releaseClaim(db: Db, ids: number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(outbox).set({ availableAt: new Date(Date.now() + 1000), lastError: error }).where(inArray(outbox.id, ids));
}

/** Rows not yet handed to the queue. */
export async function countPending(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(and(isNull(outbox.relayedAt), isNull(outbox.failedAt)));
  return row?.n ?? 0;
}

/** Effects not yet done and not failed for good: pending, queued or running. */
export async function countUnfinished(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(and(isNull(outbox.doneAt), isNull(outbox.failedAt)));
  return row?.n ?? 0;
}

export async function listForDossier(db: Db, dossierId: string): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(sql`${outbox.payload}->>'dossierId' = ${dossierId}`).orderBy(outbox.id);
}

export async function duePending(db: Db): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(and(isNull(outbox.doneAt), isNull(outbox.failedAt), lte(outbox.availableAt, new Date())));
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []);
}


/**
 * Handed to the queue as one batch job (jobs/notify-batch.ts): each row also records the batch it went in
 * (`payload.relayBatch`), so the reconciler knows which queued job to look for, and a row handed over again in a
 * later batch is run by that batch only.
 */
export async function markRelayedInBatch(database: Pick<Database, 'query'>, ids: number[], batch: string, checkAfterMs: number): Promise<void> {
  if (ids.length === 0) return;
  await database.query(`update outbox set relayed_at = now(), available_at = now() + ($3::int * interval '1 millisecond'),
    payload = payload || jsonb_build_object('relayBatch', $2::text) where id = any($1::bigint[])`, [ids, batch, checkAfterMs]);
}

/**
 * A batch's rows still to run: handed over, not done, not failed, and still in this batch (one read for the batch).
 * `relayed_at is not null`: a row a run already gave back to retry later (retryRowLater) still names this batch until
 * it is relayed again; BullMQ running the batch again (stalled, crashed) must not run it early nor count an extra try.
 */
export async function openRowsOfBatch(database: Pick<Database, 'query'>, ids: number[], batch: string): Promise<OutboxRow[]> {
  if (ids.length === 0) return [];
  const rows = await database.query<{ id: string | number; job: string; payload: Record<string, unknown>; attempts: number }>(`
    select id, job, payload, attempts from outbox
    where id = any($1::bigint[]) and relayed_at is not null and done_at is null and failed_at is null
      and payload ->> 'relayBatch' = $2::text
    order by id`, [ids, batch]);
  return rows.map((r) => ({ id: Number(r.id), job: r.job, payload: r.payload, attempts: r.attempts }) as OutboxRow);
}

/**
 * One message of a batch failed: the row goes back to the relay, due at `retryAt` (a batch of its own then), or
 * failed for good when there is none — the attempts counted on the row, as the inline driver counts them.
 */
export async function retryRowLater(db: Db, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db.update(outbox)
    .set(retryAt
      ? { attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 2000), availableAt: retryAt, relayedAt: null }
      : { attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 2000), failedAt: new Date() })
    .where(and(eq(outbox.id, id), isNull(outbox.doneAt)));
}

/**
 * Rows of a batch whose messages another run was recording at the same moment (jobs/notify-batch.ts): back to the
 * relay, due after `delayMs`, WITHOUT counting an attempt — nothing of theirs failed. Run again, each finds its message
 * sent (done) or recorded under the other run's Message-ID (sent under it, if that run died). Only rows still open and
 * still this batch's: one the reconciler has meanwhile handed over in another batch is that batch's. Constant SQL.
 */
export async function handBackLater(database: Pick<Database, 'query'>, ids: number[], batch: string, reason: string, delayMs: number): Promise<void> {
  if (ids.length === 0) return;
  await database.query(`update outbox set relayed_at = null, available_at = now() + ($4::int * interval '1 millisecond'),
    last_error = $3::text
    where id = any($1::bigint[]) and done_at is null and failed_at is null and payload ->> 'relayBatch' = $2::text`,
  [ids, batch, reason.slice(0, 2000), delayMs]);
}
