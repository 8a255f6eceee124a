// Document registers in the administration (API and page): the document kinds and their changes (validated, audited,
// never rewriting numbers already given), and an agency's register of a year as JSON pages, CSV (UTF-8 with BOM) and
// XLSX read back, with the Decree 30 columns and the line statuses "Đang ký", "Đã ban hành", "Hủy số". Administrators only.
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { dossiers, registeredDocuments } from '../../src/db/schema/index.js';
import { markDocumentIssued, numberDocument, type NumberRequest } from '../../src/services/numbering/document-numbers.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { parseCsv } from '../helpers/csv.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages, type PageSession } from '../helpers/page-session.js';

const DEPARTMENT = '000.00.12.H56';
const HEADERS = ['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Người ký', 'Nơi nhận',
  'Đơn vị, người nhận bản lưu / Hồ sơ', 'Trạng thái'];
const vn = (local: string) => new Date(`${local}+07:00`);

let env: TestEnvironment;
let api: ApiClient;
let admin: string;
let clerk: string;
let pages: PageSession;
let first: { code: string; id: string };
let second: { code: string; id: string };

async function number(dossierId: string, overrides: Partial<NumberRequest>) {
  return env.ctx.db.transaction((tx) => numberDocument(tx, {
    agencyCode: DEPARTMENT, agencyAbbreviation: 'SGDĐT', kind: 'decision', dossierId, subject: 'result',
    summary: 'Về việc cấp bản sao bằng tốt nghiệp THPT', at: vn('2030-03-01T09:00:00'), ...overrides,
  }));
}

beforeAll(async () => {
  env = await startTestEnvironment('production');
  api = await listenForHttp(env);
  admin = await api.login('admin');
  clerk = await api.login('clerk');
  pages = await signInPages(env, 'admin');
  const file = async (name: string) => {
    const { body } = await api.submit('diploma-copy', diplomaRequest(name), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    const [row] = await env.ctx.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.code, body.code));
    return { code: body.code as string, id: row!.id };
  };
  first = await file('Ngô Thị Thu');
  second = await file('Trần Văn Nam');
  // 2030 (a year no other flow of this file numbers in): 01 issued, 02 reserved, 03 reserved on 31 December and
  // rendered again on 1 January (void, renumbered 01 of 2031); one copy issued in the register of copies.
  await number(first.id, {});
  await env.ctx.db.transaction((tx) => markDocumentIssued(tx, {
    dossierId: first.id, subject: 'result', issuedAt: vn('2030-03-02T10:15:00'), signerName: 'Lê Văn Hùng', signerTitle: 'Phó Giám đốc',
    recipients: ['Như Điều 3', 'Lưu: VT, QLCL'],
  }));
  await number(second.id, { kind: 'receipt', subject: 'form:receipt', summary: 'Tiếp nhận hồ sơ "cấp bản sao", lần 1', at: vn('2030-03-05T08:00:00') });
  await number(second.id, { at: vn('2030-12-31T23:59:00') });
  await number(second.id, { at: vn('2031-01-01T00:01:00') });
  await number(first.id, { kind: 'copy', subject: 'copy-1', summary: 'Bản sao bằng tốt nghiệp THPT', at: vn('2030-03-02T09:00:00') });
  await env.ctx.db.transaction((tx) => markDocumentIssued(tx, {
    dossierId: first.id, subject: 'copy-1', issuedAt: vn('2030-03-02T11:00:00'), signerName: 'Lê Văn Hùng', recipients: ['=HYPERLINK("x")'],
  }));
});
afterAll(async () => { await env?.close(); });

