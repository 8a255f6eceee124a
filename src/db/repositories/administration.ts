// Organisation settings, unit-role assignments and the shared revision counter (schema/administration.ts).
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { organisationSettings, procedureUnits, type UnitRole } from '../schema/index.js';

export type OrganisationSettingsRow = typeof organisationSettings.$inferSelect;
export type ProcedureUnitRow = typeof procedureUnits.$inferSelect;

/** The procedure id of a default assignment, used by every procedure without its own. */
export const EVERY_PROCEDURE = '*';

export async function readOrganisationSettings(db: Db): Promise<OrganisationSettingsRow> {
  const [row] = await db.select().from(organisationSettings).where(eq(organisationSettings.id, 1));
  // Migration 0005 inserts the row; a missing one means a half-migrated database, which start-up must not hide.
  if (!row) throw new Error('organisation_settings has no row: run the migrations');
  return row;
}

export async function updateOrganisationSettings(
  db: Db, values: Partial<Pick<OrganisationSettingsRow, 'provinceName' | 'departmentAgencyCode' | 'setupCompletedAt'>>,
): Promise<void> {
  await db.update(organisationSettings).set({ ...values, updatedAt: new Date() }).where(eq(organisationSettings.id, 1));
}

/**
 * Tells every process that data it caches (calendar, procedures, settings and the organisation's names) changed: call
 * it inside the transaction that changes them; services/administration/admin-data.ts polls the number. Unit roles are
 * not cached (read per request), so assigning them needs no bump.
 */
export async function bumpRevision(db: Db): Promise<number> {
  const [row] = await db.update(organisationSettings).set({ revision: sql`${organisationSettings.revision} + 1` })
    .where(eq(organisationSettings.id, 1)).returning({ revision: organisationSettings.revision });
  return row?.revision ?? 0;
}

/**
 * Serialises the organisation's writers (settings, agencies, units, unit roles, import, set-up): each takes the
 * settings row lock first in its transaction, so its check-then-write (a parent loop, a unit's kind against its roles)
 * sees the other administrator's committed change rather than racing it.
 */
export async function lockOrganisation(tx: Db): Promise<void> {
  await tx.execute(sql`select 1 from organisation_settings where id = 1 for update`);
}

export async function readRevision(db: Db): Promise<number> {
  const [row] = await db.select({ revision: organisationSettings.revision }).from(organisationSettings).where(eq(organisationSettings.id, 1));
  return row?.revision ?? 0;
}

/** The one rule of unit roles: a procedure's own assignment wins over the default ('*'); `find` looks one up by id. */
export function ownOrDefault<T>(procedureId: string, find: (procedureId: string) => T | undefined): T | undefined {
  return find(procedureId) ?? find(EVERY_PROCEDURE);
}

/** The unit playing `role` for the procedure: its own assignment, else the default for every procedure. */
export async function resolveUnitRole(db: Db, procedureId: string, role: UnitRole): Promise<string | undefined> {
  const rows = await db.select().from(procedureUnits)
    .where(and(inArray(procedureUnits.procedureId, [procedureId, EVERY_PROCEDURE]), eq(procedureUnits.role, role)));
  return ownOrDefault(procedureId, (id) => rows.find((r) => r.procedureId === id))?.unitId;
}

export async function listUnitRoles(db: Db): Promise<ProcedureUnitRow[]> {
  return db.select().from(procedureUnits).orderBy(procedureUnits.procedureId, procedureUnits.role);
}

export async function setUnitRole(db: Db, procedureId: string, role: UnitRole, unitId: string): Promise<void> {
  await db.insert(procedureUnits).values({ procedureId, role, unitId })
    .onConflictDoUpdate({ target: [procedureUnits.procedureId, procedureUnits.role], set: { unitId, updatedAt: new Date() } });
}

export async function clearUnitRole(db: Db, procedureId: string, role: UnitRole): Promise<void> {
  await db.delete(procedureUnits).where(and(eq(procedureUnits.procedureId, procedureId), eq(procedureUnits.role, role)));
}
