// The shape every other module relies on: a parsed, checked procedure definition and the engine's inputs/outputs.
// definition.ts holds the zod schema for the YAML file; these types are what the rest of the code imports.

export const SYSTEM_ROLES = ['citizen', 'clerk', 'specialist', 'leader', 'school', 'admin', 'system'] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

/**
 * The kinds of unit a workflow names instead of a unit id, so one file serves every province: `desk` the one-stop
 * desk, `office` the office in charge of the procedure, `leadership` the Department's board (whose seal the result
 * carries). Which unit plays each part is administration data (procedure_units, services/procedures/unit-roles.ts).
 */
export const UNIT_ROLES = ['desk', 'office', 'leadership'] as const;
export type UnitRole = (typeof UNIT_ROLES)[number];

export function isUnitRole(value: string): value is UnitRole {
  return (UNIT_ROLES as readonly string[]).includes(value);
}

export type FieldType =
  | 'text' | 'textarea' | 'email' | 'phone' | 'id-number' | 'date' | 'year' | 'integer' | 'select' | 'checkbox';

export interface FieldOption { value: string; label: string }

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  required: boolean;
  help?: string;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  /** Matched against the whole value (the engine anchors it); flags: `u`. */
  pattern?: string;
  patternMessage?: string;
  options?: FieldOption[];
  /** Makes an otherwise optional field required when another field of the same form has one of these values. */
  requiredWhen?: { field: string; in: string[] };
  /** For `date` fields: a date after today (Vietnam time) is rejected (dates of birth, issue dates). */
  notFuture?: boolean;
  /** For `select` fields whose options are data, not file content: resolved per request (services/routing.ts). */
  optionsFrom?: OptionsSource;
  /**
   * Intake form only: what the state vouches for (the signed-in citizen's VNeID claims) fills this field; a signed-in
   * filer sees it filled and cannot change it (the server overrides whatever is posted). Absent in stored versions.
   */
  prefill?: PrefillPath;
}

/**
 * What a signed-in citizen's claims vouch for. `applicant` is the signed-in filer; `pupil` is the person the dossier is
 * about: the chosen child when filing for a child, the filer when filing for oneself (for a proxy filing nothing is
 * vouched about the represented person: their name and ID number are typed and fill pupil.fullName / pupil.personalId).
 */
export const PREFILL_PATHS = [
  'applicant.fullName', 'applicant.personalId', 'applicant.birthDate', 'applicant.permanentAddress', 'applicant.currentAddress',
  'applicant.phone', 'applicant.email', 'pupil.fullName', 'pupil.personalId', 'pupil.birthDate', 'pupil.gender',
] as const;
export type PrefillPath = (typeof PREFILL_PATHS)[number];

/** Who a signed-in citizen may file for: themselves, one of their children (per the claims), or as an authorised proxy. */
export const FILING_MODES = ['self', 'child', 'proxy'] as const;
export type FilingMode = (typeof FILING_MODES)[number];

export interface FilingDef {
  for: FilingMode[];
  /** With `proxy`: the document (a key of `documents`) that becomes required on a proxy filing — the giấy ủy quyền. */
  proxyDocument?: string;
}

/** Versions stored before `filing` existed (and files without it): a citizen files for themselves only. */
export const DEFAULT_FILING: FilingDef = { for: ['self'] };

export function filingOf(definition: Pick<WorkflowDefinition, 'filing'>): FilingDef {
  return definition.filing ?? DEFAULT_FILING;
}

/** Data-backed option lists: `schools` = school units (value = unit id), `campaigns` = open admission campaigns. */
export type OptionsSource = 'schools' | 'campaigns';

/**
 * Where a dossier goes: the unit playing a role for the procedure, or the unit id held in an intake form field (e.g.
 * the receiving school). Versions stored before roles existed may hold a literal unit id in `unit` (see unit-roles.ts).
 */
export interface RouteTarget { unit?: UnitRole; field?: string }

/** Intake routing rule: the first rule whose `when` holds (or that has none) names the unit. */
export interface RoutingRule extends RouteTarget { when?: { field: string; in: string[] } }

export interface FormDef { title: string; fields: FieldDef[] }

export interface DocumentDef {
  label: string;
  required: boolean;
  /** Required when a field of the intake form has one of these values (for documents that are not always required). */
  requiredWhen?: { field: string; in: string[] };
  accept: string[];          // MIME types, detected from the file content
  maxSizeMb: number;
  maxFiles: number;
}

export type CommentRule = 'required' | 'optional' | 'none';

export interface TransitionDef {
  to: string;
  label: string;
  roles: string[];
  comment: CommentRule;
  form?: string;             // a key of `forms`: data the actor fills in for this action
  documents?: string[];      // keys of `documents` the action may carry (e.g. a supplement)
  guards: string[];
  effects: string[];
  /** Hand the dossier over to another unit as it takes this transition (recorded as a control-slip entry). */
  routeTo?: RouteTarget;
}

export interface StateDef {
  label: string;
  final: boolean;
  /** Optional time limit for this step alone, in working days from entering the state (the sweep watches it). */
  sla?: { workingDays: number };
  on: Record<string, TransitionDef>;
}

/**
 * What the procedure costs. `lines` (phí, lệ phí: code, label, amount in đồng) add up to `amount` and are what the
 * Payment Platform is asked for; `payment: before-processing` keeps a dossier at the desk until its fee is paid.
 */
