// The ledger of processing steps owed to the national portal (national_sync_steps): written with each history event,
// read in event order by the sync job, marked sent once the portal acknowledged them; and the backlog figures the
// administrators watch.
import { and, asc, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { dossierEvents, dossiers, nationalSyncSteps, payments, staffAccounts, units } from '../schema/index.js';
import { rowsOf } from './outbox.js';

/**
 * The step of the dossier's latest history event, with the dossier's columns as they stand now. Called inside the
 * transaction that wrote the event and updated the dossier (which holds the dossier's row lock), so "latest" is that
 * event and the dates are those right after the change.
 */
export async function insertStepForLatestEvent(db: Db, dossierId: string): Promise<void> {
  await db.execute(sql`
    insert into national_sync_steps (dossier_id, event_id, status, unit_id, due_at, state_due_at, apology_due_at)
    select d.id, e.id, d.status, d.unit_id, d.due_at, d.state_due_at, d.apology_due_at
    from dossiers d
    join lateral (select id from dossier_events where dossier_id = d.id order by id desc limit 1) e on true
    where d.id = ${dossierId}`);
}

export interface UnsentStep {
  id: number;
  eventId: number;
  status: string;
  dueAt: Date | null;
  stateDueAt: Date | null;
  apologyDueAt: Date | null;
  at: Date;
  action: string;
  fromStatus: string | null;
  actorKind: string;
  actorName: string;
  comment: string | null;
  /** The staff account's title (chức danh) when a staff member acted. */
  actorTitle: string | null;
  /** The acting staff member's unit, else the unit holding the dossier after the step. */
  unitName: string | null;
}

/** The dossier's unsent steps, oldest event first, with the event, the actor's title and the unit's name. */
export async function listUnsentSteps(db: Db, dossierId: string, limit: number): Promise<UnsentStep[]> {
  const actorUnit = sql`coalesce(${staffAccounts.unitId}, ${nationalSyncSteps.unitId})`;
  return db.select({
    id: nationalSyncSteps.id, eventId: nationalSyncSteps.eventId, status: nationalSyncSteps.status,
    dueAt: nationalSyncSteps.dueAt, stateDueAt: nationalSyncSteps.stateDueAt, apologyDueAt: nationalSyncSteps.apologyDueAt,
    at: dossierEvents.at, action: dossierEvents.action, fromStatus: dossierEvents.fromStatus, actorKind: dossierEvents.actorKind,
    actorName: dossierEvents.actorName, comment: dossierEvents.comment, actorTitle: staffAccounts.title, unitName: units.name,
  })
    .from(nationalSyncSteps)
    .innerJoin(dossierEvents, eq(dossierEvents.id, nationalSyncSteps.eventId))
    .leftJoin(staffAccounts, and(eq(dossierEvents.actorKind, 'staff'), eq(sql`${staffAccounts.id}::text`, dossierEvents.actorId)))
    .leftJoin(units, eq(units.id, actorUnit))
    .where(and(eq(nationalSyncSteps.dossierId, dossierId), isNull(nationalSyncSteps.sentAt)))
    .orderBy(asc(nationalSyncSteps.eventId))
    .limit(limit);
}

/** First key of pg_try_advisory_xact_lock(int, int) for "one sender per dossier" (the second is the dossier's hash). */
const SYNC_LOCK_NAMESPACE = 13_001;
/** PGlite: the dossiers being sent by this process (one process, one connection: see withDossierSyncLock). */
const sendingInProcess = new WeakMap<object, Set<string>>();

/**
 * Runs `fn` as the dossier's only sender, or returns { acquired: false } at once when another sender holds the dossier.
 * PostgreSQL: a transaction holding pg_try_advisory_xact_lock keyed by the dossier, around the read of the unsent
 * steps, the sends and the marking; `fn` gets that transaction (the marks commit with it, the lock goes with it, even
 * if the process dies). PGlite (embedded): one process with one connection, where an advisory lock never excludes its
 * own session and a transaction open across HTTP calls would hold every other query of the app; an in-process set
 * does the same job there, and `fn` gets the database.
 */
export async function withDossierSyncLock<T>(
  database: Pick<Database, 'db' | 'kind'>, dossierId: string, fn: (db: Db) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  if (database.kind === 'pglite') {
    let sending = sendingInProcess.get(database.db);
    if (!sending) sendingInProcess.set(database.db, (sending = new Set()));
    if (sending.has(dossierId)) return { acquired: false };
    sending.add(dossierId);
    try {
      return { acquired: true, value: await fn(database.db) };
    } finally {
      sending.delete(dossierId);
    }
  }
  return database.db.transaction(async (tx) => {
    const [row] = rowsOf<{ locked: boolean }>(await tx.execute(
      sql`select pg_try_advisory_xact_lock(${SYNC_LOCK_NAMESPACE}, hashtext(${dossierId})) as locked`));
    if (!row?.locked) return { acquired: false as const };
    return { acquired: true as const, value: await fn(tx as unknown as Db) };
  });
}

/** Acknowledged by the portal. */
export async function markStepsSent(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(nationalSyncSteps)
    .set({ sentAt: new Date(), attempts: sql`${nationalSyncSteps.attempts} + 1`, lastAttemptAt: new Date(), lastError: null })
    .where(inArray(nationalSyncSteps.id, ids));
}

/** One failed try at sending these steps (the portal down, refusing, or silent). */
export async function recordStepFailure(db: Db, ids: number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(nationalSyncSteps)
    .set({ attempts: sql`${nationalSyncSteps.attempts} + 1`, lastAttemptAt: new Date(), lastError: error.slice(0, 2000) })
    .where(inArray(nationalSyncSteps.id, ids));
}

/** Whether any step of the dossier was acknowledged: the portal then knows the dossier (update, not create). */
export async function hasSentStep(db: Db, dossierId: string): Promise<boolean> {
  const [row] = await db.select({ id: nationalSyncSteps.id }).from(nationalSyncSteps)
    .where(and(eq(nationalSyncSteps.dossierId, dossierId), isNotNull(nationalSyncSteps.sentAt))).limit(1);
  return row !== undefined;
}

/** How the dossier's fee stands: paid online, paid at the desk, or not paid (payments.status). */
export async function paymentState(db: Db, dossierId: string): Promise<{ paidOnline: boolean; paid: boolean }> {
  const rows = await db.select({ method: payments.method }).from(payments)
    .where(and(eq(payments.dossierId, dossierId), eq(payments.status, 'paid')));
  return { paidOnline: rows.some((r) => r.method === 'online'), paid: rows.length > 0 };
}

export interface SyncBacklog {
  unsent: number;
  oldestUnsentAt: Date | null;
  /** Dossiers whose latest try failed: their code, unsent steps, tries so far and the last error. */
  failing: Array<{ dossierCode: string; unsent: number; attempts: number; lastAttemptAt: Date | null; lastError: string | null }>;
  /** The last steps the portal acknowledged. */
  recentSent: Array<{ dossierCode: string; eventId: number; action: string; status: string; sentAt: Date }>;
}

export async function syncBacklog(db: Db, limit = 50): Promise<SyncBacklog> {
  const [totals] = rowsOf<{ unsent: string | number; oldest: string | Date | null }>(await db.execute(sql`
    select count(*) as unsent, min(created_at) as oldest from national_sync_steps where sent_at is null`));
  const failing = rowsOf<{ code: string; unsent: string | number; attempts: string | number; last_attempt_at: string | Date | null; last_error: string | null }>(await db.execute(sql`
    select d.code, count(*) as unsent, max(s.attempts) as attempts, max(s.last_attempt_at) as last_attempt_at,
      (array_agg(s.last_error order by s.last_attempt_at desc nulls last))[1] as last_error
    from national_sync_steps s join dossiers d on d.id = s.dossier_id
    where s.sent_at is null and s.last_error is not null
    group by d.code order by min(s.created_at) limit ${limit}`));
  const recent = await db.select({
    dossierCode: dossiers.code, eventId: nationalSyncSteps.eventId, action: dossierEvents.action, status: nationalSyncSteps.status, sentAt: nationalSyncSteps.sentAt,
  }).from(nationalSyncSteps)
    .innerJoin(dossiers, eq(dossiers.id, nationalSyncSteps.dossierId))
    .innerJoin(dossierEvents, eq(dossierEvents.id, nationalSyncSteps.eventId))
    .where(isNotNull(nationalSyncSteps.sentAt))
    .orderBy(desc(nationalSyncSteps.sentAt), desc(nationalSyncSteps.id))
    .limit(20);
  const date = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : new Date(v));
  return {
    unsent: Number(totals?.unsent ?? 0),
    oldestUnsentAt: date(totals?.oldest),
    failing: failing.map((r) => ({
      dossierCode: r.code, unsent: Number(r.unsent), attempts: Number(r.attempts), lastAttemptAt: date(r.last_attempt_at), lastError: r.last_error,
    })),
    recentSent: recent.map((r) => ({ ...r, sentAt: r.sentAt! })),
  };
}

/** The steps written for a dossier, in event order (tests and diagnostics). */
export async function listStepsOfDossier(db: Db, dossierId: string): Promise<Array<typeof nationalSyncSteps.$inferSelect>> {
  return db.select().from(nationalSyncSteps).where(eq(nationalSyncSteps.dossierId, dossierId)).orderBy(asc(nationalSyncSteps.eventId));
}
