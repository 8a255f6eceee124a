import { and, eq, gt, sql } from 'drizzle-orm';
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

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

export async function findStaffBySession(db: Db, tokenHash: string, now: Date): Promise<StaffRow | undefined> {
  const [row] = await db.select({ staff: staffAccounts }).from(sessions)
    .innerJoin(staffAccounts, eq(sessions.staffId, staffAccounts.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), eq(staffAccounts.active, true)));
  return row?.staff;
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

export async function listAgencies(db: Db): Promise<AgencyRow[]> {
  return db.select().from(agencies);
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
