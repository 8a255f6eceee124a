import { createEffectRegistry } from '../../src/effects/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildFormSchema, validateFormData } from '../../src/workflow/form-schema.js';
import { loadWorkflowFile } from '../../src/workflow/loader.js';
import type { FieldDef, FormDef } from '../../src/workflow/types.js';

const def = loadWorkflowFile('workflows/diploma-copy.yaml', { templatesDir: 'test/fixtures/workflows/_templates', effects: createEffectRegistry().names }).definition;
const request = def.forms.request!;

const valid = {
  applicantName: 'Trần Thị Bình',
  applicantIdNumber: '038195004321',
  applicantPhone: '0912345678',
  applicantAddress: 'Xã Quảng Phú, Thanh Hóa',
  relation: 'relative',
  holderName: 'Trần Văn Cường',
  holderBirthDate: '1990-01-31',
  diplomaType: 'thcs',
  school: 'Trường THCS Trần Mai Ninh',
  graduationYear: '2005',
  copies: '3',
};

function form(...fields: Array<Partial<FieldDef> & Pick<FieldDef, 'name' | 'type'>>): FormDef {
  return { title: 'Thử', fields: fields.map((f) => ({ label: f.name, required: false, ...f })) };
}

function errors(f: FormDef, data: unknown): Record<string, string> {
  const r = validateFormData(f, data);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.data)}`);
  return r.fields;
}

function parsed(f: FormDef, data: unknown): Record<string, unknown> {
  const r = validateFormData(f, data);
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.fields)}`);
  return r.data;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  // 10:00 on 15 March 2026 in Vietnam.
  vi.setSystemTime(new Date('2026-03-15T03:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('diploma-copy request form', () => {
  it('accepts a multipart-style submission, coercing numbers and dropping unknown and empty keys', () => {
    expect(parsed(request, { ...valid, applicantEmail: '', purpose: '   ', hacker: 'x' })).toEqual({
      ...valid,
      graduationYear: 2005,
      copies: 3,
    });
  });

  it('trims and NFC-normalises text', () => {
    const d = parsed(request, { ...valid, applicantName: `  ${'Trần Thị Bình'.normalize('NFD')}  ` });
    expect(d.applicantName).toBe('Trần Thị Bình'.normalize('NFC'));
  });

  it('reports every missing required field with its label', () => {
    const e = errors(request, {});
    expect(e.applicantName).toBe('Họ và tên người yêu cầu là bắt buộc.');
    expect(e.holderBirthDate).toBe('Ngày sinh người được cấp văn bằng là bắt buộc.');
    expect(e.copies).toBe('Số bản sao đề nghị cấp là bắt buộc.');
    expect(Object.keys(e).sort()).toEqual(
      ['applicantName', 'applicantIdNumber', 'applicantPhone', 'applicantAddress', 'relation', 'holderName', 'holderBirthDate', 'diplomaType', 'school', 'graduationYear', 'copies'].sort(),
    );
  });

  it('gives Vietnamese messages per kind of mistake', () => {
    expect(
      errors(request, {
        ...valid,
        applicantName: 'A'.repeat(101),
        applicantIdNumber: '12345',
        applicantPhone: '12345',
        applicantEmail: 'not-an-email',
        relation: 'neighbour',
        holderBirthDate: '1990-02-30',
        graduationYear: '1944',
        copies: '11',
      }),
    ).toEqual({
      applicantName: 'Tối đa 100 ký tự.',
      applicantIdNumber: 'Số căn cước công dân gồm 12 chữ số.',
      applicantPhone: 'Số điện thoại không hợp lệ.',
      applicantEmail: 'Email không hợp lệ.',
      relation: 'Giá trị không nằm trong danh sách.',
      holderBirthDate: 'Ngày không hợp lệ (định dạng YYYY-MM-DD).',
      graduationYear: 'Năm phải từ 1945 đến 2026.',
      copies: 'Giá trị lớn nhất là 10.',
    });
  });

  it('rejects a birth date in the future (Vietnam today) and a graduation year after this year', () => {
    expect(errors(request, { ...valid, holderBirthDate: '2026-03-16', graduationYear: 2027 })).toEqual({
      holderBirthDate: 'Ngày không được sau ngày hôm nay.',
      graduationYear: 'Năm phải từ 1945 đến 2026.',
    });
    expect(parsed(request, { ...valid, holderBirthDate: '2026-03-15' }).holderBirthDate).toBe('2026-03-15');
  });

  it('re-evaluates "this year" on every parse, not when the schema was cached', () => {
    buildFormSchema(request);
    vi.setSystemTime(new Date('2027-01-01T00:30:00+07:00'));
    expect(parsed(request, { ...valid, graduationYear: 2027 }).graduationYear).toBe(2027);
  });
});