describe('document kinds API', () => {
  it('lists the kinds with their abbreviations and registers', async () => {
    const { status, body } = await api.json('GET', '/api/admin/document-kinds', { token: admin });
    expect(status).toBe(200);
    expect(body.items).toHaveLength(10);
    expect(body.items).toContainEqual({ key: 'decision', name: 'Quyết định', abbreviation: 'QĐ', register: 'outgoing' });
    expect(body.items).toContainEqual({ key: 'copy', name: 'Bản sao từ sổ gốc', abbreviation: 'BS', register: 'copies' });
  });

  it('refuses bad changes with the field named, and an unknown kind with 404', async () => {
    for (const abbreviation of ['Q-Đ', 'Q/Đ', 'Q Đ', '', 'ABCDEFGHIJKLMNOPQ', 'QĐ!']) {
      const { status, body } = await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { abbreviation } });
      expect({ abbreviation, status, code: body.error.code, field: typeof body.error.fields?.abbreviation }).toEqual({ abbreviation, status: 422, code: 'VALIDATION_FAILED', field: 'string' });
    }
    const register = await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { register: 'incoming' } });
    expect(register).toMatchObject({ status: 422, body: { error: { code: 'VALIDATION_FAILED', fields: { register: expect.any(String) } } } });
    const name = await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { name: '   ' } });
    expect(name).toMatchObject({ status: 422, body: { error: { fields: { name: 'Nhập tên loại văn bản.' } } } });
    const unknown = await api.json('PATCH', '/api/admin/document-kinds/khong-co', { token: admin, json: { name: 'Công văn' } });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'DOCUMENT_KIND_NOT_FOUND' } } });
    const kinds = await api.json('GET', '/api/admin/document-kinds', { token: admin });
    expect(kinds.body.items).toContainEqual({ key: 'decision', name: 'Quyết định', abbreviation: 'QĐ', register: 'outgoing' });
  });

  it('is for administrators only', async () => {
    expect(await api.json('GET', '/api/admin/document-kinds')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await api.json('GET', '/api/admin/document-kinds', { token: clerk })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await api.json('PATCH', '/api/admin/document-kinds/decision', { token: clerk, json: { abbreviation: 'QĐX' } }))
      .toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030`, { token: clerk }))
      .toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&format=csv`, { token: await api.login('leader') })).status).toBe(403);
  });
});

