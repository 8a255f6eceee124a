// The zod schema of a workflow YAML file. Its output is exactly WorkflowDefinition (types.ts); the
// compile-time check at the bottom keeps the two from drifting apart. Objects are strict because a
// misspelt key (`comments: required`) silently ignored would change how a procedure behaves.
// Cross-references (states, roles, forms, registry names) are checked by loader.ts, which can report
// them with the offending name and all at once.

import { z } from 'zod';
import type {
  DocumentDef,
  FieldDef,
  FormDef,
  StateDef,
  TransitionDef,
  UnitRole,
  WorkflowDefinition,
} from './types.js';
import { FEE_PAYMENTS, FILING_MODES, isUnitRole, NATIONAL_STATUS_CODES, PREFILL_PATHS, RECIPIENT_PLACEHOLDERS, RESULT_DOCUMENT_KINDS, UNIT_ROLES } from './types.js';

export const IDENTIFIER = /^[a-z][a-zA-Z0-9_]*$/;
/** Procedure ids appear in URLs and dossier codes, hence kebab-case rather than identifiers. */
export const PROCEDURE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** Names of guards and effects registered in code (registry.ts). */
export const REGISTRY_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

const identifier = z.string().regex(IDENTIFIER, 'phải là định danh dạng camelCase/snake_case (a-z, A-Z, 0-9, _), bắt đầu bằng chữ thường');
const registryName = z.string().regex(REGISTRY_NAME, 'phải là tên dạng kebab-case (vd. start-clock)');
const text = z.string().trim().min(1, 'không được để trống');
/**
 * A kind of unit, never a unit id: which of the province's units plays it is administration data, so the same file
 * serves every province.
 */
const unitRole = z.string().pipe(z.custom<UnitRole>(
  (v) => typeof v === 'string' && isUnitRole(v),
  `phải là vai trò đơn vị (${UNIT_ROLES.join(', ')}), không phải mã đơn vị: đơn vị cụ thể do quản trị viên phân công cho từng vai trò`,
));

const condition = z.strictObject({
  field: identifier,
  in: z.array(z.string().min(1)).min(1, 'cần ít nhất một giá trị'),
});

