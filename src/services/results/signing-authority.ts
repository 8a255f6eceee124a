// Who may approve and sign a procedure's result: an official of the organisation whose seal the result carries.
// The seal unit comes from the definition's `result.signers` (a fixed unit such as the Department's board, or the
// unit holding the dossier, e.g. the receiving school); a signature step that names its own unit narrows it to
// that unit and the units below it. Checked when the official approves and again when the signature is applied,
// so moving a dossier elsewhere cannot make someone else's seal sign it.
import type { Db } from '../../db/client.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { unitSubtree, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import type { ResultSigner, WorkflowDefinition } from '../../workflow/types.js';

/** The unit whose seal a seal step applies: the one it names, else the unit holding the dossier. */
export function sealUnit(step: ResultSigner, dossier: Pick<DossierRow, 'unitId'>): string {
  return step.unit ?? dossier.unitId;
}

/** Throws 403 SIGNER_NOT_AUTHORISED unless `staff` may sign this dossier's result under `definition`. */
export async function assertMaySignResult(db: Db, definition: WorkflowDefinition, dossier: Pick<DossierRow, 'unitId'>, staff: StaffRow): Promise<void> {
  const signature = definition.result.signers.find((s) => s.kind !== 'seal');
  const seal = definition.result.signers.find((s) => s.kind === 'seal');
  const issuingUnitId = seal ? sealUnit(seal, dossier) : dossier.unitId;
  const units = new Map((await findUnitsByIds(db, [issuingUnitId, staff.unitId])).map((u) => [u.id, u]));
  const issuing = units.get(issuingUnitId);
  const own = units.get(staff.unitId);
  const inAgency = issuing !== undefined && own !== undefined && own.agencyCode === issuing.agencyCode;
  const inNamedUnit = !signature?.unit || (await unitSubtree(db, signature.unit)).includes(staff.unitId);
  const hasRole = !signature || staff.roles.includes(signature.role);
  if (!inAgency || !inNamedUnit || !hasRole) {
    throw new AppError('SIGNER_NOT_AUTHORISED',
      `Chỉ lãnh đạo của ${issuing?.agencyName ?? 'cơ quan ban hành'} được phê duyệt và ký văn bản kết quả của hồ sơ này.`);
  }
}
