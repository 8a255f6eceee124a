// Turns a workflow form (FieldDef[]) and its documents into what the templates draw: input type, HTML validation
// attributes mirroring the server's rules (so the browser catches most mistakes first), current value and error.
import type { DocumentDef, FieldDef, FieldOption, FormDef } from '../../workflow/types.js';

export interface FieldView {
  name: string; id: string; label: string; help?: string; required: boolean; error?: string; value: string;
  kind: 'input' | 'textarea' | 'select' | 'checkbox';
  inputType: string; inputMode?: string; pattern?: string; title?: string; maxLength?: number; min?: number | string; max?: number | string;
  autocomplete?: string;
  checked: boolean;
  options: Array<{ value: string; label: string; selected: boolean }>;
  requiredWhen?: string;  // JSON for the script: make the field required when another field has one of the values
}

const AUTOCOMPLETE: Record<string, string> = { email: 'email', phone: 'tel' };

/** `dataOptions`: choices that come from data (schools, campaigns), resolved by the caller, by field name. */
export function fieldViews(form: FormDef, values: Record<string, unknown>, errors: Record<string, string>, prefix = '', today = '', dataOptions: Record<string, FieldOption[]> = {}): FieldView[] {
  return form.fields.map((f: FieldDef) => {
    const raw = values[f.name];
    const value = raw === undefined || raw === null ? '' : String(raw);
    const base: FieldView = {
      name: `${prefix}${f.name}`, id: `f-${prefix.replace(/\W/g, '')}${f.name}`, label: f.label, help: f.help, required: f.required,
      error: errors[f.name], value, kind: 'input', inputType: 'text', maxLength: f.maxLength, checked: false, options: [],
      requiredWhen: f.requiredWhen ? JSON.stringify({ field: `${prefix}${f.requiredWhen.field}`, in: f.requiredWhen.in }) : undefined,
      autocomplete: AUTOCOMPLETE[f.type],
    };
    switch (f.type) {
      case 'textarea': return { ...base, kind: 'textarea', maxLength: f.maxLength ?? 4000 };
      case 'email': return { ...base, inputType: 'email', maxLength: f.maxLength ?? 254 };
      case 'phone': return { ...base, inputType: 'tel', inputMode: 'tel', pattern: '(0|\\+84)[0-9 .]{9,12}', title: 'Số điện thoại 10 chữ số, ví dụ 0912345678' };
      case 'id-number': return { ...base, inputMode: 'numeric', pattern: '[0-9]{12}', title: 'Số căn cước công dân gồm 12 chữ số', maxLength: 12 };
      case 'date': return { ...base, inputType: 'date', max: f.notFuture ? today : undefined };
      case 'year': return { ...base, inputType: 'number', inputMode: 'numeric', min: f.min ?? 1900, max: f.max ?? today.slice(0, 4) };
      case 'integer': return { ...base, inputType: 'number', inputMode: 'numeric', min: f.min, max: f.max };
      case 'select': return {
        ...base, kind: 'select',
        options: (dataOptions[f.name] ?? f.options ?? []).map((o) => ({ value: o.value, label: o.label, selected: o.value === value })),
      };
      case 'checkbox': return { ...base, kind: 'checkbox', checked: raw === true || value === 'on' || value === 'true' };
      default: return { ...base, maxLength: f.maxLength ?? 255 };
    }
  });
}

export interface DocumentView {
  key: string; id: string; label: string; required: boolean; accept: string; acceptText: string; maxSizeMb: number; multiple: boolean;
  error?: string; requiredWhen?: string;
}

const TYPE_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPG', 'image/png': 'PNG' };

export function documentViews(documents: Record<string, DocumentDef>, keys: string[] | null, errors: Record<string, string>, prefix = ''): DocumentView[] {
  return Object.entries(documents)
    .filter(([key]) => keys === null || keys.includes(key))
    .map(([key, d]) => ({
      key: `${prefix}${key}`, id: `d-${key}`, label: d.label, required: keys === null && d.required,
      accept: d.accept.join(','), acceptText: d.accept.map((t) => TYPE_NAMES[t] ?? t).join(', '), maxSizeMb: d.maxSizeMb,
      multiple: (d.maxFiles ?? 1) > 1, error: errors[key],
      requiredWhen: keys === null && d.requiredWhen ? JSON.stringify(d.requiredWhen) : undefined,
    }));
}

/** The label of the chosen option, for showing submitted data back. */
export function displayValue(form: FormDef | undefined, name: string, value: unknown): string {
  const field = form?.fields.find((f) => f.name === name);
  const option = field?.options?.find((o) => o.value === value);
  if (option) return option.label;
  if (typeof value === 'boolean') return value ? 'Có' : 'Không';
  // Dates are stored yyyy-mm-dd; people read dd/mm/yyyy.
  if (field?.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value.split('-').reverse().join('/');
  return value === undefined || value === null ? '' : String(value);
}

/** Filed data as people read it. A data-backed choice (school, campaign) shows the name intake resolved and kept
 *  beside the id as `<field>Label` (services/intake/routing.ts): the name at filing time, also once a campaign has closed. */
export function formDataRows(form: FormDef | undefined, data: Record<string, unknown>): Array<{ label: string; value: string }> {
  if (!form) return Object.entries(data).map(([k, v]) => ({ label: k, value: String(v) }));
  return form.fields.filter((f) => data[f.name] !== undefined && data[f.name] !== '').map((f) => {
    const chosen = f.optionsFrom ? data[`${f.name}Label`] : undefined;
    return { label: f.label, value: typeof chosen === 'string' && chosen !== '' ? chosen : displayValue(form, f.name, data[f.name]) };
  });
}
