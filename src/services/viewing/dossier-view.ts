// What a caller sees of a dossier: status, history, documents, and the actions they may take now — always read
// from the definition version the dossier is pinned to (DESIGN rule 12). dossierView is the JSON API's shape;
// dossierDetails adds what pages draw from that same pinned definition, so no page looks a definition up itself.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { loadDossierViewRows, type LoadedMessages } from '../../db/repositories/dossier-view.js';
import { findIssuedDocument, type IssuedDocumentRow } from '../../db/repositories/issued-documents.js';
import { findStaffById } from '../../db/repositories/staff.js';
import { AppError, dossierNotFound } from '../../errors.js';
import { availableActions, getTransition, stateLabel } from '../../workflow/engine.js';
import type { DocumentDef, FormDef, WorkflowDefinition } from '../../workflow/types.js';
import { actorForDossier, loadDossierFor, settleStaffBearer, verificationUrl, type Actor, type Caller } from '../access.js';
import { commentForCitizen, eventLabel } from '../history-events.js';
import { formsOf, type FormListing } from '../results/one-stop-forms.js';
import { vnDay } from '../../calendar/vn-time.js';
import { channelLabel } from './channels.js';
import type { PaymentRow } from '../../db/repositories/payment-records.js';
import { paymentSummary } from '../payments/payment-rules.js';

/** The view and, from the pinned definition, what pages need to draw it. */
export interface DossierDetails {
  view: DossierView;
  /** The intake form the citizen filled (labels and options of `view.formData`). */
  intakeForm: FormDef | undefined;
  /** The document rules by key (labels, accepted types, sizes) for the upload widgets of actions and supplements. */
  documents: Record<string, DocumentDef>;
  /** Names of the actions in `view.actions` that render and sign the result (the effects registry decides). */
  resultActions: string[];
  /** The caller may change the citizen's tracking token: the citizen, or staff whose unit holds the dossier now. */
  mayChangeTrackingToken: boolean;
  /**
   * The dossier as loaded and the caller's actor on it, checked for 'view': what the page's other reads (messages,
   * survey, filing facts) take, so a page loads the dossier and checks access once.
   */
  dossier: dossiers.DossierRow;
  actor: Actor;
  /** The citizen's satisfaction rating, read with the view (the page's survey panel); null when not rated. */
  surveyRating: string | null;
  /** With `options.messages`: the conversation read in the same statement, for messagesOf (services/messages). */
  messages?: LoadedMessages;
}

export async function dossierView(ctx: AppContext, code: string, caller: Caller): Promise<DossierView> {
  return (await dossierDetails(ctx, code, caller)).view;
}

/**
 * `options.messages`: the pages draw the conversation too; its latest `messages` rows come in the same statement
 * (one round trip fewer on every page view, issue 15).
 */
export async function dossierDetails(ctx: AppContext, code: string, caller: Caller, options: { messages?: number } = {}): Promise<DossierDetails> {
  // One statement reads the dossier and everything the view shows of it (repositories/dossier-view.ts); the access
  // check then needs no query for a tracking token. Unknown codes and wrong tokens stay the same 404 (access.ts).
  const rows = await loadDossierViewRows(ctx.database, code, options);
  if (!rows) {
    await settleStaffBearer(caller);
    throw dossierNotFound();
  }
  const { dossier, documents, events, unit, payments } = rows;
  const actor = await actorForDossier(ctx, dossier, caller);
  const [definition, versionRow, assignee] = await Promise.all([
    ctx.catalog.definitionFor(dossier.procedureVersionId),
    ctx.catalog.versionNumber(dossier.procedureVersionId),
    // Who works on it is the office's business: citizens are not told.
    dossier.assigneeId && actor.kind !== 'citizen' ? findStaffById(ctx.db, dossier.assigneeId) : undefined,
  ]);
  const result = rows.issued.find((d) => d.kind === 'result');
  const forms = formsOf(dossier, rows.issued, rows.firstHandoverAt, events);
  const view = buildView({
    definition, dossier, actor, documents, events, result, unit, version: versionRow, forms, assignee, payments,
    verifyUrl: result ? verificationUrl(ctx.secret, dossier) : null,
  });
  return {
    view,
    intakeForm: definition.forms[definition.intakeForm],
    documents: definition.documents,
    resultActions: view.actions
      .filter((a) => ctx.effects.issuesResult(getTransition(definition, dossier.status, a.name)?.effects ?? []))
      .map((a) => a.name),
    // Staff who only see a dossier (handed on from their unit) have no roles on it.
    mayChangeTrackingToken: actor.kind === 'citizen' || (actor.kind === 'staff' && actor.roles.length > 0),
    dossier, actor, surveyRating: rows.surveyRating, messages: rows.messages,
  };
}

