// Turns a FormDef from a workflow file into a zod schema with Vietnamese messages. Input comes from
// multipart forms (everything a string) as well as JSON, so values are cleaned and coerced first:
// strings trimmed and NFC-normalised (Vietnamese typed on different keyboards arrives composed or
// decomposed), empty strings treated as absent, numbers parsed from strings.

import { z } from 'zod';
import { isIsoDay, vnToday } from '../calendar/vn-time.js';
import { PERSONAL_ID } from '../identity/personal-id.js';
import { conditionHolds } from './registry.js';
import type { FieldDef, FormDef } from './types.js';

export type FormSchema = z.ZodType<Record<string, unknown>>;

export type FormValidation =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; fields: Record<string, string> };

/** Issues that concern the form as a whole (input not an object) are reported under this key. */
export const FORM_LEVEL_KEY = '_form';

// Defaults so that a field without maxLength cannot be used to post megabytes into a JSONB column.
const DEFAULT_MAX_LENGTH: Partial<Record<FieldDef['type'], number>> = {
  text: 255,
  textarea: 4000,
  email: 254,
};
const DEFAULT_MIN_YEAR = 1900;

// Mobiles are 10 digits (0 + 9); landlines, since the 2017 area-code change, 11 digits (02x + 8, e.g. 0237 for
// Thanh Hóa). +84 replaces the leading 0.
const PHONE = /^(?:0\d{9}|02\d{9}|\+84\d{9}|\+842\d{9})$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
// C0 control characters other than tab, CR and LF (and DEL): never typed by a person, and PostgreSQL cannot store NUL.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const MSG = {
  invalid: 'Giá trị không hợp lệ.',
  date: 'Ngày không hợp lệ (định dạng YYYY-MM-DD).',
  future: 'Ngày không được sau ngày hôm nay.',
  idNumber: 'Số căn cước công dân gồm 12 chữ số.',
  email: 'Email không hợp lệ.',
  phone: 'Số điện thoại không hợp lệ.',
  option: 'Giá trị không nằm trong danh sách.',
  integer: 'Phải là số nguyên.',
  year: 'Năm không hợp lệ.',
  pattern: 'Giá trị không đúng định dạng.',
  control: 'Có ký tự không hợp lệ.',
  maxLength: (n: number) => `Tối đa ${n} ký tự.`,
  minLength: (n: number) => `Tối thiểu ${n} ký tự.`,
  min: (n: number) => `Giá trị nhỏ nhất là ${n}.`,
  max: (n: number) => `Giá trị lớn nhất là ${n}.`,
  yearRange: (a: number, b: number) => `Năm phải từ ${a} đến ${b}.`,
  required: (label: string) => `${label} là bắt buộc.`,
};

function cleanString(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== 'string') return value;
  const s = value.normalize('NFC').trim();
  return s === '' ? undefined : s;
}

function stripSeparators(value: unknown): unknown {
  const v = cleanString(value);
  return typeof v === 'string' ? v.replace(/[\s.\-()]/g, '') : v;
}

function coerceInteger(value: unknown): unknown {
  const v = cleanString(value);
  return typeof v === 'string' && INTEGER_TEXT.test(v) ? Number(v) : v;
}

function coerceCheckbox(value: unknown): unknown {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === 'on' || v === '1') return true;
    if (v === '' || v === 'false' || v === 'off' || v === '0') return false;
  }
  return value;
}

function isEmpty(field: FieldDef, value: unknown): boolean {
  return value === undefined || value === null || (field.type === 'checkbox' && value === false);
}

/** The base error for a missing value names the field; any other type mismatch gets `invalid`. */
function typeError(field: FieldDef, invalid: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? MSG.required(field.label) : invalid) };
}

function stringSchema(field: FieldDef, invalid = MSG.invalid) {
  let s = z.string(typeError(field, invalid)).refine((v) => !CONTROL_CHARACTERS.test(v), MSG.control);
  if (field.minLength !== undefined) s = s.min(field.minLength, MSG.minLength(field.minLength));
  const max = field.maxLength ?? DEFAULT_MAX_LENGTH[field.type];
  if (max !== undefined) s = s.max(max, MSG.maxLength(max));
  if (field.pattern !== undefined) {
    s = s.regex(new RegExp(`^(?:${field.pattern})$`, 'u'), field.patternMessage ?? MSG.pattern);
  }
  return s;
}

