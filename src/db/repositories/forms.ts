// Queries behind the one-stop forms, the control slip and the tracking book (services/forms.ts, tracking-book.ts).
import { aliasedTable, and, asc, eq, like, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { dossierEvents, dossierHandovers, dossiers, issuedDocuments, units } from '../schema/index.js';

export async function findEventByVersion(db: Db, dossierId: string, dossierVersion: number) {
  const [row] = await db.select().from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, dossierId), eq(dossierEvents.dossierVersion, dossierVersion)))
    .orderBy(asc(dossierEvents.id)).limit(1);
  return row;
}

/** Every issued document of a dossier except the result, oldest first. */
export async function listIssuedForms(db: Db, dossierId: string) {
  return db.select().from(issuedDocuments)
    .where(and(eq(issuedDocuments.dossierId, dossierId), sql`${issuedDocuments.kind} <> 'result'`))
    .orderBy(asc(issuedDocuments.createdAt));
}

export async function countIssuedLike(db: Db, dossierId: string, kindPrefix: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(issuedDocuments)
    .where(and(eq(issuedDocuments.dossierId, dossierId), or(eq(issuedDocuments.kind, kindPrefix), like(issuedDocuments.kind, `${kindPrefix}-%`))));
  return row?.n ?? 0;
}

export interface HandoverEntry {
  at: Date; action: string; result: string; byName: string; fromUnit: string | null; toUnit: string; dossierVersion: number;
}

/** The dossier's hand-overs between units with the units' names, in order (the control slip's rows). */
export async function listHandovers(db: Db, dossierId: string): Promise<HandoverEntry[]> {
  const fromUnits = aliasedTable(units, 'from_units');
  const toUnits = aliasedTable(units, 'to_units');
  return db.select({
    at: dossierHandovers.at, action: dossierHandovers.action, result: dossierHandovers.result, byName: dossierHandovers.byName,
    fromUnit: fromUnits.name, toUnit: toUnits.name, dossierVersion: dossierHandovers.dossierVersion,
  }).from(dossierHandovers)
    .leftJoin(fromUnits, eq(fromUnits.id, dossierHandovers.fromUnitId))
    .innerJoin(toUnits, eq(toUnits.id, dossierHandovers.toUnitId))
    .where(eq(dossierHandovers.dossierId, dossierId))
    .orderBy(asc(dossierHandovers.id));
}

export interface TrackingBookQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  unitIds: string[];
  agencyCodes: string[];
  /** Admins see every unit. */
  everything: boolean;
}

export interface TrackingBookRow {
  code: string;
  procedureVersionId: number;
  status: string;
  applicantName: string;
  applicantAddress: string | null;
  applicantPhone: string | null;
  channel: string;
  submittedAt: Date;
  dueAt: Date | null;
  completedAt: Date | null;
  receivingOfficer: string | null;
}

/**
 * Dossiers filed in [from, to) within reach, in filing order, with the officer who received them (if any): the
 * statement and its parameters. One fixed text (prepared once; the reach travels as arrays). The officer is the staff
 * author of the last event at the moment the clock started (received_at): a lateral probe of dossier_events per row
 * that walks dossier_events_dossier_idx backwards and stops at the first match — not a correlated subquery that
 * collects and sorts each dossier's events (at 50,000 rows that sort was most of the export's time). Instants come
 * back as epoch milliseconds (float8), whatever type parsers the driver has.
 */
export function trackingBookStatement(q: TrackingBookQuery): { text: string; params: unknown[] } {
  const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
  return {
    text: `select d.code, d.procedure_version_id as "procedureVersionId", d.status, d.applicant_name as "applicantName",
        d.applicant_address as "applicantAddress", d.applicant_phone as "applicantPhone", d.channel,
        ${ms('d.submitted_at')} as "submittedAt", ${ms('d.due_at')} as "dueAt", ${ms('d.completed_at')} as "completedAt",
        o.actor_name as "receivingOfficer"
      from dossiers d
        left join lateral (
          select e.actor_name from dossier_events e
          where e.dossier_id = d.id and e.actor_kind = 'staff' and e.at = d.received_at
          order by e.id desc limit 1) o on true
      where d.submitted_at >= $1::timestamptz and d.submitted_at < $2::timestamptz
        and ($3::boolean or d.unit_id = any($4::text[]) or d.agency_code = any($5::text[]))
      order by d.submitted_at, d.code`,
    params: [q.from.toISOString(), q.to.toISOString(), q.everything, q.unitIds, q.agencyCodes],
  };
}

/** How many rows the book for the query has (the export's audit entry records it before streaming them). */
export async function countTrackingBook(database: Pick<Database, 'query'>, q: TrackingBookQuery): Promise<number> {
  const [row] = await database.query<{ n: number }>(
    `select count(*)::int as n from dossiers d
     where d.submitted_at >= $1::timestamptz and d.submitted_at < $2::timestamptz
       and ($3::boolean or d.unit_id = any($4::text[]) or d.agency_code = any($5::text[]))`,
    trackingBookStatement(q).params);
  return Number(row?.n ?? 0);
}

type RawTrackingBookRow = Omit<TrackingBookRow, 'submittedAt' | 'dueAt' | 'completedAt'> & { submittedAt: number; dueAt: number | null; completedAt: number | null };

/** The tracking book's rows in batches, from a cursor (Database.cursor): an export of any size holds one batch. */
export async function* trackingBookBatches(database: Pick<Database, 'cursor'>, q: TrackingBookQuery, batchSize = 500): AsyncGenerator<TrackingBookRow[]> {
  const { text, params } = trackingBookStatement(q);
  const instant = (value: number | null) => (value === null ? null : new Date(Number(value)));
  for await (const batch of database.cursor<RawTrackingBookRow>(text, params, batchSize)) {
    yield batch.map((r) => ({ ...r, submittedAt: new Date(Number(r.submittedAt)), dueAt: instant(r.dueAt), completedAt: instant(r.completedAt) }));
  }
}
