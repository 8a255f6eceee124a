// Filing while signed in with VNeID: who the dossier is for (oneself, one of one's children as the claims list them, or
// someone one represents with their written authorisation — the workflow's `filing.for` says which a procedure allows),
// and what the state vouches for. Fields marked `prefill` in the intake form take the vouched value whatever was
// posted: the server is the authority, never the browser. The apply page draws the same values from here.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { CitizenRow } from '../../db/repositories/citizens.js';
import { AppError } from '../../errors.js';
import { isPersonalId, PERSONAL_ID_MESSAGE } from '../../identity/personal-id.js';
import { validateFormData } from '../../workflow/form-schema.js';
import {
  FILING_MODES, filingOf, type FieldDef, type FilingMode, type FormDef, type PrefillPath, type WorkflowDefinition,
} from '../../workflow/types.js';
import { campaignGrade } from './admissions.js';
import { childOf, citizenFamily } from '../citizens/family.js';

/** The signed-in citizen filing, and the level of assurance of their sign-in (recorded on the dossier). */
export interface CitizenFiler { citizen: CitizenRow; loa: string | null }

/** What the filer asked for, as posted (page form fields or API multipart parts); checked by resolveFiling. */
export interface FilingRequest {
  filedFor?: string;
  childPersonalId?: string;
  /** Proxy filing: the represented person, typed (nothing about them is vouched). */
  principal?: { fullName?: string; personalId?: string; email?: string };
}

export interface Principal { fullName: string; personalId: string; email: string | null }

/** Where a proxy filing keeps the represented person in the dossier's form data (no form field starts with "_"). */
export const PRINCIPAL_KEY = '_principal';

/** The represented person of a proxy filing, as intake stored them; null for any other dossier. */
export function principalOf(formData: Record<string, unknown>): Principal | null {
  const p = formData[PRINCIPAL_KEY];
  if (typeof p !== 'object' || p === null) return null;
  const { fullName, personalId, email } = p as Record<string, unknown>;
  if (typeof fullName !== 'string' || typeof personalId !== 'string') return null;
  return { fullName, personalId, email: typeof email === 'string' && email ? email : null };
}

export interface ResolvedFiling {
  filedFor: FilingMode;
  /**
   * The ID number of the person the dossier is about, when the state vouches for it: the filer or their child. Null for
   * a proxy filing: the represented person's ID number is only typed (nothing proves the filer holds their
   * authorisation until the desk reads it), so it never opens anyone's space, store or duplicate check — it is kept in
   * the form data (PRINCIPAL_KEY) for the desk and the notification.
   */
  subjectPersonalId: string | null;
  /** What fills each prefill path: vouched by the claims, or (proxy) the represented person's typed name and ID. */
  values: Partial<Record<PrefillPath, string>>;
  principal: Principal | null;
  /** Proxy filing: the document that is required then (the authorisation). */
  requiredDocument: string | null;
  /** Problems with the typed principal, reported with the form's own problems (one 422 lists everything). */
  problems: Record<string, string>;
}

/** The form field names of the filing choice (page and API alike). */
export const FILING_FIELDS = ['filedFor', 'childPersonalId', 'principalName', 'principalPersonalId', 'principalEmail'] as const;

const principalEmail = z.email();

/** The filing modes a procedure allows a signed-in citizen, in the order the page offers them. */
export function allowedFilingModes(definition: Pick<WorkflowDefinition, 'filing'>): FilingMode[] {
  const allowed = filingOf(definition).for;
  return FILING_MODES.filter((m) => allowed.includes(m));
}

