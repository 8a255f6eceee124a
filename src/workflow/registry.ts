// Pure names a workflow file may refer to: guards and database-backed intake checks. Files hold data only
// (DESIGN rule 3), so an unknown name is a load error. Effects have their own registry (src/effects/).

import type { ActionInput, DocumentDef, DossierSnapshot, WorkflowDefinition } from './types.js';

/** Intake rules that need the database, so they cannot be pure guards; services/submit-dossier.ts implements them. */
export const KNOWN_INTAKE_CHECKS = {
  'admission-campaign': 'Kỳ tuyển sinh đang mở, đúng khối lớp; các nguyện vọng là các trường khác nhau của kỳ.',
} as const satisfies Record<string, string>;

export type IntakeCheckName = keyof typeof KNOWN_INTAKE_CHECKS;

export function isKnownIntakeCheck(name: string): name is IntakeCheckName {
  return Object.hasOwn(KNOWN_INTAKE_CHECKS, name);
}

export interface GuardContext {
  definition: WorkflowDefinition;
  dossier: DossierSnapshot;
  input: ActionInput;
  action: string;
}

/** null = pass; a string = the Vietnamese reason shown to the official. Must be pure. */
export type Guard = (ctx: GuardContext) => string | null;

/** True when `data[cond.field]` is one of the listed values (compared as strings: forms post strings). */
export function conditionHolds(cond: { field: string; in: string[] }, data: Record<string, unknown>): boolean {
  const value = data[cond.field];
  if (value === undefined || value === null) return false;
  return cond.in.includes(String(value));
}

export function isDocumentRequired(doc: DocumentDef, formData: Record<string, unknown>): boolean {
  return doc.required || (doc.requiredWhen !== undefined && conditionHolds(doc.requiredWhen, formData));
}

/** Keys of the documents that are required for this form data but have no file; the intake service uses it too. */
export function missingRequiredDocuments(
  definition: WorkflowDefinition,
  formData: Record<string, unknown>,
  documentKeys: readonly string[],
): string[] {
  const present = new Set(documentKeys);
  return Object.entries(definition.documents)
    .filter(([key, doc]) => isDocumentRequired(doc, formData) && !present.has(key))
    .map(([key]) => key);
}

export const KNOWN_GUARDS: Readonly<Record<string, Guard>> = Object.freeze({
  'required-documents-present': ({ definition, dossier }: GuardContext): string | null => {
    const missing = missingRequiredDocuments(definition, dossier.formData, dossier.documentKeys);
    if (missing.length === 0) return null;
    const labels = missing.map((key) => definition.documents[key]?.label ?? key);
    return `Hồ sơ còn thiếu giấy tờ bắt buộc: ${labels.join('; ')}.`;
  },
  // School transfer: who acts first depends on where the pupil comes from (form field `scope`).
  'transfer-within-province': ({ dossier }: GuardContext): string | null =>
    dossier.formData.scope === 'within' ? null : 'Hồ sơ chuyển trường từ tỉnh khác do Sở Giáo dục và Đào tạo kiểm tra và giới thiệu.',
  // Admission: passing a dossier on to the next school chosen, in the citizen's order.
  'has-second-choice': ({ dossier }: GuardContext): string | null =>
    dossier.formData.choice2 ? null : 'Học sinh không đăng ký nguyện vọng 2.',
  'has-third-choice': ({ dossier }: GuardContext): string | null =>
    dossier.formData.choice3 ? null : 'Học sinh không đăng ký nguyện vọng 3.',
  'transfer-between-provinces': ({ dossier }: GuardContext): string | null =>
    dossier.formData.scope === 'between' ? null : 'Hồ sơ chuyển trường trong tỉnh do trường nơi đi xác nhận và giới thiệu.',
});

export function isKnownGuard(name: string, guards: Readonly<Record<string, Guard>> = KNOWN_GUARDS): boolean {
  return Object.hasOwn(guards, name);
}
