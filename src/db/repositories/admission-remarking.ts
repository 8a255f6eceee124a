// Re-marking (phúc khảo) requests of an admission campaign (services/admissions/remarking.ts): the requests, the
// live registration they hang on, the pupil's score row they change. Points are hundredths, as admission_scores.
import { and, asc, count, desc, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { admissionRemarkingRequests, admissionScores, dossiers } from '../schema/index.js';
import { rowsOf } from './outbox.js';

export type RemarkingRow = typeof admissionRemarkingRequests.$inferSelect;
export type RemarkingStatus = RemarkingRow['status'];

/** The pupil's live registration of the campaign (at most one: dossiers_live_registration_uq). */
export async function findLiveRegistration(
  db: Db, procedureId: string, campaignId: string, pupilIdNumber: string, excludedStatuses: readonly string[],
) {
  const [row] = await db.select().from(dossiers).where(and(
    eq(dossiers.procedureId, procedureId),
    sql`${dossiers.formData} ->> 'campaign' = ${campaignId}`,
    sql`${dossiers.formData} ->> 'pupilIdNumber' = ${pupilIdNumber}`,
    notInArray(dossiers.status, [...excludedStatuses]),
  )).orderBy(desc(dossiers.submittedAt)).limit(1);
  return row;
}

export async function findScore(db: Db, campaignId: string, pupilIdNumber: string, opts: { lock?: boolean } = {}) {
  const query = db.select().from(admissionScores)
    .where(and(eq(admissionScores.campaignId, campaignId), eq(admissionScores.pupilIdNumber, pupilIdNumber)));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

export async function setScore(db: Db, campaignId: string, pupilIdNumber: string, score: number): Promise<void> {
  await db.update(admissionScores).set({ score })
    .where(and(eq(admissionScores.campaignId, campaignId), eq(admissionScores.pupilIdNumber, pupilIdNumber)));
}

/**
 * Sets the score of every pupil of the campaign whose re-marking was decided 'changed' back to that decision's score
 * (after a score file replaced the rows); returns those pupils with the file's score and the re-marked one, sorted.
 */
export async function reapplyRemarkedScores(db: Db, campaignId: string): Promise<Array<{ pupilIdNumber: string; fileScore: number; score: number }>> {
  const result = await db.execute(sql`
    with kept as (
      select s.pupil_id_number, s.score as file_score, r.score_after
      from ${admissionScores} s join ${admissionRemarkingRequests} r
        on r.campaign_id = s.campaign_id and r.pupil_id_number = s.pupil_id_number
      where s.campaign_id = ${campaignId} and r.status = 'changed' and r.score_after is not null
    )
    update ${admissionScores} s set score = kept.score_after from kept
    where s.campaign_id = ${campaignId} and s.pupil_id_number = kept.pupil_id_number
    returning s.pupil_id_number, kept.file_score, s.score`);
  return rowsOf<{ pupil_id_number: string; file_score: number; score: number }>(result).map((r) => ({ pupilIdNumber: r.pupil_id_number, fileScore: Number(r.file_score), score: Number(r.score) }))
    .sort((a, b) => a.pupilIdNumber.localeCompare(b.pupilIdNumber));
}

/** Inserts the request; undefined when the pupil already has one in the campaign (the unique index decides races). */
export async function insertRemarking(db: Db, row: typeof admissionRemarkingRequests.$inferInsert): Promise<RemarkingRow | undefined> {
  const [created] = await db.insert(admissionRemarkingRequests).values(row).onConflictDoNothing().returning();
  return created;
}

export async function findRemarkingOfPupil(db: Db, campaignId: string, pupilIdNumber: string): Promise<RemarkingRow | undefined> {
  const [row] = await db.select().from(admissionRemarkingRequests)
    .where(and(eq(admissionRemarkingRequests.campaignId, campaignId), eq(admissionRemarkingRequests.pupilIdNumber, pupilIdNumber)));
  return row;
}

export async function findRemarking(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<RemarkingRow | undefined> {
  const query = db.select().from(admissionRemarkingRequests).where(eq(admissionRemarkingRequests.id, id));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

export async function decideRemarking(
  db: Db, id: string, values: Pick<RemarkingRow, 'status' | 'scoreBefore' | 'scoreAfter' | 'decisionNote' | 'decidedBy' | 'decidedAt'>,
): Promise<RemarkingRow> {
  const [row] = await db.update(admissionRemarkingRequests).set(values).where(eq(admissionRemarkingRequests.id, id)).returning();
  return row!;
}

/** One page of a campaign's requests (oldest filed first), with the registration's code and the pupil's current score. */
export async function listRemarkings(db: Db, campaignId: string, opts: { status?: RemarkingStatus; limit: number; offset: number }) {
  const where = and(eq(admissionRemarkingRequests.campaignId, campaignId), opts.status ? eq(admissionRemarkingRequests.status, opts.status) : undefined);
  const [rows, [total]] = await Promise.all([
    db.select({
      request: admissionRemarkingRequests, dossierCode: dossiers.code, pupilName: sql<string | null>`${dossiers.formData} ->> 'pupilName'`,
      currentScore: admissionScores.score,
    }).from(admissionRemarkingRequests)
      .innerJoin(dossiers, eq(dossiers.id, admissionRemarkingRequests.dossierId))
      .leftJoin(admissionScores, and(
        eq(admissionScores.campaignId, admissionRemarkingRequests.campaignId), eq(admissionScores.pupilIdNumber, admissionRemarkingRequests.pupilIdNumber),
      ))
      .where(where)
      .orderBy(asc(admissionRemarkingRequests.filedAt), asc(admissionRemarkingRequests.id))
      .limit(opts.limit).offset(opts.offset),
    db.select({ n: count() }).from(admissionRemarkingRequests).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * The score changes by re-marking of these pupils decided in [from, to): what a re-run's changes report names as the
 * reason a pupil moved.
 */
export async function remarkedScores(db: Db, campaignId: string, pupilIdNumbers: string[], from: Date, to: Date) {
  if (pupilIdNumbers.length === 0) return [];
  return db.select({
    pupilIdNumber: admissionRemarkingRequests.pupilIdNumber, before: admissionRemarkingRequests.scoreBefore, after: admissionRemarkingRequests.scoreAfter,
  }).from(admissionRemarkingRequests).where(and(
    eq(admissionRemarkingRequests.campaignId, campaignId),
    eq(admissionRemarkingRequests.status, 'changed'),
    inArray(admissionRemarkingRequests.pupilIdNumber, pupilIdNumbers),
    isNotNull(admissionRemarkingRequests.decidedAt),
    sql`${admissionRemarkingRequests.decidedAt} >= ${from.toISOString()} and ${admissionRemarkingRequests.decidedAt} < ${to.toISOString()}`,
  ));
}
