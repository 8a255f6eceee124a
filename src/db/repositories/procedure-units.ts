// Which unit — and so which agency — plays a role for a procedure, read the way intake and the catalogue need it
// (joined to the unit's agency). Assignments are written, and read one role at a time, by administration.ts.
import { eq } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
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

/**
 * The procedure's own and the default ('*') assignments of one or two roles, by primary key. On the intake path:
 * a constant text (a prepared statement PostgreSQL plans once) without the query builder, which measured four times
 * the client CPU of this statement (bench/README.md on the intake statement).
 */
export async function findRoleAssignments(
  database: Pick<Database, 'query'>, procedureId: string, roles: readonly [UnitRole] | readonly [UnitRole, UnitRole],
): Promise<RoleAssignment[]> {
  return database.query<RoleAssignment>(ROLE_ASSIGNMENTS_SQL, [procedureId, EVERY_PROCEDURE, roles[0], roles[1] ?? roles[0]]);
}

const ROLE_ASSIGNMENTS_SQL = `
  select pu.procedure_id as "procedureId", pu.role, pu.unit_id as "unitId", u.agency_code as "agencyCode", a.name as "agencyName"
  from procedure_units pu join units u on u.id = pu.unit_id join agencies a on a.code = u.agency_code
  where pu.procedure_id in ($1, $2) and pu.role in ($3, $4)`;

const columns = {
  procedureId: procedureUnits.procedureId, role: procedureUnits.role, unitId: procedureUnits.unitId,
  agencyCode: units.agencyCode, agencyName: agencies.name,
};

/** Every assignment of one role (all procedures and the default), for lists of procedures. */
export async function listRoleAssignments(db: Db, role: UnitRole): Promise<RoleAssignment[]> {
  return db.select(columns).from(procedureUnits)
    .innerJoin(units, eq(units.id, procedureUnits.unitId))
    .innerJoin(agencies, eq(agencies.code, units.agencyCode))
    .where(eq(procedureUnits.role, role));
}
