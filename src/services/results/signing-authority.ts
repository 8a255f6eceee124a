// Who may approve and sign a procedure's result: an official of the organisation whose seal the result carries.
// The seal unit comes from the definition's `result.signers` (the unit playing a role such as the leadership — the
// Department's board — or the unit holding the dossier, e.g. the receiving school); a signature step that names its
// own unit role narrows it to that unit and the units below it. Checked when the official approves and again when the
// signature is applied, so moving a dossier elsewhere cannot make someone else's seal sign it.
import type { Db } from '../../db/client.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { unitSubtree, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import type { ResultSigner, WorkflowDefinition } from '../../workflow/types.js';
import { unitNamedBy } from '../procedures/unit-roles.js';

export type SealedDossier = Pick<DossierRow, 'unitId' | 'procedureId'>;

/**
 * The unit whose seal a seal step applies: the unit playing the role it names for the dossier's procedure (a literal
 * unit id in versions stored before roles), else the unit holding the dossier.
 */
export async function sealUnit(db: Db, step: ResultSigner, dossier: SealedDossier): Promise<string> {
  return step.unit ? unitNamedBy(db, dossier.procedureId, step.unit) : dossier.unitId;
}

/** Throws 403 SIGNER_NOT_AUTHORISED unless `staff` may sign this dossier's result under `definition`. */
export async function assertMaySignResult(db: Db, definition: WorkflowDefinition, dossier: SealedDossier, staff: StaffRow): Promise<void> {
  const signature = definition.result.signers.find((s) => s.kind !== 'seal');
  const seal = definition.result.signers.find((s) => s.kind === 'seal');
  const issuingUnitId = seal ? await sealUnit(db, seal, dossier) : dossier.unitId;
  const units = new Map((await findUnitsByIds(db, [issuingUnitId, staff.unitId])).map((u) => [u.id, u]));
  const issuing = units.get(issuingUnitId);
  const own = units.get(staff.unitId);
  const inAgency = issuing !== undefined && own !== undefined && own.agencyCode === issuing.agencyCode;
  const inNamedUnit = !signature?.unit || (await unitSubtree(db, await unitNamedBy(db, dossier.procedureId, signature.unit))).includes(staff.unitId);
  const hasRole = !signature || staff.roles.includes(signature.role);
  if (!inAgency || !inNamedUnit || !hasRole) {
    throw new AppError('SIGNER_NOT_AUTHORISED',
      `Chỉ lãnh đạo của ${issuing?.agencyName ?? 'cơ quan ban hành'} được phê duyệt và ký văn bản kết quả của hồ sơ này.`);
  }
}

/**
 * The signer block's title lines (Decree 30, art. 13 and Appendix I): one signing for the head carries the authority
 * above their own title — "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"; the head signs under their title alone.
 */
export function signerBlockTitle(staff: Pick<StaffRow, 'title' | 'authority'>): string {
  return staff.authority ? `${staff.authority.kind}. ${staff.authority.for}\n${staff.title}` : staff.title;
}
