// Which unit — and so which agency — plays a role for a procedure, read the way intake, processing and the catalogue
// need it (joined to the unit's agency). Assignments are written by administration.ts (setUnitRole).
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agencies, procedureUnits, units, type UnitRole } from '../schema/index.js';
import { EVERY_PROCEDURE } from './administration.js';

export interface RoleAssignment {
  /** The procedure's id, or '*' for the default every procedure without its own falls back to. */
  procedureId: string;
  role: UnitRole;
  unitId: string;
  agencyCode: string;
  agencyName: string;
}

const columns = {
  procedureId: procedureUnits.procedureId, role: procedureUnits.role, unitId: procedureUnits.unitId,
  agencyCode: units.agencyCode, agencyName: agencies.name,
};

/** The procedure's own and the default ('*') assignments of `roles`: one primary-key lookup. */
export async function findRoleAssignments(db: Db, procedureId: string, roles: readonly UnitRole[]): Promise<RoleAssignment[]> {
  return db.select(columns).from(procedureUnits)
    .innerJoin(units, eq(units.id, procedureUnits.unitId))
    .innerJoin(agencies, eq(agencies.code, units.agencyCode))
    .where(and(inArray(procedureUnits.procedureId, [procedureId, EVERY_PROCEDURE]), inArray(procedureUnits.role, [...roles])));
}

/** Every assignment of one role (all procedures and the default), for lists of procedures. */
export async function listRoleAssignments(db: Db, role: UnitRole): Promise<RoleAssignment[]> {
  return db.select(columns).from(procedureUnits)
    .innerJoin(units, eq(units.id, procedureUnits.unitId))
    .innerJoin(agencies, eq(agencies.code, units.agencyCode))
    .where(eq(procedureUnits.role, role));
}