/** How raw input is cleaned before validation, and what the cleaned value must satisfy. */
function valueSchema(field: FieldDef): { clean: (v: unknown) => unknown; schema: z.ZodType } {
  switch (field.type) {
    case 'text':
    case 'textarea':
      return { clean: cleanString, schema: stringSchema(field) };
    case 'email':
      return { clean: cleanString, schema: stringSchema(field, MSG.email).pipe(z.email(MSG.email)) };
    case 'phone':
      return { clean: stripSeparators, schema: z.string(typeError(field, MSG.phone)).regex(PHONE, MSG.phone) };
    case 'id-number':
      return { clean: stripSeparators, schema: z.string(typeError(field, MSG.idNumber)).regex(PERSONAL_ID, MSG.idNumber) };
    case 'date':
      return {
        clean: cleanString,
        schema: z.string(typeError(field, MSG.date)).superRefine((v, ctx) => {
          if (!isIsoDay(v)) ctx.addIssue({ code: 'custom', message: MSG.date });
          // ISO days compare correctly as strings.
          else if (field.notFuture && v > vnToday()) ctx.addIssue({ code: 'custom', message: MSG.future });
        }),
      };
    case 'integer': {
      let n = z.number(typeError(field, MSG.integer)).int(MSG.integer);
      if (field.min !== undefined) n = n.min(field.min, MSG.min(field.min));
      if (field.max !== undefined) n = n.max(field.max, MSG.max(field.max));
      return { clean: coerceInteger, schema: n };
    }
    case 'year':
      return {
        clean: coerceInteger,
        schema: z
          .number(typeError(field, MSG.year))
          .int(MSG.year)
          .superRefine((v, ctx) => {
            // Evaluated per parse, not per build: a cached schema must not keep last year's bound.
            const min = field.min ?? DEFAULT_MIN_YEAR;
            const max = field.max ?? Number(vnToday().slice(0, 4));
            if (v < min || v > max) ctx.addIssue({ code: 'custom', message: MSG.yearRange(min, max) });
          }),
      };
    case 'select': {
      // Data-backed choices (schools, campaigns) are checked against the database by the intake service.
      if (field.optionsFrom) {
        return { clean: cleanString, schema: z.string(typeError(field, MSG.option)).min(1, MSG.option).max(100, MSG.option).refine((v) => !CONTROL_CHARACTERS.test(v), MSG.option) };
      }
      const values = new Set((field.options ?? []).map((o) => o.value));
      return { clean: cleanString, schema: z.string(typeError(field, MSG.option)).refine((v) => values.has(v), MSG.option) };
    }
    case 'checkbox': {
      const b = z.boolean(typeError(field, MSG.invalid));
      return { clean: coerceCheckbox, schema: field.required ? b.refine((v) => v, MSG.required(field.label)) : b };
    }
  }
}

function fieldSchema(field: FieldDef): z.ZodType {
  const { clean, schema } = valueSchema(field);
  // Optional goes inside the preprocess: "" only becomes undefined after cleaning. Checkboxes always
  // yield a boolean, so they are never optional.
  return z.preprocess(clean, field.required || field.type === 'checkbox' ? schema : schema.optional());
}

const cache = new WeakMap<FormDef, FormSchema>();

export function buildFormSchema(form: FormDef): FormSchema {
  const cached = cache.get(form);
  if (cached) return cached;
  const shape: Record<string, z.ZodType> = {};
  for (const field of form.fields) shape[field.name] = fieldSchema(field);
  const conditional = form.fields.filter((f) => !f.required && f.requiredWhen !== undefined);
  const schema = z.object(shape).superRefine(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null) return;
      const data = value as Record<string, unknown>;
      for (const field of conditional) {
        if (conditionHolds(field.requiredWhen!, data) && isEmpty(field, data[field.name])) {
          ctx.addIssue({ code: 'custom', path: [field.name], message: MSG.required(field.label) });
        }
      }
    },
    // Run even when other fields failed, so the citizen sees every problem in one round trip.
    { when: () => conditional.length > 0 },
  ) as unknown as FormSchema;
  cache.set(form, schema);
  return schema;
}

export function validateFormData(form: FormDef, data: unknown): FormValidation {
  const result = buildFormSchema(form).safeParse(data ?? {});
  if (result.success) {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result.data)) if (v !== undefined) clean[k] = v;
    return { ok: true, data: clean };
  }
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : FORM_LEVEL_KEY;
    fields[key] ??= issue.message;
  }
  return { ok: false, fields };
}
