// The province's units behind the unit roles a workflow names (desk, office, leadership): the administrators'
// assignments in procedure_units, a procedure's own row winning over the '*' default. A `unit` value that is not a
// role name is taken as a literal unit id: definitions stored before roles existed (procedure_versions) say `qlcl`,
// and dossiers pinned to them go on being processed as they were.
import type { Db } from '../../db/client.js';
import { ownOrDefault, resolveUnitRole } from '../../db/repositories/administration.js';
import type { RoleAssignment } from '../../db/repositories/procedure-units.js';
import { AppError } from '../../errors.js';
import { isUnitRole, type UnitRole } from '../../workflow/types.js';

export type { RoleAssignment };

/** How a role is named: a label on the administration pages, and (lower-cased) in refusals to citizens and officials. */
export const UNIT_ROLE_LABELS: Record<UnitRole, string> = {
  desk: 'Bộ phận tiếp nhận một cửa',
  office: 'Đơn vị chủ trì giải quyết',
  leadership: 'Lãnh đạo phê duyệt, đóng dấu',
};

/** A role with no unit: the procedure cannot run until an administrator assigns one (not the caller's fault, not a 500). */
export function procedureNotConfigured(role: UnitRole): AppError {
  const label = UNIT_ROLE_LABELS[role].toLocaleLowerCase('vi');
  return new AppError('PROCEDURE_NOT_CONFIGURED',
    `Thủ tục chưa được phân công đơn vị xử lý (${label}). Vui lòng liên hệ cơ quan giải quyết hoặc thử lại sau.`,
    { procedure: `Chưa phân công ${label}.` });
}

/** The assignment (with its unit's agency) of each of `roles` that has one among `rows`: own row, else the default. */
export function assignmentsAmong(
  rows: readonly RoleAssignment[], procedureId: string, roles: readonly UnitRole[],
): Map<UnitRole, RoleAssignment> {
  const found = new Map<UnitRole, RoleAssignment>();
  for (const role of roles) {
    const row = ownOrDefault(procedureId, (id) => rows.find((r) => r.role === role && r.procedureId === id));
    if (row) found.set(role, row);
  }
  return found;
}

/**
 * The unit id a definition's `unit` value stands for: the unit playing that role for the procedure, or the value
 * itself in a version stored before roles (a literal unit id).
 */
export async function unitNamedBy(db: Db, procedureId: string, unit: string): Promise<string> {
  if (!isUnitRole(unit)) return unit;
  const unitId = await resolveUnitRole(db, procedureId, unit);
  if (unitId === undefined) throw procedureNotConfigured(unit);
  return unitId;
}
