// The pre-verification roster (tiền kiểm) of an admission campaign (services/admissions/roster.ts): one row per pupil
// per campaign, keyed by (campaign, pupil ID), read and written in the caller's transaction.
import { and, asc, count, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { coalesce, perDatabase } from '../coalesce.js';
import { admissionCampaigns, admissionRoster } from '../schema/index.js';
import { rowsOf } from './outbox.js';

export type RosterRow = typeof admissionRoster.$inferSelect;
export type RosterStatus = RosterRow['status'];
export type NewRosterRow = Omit<typeof admissionRoster.$inferInsert, 'campaignId' | 'status' | 'corrections' | 'confirmedBy' | 'confirmedAt'>;

/** Rows per INSERT: 9 columns, well under PostgreSQL's 65,535 bind parameters. */
const CHUNK = 2000;

/**
 * A re-import: the campaign's `pending` rows become exactly `rows`, except pupils whose row a parent (or the desk)
 * already answered, which stay as they are. Returns how many rows were inserted and how many pending rows went away.
 */
export async function replacePendingRoster(db: Db, campaignId: string, rows: NewRosterRow[]): Promise<{ inserted: number; removed: number }> {
  const removed = await db.delete(admissionRoster)
    .where(and(eq(admissionRoster.campaignId, campaignId), eq(admissionRoster.status, 'pending')))
    .returning({ id: admissionRoster.pupilIdNumber });
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const done = await db.insert(admissionRoster).values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, campaignId })))
      .onConflictDoNothing().returning({ id: admissionRoster.pupilIdNumber });
    inserted += done.length;
  }
  const fileIds = new Set(rows.map((r) => r.pupilIdNumber));
  return { inserted, removed: removed.filter((r) => !fileIds.has(r.id)).length };
}