export interface FeeDef {
  amount: number;
  note?: string;
  lines?: Array<{ code: string; label: string; amount: number }>;
  payment?: FeePayment;
}
export const FEE_PAYMENTS = ['optional', 'before-processing'] as const;
export type FeePayment = (typeof FEE_PAYMENTS)[number];

/**
 * The procedure as the national portal knows it: its national procedure code (mã TTHC, CSDL quốc gia về TTHC), and the
 * national status code (TrangThaiHoSo) each state is reported as.
 */
export interface NationalDef {
  procedureCode: string;
  statuses: Record<string, NationalStatusCode>;
}
/**
 * The national portal's dossier status codes (TrangThaiHoSo): 1 Mới đăng ký, 2 Được tiếp nhận, 3 Không được tiếp nhận,
 * 4 Đang xử lý, 5 Yêu cầu bổ sung giấy tờ, 6 Yêu cầu thực hiện nghĩa vụ tài chính, 7 Công dân yêu cầu rút hồ sơ,
 * 8 Dừng xử lý, 9 Đã xử lý xong, 10 Đã trả kết quả.
 */
export const NATIONAL_STATUS_CODES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] as const;
export type NationalStatusCode = (typeof NATIONAL_STATUS_CODES)[number];

export interface WorkflowDefinition {
  id: string;
  title: string;
  description: string;
  legalBasis: string[];
  applicants: string;
  // No agency: the deciding agency is that of the unit playing `office` for the procedure (administration data).
  unit: UnitRole;            // the role of the unit that handles new dossiers by default
  routing?: RoutingRule[];   // data-driven intake routing; falls back to `unit`
  intakeChecks: string[];    // names of database-backed intake rules (workflow/registry.ts KNOWN_INTAKE_CHECKS)
  sla: { workingDays: number; cutoff: string };
  fee: FeeDef;
  /** The procedure on the national public-service portal; absent: its dossiers are neither received from nor synced to it. */
  national?: NationalDef;
  roles: Record<string, string>;          // role → Vietnamese label; each must be a SYSTEM_ROLE
  forms: Record<string, FormDef>;
  intakeForm: string;                     // key of the form the citizen files
  contact: { name: string; email?: string; phone?: string; address?: string; idNumber?: string }; // intake field names
  /** Who a signed-in citizen may file for; absent (stored versions, files without it): DEFAULT_FILING. */
  filing?: FilingDef;
  documents: Record<string, DocumentDef>;
  initial: string;
  states: Record<string, StateDef>;
  result: ResultDef;
}

/**
 * The kinds a result can be (document_kinds keys, Decree 30 Appendix III): they give its number's register and symbol —
 * "05/QĐ-SGDĐT" for a decision in the outgoing register; a copy from the master register is numbered in the register
 * of copies issued and prints "Số vào sổ cấp bản sao: 01/BS-SGDĐT" where its template puts it.
 */
export const RESULT_DOCUMENT_KINDS = ['decision', 'notice', 'licence', 'referral', 'copy'] as const;
export type ResultDocumentKind = (typeof RESULT_DOCUMENT_KINDS)[number];

/**
 * Placeholders of a "Nơi nhận" line, filled when the result is rendered: `{applicant}` the applicant's name,
 * `{office}` the abbreviation (else the name) of the unit holding the dossier — the drafting unit Decree 30 names
 * after "Lưu: VT,".
 */
export const RECIPIENT_PLACEHOLDERS = ['applicant', 'office'] as const;

export interface ResultDef {
  template: string;
  title: string;
  signers: ResultSigner[];
  /** Absent in versions stored before documents were numbered: DEFAULT_RESULT_KIND. */
  documentKind?: ResultDocumentKind;
  /** The "Nơi nhận" lines; absent: DEFAULT_RECIPIENTS. */
  recipients?: string[];
}

export const DEFAULT_RESULT_KIND: ResultDocumentKind = 'decision';
export const DEFAULT_RECIPIENTS: readonly string[] = ['{applicant}', 'Lưu: VT'];

/**
 * One signature on the result, applied in list order as incremental updates. 'signature': the approving official
 * holding `role` (within the unit playing `unit` and the units below it, when given); 'seal': the organisation's seal
 * (key of the unit playing `unit`, e.g. the leadership, or of the unit holding the dossier when `unit` is not given),
 * applied once the signature before it is on.
 */
export interface ResultSigner { role: string; kind: 'signature' | 'seal'; unit?: UnitRole }

/** A definition as read from a file, with the hash that pins dossiers to it. */
export interface LoadedWorkflow {
  file: string;
  hash: string;
  definition: WorkflowDefinition;
}

/** What the engine needs to know of a dossier; nothing else. */
export interface DossierSnapshot {
  status: string;
  formData: Record<string, unknown>;
  documentKeys: string[];
}

export interface ActorRoles { roles: readonly string[] }

export interface ActionInput { comment?: string | null; data?: unknown }

export interface TransitionEvent {
  action: string;
  from: string;
  to: string;
  comment: string | null;
  data: Record<string, unknown> | null;
}

export interface TransitionResult {
  next: string;
  effects: string[];
  event: TransitionEvent;
}

export interface AvailableAction {
  name: string;
  label: string;
  to: string;
  needsComment: boolean;
  comment: CommentRule;
  form: FormDef | null;
  formKey: string | null;
  documents: string[];
}
