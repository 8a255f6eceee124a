// Confirmation of enrolment and the supplementary round (services/admissions/enrolment.ts, supplementary.ts): the
// registration a pupil's enrolment belongs to, the published runs of each round, enrolments and supplementary choices,
// read and written in the caller's transaction.
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  admissionCutoffs, admissionEnrolments, admissionResults, admissionRuns, admissionSupplementaryChoices, campaignSchools,
} from '../schema/index.js';
import type { ResultRow, RunRow } from './admission-assignment.js';

export type EnrolmentRow = typeof admissionEnrolments.$inferSelect;
export type SupplementaryChoicesRow = typeof admissionSupplementaryChoices.$inferSelect;

/** The campaign's latest published run of one round. */
export async function latestPublishedRunOfRound(db: Db, campaignId: string, round: RunRow['round']): Promise<RunRow | undefined> {
  const [row] = await db.select().from(admissionRuns)
    .where(and(eq(admissionRuns.campaignId, campaignId), eq(admissionRuns.round, round), eq(admissionRuns.status, 'done'), isNotNull(admissionRuns.publishedAt)))
    .orderBy(desc(admissionRuns.publishedAt), desc(admissionRuns.startedAt)).limit(1);
  return row;
}

export async function findResult(db: Db, runId: string, pupilIdNumber: string): Promise<ResultRow | undefined> {
  const [row] = await db.select().from(admissionResults).where(and(eq(admissionResults.runId, runId), eq(admissionResults.pupilIdNumber, pupilIdNumber)));
  return row;
}

export async function findEnrolment(db: Db, campaignId: string, pupilIdNumber: string): Promise<EnrolmentRow | undefined> {
  const [row] = await db.select().from(admissionEnrolments)
    .where(and(eq(admissionEnrolments.campaignId, campaignId), eq(admissionEnrolments.pupilIdNumber, pupilIdNumber)));
  return row;
}

/** Whether the campaign has a supplementary run at all (running or done, published or not). */
export async function hasSupplementaryRun(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db.select({ id: admissionRuns.id }).from(admissionRuns)
    .where(and(eq(admissionRuns.campaignId, campaignId), eq(admissionRuns.round, 'supplementary'), inArray(admissionRuns.status, ['running', 'done']))).limit(1);
  return row !== undefined;
}

/** One school's quotas in the campaign, its campaign_schools row locked FOR UPDATE until the transaction ends. */
export async function lockCampaignSchool(db: Db, campaignId: string, schoolUnitId: string) {
  const [row] = await db.select({ quota: campaignSchools.quota, categoryQuotas: campaignSchools.categoryQuotas }).from(campaignSchools)
    .where(and(eq(campaignSchools.campaignId, campaignId), eq(campaignSchools.schoolUnitId, schoolUnitId))).for('update');
  return row;
}

/** Confirmed enrolments of one school of the campaign, of one category when `category` is given. */
export async function countEnrolmentsOfSchool(db: Db, campaignId: string, schoolUnitId: string, category?: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(admissionEnrolments).where(and(
    eq(admissionEnrolments.campaignId, campaignId), eq(admissionEnrolments.schoolUnitId, schoolUnitId),
    category === undefined ? undefined : eq(admissionEnrolments.category, category),
  ));
  return Number(row?.n ?? 0);
}

/** The new enrolment, or undefined when the pupil's enrolment exists already (a repeat, or two at once). */
export async function insertEnrolment(db: Db, row: typeof admissionEnrolments.$inferInsert): Promise<EnrolmentRow | undefined> {
  const [created] = await db.insert(admissionEnrolments).values(row).onConflictDoNothing().returning();
  return created;
}

export async function listEnrolments(db: Db, campaignId: string): Promise<EnrolmentRow[]> {
  return db.select().from(admissionEnrolments).where(eq(admissionEnrolments.campaignId, campaignId)).orderBy(asc(admissionEnrolments.pupilIdNumber));
}

/** Confirmed enrolments per program id (school unit id, or unit id + ':' + category). */
export async function countEnrolmentsByProgram(db: Db, campaignId: string): Promise<Map<string, number>> {
  const rows = await db.select({ unitId: admissionEnrolments.schoolUnitId, category: admissionEnrolments.category, n: sql<number>`count(*)::int` })
    .from(admissionEnrolments).where(eq(admissionEnrolments.campaignId, campaignId))
    .groupBy(admissionEnrolments.schoolUnitId, admissionEnrolments.category);
  return new Map(rows.map((r) => [r.category === '' ? r.unitId : `${r.unitId}:${r.category}`, Number(r.n)]));
}

/** The campaign's schools with their quotas, per category too, locked until the transaction ends when `lock`. */
export async function campaignQuotas(db: Db, campaignId: string) {
  return db.select({ unitId: campaignSchools.schoolUnitId, quota: campaignSchools.quota, categoryQuotas: campaignSchools.categoryQuotas })
    .from(campaignSchools).where(eq(campaignSchools.campaignId, campaignId)).orderBy(asc(campaignSchools.schoolUnitId));
}

/** The pupil's supplementary choices become `row` (a new list replaces the previous one). */
export async function replaceSupplementaryChoices(db: Db, row: typeof admissionSupplementaryChoices.$inferInsert): Promise<SupplementaryChoicesRow> {
  const [saved] = await db.insert(admissionSupplementaryChoices).values(row)
    .onConflictDoUpdate({
      target: [admissionSupplementaryChoices.campaignId, admissionSupplementaryChoices.pupilIdNumber],
      set: { choices: row.choices, dossierId: row.dossierId, filedBy: row.filedBy, filedAt: sql`now()` },
    })
    .returning();
  return saved!;
}

export async function findSupplementaryChoices(db: Db, campaignId: string, pupilIdNumber: string): Promise<SupplementaryChoicesRow | undefined> {
  const [row] = await db.select().from(admissionSupplementaryChoices)
    .where(and(eq(admissionSupplementaryChoices.campaignId, campaignId), eq(admissionSupplementaryChoices.pupilIdNumber, pupilIdNumber)));
  return row;
}

/** Supplementary choices of pupils with no confirmed enrolment: who takes part in a supplementary run. */
export async function listSupplementaryChoicesWithoutEnrolment(db: Db, campaignId: string): Promise<SupplementaryChoicesRow[]> {
  return db.select().from(admissionSupplementaryChoices)
    .where(and(
      eq(admissionSupplementaryChoices.campaignId, campaignId),
      sql`not exists (select 1 from ${admissionEnrolments} e where e.campaign_id = ${admissionSupplementaryChoices.campaignId}
        and e.pupil_id_number = ${admissionSupplementaryChoices.pupilIdNumber})`,
    ))
    .orderBy(asc(admissionSupplementaryChoices.pupilIdNumber));
}

/** One school's (and category's) cut-off in a run, hundredths; undefined when the run has no row for it. */
export async function findCutoff(db: Db, runId: string, schoolUnitId: string, category: string): Promise<number | null | undefined> {
  const [row] = await db.select({ cutoff: admissionCutoffs.cutoff }).from(admissionCutoffs)
    .where(and(eq(admissionCutoffs.runId, runId), eq(admissionCutoffs.schoolUnitId, schoolUnitId), eq(admissionCutoffs.category, category)));
  return row?.cutoff;
}
