// Confirmation of enrolment and the supplementary round (services/admissions/enrolment.ts, supplementary.ts): the
// registration a pupil's enrolment belongs to, the published runs of each round, enrolments and supplementary choices,
// read and written in the caller's transaction.
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  admissionCutoffs, admissionEnrolments, admissionResults, admissionRuns, admissionSupplementaryChoices, campaignSchools,
} from '../schema/index.js';
import type { ResultRow, RunRow } from './admission-assignment.js';
import { rowsOf } from './outbox.js';

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

export interface AdmittedRow {
  pupilIdNumber: string; school: string; category: string; round: 'main' | 'supplementary'; choiceRank: number | null; total: number;
  confirmedAt: Date | null; confirmedBy: string | null;
}

/**
 * The pupils admitted now (services/admissions/enrolment.ts readEnrolments): the supplementary run's admitted rows, and
 * the main run's for pupils not in it — once there is a supplementary run, only those whose place was confirmed — each
 * with its enrolment (whose school wins). A row with no school counts only when an enrolment exists. Null: no run.
 */
function admittedNow(campaignId: string, mainRunId: string | undefined, supplementaryRunId: string | undefined) {
  const enrolled = sql`exists (select 1 from admission_enrolments x where x.campaign_id = ${campaignId} and x.pupil_id_number = r.pupil_id_number)`;
  const parts = [];
  if (supplementaryRunId) {
    parts.push(sql`select r.pupil_id_number, r.school_unit_id, r.category, r.choice_rank, r.total, 'supplementary' as round from admission_results r
      where r.run_id = ${supplementaryRunId} and (r.school_unit_id is not null or ${enrolled})`);
  }
  if (mainRunId) {
    parts.push(sql`select r.pupil_id_number, r.school_unit_id, r.category, r.choice_rank, r.total, 'main' as round from admission_results r
      where r.run_id = ${mainRunId} and ${supplementaryRunId
        ? sql`not exists (select 1 from admission_results s where s.run_id = ${supplementaryRunId} and s.pupil_id_number = r.pupil_id_number) and ${enrolled}`
        : sql`(r.school_unit_id is not null or ${enrolled})`}`);
  }
  if (parts.length === 0) return undefined;
  return sql`select c.pupil_id_number, coalesce(e.school_unit_id, c.school_unit_id) as school, coalesce(e.category, c.category) as category, c.round,
      c.choice_rank, c.total, e.confirmed_at, e.confirmed_by
    from (${sql.join(parts, sql` union all `)}) c
    left join admission_enrolments e on e.campaign_id = ${campaignId} and e.pupil_id_number = c.pupil_id_number`;
}

/** Admitted pupils per school now (one GROUP BY). */
export async function countAdmittedBySchool(db: Db, campaignId: string, mainRunId?: string, supplementaryRunId?: string): Promise<Map<string, number>> {
  const query = admittedNow(campaignId, mainRunId, supplementaryRunId);
  if (!query) return new Map();
  const rows = rowsOf<{ school: string; n: number }>(await db.execute(sql`select school, count(*)::int as n from (${query}) a group by school`));
  return new Map(rows.map((r) => [r.school, Number(r.n)]));
}

/** One page of the admitted pupils, of one school when `school` is given, by school then pupil ID. */
export async function listAdmitted(
  db: Db, campaignId: string, runs: { main?: string; supplementary?: string }, page: { school?: string; limit: number; offset: number },
): Promise<AdmittedRow[]> {
  const query = admittedNow(campaignId, runs.main, runs.supplementary);
  if (!query) return [];
  const rows = rowsOf<{
    pupil_id_number: string; school: string; category: string; round: 'main' | 'supplementary'; choice_rank: number | null; total: number;
    confirmed_at: Date | string | null; confirmed_by: string | null;
  }>(await db.execute(sql`select * from (${query}) a ${page.school === undefined ? sql`` : sql`where school = ${page.school}`}
    order by school, pupil_id_number limit ${page.limit} offset ${page.offset}`));
  return rows.map((r) => ({
    pupilIdNumber: r.pupil_id_number, school: r.school, category: r.category, round: r.round, choiceRank: r.choice_rank === null ? null : Number(r.choice_rank),
    total: Number(r.total), confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at), confirmedBy: r.confirmed_by,
  }));
}
