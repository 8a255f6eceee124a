// Feedback and complaints (phản ánh, kiến nghị): numbering, storing, listing and answering them, and the counts the
// dashboard shows. Which agency answers an item is not stored: it is the agency of the unit holding the item's dossier
// now, or — about a procedure, or about nothing in particular — the Department (`departmentAgencyCode`).
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditLog, dossierCodeCounters, dossiers, feedbackItems, units } from '../schema/index.js';
import { rowsOf } from './outbox.js';

export type FeedbackRow = typeof feedbackItems.$inferSelect;
export type NewFeedback = typeof feedbackItems.$inferInsert;

/** An item with what its listing and its access check need: the dossier's code and the answering agency. */
export type FeedbackWithAgency = FeedbackRow & { dossierCode: string | null; agencyCode: string | null };

/**
 * The yearly counter of "PAKN-YYYY-NNNNNN", kept in the dossier code counters under a key no agency code can take
 * (agency codes are "000.00.12.H56"): one row per year, locked for the statement only, so numbers are unique.
 */
const FEEDBACK_COUNTER_KEY = 'PAKN';

export async function nextFeedbackNumber(db: Db, year: string): Promise<number> {
  const [row] = await db.insert(dossierCodeCounters).values({ agencyCode: FEEDBACK_COUNTER_KEY, day: year, last: 1 })
    .onConflictDoUpdate({ target: [dossierCodeCounters.agencyCode, dossierCodeCounters.day], set: { last: sql`${dossierCodeCounters.last} + 1` } })
    .returning({ last: dossierCodeCounters.last });
  return row!.last;
}

export async function insertFeedback(db: Db, values: NewFeedback): Promise<FeedbackRow> {
  const [row] = await db.insert(feedbackItems).values(values).returning();
  return row!;
}

/** The answering agency, as SQL over `feedback_items` joined to its dossier (d) and that dossier's unit (u). */
const agencyOf = (departmentAgencyCode: string | null) => sql<string | null>`coalesce(${units.agencyCode}, ${departmentAgencyCode}::text)`;

function selectWithAgency(db: Db, departmentAgencyCode: string | null) {
  return db.select({ item: feedbackItems, dossierCode: dossiers.code, agencyCode: agencyOf(departmentAgencyCode) })
    .from(feedbackItems)
    .leftJoin(dossiers, eq(dossiers.id, feedbackItems.dossierId))
    .leftJoin(units, eq(units.id, dossiers.unitId));
}

type Joined = { item: FeedbackRow; dossierCode: string | null; agencyCode: string | null };
const flatten = (r: Joined): FeedbackWithAgency => ({ ...r.item, dossierCode: r.dossierCode, agencyCode: r.agencyCode });

export async function findFeedbackByCode(db: Db, code: string, departmentAgencyCode: string | null): Promise<FeedbackWithAgency | undefined> {
  const [row] = await selectWithAgency(db, departmentAgencyCode).where(eq(feedbackItems.code, code));
  return row ? flatten(row) : undefined;
}

export interface FeedbackFilter {
  /** Only the items this agency answers; undefined: every item. */
  agencyCode?: string;
  status?: 'open' | 'answered';
  /** Open and past its due time at `now`. */
  overdue?: boolean;
  now: Date;
  limit: number;
}

/** The staff queue: open items first, earliest due first; answered ones after, latest answered first. */
export async function listFeedback(db: Db, departmentAgencyCode: string | null, filter: FeedbackFilter): Promise<FeedbackWithAgency[]> {
  const where: SQL[] = [];
  if (filter.agencyCode !== undefined) where.push(sql`${agencyOf(departmentAgencyCode)} = ${filter.agencyCode}`);
  if (filter.status) where.push(eq(feedbackItems.status, filter.status));
  if (filter.overdue) where.push(sql`${feedbackItems.status} = 'open' and ${feedbackItems.dueAt} < ${filter.now.toISOString()}::timestamptz`);
  const rows = await selectWithAgency(db, departmentAgencyCode)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(sql`${feedbackItems.status} = 'answered'`, sql`case when ${feedbackItems.status} = 'open' then ${feedbackItems.dueAt} end`, desc(feedbackItems.answeredAt))
    .limit(filter.limit);
  return rows.map(flatten);
}

/** What a signed-in citizen filed, newest first. */
export async function listFeedbackOfCitizen(db: Db, citizenId: string, limit: number): Promise<FeedbackWithAgency[]> {
  const rows = await selectWithAgency(db, null).where(eq(feedbackItems.citizenId, citizenId)).orderBy(desc(feedbackItems.createdAt)).limit(limit);
  return rows.map(flatten);
}

/**
 * Published answers, newest first: only what the public list shows — the question as the official wrote it for
 * publication, never the filer's own title or text (they may name people), name or contacts.
 */
export async function listPublishedFeedback(db: Db, limit: number): Promise<Array<Pick<FeedbackRow, 'kind' | 'procedureId' | 'answer' | 'answeredAt' | 'publishedAt' | 'createdAt'> & { publishedQuestion: string }>> {
  return db.select({
    kind: feedbackItems.kind, procedureId: feedbackItems.procedureId, publishedQuestion: sql<string>`${feedbackItems.publishedQuestion}`,
    answer: feedbackItems.answer, answeredAt: feedbackItems.answeredAt, publishedAt: feedbackItems.publishedAt, createdAt: feedbackItems.createdAt,
  }).from(feedbackItems)
    .where(and(eq(feedbackItems.status, 'answered'), sql`${feedbackItems.publishedAt} is not null`, sql`${feedbackItems.publishedQuestion} is not null`))
    .orderBy(desc(feedbackItems.publishedAt))
    .limit(limit);
}

