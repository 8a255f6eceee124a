import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { admissionCampaigns, admissionPlaces, campaignSchools, dossiers, units } from '../schema/index.js';
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
  return db.select({ schoolUnitId: campaignSchools.schoolUnitId, quota: campaignSchools.quota, categoryQuotas: campaignSchools.categoryQuotas, name: units.name })
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

// Campaigns as administrators keep them (services/administration/campaigns.ts).

export type NewCampaign = typeof admissionCampaigns.$inferInsert;

/** Every campaign, the latest registration window first. */
export async function listCampaigns(db: Db): Promise<CampaignRow[]> {
  return db.select().from(admissionCampaigns).orderBy(desc(admissionCampaigns.opensAt), asc(admissionCampaigns.id));
}

/** False when the id is taken (nothing written); a create racing another with the same id waits for it, then is false. */
export async function insertCampaign(db: Db, row: NewCampaign): Promise<boolean> {
  const rows = await db.insert(admissionCampaigns).values(row).onConflictDoNothing({ target: admissionCampaigns.id })
    .returning({ id: admissionCampaigns.id });
  return rows.length > 0;
}

export async function updateCampaign(db: Db, id: string, values: Partial<Omit<NewCampaign, 'id' | 'createdAt'>>): Promise<void> {
  await db.update(admissionCampaigns).set(values).where(eq(admissionCampaigns.id, id));
}

/**
 * The campaign's schools and quotas, locked until the caller's transaction ends: takePlace locks the same rows, so a
 * quota cannot be lowered under a place being given at that moment.
 */
export async function lockCampaignSchools(
  db: Db, campaignId: string,
): Promise<Array<{ schoolUnitId: string; quota: number; categoryQuotas: Record<string, number> }>> {
  return db.select({ schoolUnitId: campaignSchools.schoolUnitId, quota: campaignSchools.quota, categoryQuotas: campaignSchools.categoryQuotas })
    .from(campaignSchools).where(eq(campaignSchools.campaignId, campaignId)).for('update');
}

export async function setCampaignSchoolQuota(
  db: Db, campaignId: string, schoolUnitId: string, quota: number, categoryQuotas: Record<string, number> = {},
): Promise<void> {
  await db.insert(campaignSchools).values({ campaignId, schoolUnitId, quota, categoryQuotas })
    .onConflictDoUpdate({ target: [campaignSchools.campaignId, campaignSchools.schoolUnitId], set: { quota, categoryQuotas } });
}

export async function removeCampaignSchools(db: Db, campaignId: string, schoolUnitIds: string[]): Promise<void> {
  if (schoolUnitIds.length === 0) return;
  await db.delete(campaignSchools).where(and(eq(campaignSchools.campaignId, campaignId), inArray(campaignSchools.schoolUnitId, schoolUnitIds)));
}

/** Places given per school of the campaign. */
export async function countPlacesBySchool(db: Db, campaignId: string): Promise<Map<string, number>> {
  const rows = await db.select({ unitId: admissionPlaces.schoolUnitId, n: sql<number>`count(*)::int` }).from(admissionPlaces)
    .where(eq(admissionPlaces.campaignId, campaignId)).groupBy(admissionPlaces.schoolUnitId);
  return new Map(rows.map((r) => [r.unitId, Number(r.n)]));
}

/**
 * Registrations (dossiers of any status whose form names the campaign) listing each school among `choiceFields`,
 * the registration form's choice fields (choice1 … choiceN).
 */
export async function countRegistrationsBySchool(db: Db, campaignId: string, choiceFields: readonly string[]): Promise<Map<string, number>> {
  if (choiceFields.length === 0) return new Map();
  const choices = sql.join(choiceFields.map((f) => sql`${dossiers.formData} ->> ${f}`), sql`, `);
  const rows = rowsOf<{ unit_id: string | null; n: number }>(await db.execute(sql`
    select choice as unit_id, count(*)::int as n
    from ${dossiers}, unnest(array[${choices}]) as choice
    where ${dossiers.formData} ->> 'campaign' = ${campaignId} and choice is not null and choice <> ''
    group by choice`));
  return new Map(rows.filter((r) => r.unit_id !== null).map((r) => [r.unit_id!, Number(r.n)]));
}

/** Places given per school and category: the category the admitted dossier recorded (formData.admittedCategory, '' or absent without). */
export async function countPlacesBySchoolCategory(db: Db, campaignId: string): Promise<Array<{ unitId: string; category: string; n: number }>> {
  const rows = rowsOf<{ unit_id: string; category: string | null; n: number }>(await db.execute(sql`
    select p.school_unit_id as unit_id, d.form_data ->> 'admittedCategory' as category, count(*)::int as n
    from ${admissionPlaces} p join ${dossiers} d on d.id = p.dossier_id
    where p.campaign_id = ${campaignId} group by 1, 2`));
  return rows.map((r) => ({ unitId: r.unit_id, category: r.category ?? '', n: Number(r.n) }));
}

/**
 * The pupil's live registration in the campaign (any status but refused or withdrawn), as the unique index
 * dossiers_live_registration_uq sees it (at most one): what intake names when that index refuses a second one, and the registration whose owner
 * confirms enrolment or lists supplementary choices (services/admissions/enrolment.ts).
 */
export async function findLiveRegistration(db: Db, procedureId: string, campaignId: string, pupilIdNumber: string) {
  // The status predicate is written as the index's, literally, so PostgreSQL can prove the index applies.
  const [row] = await db.select().from(dossiers).where(and(
    eq(dossiers.procedureId, procedureId),
    sql`${dossiers.formData} ->> 'campaign' = ${campaignId}`,
    sql`${dossiers.formData} ->> 'pupilIdNumber' = ${pupilIdNumber}`,
    sql`${dossiers.status} not in ('refused', 'withdrawn')`,
  )).limit(1);
  return row;
}