describe('field types', () => {
  it('phone: mobile 0 + 9 digits, landline 02x + 8 digits, +84 for the 0; separators are removed', () => {
    const f = form({ name: 'p', type: 'phone', required: true });
    expect(parsed(f, { p: '0912 345 678' }).p).toBe('0912345678');
    expect(parsed(f, { p: '0912.345.678' }).p).toBe('0912345678');
    expect(parsed(f, { p: '+84912345678' }).p).toBe('+84912345678');
    expect(parsed(f, { p: '(0237) 385-2345' }).p).toBe('02373852345');
    expect(parsed(f, { p: '+84 237 385 2345' }).p).toBe('+842373852345');
    for (const bad of ['091234567', '84912345678', '+8491234567', '09123456789', '+849123456789', 'abc']) {
      expect(errors(f, { p: bad })).toEqual({ p: 'Số điện thoại không hợp lệ.' });
    }
  });

  it('id-number: exactly 12 digits, spaces tolerated', () => {
    const f = form({ name: 'id', type: 'id-number', required: true });
    expect(parsed(f, { id: '0381 9500 4321' }).id).toBe('038195004321');
    for (const bad of ['03819500432', '0381950043210', '03819500432a', 38195004321]) {
      expect(errors(f, { id: bad })).toEqual({ id: 'Số căn cước công dân gồm 12 chữ số.' });
    }
  });

  it('date: ISO yyyy-mm-dd that exists', () => {
    const f = form({ name: 'd', type: 'date' });
    expect(parsed(f, { d: '2024-02-29' }).d).toBe('2024-02-29');
    for (const bad of ['2025-02-29', '2025-13-01', '15/03/2026', '2026-3-5', '2026-03-05T00:00:00Z']) {
      expect(errors(f, { d: bad })).toEqual({ d: 'Ngày không hợp lệ (định dạng YYYY-MM-DD).' });
    }
    // No notFuture flag: a future date is fine (an appointment, say).
    expect(parsed(f, { d: '2030-01-01' }).d).toBe('2030-01-01');
  });

  it('integer: coerced from strings, must be whole and within bounds', () => {
    const f = form({ name: 'n', type: 'integer', min: 1, max: 10 });
    expect(parsed(f, { n: ' 7 ' }).n).toBe(7);
    expect(parsed(f, { n: 7 }).n).toBe(7);
    expect(errors(f, { n: '1.5' })).toEqual({ n: 'Phải là số nguyên.' });
    expect(errors(f, { n: 2.5 })).toEqual({ n: 'Phải là số nguyên.' });
    expect(errors(f, { n: 'mười' })).toEqual({ n: 'Phải là số nguyên.' });
    expect(errors(f, { n: '0' })).toEqual({ n: 'Giá trị nhỏ nhất là 1.' });
    expect(parsed(f, {})).toEqual({});
  });

  it('checkbox: true, "true", "on" (and "1") are checked; absent is false', () => {
    const f = form({ name: 'c', type: 'checkbox' });
    for (const on of [true, 'true', 'on', '1']) expect(parsed(f, { c: on })).toEqual({ c: true });
    for (const off of [undefined, false, 'false', '']) expect(parsed(f, { c: off })).toEqual({ c: false });
    expect(parsed(f, {})).toEqual({ c: false });
    expect(errors(f, { c: 'maybe' })).toEqual({ c: 'Giá trị không hợp lệ.' });
    const agree = form({ name: 'agree', type: 'checkbox', label: 'Cam đoan thông tin là đúng', required: true });
    expect(errors(agree, {})).toEqual({ agree: 'Cam đoan thông tin là đúng là bắt buộc.' });
    expect(parsed(agree, { agree: 'on' })).toEqual({ agree: true });
  });

  it('text: min/max length and an anchored pattern with its own message', () => {
    const f = form({ name: 't', type: 'text', minLength: 3, pattern: '[A-Z]+', patternMessage: 'Chỉ chữ in hoa.' });
    expect(errors(f, { t: 'AB' })).toEqual({ t: 'Tối thiểu 3 ký tự.' });
    expect(errors(f, { t: 'ABCd' })).toEqual({ t: 'Chỉ chữ in hoa.' });
    expect(errors(f, { t: 'xABCx' })).toEqual({ t: 'Chỉ chữ in hoa.' });
    expect(parsed(f, { t: 'ABCD' })).toEqual({ t: 'ABCD' });
  });

  it('text and textarea have a default length cap', () => {
    expect(errors(form({ name: 't', type: 'text' }), { t: 'x'.repeat(256) })).toEqual({ t: 'Tối đa 255 ký tự.' });
    expect(errors(form({ name: 't', type: 'textarea' }), { t: 'x'.repeat(4001) })).toEqual({ t: 'Tối đa 4000 ký tự.' });
  });

  it('a non-string where text is expected is invalid, not coerced', () => {
    expect(errors(form({ name: 't', type: 'text', required: true }), { t: ['a', 'b'] })).toEqual({ t: 'Giá trị không hợp lệ.' });
  });

  it('refuses control characters (a NUL byte PostgreSQL cannot store) but keeps tabs and line breaks', () => {
    const f = form({ name: 't', type: 'text' }, { name: 'a', type: 'textarea' }, { name: 'e', type: 'email' }, { name: 's', type: 'select', optionsFrom: 'schools' });
    expect(errors(f, { t: 'Nguyễn\u0000Văn', a: 'x\u0007', e: 'a\u0000@b.vn', s: 'thpt\u0000' })).toEqual({
      t: 'Có ký tự không hợp lệ.', a: 'Có ký tự không hợp lệ.', e: 'Có ký tự không hợp lệ.', s: 'Giá trị không nằm trong danh sách.',
    });
    expect(parsed(f, { a: 'Dòng 1\r\n\tDòng 2' })).toEqual({ a: 'Dòng 1\r\n\tDòng 2' });
  });
});

