import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { agencies, dossierHandovers, dossiers, slaAlerts, staffAccounts, units } from '../schema/index.js';

export type HandoverRow = typeof dossierHandovers.$inferSelect;
export type NewHandover = typeof dossierHandovers.$inferInsert;
export type SlaAlertRow = typeof slaAlerts.$inferSelect;

export async function insertHandover(db: Db, row: NewHandover): Promise<void> {
  await db.insert(dossierHandovers).values(row);
}

/** The control slip of a dossier, in order. */
export async function listHandovers(db: Db, dossierId: string): Promise<HandoverRow[]> {
  return db.select().from(dossierHandovers).where(eq(dossierHandovers.dossierId, dossierId)).orderBy(asc(dossierHandovers.id));
}

/** True when the dossier was ever handed to or from one of these units (they keep sight of what they handled). */
export async function handledByAny(db: Db, dossierId: string, unitIds: string[]): Promise<boolean> {
  if (unitIds.length === 0) return false;
  const [row] = await db.select({ id: dossierHandovers.id }).from(dossierHandovers).where(and(
    eq(dossierHandovers.dossierId, dossierId),
    or(inArray(dossierHandovers.fromUnitId, unitIds), inArray(dossierHandovers.toUnitId, unitIds)),
  )).limit(1);
  return row !== undefined;
}

/** Units with their agency's name (a school office is shown as its school). */
export async function listUnitsByKind(db: Db, kind: (typeof units.$inferSelect)['kind']) {
  return db.select({ id: units.id, name: units.name, kind: units.kind, agencyName: agencies.name }).from(units)
    .innerJoin(agencies, eq(agencies.code, units.agencyCode)).where(eq(units.kind, kind)).orderBy(asc(agencies.name));
}

export async function findUnitsByIds(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return db.select({ id: units.id, name: units.name, kind: units.kind, agencyCode: units.agencyCode, agencyName: agencies.name }).from(units)
    .innerJoin(agencies, eq(agencies.code, units.agencyCode)).where(inArray(units.id, ids));
}

/** Every unit with its agency: what intake routes with (kept per process a few seconds, services/intake/organisation-cache.ts). */
export async function listRoutingUnits(database: Pick<Database, 'query'>) {
  return database.query<{ id: string; name: string; kind: string; agencyCode: string; agencyName: string }>(`
    select u.id, u.name, u.kind, u.agency_code as "agencyCode", a.name as "agencyName"
    from units u join agencies a on a.code = u.agency_code`, []);
}

export async function setAssignee(db: Db, dossierId: string, assigneeId: string | null): Promise<void> {
  await db.update(dossiers).set({ assigneeId, updatedAt: new Date() }).where(eq(dossiers.id, dossierId));
}

export async function listStaffInUnits(db: Db, unitIds: string[]) {
  if (unitIds.length === 0) return [];
  return db.select({ id: staffAccounts.id, username: staffAccounts.username, fullName: staffAccounts.fullName, unitId: staffAccounts.unitId, roles: staffAccounts.roles })
    .from(staffAccounts).where(and(inArray(staffAccounts.unitId, unitIds), eq(staffAccounts.active, true)));
}

export async function insertSlaAlerts(db: Db, rows: Array<typeof slaAlerts.$inferInsert>): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(slaAlerts).values(rows).onConflictDoNothing().returning({ id: slaAlerts.id });
  return inserted.length;
}

export async function listSlaAlerts(db: Db, unitIds: string[], limit = 200): Promise<SlaAlertRow[]> {
  if (unitIds.length === 0) return [];
  return db.select().from(slaAlerts).where(inArray(slaAlerts.unitId, unitIds)).orderBy(sql`${slaAlerts.id} desc`).limit(limit);
}

export async function unitIdsOfAgency(db: Db, agencyCode: string): Promise<string[]> {
  return (await db.select({ id: units.id }).from(units).where(eq(units.agencyCode, agencyCode))).map((u) => u.id);
}