describe('document register API', () => {
  it('shows the register of the year in number order with the line statuses', async () => {
    const { status, body } = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030`, { token: admin });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      agency: { code: DEPARTMENT, name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDĐT' }, year: 2030, register: 'outgoing',
      registerLabel: 'Sổ đăng ký văn bản đi', years: expect.arrayContaining([2031, 2030]), next: null,
    });
    expect(body.items.map((i: Record<string, unknown>) => [i.text, i.status, i.statusLabel, i.dossierCode])).toEqual([
      ['01/QĐ-SGDĐT', 'issued', 'Đã ban hành', first.code],
      ['02/TNHS-SGDĐT', 'reserved', 'Đang ký', second.code],
      ['03/QĐ-SGDĐT', 'void', 'Hủy số', second.code],
    ]);
    expect(body.items[0]).toMatchObject({
      kind: 'decision', kindName: 'Quyết định', summary: 'Về việc cấp bản sao bằng tốt nghiệp THPT', date: '2030-03-02', issuedAt: '2030-03-02T03:15:00.000Z',
      signerName: 'Lê Văn Hùng', signerTitle: 'Phó Giám đốc', recipients: ['Như Điều 3', 'Lưu: VT, QLCL'], unitName: 'Phòng Quản lý chất lượng',
    });
    expect(body.items[1]).toMatchObject({ date: null, issuedAt: null, signerName: null });

    const copies = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&register=copies`, { token: admin });
    expect(copies.body.items.map((i: Record<string, unknown>) => [i.text, i.status])).toEqual([['01/BS-SGDĐT', 'issued']]);
    const nextYear = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2031`, { token: admin });
    expect(nextYear.body.items.map((i: Record<string, unknown>) => [i.text, i.status, i.dossierCode])).toEqual([['01/QĐ-SGDĐT', 'reserved', second.code]]);
  });

  it('pages with limit and after, and defaults to the Department and this year', async () => {
    const page1 = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&limit=2`, { token: admin });
    expect(page1.body.items.map((i: { number: number }) => i.number)).toEqual([1, 2]);
    expect(page1.body.next).toBe(2);
    const page2 = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&limit=2&after=2`, { token: admin });
    expect(page2.body.items.map((i: { number: number }) => i.number)).toEqual([3]);
    expect(page2.body.next).toBeNull();
    const defaults = await api.json('GET', '/api/admin/document-register', { token: admin });
    expect(defaults.body).toMatchObject({ agency: { code: DEPARTMENT }, year: Number(new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4)), register: 'outgoing' });
  });

  it('refuses bad parameters with 422 and an unknown agency with 404', async () => {
    for (const [query, field] of [['year=abc', 'year'], ['year=1999', 'year'], ['register=incoming', 'register'], ['format=pdf', 'format'], ['limit=0', 'limit'], ['year=2030&year=2031', 'year']]) {
      const { status, body } = await api.json('GET', `/api/admin/document-register?${query}`, { token: admin });
      expect({ query, status, code: body.error.code, field: Object.keys(body.error.fields ?? {}) }).toEqual({ query, status: 422, code: 'VALIDATION_FAILED', field: [field] });
    }
    // Text PostgreSQL cannot hold is a malformed request (docs/API.md), never a 5xx.
    expect(await api.json('GET', '/api/admin/document-register?agency=%00', { token: admin })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await api.json('PATCH', '/api/admin/document-kinds/notice', { token: admin, json: { name: 'Thông\u0000báo' } }))
      .toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const unknown = await api.json('GET', '/api/admin/document-register?agency=999.99.99.H99&year=2030', { token: admin });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'AGENCY_NOT_FOUND' } } });
    expect((await api.request('GET', '/api/admin/document-register?agency=999.99.99.H99&format=csv', { token: admin })).status).toBe(404);
  });

  it('exports the register as CSV (UTF-8 with BOM) with the Decree 30 columns, and audits the export', async () => {
    const response = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&format=csv`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="so-van-ban-di_${DEPARTMENT}_2030.csv"`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows).toEqual([
      HEADERS,
      ['01/QĐ-SGDĐT', '02/03/2030', 'Quyết định: Về việc cấp bản sao bằng tốt nghiệp THPT', 'Lê Văn Hùng, Phó Giám đốc', 'Như Điều 3; Lưu: VT, QLCL',
        `Phòng Quản lý chất lượng — ${first.code}`, 'Đã ban hành'],
      ['02/TNHS-SGDĐT', '', 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả: Tiếp nhận hồ sơ "cấp bản sao", lần 1', '', '', `Phòng Quản lý chất lượng — ${second.code}`, 'Đang ký'],
      ['03/QĐ-SGDĐT', '', 'Quyết định: Về việc cấp bản sao bằng tốt nghiệp THPT', '', '', `Phòng Quản lý chất lượng — ${second.code}`, 'Hủy số'],
    ]);
    const [audit] = await listAuditEntries(env.ctx.db, { action: 'export.document_register', limit: 5 });
    expect(audit).toMatchObject({ actorName: 'Phạm Quốc Huy (admin)', target: DEPARTMENT, details: { agency: DEPARTMENT, year: 2030, register: 'outgoing', format: 'csv' } });

    // The register of copies; a cell a spreadsheet would run as a formula is written as text.
    const copies = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&register=copies&format=csv`, { token: admin });
    expect(copies.headers.get('content-disposition')).toBe(`attachment; filename="so-cap-ban-sao_${DEPARTMENT}_2030.csv"`);
    expect(parseCsv((await copies.text()).replace(/^\uFEFF/, ''))[1]).toEqual([
      '01/BS-SGDĐT', '02/03/2030', 'Bản sao từ sổ gốc: Bản sao bằng tốt nghiệp THPT', 'Lê Văn Hùng', `'=HYPERLINK("x")`, `Phòng Quản lý chất lượng — ${first.code}`, 'Đã ban hành',
    ]);
    // An empty year is the header alone.
    const empty = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2029&format=csv`, { token: admin });
    expect(parseCsv((await empty.text()).replace(/^\uFEFF/, ''))).toEqual([HEADERS]);
  });

  it('exports the same register as XLSX that reads back with exceljs', async () => {
    const response = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030&format=xlsx`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="so-van-ban-di_${DEPARTMENT}_2030.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : v));
    expect(sheet.rowCount).toBe(4);
    expect(values(1)).toEqual(HEADERS);
    expect(values(2)).toEqual(['01/QĐ-SGDĐT', '02/03/2030', 'Quyết định: Về việc cấp bản sao bằng tốt nghiệp THPT', 'Lê Văn Hùng, Phó Giám đốc',
      'Như Điều 3; Lưu: VT, QLCL', `Phòng Quản lý chất lượng — ${first.code}`, 'Đã ban hành']);
    expect(values(3)[6]).toBe('Đang ký');
    expect(values(4)[6]).toBe('Hủy số');
    const [audit] = await listAuditEntries(env.ctx.db, { action: 'export.document_register', limit: 1 });
    expect(audit?.details).toMatchObject({ format: 'xlsx', year: 2030 });
  });

  it('exports a register longer than one read (pages of 1,000) whole, in order, in both formats', async () => {
    const lines = Array.from({ length: 2_345 }, (_, i) => ({
      agencyCode: DEPARTMENT, register: 'outgoing' as const, year: 2032, number: i + 1, kind: 'notice', kindName: 'Thông báo', symbol: 'TB-SGDĐT',
      dossierId: first.id, subject: `notice-${i + 1}`, summary: `Thông báo số ${i + 1}`,
    }));
    for (let i = 0; i < lines.length; i += 500) await env.ctx.db.insert(registeredDocuments).values(lines.slice(i, i + 500));
    const csv = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2032&format=csv`, { token: admin });
    const rows = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
    expect(rows).toHaveLength(2_346);
    expect(rows.slice(1).map((r) => r[0])).toEqual(lines.map((l) => `${String(l.number).padStart(2, '0')}/TB-SGDĐT`));
    const xlsx = await api.request('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2032&format=xlsx`, { token: admin });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(2_346);
    expect(sheet.getRow(2_346).getCell(1).value).toBe('2345/TB-SGDĐT');
    expect(sheet.getRow(2_346).getCell(3).value).toBe('Thông báo: Thông báo số 2345');
    const last = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2032&after=2300&limit=500`, { token: admin });
    expect(last.body.items.map((i: { number: number }) => i.number)).toEqual(Array.from({ length: 45 }, (_, i) => 2301 + i));
    expect(last.body.next).toBeNull();
  });

  it('a changed abbreviation numbers new documents with it and leaves the lines given alone (audited)', async () => {
    const changed = await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { abbreviation: 'qđhc', name: 'Quyết định hành chính' } });
    expect(changed).toMatchObject({ status: 200, body: { key: 'decision', abbreviation: 'QĐHC', name: 'Quyết định hành chính', register: 'outgoing' } });
    const [audit] = await listAuditEntries(env.ctx.db, { action: 'document_kind.updated', target: 'decision', limit: 1 });
    expect(audit?.details).toMatchObject({ before: { abbreviation: 'QĐ', name: 'Quyết định' }, after: { abbreviation: 'QĐHC', name: 'Quyết định hành chính' } });

    expect((await number(first.id, { subject: 'decision-2', at: vn('2030-06-01T09:00:00') })).text).toBe('04/QĐHC-SGDĐT');
    const { body } = await api.json('GET', `/api/admin/document-register?agency=${DEPARTMENT}&year=2030`, { token: admin });
    expect(body.items.map((i: { text: string }) => i.text)).toEqual(['01/QĐ-SGDĐT', '02/TNHS-SGDĐT', '03/QĐ-SGDĐT', '04/QĐHC-SGDĐT']);
    // The kind's name as it was when each number was given: the rename reaches only the new line.
    expect(body.items.map((i: { kindName: string }) => i.kindName)).toEqual(['Quyết định', 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả', 'Quyết định', 'Quyết định hành chính']);

    // Moved to the register of copies: its next number is the copies register's.
    await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { register: 'copies' } });
    expect(await number(second.id, { subject: 'decision-3', at: vn('2030-06-02T09:00:00') })).toMatchObject({ register: 'copies', text: '02/QĐHC-SGDĐT' });
    const restored = await api.json('PATCH', '/api/admin/document-kinds/decision', { token: admin, json: { abbreviation: 'QĐ', name: 'Quyết định', register: 'outgoing' } });
    expect(restored.body).toEqual({ key: 'decision', name: 'Quyết định', abbreviation: 'QĐ', register: 'outgoing' });
  });
});

describe('the OpenAPI document', () => {
  it('describes the document kinds and register endpoints with their schemas', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const patch = doc.paths['/api/admin/document-kinds/{key}'].patch.requestBody.content['application/json'].schema;
    expect(Object.keys(patch.properties).sort()).toEqual(['abbreviation', 'name', 'register']);
    expect(patch.properties.register.enum).toEqual(['outgoing', 'copies']);
    const query = doc.paths['/api/admin/document-register'].get.parameters.map((p: { name: string }) => p.name);
    expect(query).toEqual(expect.arrayContaining(['agency', 'year', 'register', 'after', 'limit', 'format']));
    expect(doc.paths['/api/admin/document-kinds'].get).toBeDefined();
  });
});

describe('document register page', () => {
  it('shows the register with its filters, export links and the kinds, in the administration menu', async () => {
    const page = await pages.get(`/quan-tri/so-van-ban?agency=${DEPARTMENT}&year=2030`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Sổ văn bản và loại văn bản</h1>');
    expect(page.body).toMatch(/<a href="\/quan-tri\/so-van-ban" aria-current="page">Sổ văn bản và loại văn bản<\/a>/);
    expect(page.body).toContain('Sổ đăng ký văn bản đi năm 2030 — Sở Giáo dục và Đào tạo');
    expect(page.body).toMatch(/<tr data-number="1" data-status="issued">\s*<td><strong>01\/QĐ-SGDĐT<\/strong><\/td>\s*<td>02\/03\/2030<\/td>/);
    expect(page.body).toMatch(/data-status="void">[\s\S]*?Hủy số/);
    expect(page.body).toMatch(/data-status="reserved">[\s\S]*?Đang ký/);
    // Handlebars writes = and & of attribute values as entities; the browser reads them back.
    const links = page.body.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    expect(links).toContain(`href="/api/admin/document-register?agency=${DEPARTMENT}&year=2030&register=outgoing&format=csv"`);
    expect(links).toContain(`href="/api/admin/document-register?agency=${DEPARTMENT}&year=2030&register=outgoing&format=xlsx"`);
    expect(page.body).toContain(`<option value="${DEPARTMENT}" selected>`);
    expect(page.body).toMatch(/<tr id="loai-decision" data-kind="decision">[\s\S]*?value="QĐ"/);
    expect(page.body).toContain('action="/quan-tri/so-van-ban/loai/copy"');

    const copies = await pages.get(`/quan-tri/so-van-ban?agency=${DEPARTMENT}&year=2030&register=copies`);
    expect(copies.body).toContain('Sổ cấp bản sao năm 2030');
    expect(copies.body).toContain('01/BS-SGDĐT');
    expect(copies.body).not.toContain('02/TNHS-SGDĐT');
  });

  it('shows a bad filter as a problem on the page, not an error', async () => {
    const bad = await pages.get('/quan-tri/so-van-ban?year=abc');
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('role="alert">Điều kiện xem sổ chưa hợp lệ.');
    expect(bad.body).toContain('Năm phải là số (yyyy).');
    const unknown = await pages.get('/quan-tri/so-van-ban?agency=999.99.99.H99');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('Không có cơ quan mang mã &quot;999.99.99.H99&quot;.');
  });

  it('saves a kind from its form with a notice, and sends a bad one back with the field marked', async () => {
    const bad = await pages.post('/quan-tri/so-van-ban/loai/notice', { name: 'Thông báo', abbreviation: 'T-B', register: 'outgoing' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatch(/id="kind-notice-abbreviation"[^>]*value="T-B"[^>]*aria-invalid="true"/);
    expect(bad.body).toContain('Chữ viết tắt gồm 1–16 chữ cái hoặc chữ số');
    const saved = await pages.post('/quan-tri/so-van-ban/loai/notice', { name: 'Thông báo', abbreviation: 'tbáo', register: 'outgoing' });
    expect(saved).toMatchObject({ status: 303, location: '/quan-tri/so-van-ban?tb=da-luu&loai=notice#loai-van-ban' });
    const after = await pages.get('/quan-tri/so-van-ban?tb=da-luu&loai=notice');
    expect(after.body).toContain('Đã lưu loại văn bản &quot;Thông báo&quot; (TBÁO, Sổ đăng ký văn bản đi)');
    expect((await api.json('GET', '/api/admin/document-kinds', { token: admin })).body.items).toContainEqual({ key: 'notice', name: 'Thông báo', abbreviation: 'TBÁO', register: 'outgoing' });
    expect((await pages.post('/quan-tri/so-van-ban/loai/khong-co', { name: 'X', abbreviation: 'X', register: 'outgoing' })).status).toBe(404);
  });

  it('refuses staff who are not administrators and sends the public to sign in', async () => {
    const clerkPages = await signInPages(env, 'clerk');
    expect((await clerkPages.get('/quan-tri/so-van-ban')).status).toBe(403);
    expect((await clerkPages.post('/quan-tri/so-van-ban/loai/notice', { name: 'Thông báo', abbreviation: 'TB', register: 'outgoing' })).status).toBe(403);
    const anonymous = await env.app.inject({ method: 'GET', url: '/quan-tri/so-van-ban' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/dang-nhap/);
  });
});