export async function resolveFiling(ctx: Pick<AppContext, 'db'>, definition: WorkflowDefinition, filer: CitizenFiler, request: FilingRequest): Promise<ResolvedFiling> {
  const allowed = allowedFilingModes(definition);
  const modeLabels: Record<FilingMode, string> = { self: 'cho bản thân', child: 'cho con', proxy: 'theo ủy quyền' };
  const allowedText = allowed.map((m) => modeLabels[m]).join(', ');
  let mode: FilingMode;
  if (request.filedFor === undefined || request.filedFor === '') {
    // Without a choice: for oneself where the procedure allows it, for the child named when only that fits.
    if (allowed.includes('self')) mode = 'self';
    else if (allowed.includes('child') && request.childPersonalId) mode = 'child';
    else throw new AppError('VALIDATION_FAILED', `Chọn nộp hồ sơ cho ai (thủ tục này cho phép nộp ${allowedText}).`, { filedFor: 'Bắt buộc.' });
  } else if (!(FILING_MODES as readonly string[]).includes(request.filedFor)) {
    throw new AppError('VALIDATION_FAILED', 'Trường hợp nộp không hợp lệ.', { filedFor: `Chỉ nhận ${FILING_MODES.join(', ')}.` });
  } else {
    mode = request.filedFor as FilingMode;
  }
  if (!allowed.includes(mode)) {
    throw new AppError('FILING_NOT_ALLOWED', `Thủ tục này không cho phép nộp ${modeLabels[mode]}; chỉ nộp ${allowedText}.`, { filedFor: `Chỉ nộp ${allowedText}.` });
  }

  const citizen = filer.citizen;
  const values: Partial<Record<PrefillPath, string>> = {};
  const put = (path: PrefillPath, value: string | null | undefined) => { if (value) values[path] = value; };
  put('applicant.fullName', citizen.fullName);
  put('applicant.personalId', citizen.personalId);
  put('applicant.birthDate', citizen.birthDate);
  put('applicant.permanentAddress', citizen.permanentAddress);
  put('applicant.currentAddress', citizen.currentAddress);
  put('applicant.phone', citizen.phone);
  put('applicant.email', citizen.email);
  // The pupil is whoever the dossier is for, as vouched: the filer or their child.
  const putPupil = (person: { fullName: string; personalId: string; birthDate: string | null; gender: string | null }) => {
    put('pupil.fullName', person.fullName);
    put('pupil.personalId', person.personalId);
    put('pupil.birthDate', person.birthDate);
    put('pupil.gender', person.gender);
  };

  if (mode === 'self') {
    putPupil(citizen);
    return { filedFor: mode, subjectPersonalId: citizen.personalId, values, principal: null, requiredDocument: null, problems: {} };
  }
  if (mode === 'child') {
    const childId = (request.childPersonalId ?? '').trim();
    if (!childId) throw new AppError('VALIDATION_FAILED', 'Chọn người con được nộp hồ sơ.', { childPersonalId: 'Bắt buộc.' });
    // Only the children the last sign-in's claims listed (the population database), never an ID number typed in.
    const child = childOf(await citizenFamily(ctx.db, citizen), childId);
    if (!child) {
      throw new AppError('NOT_YOUR_CHILD', 'Người được chọn không phải con của bạn theo Cơ sở dữ liệu quốc gia về dân cư (VNeID).',
        { childPersonalId: 'Không phải con của bạn theo dữ liệu VNeID.' });
    }
    putPupil(child);
    return { filedFor: mode, subjectPersonalId: child.personalId, values, principal: null, requiredDocument: null, problems: {} };
  }

  // Proxy: the represented person's name and ID number are typed; the dossier is the filer's alone (see subjectPersonalId).
  // Follow-up, not built: the desk confirming the authorisation could then link the dossier to the principal.
  const problems: Record<string, string> = {};
  const fullName = (request.principal?.fullName ?? '').normalize('NFC').trim();
  const personalId = (request.principal?.personalId ?? '').trim();
  const email = (request.principal?.email ?? '').trim();
  if (!fullName) problems.principalName = 'Nhập họ và tên người ủy quyền.';
  else if ([...fullName].length > 100) problems.principalName = 'Tối đa 100 ký tự.';
  else if (/\p{Cc}/u.test(fullName)) problems.principalName = 'Có ký tự không hợp lệ.';
  if (!isPersonalId(personalId)) problems.principalPersonalId = PERSONAL_ID_MESSAGE;
  else if (personalId === citizen.personalId) problems.principalPersonalId = 'Đây là số định danh của chính bạn: hãy chọn nộp cho bản thân.';
  if (email && !principalEmail.safeParse(email).success) problems.principalEmail = 'Email không hợp lệ.';
  put('pupil.fullName', fullName);
  put('pupil.personalId', personalId);
  return {
    filedFor: mode, subjectPersonalId: null, values,
    principal: { fullName, personalId, email: email || null },
    requiredDocument: filingOf(definition).proxyDocument ?? null, problems,
  };
}

