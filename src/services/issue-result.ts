// After approval: render the result document, sign it with the approving leader's key, store it, and move the
// dossier on with the system's action. Safe to run twice: an issued result is reused, a moved-on dossier is left alone.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import * as dossiers from '../db/repositories/dossiers.js';
import { insertFiles, newFileKey } from '../db/repositories/files.js';
import { findIssuedDocument, insertIssuedDocument } from '../db/repositories/issued-documents.js';
import { findAgency, findStaffById } from '../db/repositories/staff.js';
import { renderResultPdf } from '../documents/render-result.js';
import { AppError } from '../errors.js';
import { signPdf } from '../signing/sign-pdf.js';
import type { WorkflowDefinition } from '../workflow/types.js';
import { performAction, systemActionIn } from './perform-action.js';

export async function issueResult(ctx: AppContext, dossierId: string, signerStaffId: string | null): Promise<void> {
  const dossier = await dossiers.findDossierById(ctx.db, dossierId);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const systemAction = systemActionIn(definition, dossier.status);
  const existing = await findIssuedDocument(ctx.db, dossier.id, 'result');
  if (!existing) {
    if (!systemAction) return; // moved on without a result (e.g. sent back meanwhile): nothing to issue
    if (!signerStaffId) throw new AppError('SIGNING_KEY_MISSING', 'Không xác định được người ký.');
    await createSignedResult(ctx, dossier, definition, signerStaffId);
  }
  if (systemAction) await performAction(ctx, { code: dossier.code, action: systemAction, caller: { kind: 'system' } });
}

async function createSignedResult(ctx: AppContext, dossier: dossiers.DossierRow, definition: WorkflowDefinition, signerStaffId: string): Promise<void> {
  const [signer, agency, events] = await Promise.all([
    findStaffById(ctx.db, signerStaffId),
    findAgency(ctx.db, dossier.agencyCode),
    dossiers.listEvents(ctx.db, dossier.id),
  ]);
  if (!signer || !agency) throw new AppError('INTERNAL_ERROR', 'signer or agency missing');
  const key = await ctx.signerKeys.forStaff(signer.id);
  const issuedAt = new Date();
  const pdf = await renderResultPdf({
    template: definition.result.template,
    templatesDir: ctx.config.templatesDir,
    title: definition.result.title,
    dossierCode: dossier.code,
    documentNumber: `${dossier.code.split('-').at(-1)}/${issuedAt.getFullYear()}/KQ`,
    verifyUrl: `${ctx.config.publicUrl}/verify/${encodeURIComponent(dossier.code)}`,
    issuer: { parentName: agency.parentName, agencyName: agency.name },
    place: agency.place,
    issuedAt,
    signer: { name: signer.fullName, title: signer.title },
    recipients: [dossier.applicantName, 'Lưu: VT'],
    context: resultContext(definition, dossier, events),
  });
  const signed = await signPdf(pdf, {
    key: key.key, certificatePem: key.certificatePem, chainPem: key.chainPem,
    name: signer.fullName, reason: definition.result.title, location: agency.place, signingTime: issuedAt,
  });
  const storageKey = newFileKey('issued');
  await ctx.db.transaction(async (tx) => {
    await insertFiles(tx, [{ key: storageKey, data: signed }]);
    await insertIssuedDocument(tx, {
      dossierId: dossier.id, kind: 'result', storageKey, sha256: createHash('sha256').update(signed).digest('hex'),
      sizeBytes: signed.length, signerStaffId: signer.id, signedAt: issuedAt,
    });
  });
}

/** Form data, the label of every chosen option, and the latest data of each action form (e.g. the register check). */
export function resultContext(definition: WorkflowDefinition, dossier: dossiers.DossierRow, events: dossiers.DossierEventRow[]): Record<string, unknown> {
  const form = definition.forms[definition.intakeForm];
  const labels: Record<string, string> = {};
  for (const field of form?.fields ?? []) {
    const chosen = field.options?.find((o) => o.value === dossier.formData[field.name]);
    if (chosen) labels[`${field.name}Label`] = chosen.label;
  }
  const forms: Record<string, unknown> = {};
  for (const event of events) {
    const formKey = event.fromStatus ? definition.states[event.fromStatus]?.on[event.action]?.form : undefined;
    if (formKey && event.data) forms[formKey] = event.data;
  }
  return { ...dossier.formData, ...labels, forms, legalBasis: definition.legalBasis, dossierCode: dossier.code, applicantName: dossier.applicantName };
}
