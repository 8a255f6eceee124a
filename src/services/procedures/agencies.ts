// The agency that decides each procedure, as the catalogue pages and the procedures API show it: that of the unit
// playing `office` for the procedure (its own assignment, else the '*' default) — the agency that heads the codes of
// its dossiers (intake/routing.ts). A procedure whose office is not assigned yet shows the Department. The Department
// is named as on every page ("Sở Giáo dục và Đào tạo Thanh Hóa"), not by its bare agency name.
import type { AppContext } from '../../app-context.js';
import { listRoleAssignments } from '../../db/repositories/procedure-units.js';
import { ownOrDefault } from '../../db/repositories/administration.js';

export interface ProcedureAgency { code: string; name: string }

/** One query for a whole list of procedures; the returned function answers for any procedure id. */
export async function procedureAgencies(ctx: AppContext): Promise<(procedureId: string) => ProcedureAgency> {
  const { departmentAgencyCode, departmentName } = ctx.organisation;
  const offices = new Map((await listRoleAssignments(ctx.db, 'office')).map((a) => [a.procedureId, {
    code: a.agencyCode, name: a.agencyCode === departmentAgencyCode ? departmentName : a.agencyName,
  }]));
  const department: ProcedureAgency = { code: departmentAgencyCode ?? '', name: departmentName };
  return (procedureId) => ownOrDefault(procedureId, (id) => offices.get(id)) ?? department;
}