/** Records the answer if the item is still open; undefined when someone answered it first. `publishedQuestion`: published with it. */
export async function answerFeedbackIfOpen(
  db: Db, id: string, answer: { text: string; staffId: string; at: Date; publishedQuestion: string | null },
): Promise<FeedbackRow | undefined> {
  const [row] = await db.update(feedbackItems)
    .set({
      status: 'answered', answer: answer.text, answeredByStaffId: answer.staffId, answeredAt: answer.at,
      publishedAt: answer.publishedQuestion !== null ? answer.at : null, publishedQuestion: answer.publishedQuestion,
    })
    .where(and(eq(feedbackItems.id, id), eq(feedbackItems.status, 'open')))
    .returning();
  return row;
}

export interface RecentFeedback { count: number; oldest: number | null }

/**
 * Items sent to one e-mail (lower-case, +tag ignored) or one of a phone's spellings since each window's start, whoever
 * filed them (each acknowledged to that contact): the count and the oldest one's time (ms), per window.
 */
export async function recentFeedbackByContact<W extends string>(
  db: Db, contact: { email: string } | { phones: string[] }, windows: Record<W, Date>,
): Promise<Record<W, RecentFeedback>> {
  const emailKey = sql`lower(regexp_replace(${feedbackItems.contactEmail}, '[+][^@]*@', '@'))`;
  const match = 'email' in contact
    ? sql`${emailKey} = lower(regexp_replace(${contact.email}::text, '[+][^@]*@', '@'))`
    : sql`${feedbackItems.contactPhone} in (${sql.join(contact.phones.map((p) => sql`${p}`), sql`, `)})`;
  const names = Object.keys(windows) as W[];
  const out = {} as Record<W, RecentFeedback>;
  for (const name of names) {
    const since = windows[name].toISOString();
    const [row] = await db.select({
      count: sql<number>`count(*)::int`,
      oldest: sql<number | null>`(extract(epoch from min(${feedbackItems.createdAt})) * 1000)::float8`,
    }).from(feedbackItems).where(and(match, sql`${feedbackItems.createdAt} > ${since}::timestamptz`));
    out[name] = { count: Number(row?.count ?? 0), oldest: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest) };
  }
  return out;
}

/** Whether the e-mail of `event` about this item left already (the audit entry written after it was sent). */
export async function feedbackMailSent(db: Db, code: string, event: string): Promise<boolean> {
  const [row] = await db.select({ id: auditLog.id }).from(auditLog)
    .where(and(eq(auditLog.action, 'feedback.notified'), eq(auditLog.target, code), sql`${auditLog.details}->>'event' = ${event}`))
    .limit(1);
  return row !== undefined;
}

export interface FeedbackCounts {
  /** Filed in the period. */
  received: number;
  answered: number;
  /** Answered on or before the due time. */
  answeredOnTime: number;
  /** Still open and past the due time at `now`. */
  overdue: number;
}

/**
 * The complaints of the dashboard's satisfaction group: items filed in [from, to), of one procedure (the item's own,
 * which filing about a dossier sets to the dossier's) and answered by one agency when given.
 */
export async function feedbackCounts(db: Db, q: {
  from: Date; to: Date; now: Date; procedureId?: string; agencyCode?: string; departmentAgencyCode: string | null;
}): Promise<FeedbackCounts> {
  const where: SQL[] = [
    sql`${feedbackItems.createdAt} >= ${q.from.toISOString()}::timestamptz`, sql`${feedbackItems.createdAt} < ${q.to.toISOString()}::timestamptz`,
  ];
  if (q.procedureId) where.push(eq(feedbackItems.procedureId, q.procedureId));
  // The answering agency (agencyOf) looked up per item, an index probe each, not joined: PostgreSQL hashed every
  // dossier to join a few thousand items (bench:growth at 100,000 dossiers: 55 ms; this way 16 ms, growing with the
  // period's items only). A dossier has one unit, so the lookup gives what the left joins gave.
  if (q.agencyCode !== undefined) {
    where.push(sql`coalesce((select u.agency_code from ${dossiers} d join ${units} u on u.id = d.unit_id where d.id = ${feedbackItems.dossierId}),
      ${q.departmentAgencyCode}::text) = ${q.agencyCode}`);
  }
  const result = await db.execute(sql`
    select count(*)::int as "received",
      (count(*) filter (where ${feedbackItems.status} = 'answered'))::int as "answered",
      (count(*) filter (where ${feedbackItems.status} = 'answered' and ${feedbackItems.answeredAt} <= ${feedbackItems.dueAt}))::int as "answeredOnTime",
      (count(*) filter (where ${feedbackItems.status} = 'open' and ${feedbackItems.dueAt} < ${q.now.toISOString()}::timestamptz))::int as "overdue"
    from ${feedbackItems}
    where ${sql.join(where, sql` and `)}`);
  const [row] = rowsOf<FeedbackCounts>(result);
  return {
    received: Number(row?.received ?? 0), answered: Number(row?.answered ?? 0),
    answeredOnTime: Number(row?.answeredOnTime ?? 0), overdue: Number(row?.overdue ?? 0),
  };
}

export async function findFeedbackById(db: Db, id: string): Promise<FeedbackRow | undefined> {
  const [row] = await db.select().from(feedbackItems).where(eq(feedbackItems.id, id));
  return row;
}
