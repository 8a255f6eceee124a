// Scores, assignment runs and their outcomes (services/admissions): the rows of migration 0015, read and written in
// the caller's transaction. Points are hundredths throughout.
import { and, asc, desc, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  admissionCampaigns, admissionCutoffs, admissionResults, admissionRuns, admissionScores, dossiers, staffAccounts,
} from '../schema/index.js';

export type ScoreRow = typeof admissionScores.$inferSelect;
export type RunRow = typeof admissionRuns.$inferSelect;
export type ResultRow = typeof admissionResults.$inferSelect;
export type CutoffRow = typeof admissionCutoffs.$inferSelect;

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters for every table here. */
const CHUNK = 2000;

/** Locks the campaign row until the transaction ends: score imports and run starts of one campaign go one at a time. */
export async function lockCampaign(db: Db, campaignId: string): Promise<boolean> {
  const rows = await db.select({ id: admissionCampaigns.id }).from(admissionCampaigns).where(eq(admissionCampaigns.id, campaignId)).for('update');
  return rows.length > 0;
}

/** The campaign's scores become exactly `rows`; returns how many rows there were before. */
export async function replaceScores(db: Db, campaignId: string, rows: Array<Omit<typeof admissionScores.$inferInsert, 'campaignId'>>): Promise<number> {
  const removed = await db.delete(admissionScores).where(eq(admissionScores.campaignId, campaignId)).returning({ id: admissionScores.pupilIdNumber });
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.insert(admissionScores).values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, campaignId })));
  }
  return removed.length;
}

export async function listScores(db: Db, campaignId: string): Promise<ScoreRow[]> {
  return db.select().from(admissionScores).where(eq(admissionScores.campaignId, campaignId));
}

/**
 * The campaign's registrations: dossiers of `procedureId` whose form names the campaign, leaving out `excludedStatuses`;
 * the earliest filed first.
 */
export async function listRegistrations(db: Db, procedureId: string, campaignId: string, excludedStatuses: readonly string[]) {
  return db.select({ id: dossiers.id, status: dossiers.status, formData: dossiers.formData, submittedAt: dossiers.submittedAt }).from(dossiers)
    .where(and(
      eq(dossiers.procedureId, procedureId), sql`${dossiers.formData} ->> 'campaign' = ${campaignId}`,
      excludedStatuses.length > 0 ? notInArray(dossiers.status, [...excludedStatuses]) : undefined,
    ))
    .orderBy(asc(dossiers.submittedAt), asc(dossiers.id));
}

export async function findRunningRun(db: Db, campaignId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(admissionRuns).where(and(eq(admissionRuns.campaignId, campaignId), eq(admissionRuns.status, 'running')));
  return row;
}

export async function insertRun(db: Db, row: typeof admissionRuns.$inferInsert): Promise<RunRow> {
  const [created] = await db.insert(admissionRuns).values(row).returning();
  return created!;
}

export async function findRun(db: Db, runId: string, opts: { lock?: boolean } = {}): Promise<RunRow | undefined> {
  const query = db.select().from(admissionRuns).where(eq(admissionRuns.id, runId));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

/** The latest run of the campaign that is done (published ones only, with `published`). */
export async function latestDoneRun(db: Db, campaignId: string, opts: { published?: boolean } = {}): Promise<RunRow | undefined> {
  const [row] = await db.select().from(admissionRuns)
    .where(and(
      eq(admissionRuns.campaignId, campaignId), eq(admissionRuns.status, 'done'),
      opts.published ? isNotNull(admissionRuns.publishedAt) : undefined,
    ))
    .orderBy(desc(opts.published ? admissionRuns.publishedAt : admissionRuns.startedAt)).limit(1);
  return row;
}

/** Progress of a running run only: a late write never touches a run that is already done or failed. */
export async function setRunProgress(db: Db, runId: string, progress: number): Promise<void> {
  await db.update(admissionRuns).set({ progress }).where(and(eq(admissionRuns.id, runId), eq(admissionRuns.status, 'running')));
}

export async function finishRun(db: Db, runId: string, values: { status: 'done' | 'failed'; stats?: Record<string, unknown>; error?: string; finishedAt: Date }): Promise<void> {
  await db.update(admissionRuns).set({ ...values, ...(values.status === 'done' ? { progress: 1 } : {}) }).where(eq(admissionRuns.id, runId));
}

export async function publishRun(db: Db, runId: string, at: Date): Promise<void> {
  await db.update(admissionRuns).set({ publishedAt: at }).where(eq(admissionRuns.id, runId));
}

/** A run's outcome written anew: what an earlier, interrupted try of the job wrote is deleted first. */
export async function replaceRunOutcome(
  db: Db, runId: string, results: Array<typeof admissionResults.$inferInsert>, cutoffs: Array<typeof admissionCutoffs.$inferInsert>,
): Promise<void> {
  await db.delete(admissionResults).where(eq(admissionResults.runId, runId));
  await db.delete(admissionCutoffs).where(eq(admissionCutoffs.runId, runId));
  for (let i = 0; i < results.length; i += CHUNK) await db.insert(admissionResults).values(results.slice(i, i + CHUNK));
  if (cutoffs.length > 0) await db.insert(admissionCutoffs).values(cutoffs);
}

export async function countOutcome(db: Db, runId: string): Promise<{ admitted: number; unassigned: number }> {
  const [row] = await db.select({
    admitted: sql<number>`count(${admissionResults.schoolUnitId})::int`,
    all: sql<number>`count(*)::int`,
  }).from(admissionResults).where(eq(admissionResults.runId, runId));
  const admitted = Number(row?.admitted ?? 0);
  return { admitted, unassigned: Number(row?.all ?? 0) - admitted };
}

/** A run's results by pupil ID; only those admitted to one of `schoolUnitIds` when given. */
export async function listResults(db: Db, runId: string, schoolUnitIds?: string[]): Promise<ResultRow[]> {
  return db.select().from(admissionResults)
    .where(and(eq(admissionResults.runId, runId), schoolUnitIds ? inArray(admissionResults.schoolUnitId, schoolUnitIds) : undefined))
    .orderBy(asc(admissionResults.pupilIdNumber));
}

export async function listCutoffs(db: Db, runId: string): Promise<CutoffRow[]> {
  return db.select().from(admissionCutoffs).where(eq(admissionCutoffs.runId, runId)).orderBy(asc(admissionCutoffs.schoolUnitId));
}

/** The campaign's runs, latest first (the season pages list them; a season has a handful). */
export async function listRuns(db: Db, campaignId: string, limit = 100): Promise<RunRow[]> {
  return db.select().from(admissionRuns).where(eq(admissionRuns.campaignId, campaignId)).orderBy(desc(admissionRuns.startedAt)).limit(limit);
}

/**
 * How many scores the campaign has, when they were imported and by whom: a file replaces all of them, so every row
 * carries the same import (min() just picks that one name).
 */
export async function scoresSummary(db: Db, campaignId: string): Promise<{ count: number; importedAt: Date | null; importedBy: string | null }> {
  const [row] = await db.select({
    count: sql<number>`count(*)::int`,
    importedAt: sql<string | null>`max(${admissionScores.importedAt})`,
    importedBy: sql<string | null>`min(${staffAccounts.fullName})`,
  }).from(admissionScores).leftJoin(staffAccounts, eq(staffAccounts.id, admissionScores.importedBy))
    .where(eq(admissionScores.campaignId, campaignId));
  return { count: Number(row?.count ?? 0), importedAt: row?.importedAt ? new Date(row.importedAt) : null, importedBy: row?.importedBy ?? null };
}
