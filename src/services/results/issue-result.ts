// After approval: render the result, apply the definition's `result.signers` in order (render-and-sign.ts), store
// it, and move the dossier on with the system's action. When a signer's key is not in the worker's hands (USB token
// / remote signer, or a key locked by the owner's PIN), the document so far is kept as a draft and the official
// finishes it through external-signing.ts or batch-sign.ts. Safe to run twice: an issued result is reused, a draft
// is left waiting, a moved-on dossier is left alone.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { findIssuedDocument } from '../../db/repositories/issued-documents.js';
import { findDraft, upsertDraft } from '../../db/repositories/signing.js';
import { listStaff } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { systemActionIn } from '../../workflow/engine.js';
import { performAction } from '../processing/perform-action.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import { applySigners, renderResult, storeResult } from './render-and-sign.js';
import { sealUnit } from './signing-authority.js';

export async function issueResult(ctx: AppContext, dossierId: string, actorStaffId: string | null): Promise<void> {
  const dossier = await dossiers.findDossierById(ctx.db, dossierId);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const systemAction = systemActionIn(definition, dossier.status);
  const existing = await findIssuedDocument(ctx.db, dossier.id, 'result');
  if (!existing) {
    if (!systemAction) return; // moved on without a result (e.g. sent back meanwhile): nothing to issue
    const signerStaffId = actorStaffId ?? (await unitSigner(ctx, definition, dossier));
    if (!signerStaffId) throw new AppError('SIGNING_KEY_MISSING', 'Không xác định được người ký.');
    if (await findDraft(ctx.db, dossier.id)) return; // waiting for the official: their call finishes it
    const issuedAt = new Date();
    const pdf = await renderResult(ctx, dossier, definition, signerStaffId, issuedAt);
    const outcome = await applySigners(ctx, { dossier, definition, pdf, from: 0, leaderStaffId: signerStaffId, signedAt: issuedAt });
    if (outcome.waitingFor) {
      await upsertDraft(ctx.db, {
        dossierId: dossier.id, pdf: outcome.pdf, signedCount: outcome.signedCount, signerStaffId, waitingFor: outcome.waitingFor, issuedAt,
      });
      return;
    }
    await storeResult(ctx, dossier.id, outcome.pdf, signerStaffId, issuedAt);
  }
  // With the version read above: if another run moved the dossier meanwhile, this is a STALE_VERSION (retried, and
  // the retry finds nothing left to do) rather than a refused action that would be recorded as a failure.
  if (systemAction) await performAction(ctx, { code: dossier.code, action: systemAction, caller: { kind: 'system' }, version: dossier.version });
}


/**
 * The official who signs a result no official approved (a system action): an active account of the issuing unit
 * (the seal's unit) with the signature's role and a usable key; undefined when there is none (the job then fails
 * SIGNING_KEY_MISSING and is retried until an administrator registers one).
 */
async function unitSigner(ctx: AppContext, definition: WorkflowDefinition, dossier: dossiers.DossierRow): Promise<string | undefined> {
  const signature = definition.result.signers.find((s) => s.kind !== 'seal');
  const seal = definition.result.signers.find((s) => s.kind === 'seal');
  if (!signature) return undefined;
  const unitId = seal ? await sealUnit(ctx.db, seal, dossier) : dossier.unitId;
  for (const { staff } of await listStaff(ctx.db, { unitId, role: signature.role, active: true })) {
    if (await ctx.signerKeys.usableModeFor({ staffId: staff.id })) return staff.id;
  }
  return undefined;
}
