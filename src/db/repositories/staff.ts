import { and, arrayContains, asc, eq, gt, ilike, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agencies, sessions, staffAccounts, units } from '../schema/index.js';
import { rowsOf } from './outbox.js';

export type StaffRow = typeof staffAccounts.$inferSelect;
export type UnitRow = typeof units.$inferSelect;
export type AgencyRow = typeof agencies.$inferSelect;

export async function findStaffByUsername(db: Db, username: string): Promise<StaffRow | undefined> {
  const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.username, username));
  return row;
}

export async function findStaffById(db: Db, id: string): Promise<StaffRow | undefined> {
  const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.id, id));
  return row;
}

export async function insertStaff(db: Db, values: typeof staffAccounts.$inferInsert): Promise<StaffRow> {
  const [row] = await db.insert(staffAccounts).values(values).onConflictDoNothing({ target: staffAccounts.username }).returning();
  return row ?? (await findStaffByUsername(db, values.username))!;
}

export async function insertSession(db: Db, values: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(values);
}

/** The account behind a live session: before its absolute expiry and used since `idleSince` (the idle timeout). */
export async function findStaffBySession(db: Db, tokenHash: string, now: Date, idleSince: Date): Promise<{ staff: StaffRow; lastSeenAt: Date } | undefined> {
  const [row] = await db.select({ staff: staffAccounts, lastSeenAt: sessions.lastSeenAt }).from(sessions)
    .innerJoin(staffAccounts, eq(sessions.staffId, staffAccounts.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, idleSince), eq(staffAccounts.active, true)));
  return row;
}

/** Slides the idle timeout: the session was used at `now`. */
export async function touchSession(db: Db, tokenHash: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(and(eq(sessions.tokenHash, tokenHash), lt(sessions.lastSeenAt, now)));
}

/** Ends every session of the account but `keepTokenHash` (a password change keeps the session that made it). */
export async function deleteOtherSessions(db: Db, staffId: string, keepTokenHash: string | null): Promise<number> {
  const rows = await db.delete(sessions)
    .where(keepTokenHash ? and(eq(sessions.staffId, staffId), ne(sessions.tokenHash, keepTokenHash)) : eq(sessions.staffId, staffId))
    .returning({ tokenHash: sessions.tokenHash });
  return rows.length;
}

export async function updatePasswordHash(db: Db, staffId: string, passwordHash: string): Promise<void> {
  await db.update(staffAccounts).set({ passwordHash }).where(eq(staffAccounts.id, staffId));
}

/**
 * Counts one sign-in attempt against the account BEFORE its password is checked, atomically and only while it is not
 * blocked, so concurrent guesses cannot slip past a block. From the `freeFailures`-th attempt on, the new count also
 * blocks the account for 2^(count − freeFailures) seconds, at most `maxBlockSeconds` (accounts/throttle.ts,
 * loginBlockSeconds: the same schedule, computed here in the same statement). The database's clock decides, so every
 * server copy agrees. Returns the new count, or null when the account is blocked now (nothing counted).
 */
export async function reserveLoginAttempt(db: Db, staffId: string, schedule: { freeFailures: number; maxBlockSeconds: number }): Promise<number | null> {
  const count = sql`(${staffAccounts.failedLogins} + 1)`;
  const seconds = sql`least(power(2, least(${count} - ${schedule.freeFailures}, 30)), ${schedule.maxBlockSeconds})`;
  const [row] = await db.update(staffAccounts)
    .set({
      failedLogins: count,
      loginBlockedUntil: sql`case when ${count} >= ${schedule.freeFailures} then now() + make_interval(secs => ${seconds}) else null end`,
    })
    .where(and(eq(staffAccounts.id, staffId), or(isNull(staffAccounts.loginBlockedUntil), sql`${staffAccounts.loginBlockedUntil} <= now()`)))
    .returning({ failedLogins: staffAccounts.failedLogins });
  return row ? row.failedLogins : null;
}

/** A right password: the count and any block are gone. */
export async function clearLoginFailures(db: Db, staffId: string): Promise<void> {
  await db.update(staffAccounts).set({ failedLogins: 0, loginBlockedUntil: null })
    .where(and(eq(staffAccounts.id, staffId), or(gt(staffAccounts.failedLogins, 0), sql`${staffAccounts.loginBlockedUntil} is not null`)));
}

export async function upsertAgency(db: Db, values: typeof agencies.$inferInsert): Promise<void> {
  await db.insert(agencies).values(values).onConflictDoNothing();
}

export async function upsertUnit(db: Db, values: typeof units.$inferInsert): Promise<void> {
  await db.insert(units).values(values).onConflictDoNothing();
}

export async function findUnit(db: Db, id: string): Promise<UnitRow | undefined> {
  const [row] = await db.select().from(units).where(eq(units.id, id));
  return row;
}

export async function findAgency(db: Db, code: string): Promise<AgencyRow | undefined> {
  const [row] = await db.select().from(agencies).where(eq(agencies.code, code));
  return row;
}

