// The result document as it will be issued, rendered unsigned so the official can read it before signing.
// Same template and context as issue-result.ts; the signer is provisional and the number has its symbol only.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { renderResultPdf } from '../../documents/render-result.js';
import { findUnit } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { loadDossierFor, verificationUrl, type Caller } from '../access.js';
import { draftNumber, issuingAgency, resultContext, resultRecipients } from './render-and-sign.js';
import { signerBlockTitle } from './signing-authority.js';

export async function previewResult(ctx: AppContext, code: string, caller: Caller): Promise<{ fileName: string; data: Buffer }> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  // Citizens see the signed result only; a preview is a working document of the staff who handle the dossier.
  if (actor.kind !== 'staff' || !actor.staff) throw new AppError('FORBIDDEN', 'Chỉ cán bộ xử lý hồ sơ được xem trước kết quả.');
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const [agency, events, unit] = await Promise.all([issuingAgency(ctx, dossier), dossiers.listEvents(ctx.db, dossier.id), findUnit(ctx.db, dossier.unitId)]);
  if (!agency) throw new AppError('INTERNAL_ERROR', 'agency missing');
  const number = await draftNumber(ctx, definition, agency);
  const now = new Date();
  const signer = actor.staff.roles.includes('leader') ? actor.staff : undefined;
  const data = await renderResultPdf({
    template: definition.result.template,
    templatesDir: ctx.config.templatesDir,
    title: definition.result.title,
    dossierCode: dossier.code,
    documentNumber: number.text,
    numberPlacement: number.placement,
    // The QR's link carries the verification key: the page says nothing about a dossier without it.
    verifyUrl: verificationUrl(ctx.secret, dossier, ctx.config.publicUrl),
    issuer: { parentName: agency.parentName, agencyName: agency.name },
    place: agency.place,
    issuedAt: now,
    signer: { name: signer?.fullName ?? '(Người ký)', title: signer ? signerBlockTitle(signer) : 'LÃNH ĐẠO' },
    recipients: resultRecipients(definition, dossier, unit),
    context: resultContext(definition, dossier, events),
  });
  return { fileName: `${dossier.code}-du-thao.pdf`, data };
}
