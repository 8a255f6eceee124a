import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { admissionCampaigns, admissionPlaces, campaignSchools, units } from '../schema/index.js';
import { rowsOf } from './outbox.js';

export type CampaignRow = typeof admissionCampaigns.$inferSelect;

export async function upsertCampaign(db: Db, row: typeof admissionCampaigns.$inferInsert): Promise<void> {
  await db.insert(admissionCampaigns).values(row).onConflictDoNothing();
}

export async function upsertCampaignSchool(db: Db, row: typeof campaignSchools.$inferInsert): Promise<void> {
  await db.insert(campaignSchools).values(row).onConflictDoNothing();
}

export async function findCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(admissionCampaigns).where(eq(admissionCampaigns.id, id));
  return row;
}

/** Campaigns still to close (open now or upcoming), soonest first. */
export async function listCurrentCampaigns(db: Db, now: Date): Promise<CampaignRow[]> {
  return db.select().from(admissionCampaigns).where(gt(admissionCampaigns.closesAt, now)).orderBy(asc(admissionCampaigns.opensAt));
}

export async function listCampaignSchools(db: Db, campaignId: string) {
  return db.select({ schoolUnitId: campaignSchools.schoolUnitId, quota: campaignSchools.quota, name: units.name })
    .from(campaignSchools).innerJoin(units, eq(units.id, campaignSchools.schoolUnitId))
    .where(eq(campaignSchools.campaignId, campaignId)).orderBy(asc(units.name));
}

export async function countPlaces(db: Db, campaignId: string, schoolUnitId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(admissionPlaces)
    .where(and(eq(admissionPlaces.campaignId, campaignId), eq(admissionPlaces.schoolUnitId, schoolUnitId)));
  return Number(row?.n ?? 0);
}

/**
 * Takes one place at the school if the quota allows, inside the caller's transaction. The quota row is locked first,
 * so two principals admitting at once cannot both take the last place. false = full (or school not in the campaign).
 */
export async function takePlace(db: Db, p: { dossierId: string; campaignId: string; schoolUnitId: string }): Promise<boolean> {
  const locked = rowsOf<{ quota: number }>(await db.execute(sql`
    select quota from ${campaignSchools} where campaign_id = ${p.campaignId} and school_unit_id = ${p.schoolUnitId} for update`));
  const quota = locked[0]?.quota;
  if (quota === undefined) return false;
  if ((await countPlaces(db, p.campaignId, p.schoolUnitId)) >= Number(quota)) return false;
  await db.insert(admissionPlaces).values(p).onConflictDoNothing();
  return true;
}