const fieldSchema = z
  .strictObject({
    name: identifier,
    type: z.enum(['text', 'textarea', 'email', 'phone', 'id-number', 'date', 'year', 'integer', 'select', 'checkbox']),
    label: text,
    required: z.boolean().default(false),
    help: z.string().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'biểu thức chính quy không hợp lệ')
      .optional(),
    patternMessage: z.string().optional(),
    options: z.array(z.strictObject({ value: z.string().min(1), label: text })).optional(),
    requiredWhen: condition.optional(),
    notFuture: z.boolean().optional(),
    optionsFrom: z.enum(['schools', 'campaigns']).optional(),
    // Optional, not defaulted: versions stored before it existed read without it (nothing vouched).
    prefill: z.enum(PREFILL_PATHS).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) {
      ctx.addIssue({ code: 'custom', path: ['minLength'], message: `minLength (${f.minLength}) lớn hơn maxLength (${f.maxLength})` });
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${f.min}) lớn hơn max (${f.max})` });
    }
    if (f.notFuture && f.type !== 'date') {
      ctx.addIssue({ code: 'custom', path: ['notFuture'], message: `notFuture chỉ dùng cho trường kiểu date (trường "${f.name}" kiểu ${f.type})` });
    }
  });

const formSchema = z.strictObject({
  title: text,
  fields: z.array(fieldSchema).min(1, 'biểu mẫu cần ít nhất một trường'),
});

const documentSchema = z.strictObject({
  label: text,
  required: z.boolean().default(false),
  requiredWhen: condition.optional(),
  accept: z.array(z.string().regex(/^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/, 'kiểu MIME không hợp lệ')).min(1),
  maxSizeMb: z.number().positive(),
  maxFiles: z.number().int().min(1).default(1),
});

const transitionSchema = z.strictObject({
  to: identifier,
  label: text,
  roles: z.array(identifier).min(1, 'cần ít nhất một vai trò'),
  comment: z.enum(['required', 'optional', 'none']).default('none'),
  form: identifier.optional(),
  documents: z.array(identifier).optional(),
  guards: z.array(registryName).default([]),
  effects: z.array(registryName).default([]),
  routeTo: z.strictObject({ unit: unitRole.optional(), field: identifier.optional() })
    .refine((r) => (r.unit === undefined) !== (r.field === undefined), 'routeTo cần đúng một trong unit hoặc field')
    .optional(),
});

const stateSchema = z.strictObject({
  label: text,
  final: z.boolean().default(false),
  sla: z.strictObject({ workingDays: z.number().int().min(1) }).optional(),
  on: z.record(identifier, transitionSchema).default({}),
});

export const workflowFileSchema = z.strictObject({
  id: z.string().regex(PROCEDURE_ID, 'mã thủ tục phải dạng kebab-case (vd. diploma-copy)'),
  title: text,
  description: z.string().default(''),
  legalBasis: z.array(text).min(1, 'cần ít nhất một căn cứ pháp lý'),
  applicants: text,
  unit: unitRole,
  routing: z.array(z.strictObject({ when: condition.optional(), unit: unitRole.optional(), field: identifier.optional() })
    .refine((r) => (r.unit === undefined) !== (r.field === undefined), 'mỗi quy tắc routing cần đúng một trong unit hoặc field'))
    .optional(),
  // Intake rules that need the database (e.g. an admission campaign's window), named here, implemented in code.
  intakeChecks: z.array(z.string().regex(REGISTRY_NAME, 'tên phải viết thường, nối bằng dấu gạch ngang')).default([]),
  sla: z.strictObject({
    workingDays: z.number().int().min(1),
    cutoff: z.string().regex(TIME_OF_DAY, 'giờ phải dạng HH:mm (vd. 15:00)'),
  }),
  // `lines` and `payment` optional, not defaulted: a stored version without them keeps its hash.
  fee: z.strictObject({
    amount: z.number().int().min(0),
    note: z.string().optional(),
    lines: z.array(z.strictObject({
      code: z.string().trim().regex(/^[A-Za-z0-9._-]{1,40}$/, 'mã khoản thu: chữ, số, dấu chấm, gạch (tối đa 40 ký tự)'),
      label: text,
      amount: z.number().int().min(1, 'số tiền phải lớn hơn 0'),
    })).min(1, 'cần ít nhất một khoản thu').optional(),
    payment: z.enum(FEE_PAYMENTS).optional(),
  }),
  national: z.strictObject({
    procedureCode: z.string().trim().regex(/^[A-Za-z0-9.]{1,60}$/, 'mã TTHC quốc gia: chữ, số và dấu chấm (vd. 1.005092.000.00.00.H56)'),
    statuses: z.record(identifier, z.enum(NATIONAL_STATUS_CODES, { error: 'mã trạng thái quốc gia phải từ 1 đến 10' })),
  }).optional(),
  roles: z.record(identifier, text),
  forms: z.record(identifier, formSchema),
  intakeForm: identifier.default('request'),
  contact: z.strictObject({
    name: identifier,
    email: identifier.optional(),
    phone: identifier.optional(),
    address: identifier.optional(),
    idNumber: identifier.optional(),
  }),
  // Optional, not defaulted (filingOf gives the default): a stored version without it keeps its hash.
  filing: z.strictObject({
    for: z.array(z.enum(FILING_MODES)).min(1, 'cần ít nhất một trường hợp nộp')
      .refine((modes) => new Set(modes).size === modes.length, 'trường hợp nộp bị trùng'),
    proxyDocument: identifier.optional(),
  }).optional(),
  documents: z.record(identifier, documentSchema).default({}),
  initial: identifier,
  states: z.record(identifier, stateSchema),
  result: z.strictObject({
    template: z
      .string()
      .min(1)
      // Templates are resolved under the templates directory; a path that climbs out of it is never legitimate.
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'đường dẫn mẫu phải nằm trong thư mục templates'),
    title: text,
    signers: z
      .array(
        z
          // A seal without `unit` is the seal of the unit holding the dossier when it is signed (e.g. the deciding school).
          .strictObject({ role: identifier, kind: z.enum(['signature', 'seal']).default('signature'), unit: unitRole.optional() }),
      )
      .min(1, 'cần ít nhất một người ký'),
    // Optional, not defaulted: versions stored before these keys existed are read without them (render-and-sign.ts).
    documentKind: z.enum(RESULT_DOCUMENT_KINDS).optional(),
    recipients: z.array(text.refine(knownPlaceholders, {
      error: `chỉ dùng các chỗ điền ${RECIPIENT_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
    })).min(1, 'cần ít nhất một nơi nhận').optional(),
  }),
});

/** Every `{name}` in a recipient line is one render-and-sign.ts fills. */
function knownPlaceholders(line: string): boolean {
  return [...line.matchAll(/\{([^{}]*)\}/g)].every((m) => (RECIPIENT_PLACEHOLDERS as readonly string[]).includes(m[1]!));
}

export type WorkflowFile = z.output<typeof workflowFileSchema>;

// Compile-time guard: the schema output and the contract in types.ts must be mutually assignable.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const contractChecks: [
  Mutual<WorkflowFile, WorkflowDefinition>,
  Mutual<WorkflowFile['forms'][string], FormDef>,
  Mutual<WorkflowFile['forms'][string]['fields'][number], FieldDef>,
  Mutual<WorkflowFile['documents'][string], DocumentDef>,
  Mutual<WorkflowFile['states'][string], StateDef>,
  Mutual<WorkflowFile['states'][string]['on'][string], TransitionDef>,
] = [true, true, true, true, true, true];
void contractChecks;