describe('requiredWhen', () => {
  const f = form(
    { name: 'relation', type: 'select', required: true, options: [{ value: 'self', label: 'Bản thân' }, { value: 'relative', label: 'Người thân' }] },
    { name: 'proof', type: 'text', label: 'Giấy tờ chứng minh', requiredWhen: { field: 'relation', in: ['relative'] } },
    { name: 'name', type: 'text', label: 'Họ tên', required: true },
  );

  it('applies only when the condition holds', () => {
    expect(parsed(f, { relation: 'self', name: 'A' })).toEqual({ relation: 'self', name: 'A' });
    expect(errors(f, { relation: 'relative', name: 'A' })).toEqual({ proof: 'Giấy tờ chứng minh là bắt buộc.' });
    expect(errors(f, { relation: 'relative', name: 'A', proof: '  ' })).toEqual({ proof: 'Giấy tờ chứng minh là bắt buộc.' });
    expect(parsed(f, { relation: 'relative', name: 'A', proof: 'Giấy khai sinh' }).proof).toBe('Giấy khai sinh');
  });

  it('is reported together with the other errors, in one round trip', () => {
    expect(errors(f, { relation: 'relative' })).toEqual({
      proof: 'Giấy tờ chứng minh là bắt buộc.',
      name: 'Họ tên là bắt buộc.',
    });
  });
});

describe('schema building', () => {
  it('caches one schema per form object', () => {
    expect(buildFormSchema(request)).toBe(buildFormSchema(request));
    expect(buildFormSchema({ ...request })).not.toBe(buildFormSchema(request));
  });

  it('treats null/undefined data as empty and reports non-objects at form level', () => {
    expect(errors(request, undefined).applicantName).toBe('Họ và tên người yêu cầu là bắt buộc.');
    expect(errors(request, null).applicantName).toBe('Họ và tên người yêu cầu là bắt buộc.');
    expect(Object.keys(errors(request, 'x'))).toEqual(['_form']);
  });
});