/**
 * The value each `prefill` field of the intake form takes from `values`: only values the field accepts (a gender the
 * select has no option for, or a phone the form's rules refuse, is left for the citizen to type — a locked field they
 * could never correct would block the filing). Keyed by field name.
 */
export function prefilledFields(form: FormDef, values: Partial<Record<PrefillPath, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of form.fields) {
    if (!field.prefill) continue;
    const value = fitValue(field, values[field.prefill]);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function fitValue(field: FieldDef, raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const value = field.type === 'phone' ? raw.replace(/[\s.()-]/g, '') : raw;
  if (field.type === 'select' && !field.options?.some((o) => o.value === value)) return undefined;
  const alone: FormDef = { title: field.label, fields: [{ ...field, required: false, requiredWhen: undefined }] };
  return validateFormData(alone, { [field.name]: value }).ok ? value : undefined;
}

/**
 * Fields the system derives instead of asking (for a signed-in filer): an admission registration's grade is the
 * campaign's. Names only, for the page; values by deriveFields.
 */
export function derivedFieldNames(definition: WorkflowDefinition): string[] {
  const form = definition.forms[definition.intakeForm];
  return definition.intakeChecks.includes('admission-campaign') && form?.fields.some((f) => f.name === 'grade') ? ['grade'] : [];
}

export async function deriveFields(ctx: AppContext, definition: WorkflowDefinition, data: Record<string, unknown>): Promise<Record<string, string>> {
  if (!derivedFieldNames(definition).includes('grade') || typeof data.campaign !== 'string' || data.campaign === '') return {};
  const grade = await campaignGrade(ctx, data.campaign);
  return grade === undefined ? {} : { grade: String(grade) };
}

/** One "Nộp cho" option of the apply page: `value` is what the page's `?cho=` carries. */
export interface FilingChoice { value: string; label: string; filedFor: FilingMode; childPersonalId: string | null }

export const CHOICE_SELF = 'ban-than';
export const CHOICE_PROXY = 'uy-quyen';

/** What a signed-in citizen may choose for this procedure: themselves, each child the claims list, a proxy filing. */
export async function filingChoices(ctx: Pick<AppContext, 'db'>, definition: WorkflowDefinition, citizen: CitizenRow): Promise<FilingChoice[]> {
  const choices: FilingChoice[] = [];
  for (const mode of allowedFilingModes(definition)) {
    if (mode === 'self') choices.push({ value: CHOICE_SELF, label: `Bản thân tôi (${citizen.fullName})`, filedFor: 'self', childPersonalId: null });
    if (mode === 'child') {
      for (const child of (await citizenFamily(ctx.db, citizen)).children) {
        const born = child.birthDate ? `, sinh ngày ${child.birthDate.split('-').reverse().join('/')}` : '';
        choices.push({ value: child.personalId, label: `Con: ${child.fullName}${born}`, filedFor: 'child', childPersonalId: child.personalId });
      }
    }
    if (mode === 'proxy') choices.push({ value: CHOICE_PROXY, label: 'Người khác, theo giấy ủy quyền', filedFor: 'proxy', childPersonalId: null });
  }
  return choices;
}

/** The page's choice value for what was posted (to draw the form again after an error). */
export function choiceValueOf(request: FilingRequest): string | undefined {
  if (request.filedFor === 'self') return CHOICE_SELF;
  if (request.filedFor === 'proxy') return CHOICE_PROXY;
  if (request.filedFor === 'child') return request.childPersonalId;
  return undefined;
}
