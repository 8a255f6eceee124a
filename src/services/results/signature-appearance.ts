// The visible stamp of one of a result's signatures, made when that signature is applied: the stamps of every
// signer of the result laid out together (the seal over the left third of the signature, Decree 30), this
// signer's part drawn alone, to become the appearance of its empty signature field (signature-stamp.ts).
import type { AppContext } from '../../app-context.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findAppearance } from '../../db/repositories/signing.js';
import { findAgencyOfUnit, findStaffById } from '../../db/repositories/staff.js';
import { renderStampAppearance, signatureFieldName, type SignatureStamp } from '../../documents/signature-stamp.js';
import { AppError } from '../../errors.js';
import type { SignatureAppearance } from '../../signing/sign-pdf.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import { sealUnit } from './signing-authority.js';

/**
 * The appearance of signer `index` of `definition.result.signers`, showing `signedAt` (the signature's /M).
 * `leaderStaffId` is the official who signs the 'signature' steps.
 */
export async function signatureAppearance(
  ctx: AppContext,
  dossier: Pick<DossierRow, 'unitId' | 'procedureId'>,
  definition: WorkflowDefinition,
  leaderStaffId: string,
  index: number,
  signedAt: Date,
): Promise<SignatureAppearance> {
  const [leader, agency] = await Promise.all([findStaffById(ctx.db, leaderStaffId), findAgencyOfUnit(ctx.db, dossier.unitId)]);
  if (!leader || !agency) throw new AppError('INTERNAL_ERROR', 'signer or agency missing');
  const signers = definition.result.signers;
  const step = signers[index];
  if (!step) throw new AppError('INTERNAL_ERROR', `no signer ${index} in the result definition`);
  // Every signer's lines take their place in the shared layout; only this signer's part (and image) is drawn.
  const stamps = signers.map((s): SignatureStamp => s.kind === 'seal'
    ? { kind: 'seal', name: agency.name, organisation: agency.name, signedAt }
    : { kind: 'signature', name: leader.fullName, title: leader.title, organisation: agency.name, signedAt });
  const image = await findAppearance(ctx.db, step.kind === 'seal' ? { unitId: await sealUnit(ctx.db, step, dossier) } : { staffId: leader.id });
  if (image) stamps[index] = { ...(stamps[index] as SignatureStamp), image };
  return { pdf: await renderStampAppearance(stamps, index), field: signatureFieldName(index) };
}
