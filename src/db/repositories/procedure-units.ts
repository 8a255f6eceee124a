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

/** Every assignment of every role, with its unit's agency: what intake routes with (services/intake/organisation-cache.ts). */
export async function listAllRoleAssignments(database: Pick<Database, 'query'>): Promise<RoleAssignment[]> {
  return database.query<RoleAssignment>(`
    select pu.procedure_id as "procedureId", pu.role, pu.unit_id as "unitId", u.agency_code as "agencyCode", a.name as "agencyName"
    from procedure_units pu join units u on u.id = pu.unit_id join agencies a on a.code = u.agency_code`, []);
}

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
