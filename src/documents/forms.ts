// The standard one-stop forms (Circular 01/2018/TT-VPCP, Appendix): what each is called, which workflow effect
// issues it, its body template and who signs it. They are laid out by the same Decree 30 engine as results
// (render-result.ts), so header, title, date line, signature block and QR behave the same everywhere.
//
// Kinds and sequence. issued_documents has one row per (dossier, kind). A dossier can be asked for supplements
// (or apologised to, or received again after a supplement) more than once, so the stored kind carries the ordinal
// of the issue: the 1st is `supplement-request`, the 2nd `supplement-request-2`, and so on. The ordinal is counted
// from the append-only history (events whose transition carries the form's effect, up to the issuing event), so a
// retried job computes the same kind and the unique index keeps a single document. URLs stay stable: a link to
// `/forms/supplement-request` always means the first one.
//
// The control slip is not stored: it is a running record of every hand-over, rendered when asked for from the
// append-only history (dossier_handovers when routing records them), so it is always complete and never stale.
//
// Numbers. Each form is numbered in the issuing agency's register like any document it issues (Decree 30): the form
// kind is its document kind ("12/TNHS-SGDĐT"), the number is given by services/results/one-stop-forms.ts and passed
// in here already formatted.
import { renderResultPdf, type ResultDocumentInput } from './render-result.js';

export const FORM_KINDS = ['receipt', 'supplement-request', 'refusal', 'apology', 'control-slip'] as const;
export type FormKind = (typeof FORM_KINDS)[number];
/** The forms a job issues and stores; the control slip is rendered on demand. */
export type StoredFormKind = Exclude<FormKind, 'control-slip'>;

export interface FormSpec {
  kind: FormKind;
  /** The workflow effect that issues it (none for the control slip). */
  effect?: string;
  /** Short label for lists (the dossier's `forms` array, e-mails). */
  label: string;
  /** Title printed on the form (capitals per Decree 30). */
  title: string;
  template: string;
  /** Caption above the signer's name. */
  signerTitle: string;
}

export const FORM_SPECS: Readonly<Record<FormKind, FormSpec>> = {
  receipt: {
    kind: 'receipt', effect: 'issue-receipt', label: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
    title: 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
    template: 'documents/forms/receipt.hbs', signerTitle: 'NGƯỜI TIẾP NHẬN HỒ SƠ',
  },
  'supplement-request': {
    kind: 'supplement-request', effect: 'issue-supplement-request', label: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
    title: 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ',
    template: 'documents/forms/supplement-request.hbs', signerTitle: 'NGƯỜI HƯỚNG DẪN',
  },
  refusal: {
    kind: 'refusal', effect: 'issue-refusal', label: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
    title: 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ',
    template: 'documents/forms/refusal.hbs', signerTitle: 'NGƯỜI TỪ CHỐI TIẾP NHẬN',
  },
  apology: {
    kind: 'apology', effect: 'issue-apology', label: 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
    title: 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
    template: 'documents/forms/apology.hbs', signerTitle: 'ĐẠI DIỆN ĐƠN VỊ GIẢI QUYẾT',
  },
  'control-slip': {
    kind: 'control-slip', label: 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
    title: 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ',
    template: 'documents/forms/control-slip.hbs', signerTitle: 'NGƯỜI LẬP PHIẾU',
  },
};

export function isFormKind(value: string): value is FormKind {
  return (FORM_KINDS as readonly string[]).includes(value);
}

/** The stored kind of the n-th (1-based) issue of a form: `supplement-request`, `supplement-request-2`, ... */
export function storedKind(kind: StoredFormKind, ordinal: number): string {
  return ordinal <= 1 ? kind : `${kind}-${ordinal}`;
}

/** The inverse of storedKind; undefined for anything that is not a form kind (e.g. `result`). */
export function parseStoredKind(stored: string): { kind: FormKind; ordinal: number } | undefined {
  const match = /^([a-z-]+?)(?:-(\d{1,3}))?$/.exec(stored);
  if (!match || !isFormKind(match[1]!)) return undefined;
  const ordinal = match[2] ? Number(match[2]) : 1;
  // The first issue is spelled without a suffix: "receipt-1" (or "-0") is not a name we hand out.
  if (match[2] !== undefined && ordinal < 2) return undefined;
  return { kind: match[1] as FormKind, ordinal };
}

export function formLabel(stored: string): string {
  const parsed = parseStoredKind(stored);
  if (!parsed) return stored;
  const label = FORM_SPECS[parsed.kind].label;
  return parsed.ordinal > 1 ? `${label} (lần ${parsed.ordinal})` : label;
}

export interface FormDocumentInput {
  kind: FormKind;
  /** Ordinal of this issue (the n-th supplement request of the dossier). */
  ordinal: number;
  /** From the issuing agency's register: "12/TNHS-SGDĐT". */
  documentNumber: string;
  templatesDir?: string;
  dossierCode: string;
  /** Tracking page behind the QR code (the dossier code only: a paper form may be seen by others). */
  trackingUrl: string;
  issuer: { parentName: string; agencyName: string };
  place: string;
  issuedAt: Date;
  signerName: string;
  context: Record<string, unknown>;
}

export function formDocumentInput(input: FormDocumentInput): ResultDocumentInput {
  const spec = FORM_SPECS[input.kind];
  return {
    template: spec.template,
    templatesDir: input.templatesDir,
    title: spec.title,
    dossierCode: input.dossierCode,
    documentNumber: input.documentNumber,
    verifyUrl: input.trackingUrl,
    issuer: input.issuer,
    place: input.place,
    issuedAt: input.issuedAt,
    signer: { name: input.signerName, title: spec.signerTitle },
    recipients: [],
    context: input.context,
  };
}

/** The form's PDF, unsigned: the issuing organisation's seal is applied by the caller (one-stop-forms.ts). */
export function renderFormPdf(input: FormDocumentInput): Promise<Buffer> {
  return renderResultPdf(formDocumentInput(input));
}
