// The staff dossier page's view model. Everything read from the workflow (labels, forms, documents, which actions
// sign the result) comes from the definition the dossier is pinned to, through services/viewing/dossier-view.ts;
// the register-check pre-fill comes from the master-register service, which decides which forms it fills.
import type { AppContext } from '../../../app-context.js';
import { vnToday } from '../../../calendar/vn-time.js';
import type { Caller } from '../../../services/access.js';
import { digitisedFromDossier, type DossierStoreEntry } from '../../../services/citizens/document-store.js';
import { optionsFor } from '../../../services/intake/routing.js';
import { filingFactsOf, type FilingFacts } from '../../../services/intake/filing-facts.js';
import { registerPrefills, type RegisterPrefill } from '../../../services/processing/master-register.js';
import { pendingSignatures } from '../../../services/results/batch-sign.js';
import { MESSAGES_LISTED, messagesOf, type DossierMessages } from '../../../services/messages/dossier-messages.js';
import { paymentPanel, type PaymentPanel } from '../../../services/payments/payment-ledger.js';
import { dossierDetails, type DossierDetails } from '../../../services/viewing/dossier-view.js';
import type { FieldOption } from '../../../workflow/types.js';
import { formLinks } from '../downloads.js';
import { messagesPanel, type MessageFormState } from '../messages-model.js';
import { documentViews, fieldViews, formDataRows } from '../form-view.js';
import { prefixedData } from '../common.js';
import { paymentPanelView } from './payments.js';
import { enc } from './shared.js';

/** A refused action, drawn again with what the official typed and the errors next to the fields. */
export interface ActionError { action: string; message: string; fields: Record<string, string>; values: Record<string, string> }

export interface StaffDossierExtra {
  actionError?: ActionError;
  flash?: string;
  /** The citizen's tracking token was just revoked: the new one, shown this once to hand to the citizen. */
  newToken?: string;
  /** A message to the citizen refused (empty, too long), drawn again with what was typed. */
  messageForm?: MessageFormState;
}

interface StaffDossierData {
  details: DossierDetails;
  prefills: Record<string, RegisterPrefill>;
  dataOptions: Record<string, FieldOption[]>;
  waiting: { waitingFor: string } | undefined;
  /** The official's local signing agent, as their browser reaches it (config SIGNING_AGENT_URL). */
  signingAgentUrl: string;
  /** Filed while signed in with VNeID: for whom, the person represented, a possible duplicate (null otherwise). */
  filing: FilingFacts | null;
  /** Messages with the citizen (reading them here marks the citizen's read). */
  messages: DossierMessages;
  /** What the desk digitised from this dossier into a person's store (each removable: "Gỡ khỏi kho"). */
  storeEntries: DossierStoreEntry[];
  /** The "Phí, lệ phí" panel: what is owed, the payments, their receipts and refunds. */
  payments: PaymentPanel;
}

/** The service calls behind the page. */
export async function loadStaffDossier(ctx: AppContext, code: string, caller: Caller): Promise<StaffDossierData> {
  const details = await dossierDetails(ctx, code, caller, { messages: MESSAGES_LISTED });
  const { view } = details;
  const dataOptions: Record<string, FieldOption[]> = {};
  for (const a of view.actions) for (const f of a.form?.fields ?? []) if (f.optionsFrom) dataOptions[f.name] = await optionsFor(ctx.db, f.optionsFrom);
  const [prefills, waiting, messages, filing, storeEntries, payments] = await Promise.all([
    // Ask nothing twice: a register check is filled from the electronic master register when it has the diploma.
    registerPrefills(ctx, code, caller, view.actions),
    caller.kind === 'staff' && !view.result ? pendingSignatures(ctx, caller).then((all) => all.find((p) => p.code === code), () => undefined) : undefined,
    // The dossier and the caller's access as dossierDetails loaded and checked them: not read again.
    messagesOf(ctx, details.dossier, details.actor, details.messages),
    filingFactsOf(ctx, details.dossier),
    digitisedFromDossier(ctx, details.dossier.id),
    paymentPanel(ctx, details.dossier, details.actor, caller),
  ]);
  return { details, prefills, dataOptions, waiting, signingAgentUrl: ctx.config.signingAgentUrl, messages, filing, storeEntries, payments };
}

