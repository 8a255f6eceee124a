// Queries of going live from an empty database: the first administrator's holding unit, the first-run set-up (claimed
// once on the settings row), and the counts the administration's start page shows.
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agencies, organisationSettings, outbox, signingKeys, staffAccounts, units } from '../schema/index.js';

/**
 * Marks the set-up done and stores its settings, only if it was not done yet: the row lock makes a second set-up
 * running at the same time wait and then find it done. False when it was already done.
 */
export async function claimSetup(db: Db, values: { provinceName: string; departmentAgencyCode: string }): Promise<boolean> {
  const rows = await db.update(organisationSettings)
    .set({ ...values, setupCompletedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(organisationSettings.id, 1), isNull(organisationSettings.setupCompletedAt)))
    .returning({ id: organisationSettings.id });
  return rows.length > 0;
}

/** Moves every account of one unit to another; returns the usernames moved. */
export async function moveStaffToUnit(db: Db, fromUnitId: string, toUnitId: string): Promise<string[]> {
  const rows = await db.update(staffAccounts).set({ unitId: toUnitId }).where(eq(staffAccounts.unitId, fromUnitId))
    .returning({ username: staffAccounts.username });
  return rows.map((r) => r.username);
}

export async function deleteUnit(db: Db, unitId: string): Promise<void> {
  await db.delete(units).where(eq(units.id, unitId));
}

export async function deleteAgency(db: Db, code: string): Promise<void> {
  await db.delete(agencies).where(eq(agencies.code, code));
}

export interface AdministrationCounts {
  units: number;
  activeStaff: number;
  failedEffects: number;
  /** Certificates of the active signing keys (their expiry is read from the certificate). */
  activeKeyCertificates: string[];
}

/** Everything the start page counts, in a few cheap queries. */
export async function administrationCounts(db: Db): Promise<AdministrationCounts> {
  const [counts] = await db.select({
    units: sql<number>`(select count(*)::int from ${units})`,
    activeStaff: sql<number>`(select count(*)::int from ${staffAccounts} where ${staffAccounts.active})`,
    failedEffects: sql<number>`(select count(*)::int from ${outbox} where ${isNotNull(outbox.failedAt)})`,
  }).from(organisationSettings).where(eq(organisationSettings.id, 1));
  const keys = await db.select({ pem: signingKeys.certificatePem }).from(signingKeys).where(eq(signingKeys.active, true));
  return {
    units: counts?.units ?? 0, activeStaff: counts?.activeStaff ?? 0, failedEffects: counts?.failedEffects ?? 0,
    activeKeyCertificates: keys.map((r) => r.pem),
  };
}