interface ViewInput {
  definition: WorkflowDefinition;
  dossier: dossiers.DossierRow;
  actor: Actor;
  documents: dossiers.DossierDocumentRow[];
  events: dossiers.DossierEventRow[];
  result: IssuedDocumentRow | undefined;
  unit: { id: string; name: string } | undefined;
  version: number;
  forms: FormListing[];
  assignee: { id: string; fullName: string } | undefined;
  payments: PaymentRow[];
  /** The public verification page of the result, with the key printed in its QR code. */
  verifyUrl: string | null;
}

function buildView({ definition, dossier, actor, documents, events, result, unit, version, forms, assignee, payments, verifyUrl }: ViewInput) {
  const base = `/api/dossiers/${encodeURIComponent(dossier.code)}`;
  return {
    code: dossier.code,
    procedure: { id: definition.id, version, title: definition.title },
    status: dossier.status,
    statusLabel: stateLabel(definition, dossier.status),
    version: dossier.version,
    channel: dossier.channel,
    channelLabel: channelLabel(dossier.channel),
    /** The national portal's dossier code (MaHoSo) of a dossier it pushed; null otherwise. */
    nationalCode: dossier.nationalCode,
    unit: unit ? { id: unit.id, name: unit.name } : null,
    /** The staff member working on it (claimed or assigned); null when unassigned, and always for citizens. */
    assignee: assignee ? { id: assignee.id, name: assignee.fullName } : null,
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
      // Attached from the citizen's e-document store instead of uploaded ("Tái sử dụng từ kho dữ liệu").
      reused: d.reusedFromDocumentId !== null,
    })),
    history: events.map((e) => ({
      at: e.at.toISOString(), action: e.action, actionLabel: eventLabel(definition, e), from: e.fromStatus, to: e.toStatus,
      // A citizen reads only the comments written for them (history-events.ts); staff read every note.
      actor: e.actorName, actorKind: e.actorKind, comment: actor.kind === 'citizen' ? commentForCitizen(definition, e) : e.comment,
    })),
    actions: availableActions(definition, dossier.status, { roles: actor.roles }).map((a) => ({
      name: a.name, label: a.label, needsComment: a.needsComment, comment: a.comment, form: a.form, documents: a.documents,
    })),
    result: result && verifyUrl
      ? { url: `${base}/result`, issuedAt: (result.signedAt ?? result.createdAt).toISOString(), sha256: result.sha256, verifyUrl }
      : null,
    /** The one-stop forms issued so far (receipt, supplement requests, refusal, apologies) and the control slip. */
    forms,
    /** The fee of the pinned definition and where its payment stands (services/payments/payment-rules.ts). */
    payment: paymentSummary(definition, payments),
  };
}

export type DossierView = ReturnType<typeof buildView>;

export async function dossierDocument(ctx: AppContext, code: string, documentId: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const document = /^[0-9a-f-]{36}$/i.test(documentId) ? await dossiers.findDocument(ctx.db, dossier.id, documentId) : undefined;
  if (!document) throw new AppError('DOCUMENT_NOT_FOUND', 'Không tìm thấy tệp.');
  // Streamed from object storage (checked against its SHA-256 as it goes), PostgreSQL's bytes as they are.
  return { document, data: (await ctx.files.open(ctx.db, document.storageKey)).data };
}

export async function dossierResult(ctx: AppContext, code: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const issued = await findIssuedDocument(ctx.db, dossier.id, 'result');
  if (!issued) throw new AppError('RESULT_NOT_READY', 'Hồ sơ chưa có kết quả.');
  return { fileName: `${dossier.code}.pdf`, data: (await ctx.files.open(ctx.db, issued.storageKey)).data };
}
