// Queries behind the one-stop forms, the control slip and the tracking book (services/forms.ts, tracking-book.ts).
import { aliasedTable, and, asc, eq, gte, inArray, like, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
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

/** Dossiers filed in [from, to) within reach, in filing order, with the officer who received them (if any). */
export async function trackingBookRows(db: Db, q: TrackingBookQuery) {
  const reach = q.everything ? undefined : or(
    q.unitIds.length > 0 ? inArray(dossiers.unitId, q.unitIds) : sql`false`,
    q.agencyCodes.length > 0 ? inArray(dossiers.agencyCode, q.agencyCodes) : sql`false`,
  );
  return db.select({
    id: dossiers.id, code: dossiers.code, procedureId: dossiers.procedureId, procedureVersionId: dossiers.procedureVersionId,
    status: dossiers.status, applicantName: dossiers.applicantName, applicantAddress: dossiers.applicantAddress,
    applicantPhone: dossiers.applicantPhone, channel: dossiers.channel, submittedAt: dossiers.submittedAt,
    receivedAt: dossiers.receivedAt, dueAt: dossiers.dueAt, completedAt: dossiers.completedAt,
    // The officer of the last event that started the clock: the one-stop clerk who received the dossier.
    receivingOfficer: sql<string | null>`(
      select e.actor_name from dossier_events e
      where e.dossier_id = dossiers.id and e.actor_kind = 'staff' and e.at = dossiers.received_at
      order by e.id desc limit 1)`,
  }).from(dossiers)
    .where(and(gte(dossiers.submittedAt, q.from), lt(dossiers.submittedAt, q.to), reach))
    .orderBy(asc(dossiers.submittedAt), asc(dossiers.code));
}