/** The unit and every unit below it. */
export async function unitSubtree(db: Db, unitId: string): Promise<string[]> {
  const result = await db.execute<{ id: string }>(sql`
    with recursive tree(id) as (
      select id from ${units} where id = ${unitId}
      union select u.id from ${units} u join tree t on u.parent_id = t.id)
    select id from tree`);
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}

/** Units of a kind with their agency (e.g. every school office, for its seal). */
export async function listUnitsWithAgency(db: Db, kind: UnitRow['kind']): Promise<Array<{ unit: UnitRow; agency: AgencyRow }>> {
  return db.select({ unit: units, agency: agencies }).from(units).innerJoin(agencies, eq(units.agencyCode, agencies.code)).where(eq(units.kind, kind));
}

/** The agency a unit belongs to. */
export async function findAgencyOfUnit(db: Db, unitId: string): Promise<AgencyRow | undefined> {
  const [row] = await db.select({ agency: agencies }).from(units).innerJoin(agencies, eq(units.agencyCode, agencies.code)).where(eq(units.id, unitId));
  return row?.agency;
}

// Staff accounts administration (services/administration/staff-accounts.ts) and two-factor sign-in.

export interface StaffFilter { unitId?: string; role?: string; active?: boolean; q?: string }

/** Accounts with their unit's name, by name; `q` matches the username, the full name or the title (any case). */
export async function listStaff(db: Db, filter: StaffFilter): Promise<Array<{ staff: StaffRow; unitName: string }>> {
  const pattern = filter.q ? `%${filter.q.replace(/[\\%_]/g, '\\$&')}%` : undefined;
  const conditions = [
    filter.unitId ? eq(staffAccounts.unitId, filter.unitId) : undefined,
    filter.role ? arrayContains(staffAccounts.roles, [filter.role]) : undefined,
    filter.active !== undefined ? eq(staffAccounts.active, filter.active) : undefined,
    pattern ? or(ilike(staffAccounts.username, pattern), ilike(staffAccounts.fullName, pattern), ilike(staffAccounts.title, pattern)) : undefined,
  ].filter((c) => c !== undefined);
  return db.select({ staff: staffAccounts, unitName: units.name }).from(staffAccounts)
    .innerJoin(units, eq(staffAccounts.unitId, units.id))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(staffAccounts.fullName), asc(staffAccounts.username));
}

/** A new account, or undefined when the username is taken. */
export async function insertNewStaff(db: Db, values: typeof staffAccounts.$inferInsert): Promise<StaffRow | undefined> {
  const [row] = await db.insert(staffAccounts).values(values).onConflictDoNothing({ target: staffAccounts.username }).returning();
  return row;
}

/** The account, its row locked until the transaction ends. */
export async function lockStaffByUsername(db: Db, username: string): Promise<StaffRow | undefined> {
  const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.username, username)).for('update');
  return row;
}

/**
 * Every active administrator's id, their rows locked in id order: two changes that each remove an administrator wait
 * for one another (and always lock in the same order, so they cannot deadlock) and the second sees the first's result.
 */
export async function lockActiveAdmins(db: Db): Promise<string[]> {
  const rows = await db.select({ id: staffAccounts.id }).from(staffAccounts)
    .where(and(eq(staffAccounts.active, true), arrayContains(staffAccounts.roles, ['admin'])))
    .orderBy(asc(staffAccounts.id)).for('update');
  return rows.map((r) => r.id);
}

export async function updateStaff(db: Db, staffId: string, values: Partial<typeof staffAccounts.$inferInsert>): Promise<StaffRow> {
  const [row] = await db.update(staffAccounts).set(values).where(eq(staffAccounts.id, staffId)).returning();
  return row!;
}

/** Stores a new, unconfirmed TOTP secret unless two-factor is on (checked in the same statement); undefined if it is. */
export async function storePendingTotpSecret(db: Db, staffId: string, secret: string): Promise<StaffRow | undefined> {
  const [row] = await db.update(staffAccounts).set({ totpSecret: secret, totpEnabledAt: null })
    .where(and(eq(staffAccounts.id, staffId), isNull(staffAccounts.totpEnabledAt))).returning();
  return row;
}

/** Replaces the stored TOTP secret only if it is still `expected` (compare-and-set): false when someone was first. */
export async function replaceTotpSecret(db: Db, staffId: string, expected: string, next: string): Promise<boolean> {
  const rows = await db.update(staffAccounts).set({ totpSecret: next })
    .where(and(eq(staffAccounts.id, staffId), eq(staffAccounts.totpSecret, expected))).returning({ id: staffAccounts.id });
  return rows.length > 0;
}

/** Ends one session; returns whose it was. */
export async function deleteSessionReturningStaff(db: Db, tokenHash: string): Promise<string | undefined> {
  const [row] = await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning({ staffId: sessions.staffId });
  return row?.staffId;
}