export async function findRosterRow(db: Db, campaignId: string, pupilIdNumber: string, opts: { lock?: boolean } = {}): Promise<RosterRow | undefined> {
  const query = db.select().from(admissionRoster)
    .where(and(eq(admissionRoster.campaignId, campaignId), eq(admissionRoster.pupilIdNumber, pupilIdNumber)));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

/**
 * The intake check's question: the pupil's birth date on the campaign's roster (null when absent) and whether the
 * campaign has a roster at all — both probes of the primary key (campaign first). Every admission filing asks, so
 * concurrent filings share one statement (db/coalesce.ts), a constant prepared text without the query builder.
 */
export function rosterBirthDate(
  database: Pick<Database, 'query'>, campaignId: string, pupilIdNumber: string,
): Promise<{ hasRoster: boolean; birthDate: string | null }> {
  return coalescedRosterLookup(database, { campaignId, pupilIdNumber });
}

type RosterQuestion = { campaignId: string; pupilIdNumber: string };
type RosterAnswer = { hasRoster: boolean; birthDate: string | null };

const coalescedRosterLookup = perDatabase((database: Pick<Database, 'query'>) => coalesce<RosterQuestion, RosterAnswer>(async (batch) => {
  const rows = await database.query<{ ord: number; has_roster: boolean; birth_date: string | null }>(ROSTER_BIRTH_DATES_SQL,
    [JSON.stringify(batch.map((q, ord) => ({ ord, campaign_id: q.campaignId, pupil_id_number: q.pupilIdNumber })))]);
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
  return batch.map((_, i) => {
    const row = byOrd.get(i);
    return { status: 'fulfilled', value: { hasRoster: row?.has_roster === true, birthDate: row?.birth_date ?? null } };
  });
}, { maxInFlight: 2, maxBatch: 64 }));

const ROSTER_BIRTH_DATES_SQL = `
  SELECT q.ord,
         EXISTS (SELECT 1 FROM admission_roster WHERE campaign_id = q.campaign_id) AS has_roster,
         (SELECT birth_date FROM admission_roster WHERE campaign_id = q.campaign_id AND pupil_id_number = q.pupil_id_number) AS birth_date
  FROM json_to_recordset($1::json) AS q(ord int, campaign_id text, pupil_id_number text)`;

export async function updateRosterRow(
  db: Db, campaignId: string, pupilIdNumber: string,
  values: Partial<Pick<RosterRow, 'fullName' | 'birthDate' | 'gender' | 'currentSchool' | 'residence' | 'status' | 'corrections' | 'confirmedBy' | 'confirmedAt'>>,
): Promise<void> {
  await db.update(admissionRoster).set(values)
    .where(and(eq(admissionRoster.campaignId, campaignId), eq(admissionRoster.pupilIdNumber, pupilIdNumber)));
}

export interface RosterFilter { status?: RosterStatus; q?: string; limit: number; offset: number }

/** One page of a campaign's roster (by pupil ID) and how many rows match the filter. */
export async function listRoster(db: Db, campaignId: string, filter: RosterFilter): Promise<{ rows: RosterRow[]; total: number }> {
  const conditions: SQL[] = [eq(admissionRoster.campaignId, campaignId)];
  if (filter.status) conditions.push(eq(admissionRoster.status, filter.status));
  if (filter.q && /^\d+$/.test(filter.q)) {
    // Digits are the start of a pupil ID: a range of the primary key (campaign_id, pupil_id_number), so the page and
    // its count read only the matching rows, even in a 160,000-row campaign. (LIKE 'q%' would not use the index under
    // a non-C collation; the range does.) A full 12-digit ID is the one row.
    const upper = filter.q.length >= 12 ? filter.q : `${filter.q}${'9'.repeat(12 - filter.q.length)}`;
    conditions.push(gte(admissionRoster.pupilIdNumber, filter.q), lte(admissionRoster.pupilIdNumber, upper));
  } else if (filter.q) {
    // A name (or part of one): no index serves '%q%', so the page and its count scan the campaign's rows (the primary
    // key's campaign prefix, ~160,000 at most), one campaign only; fine for an administrator's search, not a public path.
    conditions.push(ilike(admissionRoster.fullName, `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  }
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
    db.select().from(admissionRoster).where(where).orderBy(asc(admissionRoster.pupilIdNumber)).limit(filter.limit).offset(filter.offset),
    db.select({ n: count() }).from(admissionRoster).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function countRosterByStatus(db: Db, campaignId: string): Promise<Map<RosterStatus, number>> {
  const rows = await db.select({ status: admissionRoster.status, n: count() }).from(admissionRoster)
    .where(eq(admissionRoster.campaignId, campaignId)).groupBy(admissionRoster.status);
  return new Map(rows.map((r) => [r.status, r.n]));
}

/** Rows of these campaigns whose guardian is `guardianIdNumber` or whose pupil is one of `pupilIds`. */
export async function listRosterOfFamily(db: Db, campaignIds: string[], guardianIdNumber: string, pupilIds: string[]): Promise<RosterRow[]> {
  if (campaignIds.length === 0) return [];
  const whose = pupilIds.length > 0
    ? or(eq(admissionRoster.guardianIdNumber, guardianIdNumber), inArray(admissionRoster.pupilIdNumber, pupilIds))!
    : eq(admissionRoster.guardianIdNumber, guardianIdNumber);
  return db.select().from(admissionRoster).where(and(inArray(admissionRoster.campaignId, campaignIds), whose))
    .orderBy(asc(admissionRoster.campaignId), asc(admissionRoster.fullName));
}

/** Campaigns with a pre-verification window that has closed by `now` (a handful of rows: the campaigns table is small). */
export async function listCampaignsPastPreVerification(db: Db, now: Date): Promise<Array<{ id: string }>> {
  return db.select({ id: admissionCampaigns.id }).from(admissionCampaigns)
    .where(sql`(${admissionCampaigns.windows} -> 'preVerification' ->> 'closesAt')::timestamptz <= ${now.toISOString()}::timestamptz`);
}

/** The deadline: every row of the campaign still `pending` becomes `auto_confirmed`; returns how many. */
export async function autoConfirmPending(db: Db, campaignId: string, now: Date): Promise<number> {
  const rows = await db.update(admissionRoster).set({ status: 'auto_confirmed', confirmedBy: 'deadline', confirmedAt: now })
    .where(and(eq(admissionRoster.campaignId, campaignId), eq(admissionRoster.status, 'pending')))
    .returning({ id: admissionRoster.pupilIdNumber });
  return rows.length;
}