const REGISTER_NOTES: Record<RegisterPrefill['outcome'], (p: RegisterPrefill) => string> = {
  filled: () => 'Đã điền sẵn từ sổ gốc điện tử; vui lòng đối chiếu trước khi xác nhận.',
  several: (p) => `Sổ gốc điện tử có ${p.matches} bản ghi trùng thông tin: đối chiếu và nhập tay.`,
  none: () => 'Không tìm thấy trong sổ gốc điện tử: đối chiếu sổ gốc giấy và nhập tay (Nguồn đối chiếu: sổ gốc giấy).',
};

const FILED_FOR: Record<NonNullable<FilingFacts['filedFor']>, string> = {
  self: 'Công dân tự nộp (đăng nhập VNeID)', child: 'Cha/mẹ nộp cho con (đăng nhập VNeID)', proxy: 'Nộp thay theo ủy quyền (đăng nhập VNeID)',
};

/** What the desk is told of a dossier filed while signed in (services/intake/filing-facts.ts). */
function filingView(facts: FilingFacts | null) {
  if (!facts?.filedFor) return null;
  return {
    filedFor: FILED_FOR[facts.filedFor], loa: facts.loa, subjectPersonalId: facts.subjectPersonalId,
    principal: facts.principal ? `${facts.principal.fullName} (số định danh ${facts.principal.personalId})` : null,
    possibleDuplicate: facts.possibleDuplicate ? { code: facts.possibleDuplicate.code, url: `/can-bo/ho-so/${enc(facts.possibleDuplicate.code)}` } : null,
  };
}

export function staffDossierModel(code: string, data: StaffDossierData, extra: StaffDossierExtra = {}) {
  const { details: { view, intakeForm, documents, resultActions, mayChangeTrackingToken }, prefills, dataOptions, waiting, signingAgentUrl, messages } = data;
  const page = `/can-bo/ho-so/${enc(code)}`;
  const api = `/api/dossiers/${enc(code)}`;
  const actions = view.actions.map((a) => {
    const err = extra.actionError?.action === a.name ? extra.actionError : undefined;
    const prefill = prefills[a.name];
    const values = err ? prefixedData(err.values, 'data.') : prefill?.values ?? {};
    return {
      ...a, url: `${page}/thao-tac/${enc(a.name)}`, id: `action-${a.name}`,
      fields: a.form ? fieldViews(a.form, values, err?.fields ?? {}, 'data.', vnToday(), dataOptions) : [],
      documents: a.documents.length > 0 ? documentViews(documents, a.documents, err?.fields ?? {}) : [],
      multipart: a.documents.length > 0, error: err?.message, commentRule: a.comment, commentValue: err?.values.comment ?? '', commentError: err?.fields.comment,
      signing: resultActions.includes(a.name), open: Boolean(err),
      registerNote: prefill ? REGISTER_NOTES[prefill.outcome](prefill) : null,
    };
  });
  return {
    signature: waiting ? { byPin: waiting.waitingFor === 'pin', byRemote: waiting.waitingFor === 'remote', url: `${page}/ky-so`, prepareApi: `${api}/signatures/prepare` } : null,
    // A USB token: the page hands a signing session to the local agent (templates/pages/partials/agent-signing.hbs).
    agentSigning: waiting?.waitingFor === 'external' ? { startApi: `${api}/signatures/agent`, agentUrl: signingAgentUrl } : null,
    title: `Hồ sơ ${code}`, dossier: view,
    dataRows: formDataRows(intakeForm, view.formData),
    documents: view.documents.map((d) => ({ ...d, isPdf: d.mimeType === 'application/pdf', isImage: d.mimeType.startsWith('image/') })),
    history: view.history,
    actions, previewUrl: resultActions.length > 0 ? `${page}/xem-truoc` : null,
    forms: formLinks(view, api), resultUrl: view.result?.url ?? null, flash: extra.flash,
    verifyUrl: view.result?.verifyUrl ?? null,
    claimUrl: view.actions.length > 0 ? `${page}/nhan-xu-ly` : null,
    // Staff whose unit holds the dossier may revoke the citizen's token.
    revokeTokenUrl: mayChangeTrackingToken ? `${page}/thu-hoi-ma-tra-cuu` : null,
    newToken: extra.newToken,
    assignee: view.assignee?.name ?? null,
    filing: filingView(data.filing),
    messages: messagesPanel(messages, `${page}/tin-nhan`, true, extra.messageForm),
    storeEntries: data.storeEntries.map((e) => ({ ...e, removeUrl: `${page}/so-hoa/${enc(e.id)}/go` })),
    payments: paymentPanelView(data.payments, code),
  };
}
