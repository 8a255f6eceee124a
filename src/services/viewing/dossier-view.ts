// What a caller sees of a dossier: status, history, documents, and the actions they may take now.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { readStoredFile } from '../../db/repositories/files.js';
import { findIssuedDocument } from '../../db/repositories/issued-documents.js';
import { findUnit } from '../../db/repositories/staff.js';
import { AppError, dossierNotFound } from '../../errors.js';
import { availableActions, stateLabel } from '../../workflow/engine.js';
import { actorForDossier, type Actor, type Caller } from '../access.js';
import { listForms } from '../results/one-stop-forms.js';
import { vnDay } from '../../calendar/vn-time.js';

export async function loadDossierFor(ctx: AppContext, code: string, caller: Caller): Promise<{ dossier: dossiers.DossierRow; actor: Actor }> {
  const dossier = await dossiers.findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  return { dossier, actor: await actorForDossier(ctx.db, ctx.secret, dossier, caller) };
}

export async function dossierView(ctx: AppContext, code: string, caller: Caller) {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  const [definition, documents, events, result, unit, versionRow, forms] = await Promise.all([
    ctx.catalog.definitionFor(dossier.procedureVersionId),
    dossiers.listDocuments(ctx.db, dossier.id),
    dossiers.listEvents(ctx.db, dossier.id),
    findIssuedDocument(ctx.db, dossier.id, 'result'),
    findUnit(ctx.db, dossier.unitId),
    ctx.catalog.versionNumber(dossier.procedureVersionId),
    listForms(ctx, dossier),
  ]);
  const base = `/api/dossiers/${encodeURIComponent(dossier.code)}`;
  const actionLabel = (action: string, from: string | null) =>
    action === 'submit' ? 'Nộp hồ sơ' : (from ? definition.states[from]?.on[action]?.label : undefined) ?? action;
  return {
    code: dossier.code,
    procedure: { id: definition.id, version: versionRow, title: definition.title },
    status: dossier.status,
    statusLabel: stateLabel(definition, dossier.status),
    version: dossier.version,
    channel: dossier.channel,
    unit: unit ? { id: unit.id, name: unit.name } : null,
    submittedAt: dossier.submittedAt.toISOString(),
    receivedAt: dossier.receivedAt?.toISOString() ?? null,
    dueDate: dossier.dueAt ? vnDay(dossier.dueAt) : null,
    dueAt: dossier.dueAt?.toISOString() ?? null,
    clockState: dossier.clockState,
    applicant: {
      name: dossier.applicantName, email: dossier.applicantEmail, phone: dossier.applicantPhone,
      address: dossier.applicantAddress, idNumber: dossier.applicantIdNumber,
    },
    formData: dossier.formData,
    documents: documents.map((d) => ({
      id: d.id, key: d.documentKey, label: definition.documents[d.documentKey]?.label ?? d.documentKey,
      fileName: d.fileName, mimeType: d.mimeType, size: d.sizeBytes, uploadedAt: d.uploadedAt.toISOString(),
      url: `${base}/documents/${d.id}`,
    })),
    history: events.map((e) => ({
      at: e.at.toISOString(), action: e.action, actionLabel: actionLabel(e.action, e.fromStatus), from: e.fromStatus, to: e.toStatus,
      actor: e.actorName, actorKind: e.actorKind, comment: e.comment,
    })),
    actions: availableActions(definition, dossier.status, { roles: actor.roles }).map((a) => ({
      name: a.name, label: a.label, needsComment: a.needsComment, comment: a.comment, form: a.form, documents: a.documents,
    })),
    result: result ? { url: `${base}/result`, issuedAt: (result.signedAt ?? result.createdAt).toISOString(), sha256: result.sha256 } : null,
    /** The one-stop forms issued so far (receipt, supplement requests, refusal, apologies) and the control slip. */
    forms,
  };
}

export type DossierView = Awaited<ReturnType<typeof dossierView>>;

export async function dossierDocument(ctx: AppContext, code: string, documentId: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const document = /^[0-9a-f-]{36}$/i.test(documentId) ? await dossiers.findDocument(ctx.db, dossier.id, documentId) : undefined;
  if (!document) throw new AppError('DOCUMENT_NOT_FOUND', 'Không tìm thấy tệp.');
  return { document, data: await readStoredFile(ctx.db, document.storageKey) };
}

export async function dossierResult(ctx: AppContext, code: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const issued = await findIssuedDocument(ctx.db, dossier.id, 'result');
  if (!issued) throw new AppError('RESULT_NOT_READY', 'Hồ sơ chưa có kết quả.');
  return { fileName: `${dossier.code}.pdf`, data: await readStoredFile(ctx.db, issued.storageKey) };
}
