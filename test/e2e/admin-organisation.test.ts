// Issue 10, the organisation in the product: settings (province, the Department) named on every page and e-mail,
// agencies with QCVN 102 codes, the unit tree, the all-or-nothing CSV/XLSX import with per-line errors, the unit roles
// of every procedure; the pages behind them (CSRF, per-line error table) and who may use them (401, 403).
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { listUnits } from '../../src/db/repositories/organisation.js';
import { findAgency } from '../../src/db/repositories/staff.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';
import { startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.js';

const DEPARTMENT = '000.00.12.H56';
let env: TestEnvironment;
let admin: string;
let clerk: string;
let mail: MailCatcher;

beforeAll(async () => {
  mail = await startMailCatcher();
  // A bare sender address: the display name then comes from the organisation settings.
  env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${mail.port}`, MAIL_FROM: 'motcua@sogd.test' } });
  admin = await login('admin');
  clerk = await login('clerk');
}, 60_000);
afterAll(async () => {
  if (env) closeMailer(env.config);
  await env?.close();
  await mail?.close();
});

async function login(username: string): Promise<string> {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  return r.json().token as string;
}

function api(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, token: string | null = admin) {
  return env.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function multipart(fileName: string, data: Buffer, type: string) {
  const boundary = '----organisation-import';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`),
    data, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function importFile(fileName: string, data: Buffer, type = 'text/csv', token = admin) {
  const form = multipart(fileName, data, type);
  return env.app.inject({ method: 'POST', url: '/api/admin/units/import', payload: form.payload, headers: { ...form.headers, authorization: `Bearer ${token}` } });
}

const csv = (rows: string[]) => Buffer.from(`${rows.join('\n')}\n`);

describe('who may administer the organisation', () => {
  const endpoints: Array<[string, string, unknown?]> = [
    ['GET', '/api/admin/settings'], ['PUT', '/api/admin/settings', { provinceName: 'X' }],
    ['GET', '/api/admin/agencies'], ['POST', '/api/admin/agencies', { code: '000.99.12.H56', name: 'X', abbreviation: 'X' }],
    ['PATCH', `/api/admin/agencies/${DEPARTMENT}`, { name: 'X' }],
    ['GET', '/api/admin/units'], ['POST', '/api/admin/units', { id: 'xx', name: 'X', agencyCode: DEPARTMENT, kind: 'office' }],
    ['PATCH', '/api/admin/units/qlcl', { name: 'X' }],
    ['GET', '/api/admin/unit-roles'], ['PUT', '/api/admin/unit-roles', { items: [] }],
  ];

  it('answers 401 to the public and 403 to staff without the administration permission, changing nothing', async () => {
    for (const [method, url, body] of endpoints) {
      const anonymous = await api(method as 'GET', url, body, null);
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      const other = await api(method as 'GET', url, body, clerk);
      expect(other.statusCode, `${method} ${url}`).toBe(403);
      expect(other.json().error.code).toBe('FORBIDDEN');
    }
    expect((await importFile('x.csv', csv(['id,name,agencyCode,kind', `xx,X,${DEPARTMENT},office`]), 'text/csv', clerk)).statusCode).toBe(403);
    expect((await findAgency(env.ctx.db, DEPARTMENT))?.name).toBe('Sở Giáo dục và Đào tạo');
    expect((await listUnits(env.ctx.db)).some((u) => u.id === 'xx')).toBe(false);
  });

  it('sends the public to the sign-in page and shows other staff a 403 page', async () => {
    const anonymous = await env.app.inject({ method: 'GET', url: '/quan-tri/to-chuc' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/dang-nhap\?next=/);
    const other = await env.app.inject({ method: 'GET', url: '/quan-tri/to-chuc/don-vi', headers: { authorization: `Bearer ${clerk}` } });
    expect(other.statusCode).toBe(403);
    expect(other.body).toContain('Trang này dành cho quản trị hệ thống.');
  });
});

describe('the OpenAPI document', () => {
  it('describes the organisation endpoints with their request schemas', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/api/admin/settings', '/api/admin/agencies', '/api/admin/agencies/{code}', '/api/admin/units', '/api/admin/units/{id}', '/api/admin/units/import', '/api/admin/unit-roles']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const agency = doc.paths['/api/admin/agencies'].post.requestBody.content['application/json'].schema;
    expect(agency.required).toEqual(['code', 'name', 'abbreviation']);
    expect(agency.properties.code.pattern).toBe('^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$');
  });
});

describe('settings: the province and the Department, named everywhere', () => {
  it('validates the settings and refuses an unknown Department', async () => {
    const empty = await api('PUT', '/api/admin/settings', { provinceName: '', departmentAgencyCode: DEPARTMENT });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error.fields).toHaveProperty('provinceName');
    const unknown = await api('PUT', '/api/admin/settings', { provinceName: 'Nghệ An', departmentAgencyCode: '000.00.99.H40' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.fields.departmentAgencyCode).toMatch(/Chưa có cơ quan/);
    const school = await api('PUT', '/api/admin/settings', { provinceName: 'Nghệ An', departmentAgencyCode: '000.20.12.H56' });
    expect(school.json().error.fields.departmentAgencyCode).toMatch(/không phải là Sở/);
    // A site in service keeps a Department: it can be changed, never emptied.
    const emptied = await api('PUT', '/api/admin/settings', { provinceName: 'Nghệ An', departmentAgencyCode: null });
    expect(emptied.json().error.fields.departmentAgencyCode).toMatch(/Chọn cơ quan là Sở/);
    expect((await api('GET', '/api/admin/settings')).json().provinceName).toBe('Thanh Hóa');
  });

  it('renames the site at once: page title, header and footer, and the e-mails with their sender name', async () => {
    const before = await api('GET', '/api/admin/settings');
    expect(before.json()).toMatchObject({ provinceName: 'Thanh Hóa', departmentAgencyCode: DEPARTMENT, departmentName: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const home = await env.app.inject({ method: 'GET', url: '/' });
    expect(home.body).toMatch(/<title>[^<]*Dịch vụ công trực tuyến Sở Giáo dục và Đào tạo Thanh Hóa<\/title>/);

    const saved = await api('PUT', '/api/admin/settings', { provinceName: 'Nghệ An' }); // the Department stays
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ provinceName: 'Nghệ An', departmentName: 'Sở Giáo dục và Đào tạo Nghệ An' });
    const page = await env.app.inject({ method: 'GET', url: '/tra-cuu' });
    expect(page.body).toContain('Dịch vụ công trực tuyến Sở Giáo dục và Đào tạo Nghệ An</title>');
    expect(page.body).toMatch(/<span class="brand-top">Sở Giáo dục và Đào tạo Nghệ An<\/span>/);
    expect(page.body).not.toContain('Thanh Hóa');
    const [entry] = await listAuditEntries(env.ctx.db, { action: 'organisation.settings_updated', limit: 1 });
    expect(entry).toMatchObject({ actorName: expect.stringContaining('(admin)'), details: { after: { provinceName: 'Nghệ An' } } });

    const { code } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: { ...diplomaRequest('Trần Thị Lan'), applicantEmail: 'lan@example.test' },
      files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    const received = await eventually(async () => mail.inbox.find((m) => m.subject?.includes(code)));
    expect(received.from?.value[0]).toMatchObject({ address: 'motcua@sogd.test', name: 'Dịch vụ công trực tuyến Sở Giáo dục và Đào tạo Nghệ An' });
    expect(received.text).toContain('Sở Giáo dục và Đào tạo Nghệ An đã nhận hồ sơ');
    expect(received.text).toContain('Dịch vụ công trực tuyến Sở Giáo dục và Đào tạo Nghệ An: http://motcua.test');
    expect(received.text).not.toContain('Thanh Hóa');

    expect((await api('PUT', '/api/admin/settings', { provinceName: 'Thanh Hóa', departmentAgencyCode: DEPARTMENT })).statusCode).toBe(200);
  }, 30_000);

  it('shows staff the administration and account links in the header', async () => {
    const adminPage = await env.app.inject({ method: 'GET', url: '/tra-cuu', headers: { authorization: `Bearer ${admin}` } });
    expect(adminPage.body).toContain('<a href="/quan-tri">Quản trị</a>');
    expect(adminPage.body).toContain('href="/tai-khoan"');
    const clerkPage = await env.app.inject({ method: 'GET', url: '/tra-cuu', headers: { authorization: `Bearer ${clerk}` } });
    expect(clerkPage.body).not.toContain('<a href="/quan-tri">');
    expect(clerkPage.body).toContain('href="/tai-khoan"');
  });
});

describe('agencies', () => {
  it('creates an agency with QCVN 102 code, defaults from its parent and the province, and refuses a taken code', async () => {
    const bad = await api('POST', '/api/admin/agencies', { code: '00.00.12.H56', name: 'Trường THPT Sầm Sơn', abbreviation: 'th pt' });
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['abbreviation', 'code']);
    const noParent = await api('POST', '/api/admin/agencies', { code: '000.23.12.H56', name: 'Trường THPT Sầm Sơn', abbreviation: 'THPTSS', parentCode: '000.99.12.H56' });
    expect(noParent.json().error.fields.parentCode).toBeDefined();

    const created = await api('POST', '/api/admin/agencies', { code: '000.23.12.H56', name: 'Trường THPT Sầm Sơn', abbreviation: 'thptss', parentCode: DEPARTMENT });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      code: '000.23.12.H56', name: 'Trường THPT Sầm Sơn', abbreviation: 'THPTSS', parentCode: DEPARTMENT,
      parentName: 'Sở Giáo dục và Đào tạo Thanh Hóa', place: 'Thanh Hóa', kind: 'school',
    });
    const duplicate = await api('POST', '/api/admin/agencies', { code: '000.23.12.H56', name: 'Khác', abbreviation: 'K' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: 'AGENCY_EXISTS', fields: { code: expect.any(String) } });

    const top = await api('POST', '/api/admin/agencies', { code: '000.00.13.H56', name: 'Sở Thử nghiệm', abbreviation: 'STN' });
    expect(top.json()).toMatchObject({ parentName: 'Ủy ban nhân dân tỉnh Thanh Hóa', kind: 'department' });
    const list = await api('GET', '/api/admin/agencies');
    expect(list.json().items.map((a: { code: string }) => a.code)).toContain('000.23.12.H56');
  });

  it('edits an agency but never into a loop of parents', async () => {
    const loop = await api('PATCH', `/api/admin/agencies/${DEPARTMENT}`, { parentCode: '000.23.12.H56' });
    expect(loop.statusCode).toBe(422);
    expect(loop.json().error.fields.parentCode).toMatch(/trực thuộc/);
    const renamed = await api('PATCH', '/api/admin/agencies/000.23.12.H56', { name: 'Trường THPT Sầm Sơn (mới)', place: 'Sầm Sơn' });
    expect(renamed.json()).toMatchObject({ name: 'Trường THPT Sầm Sơn (mới)', place: 'Sầm Sơn', abbreviation: 'THPTSS' });
    expect((await api('PATCH', '/api/admin/agencies/000.77.12.H56', { name: 'X' })).statusCode).toBe(404);
  });

  it('answers an empty change ({}, as a form left blank also parses) with the agency as it is, writing and auditing nothing', async () => {
    const audited = async () => (await listAuditEntries(env.ctx.db, { action: 'organisation.agency_saved', target: '000.23.12.H56', limit: 50 })).length;
    const before = await audited();
    const empty = await api('PATCH', '/api/admin/agencies/000.23.12.H56', {});
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ code: '000.23.12.H56', name: 'Trường THPT Sầm Sơn (mới)' });
    expect(await audited()).toBe(before);
    expect((await api('PATCH', '/api/admin/agencies/000.77.12.H56', {})).statusCode).toBe(404);
  });
});

describe('units', () => {
  it('creates units with the API kinds, refusing unknown agencies and parents and taken ids', async () => {
    const invalid = await api('POST', '/api/admin/units', { id: 'Phong Moi', name: '', agencyCode: DEPARTMENT, kind: 'division' });
    expect(invalid.statusCode).toBe(422);
    expect(Object.keys(invalid.json().error.fields).sort()).toEqual(['id', 'kind', 'name']);
    expect((await api('POST', '/api/admin/units', { id: 'phong-moi', name: 'Phòng Mới', agencyCode: '000.99.12.H56', kind: 'office' })).json().error.fields)
      .toHaveProperty('agencyCode');
    expect((await api('POST', '/api/admin/units', { id: 'phong-moi', name: 'Phòng Mới', agencyCode: DEPARTMENT, kind: 'office', parentId: 'khong-co' })).json().error.fields)
      .toHaveProperty('parentId');
    const otherAgency = await api('POST', '/api/admin/units', { id: 'phong-moi', name: 'Phòng Mới', agencyCode: DEPARTMENT, kind: 'office', parentId: 'thpt-lam-son' });
    expect(otherAgency.json().error.fields.parentId).toMatch(/cùng cơ quan/);

    const created = await api('POST', '/api/admin/units', { id: 'phong-moi', name: 'Phòng Mới', agencyCode: DEPARTMENT, kind: 'office', parentId: 'so-gddt', abbreviation: 'PM' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'phong-moi', kind: 'office', parentId: 'so-gddt', depth: 1, agencyName: 'Sở Giáo dục và Đào tạo' });
    expect((await listUnits(env.ctx.db)).find((u) => u.id === 'phong-moi')?.kind).toBe('division');
    const duplicate = await api('POST', '/api/admin/units', { id: 'phong-moi', name: 'Khác', agencyCode: DEPARTMENT, kind: 'office' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('UNIT_EXISTS');
  });

  it('lists the tree in order with depths, and refuses a parent loop or a kind that no longer fits a role', async () => {
    const { items } = (await api('GET', '/api/admin/units')).json() as { items: Array<{ id: string; depth: number; parentId: string | null }> };
    const at = (id: string) => items.findIndex((u) => u.id === id);
    expect(items[0]).toMatchObject({ id: 'so-gddt', depth: 0 });
    expect(at('qlcl')).toBeGreaterThan(at('so-gddt'));
    expect(items[at('qlcl')]).toMatchObject({ depth: 1, parentId: 'so-gddt' });

    const loop = await api('PATCH', '/api/admin/units/so-gddt', { parentId: 'phong-moi' });
    expect(loop.statusCode).toBe(422);
    expect(loop.json().error.fields.parentId).toMatch(/trực thuộc/);
    const self = await api('PATCH', '/api/admin/units/so-gddt', { parentId: 'so-gddt' });
    expect(self.statusCode).toBe(422);
    // mot-cua is the desk of every procedure (demo unit roles): it cannot become an office.
    const misfit = await api('PATCH', '/api/admin/units/mot-cua', { kind: 'office' });
    expect(misfit.statusCode).toBe(422);
    expect(misfit.json().error.fields.kind).toMatch(/tiếp nhận/i);

    const moved = await api('PATCH', '/api/admin/units/phong-moi', { parentId: 'qlcl', name: 'Tổ Mới' });
    expect(moved.json()).toMatchObject({ id: 'phong-moi', name: 'Tổ Mới', parentId: 'qlcl', depth: 2 });
    const audit = await listAuditEntries(env.ctx.db, { action: 'organisation.unit_saved', target: 'phong-moi', limit: 5 });
    expect(audit).toHaveLength(2);
  });
});

describe('two administrators at once', () => {
  it('serialises unit moves: A under B and B under A at the same time → one moves, the other is refused as a loop', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [`dua-a-${round}`, `dua-b-${round}`];
      for (const id of [a, b]) {
        expect((await api('POST', '/api/admin/units', { id, name: `Tổ ${id}`, agencyCode: DEPARTMENT, kind: 'office', parentId: 'so-gddt' })).statusCode).toBe(201);
      }
      const answers = await Promise.all([
        api('PATCH', `/api/admin/units/${a}`, { parentId: b }), api('PATCH', `/api/admin/units/${b}`, { parentId: a }),
      ]);
      expect(answers.map((r) => r.statusCode).sort(), `round ${round}`).toEqual([200, 422]);
      expect(answers.find((r) => r.statusCode === 422)!.json().error.fields.parentId).toMatch(/trực thuộc/);
      const stored = new Map((await listUnits(env.ctx.db)).map((u) => [u.id, u.parentId]));
      expect(stored.get(a) === b && stored.get(b) === a, `round ${round}: a loop was stored`).toBe(false);
    }
  });
});

describe('import of units and schools (all or nothing)', () => {
  const rows = (count: number, bad?: number) => {
    const lines = ['id,name,agencyCode,kind,parentId,abbreviation'];
    for (let i = 0; i < count; i++) {
      const line = i + 2; // the header is line 1
      lines.push(`to-${i},Tổ chuyên môn ${i},${DEPARTMENT},${line === bad ? 'phong' : 'office'},so-gddt,`);
    }
    return csv(lines);
  };

  it('imports nothing when line 57 of 300 is wrong, and says "line 57"', async () => {
    const before = (await listUnits(env.ctx.db)).length;
    const refused = await importFile('to-chuyen-mon.csv', rows(300, 57));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields).toEqual({ 'line 57': expect.stringMatching(/^kind: /) });
    expect(refused.json().error.message).toMatch(/1 dòng lỗi.*chưa nhập dòng nào/);
    expect((await listUnits(env.ctx.db)).length).toBe(before);
  });

  it('imports 300 lines in one go, and again as an update', async () => {
    const before = (await listUnits(env.ctx.db)).length;
    const done = await importFile('to-chuyen-mon.csv', rows(300));
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ imported: 300, created: 300, updated: 0, agenciesCreated: 0 });
    expect((await listUnits(env.ctx.db)).length).toBe(before + 300);
    const again = await importFile('to-chuyen-mon.csv', rows(300));
    expect(again.json()).toMatchObject({ imported: 300, created: 0, updated: 300 });
    const [entry] = await listAuditEntries(env.ctx.db, { action: 'organisation.units_imported', limit: 1 });
    expect(entry).toMatchObject({ target: 'to-chuyen-mon.csv', details: { imported: 300 } });
  });

  it('keeps a unit\'s parent and abbreviation when a file imported again leaves them out', async () => {
    const first = await importFile('to-co-cha.csv', csv(['id,name,agencyCode,kind,parentId,abbreviation', `to-giu,Tổ Giữ,${DEPARTMENT},office,qlcl,TG`]));
    expect(first.statusCode).toBe(200);
    const noColumns = await importFile('to-khong-cot.csv', csv(['id,name,agencyCode,kind', `to-giu,Tổ Giữ (đổi tên),${DEPARTMENT},office`]));
    expect(noColumns.json()).toMatchObject({ updated: 1 });
    const emptyCells = await importFile('to-o-trong.csv', csv(['id,name,agencyCode,kind,parentId,abbreviation', `to-giu,Tổ Giữ (lần ba),${DEPARTMENT},office,,`]));
    expect(emptyCells.json()).toMatchObject({ updated: 1 });
    expect((await listUnits(env.ctx.db)).find((u) => u.id === 'to-giu')).toMatchObject({ name: 'Tổ Giữ (lần ba)', parentId: 'qlcl', abbreviation: 'TG' });
  });

  it('reports every bad line of a file: duplicates, unknown parents, loops, unknown agencies', async () => {
    const refused = await importFile('loi.csv', csv([
      'ID,Name,AgencyCode,Kind,ParentId', // header names in any case
      `a-1,A,${DEPARTMENT},office,so-gddt`,
      `a-1,A lần hai,${DEPARTMENT},office,so-gddt`,
      `a-2,B,${DEPARTMENT},office,khong-co`,
      `a-3,C,${DEPARTMENT},office,a-4`,
      `a-4,D,${DEPARTMENT},office,a-3`,
      'a-5,E,000.88.12.H56,school,',
      `"a-6","Tên, có dấu phẩy",${DEPARTMENT},office,a-1`,
    ]));
    expect(refused.statusCode).toBe(422);
    const fields = refused.json().error.fields as Record<string, string>;
    expect(Object.keys(fields)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(fields['line 3']).toMatch(/trùng với dòng 2/);
    expect(fields['line 4']).toMatch(/khong-co/);
    expect(fields['line 5']).toMatch(/vòng lặp/);
    expect(fields['line 7']).toMatch(/agencyName/);
    expect((await listUnits(env.ctx.db)).some((u) => u.id === 'a-1')).toBe(false);

    const columns = await importFile('cot.csv', csv(['id,name,agencyCode,kind,mauSac', `x-1,X,${DEPARTMENT},office,do`]));
    expect(columns.json().error.fields.file).toMatch(/mauSac/);
    const missing = await importFile('thieu.csv', csv(['id,name', 'x-1,X']));
    expect(missing.json().error.fields.file).toMatch(/agencyCode, kind/);
    const tooMany = await importFile('nhieu.csv', csv(['id,name,agencyCode,kind', ...Array.from({ length: 5001 }, (_, i) => `n-${i},N,${DEPARTMENT},office`)]));
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.fields.file).toMatch(/5001 dòng.*5000/);
  });

  it('imports schools from XLSX, creating their agencies under the Department', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Trường');
    sheet.addRow(['id', 'name', 'agencyCode', 'kind', 'parentId', 'abbreviation', 'agencyName']);
    sheet.addRow(['thpt-nhu-thanh', 'Văn phòng Trường THPT Như Thanh', '000.40.12.H56', 'school', null, 'THPTNT', 'Trường THPT Như Thanh']);
    sheet.addRow(['thpt-nga-son', 'Văn phòng Trường THPT Nga Sơn', '000.41.12.H56', 'school', null, 'THPTNS', 'Trường THPT Nga Sơn']);
    sheet.addRow(['thpt-nga-son-to-van', 'Tổ Văn', '000.41.12.H56', 'office', 'thpt-nga-son', null, null]);
    const data = Buffer.from(await workbook.xlsx.writeBuffer());
    const done = await importFile('truong.xlsx', data, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ imported: 3, created: 3, updated: 0, agenciesCreated: 2 });
    expect(await findAgency(env.ctx.db, '000.41.12.H56')).toMatchObject({
      name: 'Trường THPT Nga Sơn', kind: 'school', parentCode: DEPARTMENT, parentName: 'Sở Giáo dục và Đào tạo Thanh Hóa', place: 'Thanh Hóa', abbreviation: 'THPTNS',
    });

    sheet.getRow(3).getCell(4).value = 'truong';
    const refused = await importFile('truong.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(refused.json().error.fields).toEqual({ 'line 3': expect.stringMatching(/^kind/) });
    const broken = await importFile('hong.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]));
    expect(broken.json().error.fields.file).toMatch(/XLSX/);
  });
});

describe('unit roles', () => {
  it('lists the procedures and who plays each part', async () => {
    const view = (await api('GET', '/api/admin/unit-roles')).json();
    expect(view.procedures[0]).toEqual({ id: '*', title: 'Mọi thủ tục (mặc định)' });
    expect(view.procedures.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['diploma-copy', 'school-transfer']));
    expect(view.items).toEqual(expect.arrayContaining([{ procedureId: '*', role: 'desk', unitId: 'mot-cua' }, { procedureId: 'diploma-copy', role: 'office', unitId: 'qlcl' }]));
  });

  it('refuses a unit of the wrong kind, an unknown procedure and an empty default', async () => {
    const wrong = await api('PUT', '/api/admin/unit-roles', { items: [
      { procedureId: '*', role: 'desk', unitId: 'qlcl' },
      { procedureId: 'khong-co', role: 'office', unitId: 'qlcl' },
      { procedureId: '*', role: 'leadership', unitId: null },
      { procedureId: 'diploma-copy', role: 'leadership', unitId: 'thpt-lam-son' },
    ] });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.fields).toEqual({
      'items.0.unitId': expect.stringMatching(/một cửa/), 'items.1.procedureId': expect.any(String),
      'items.2.unitId': expect.any(String), 'items.3.unitId': expect.stringMatching(/lãnh đạo/),
    });
    expect((await api('PUT', '/api/admin/unit-roles', { items: [{ procedureId: '*', role: 'desk', unitId: 'KHONG HOP LE' }] })).statusCode).toBe(422);
  });

  it('assigns and clears a procedure\'s own unit, with an audit entry', async () => {
    const set = await api('PUT', '/api/admin/unit-roles', { items: [{ procedureId: 'extra-tutoring-licence', role: 'office', unitId: 'qlcl' }] });
    expect(set.statusCode).toBe(200);
    expect(set.json().items).toContainEqual({ procedureId: 'extra-tutoring-licence', role: 'office', unitId: 'qlcl' });
    const cleared = await api('PUT', '/api/admin/unit-roles', { items: [{ procedureId: 'extra-tutoring-licence', role: 'office', unitId: null }] });
    expect(cleared.json().items).not.toContainEqual(expect.objectContaining({ procedureId: 'extra-tutoring-licence', role: 'office' }));
    const entries = await listAuditEntries(env.ctx.db, { action: 'organisation.unit_role_assigned', limit: 5 });
    expect(entries[0]!.details).toMatchObject({ changes: [{ procedureId: 'extra-tutoring-licence', role: 'office', unitId: null, before: 'qlcl' }] });
  });
});

describe('the organisation pages', () => {
  let cookies: Record<string, string>;
  beforeAll(async () => {
    const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'demo' } });
    cookies = { motcua_session: r.cookies.find((c) => c.name === 'motcua_session')!.value };
  });

  /** Loads a page and keeps its CSRF secret cookie; returns the page and its token. */
  async function open(url: string) {
    const page = await env.app.inject({ method: 'GET', url, cookies });
    const secret = page.cookies.find((c) => c.name === 'motcua_csrf')?.value;
    if (secret) cookies.motcua_csrf = secret;
    return { page, token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? /_csrf=([^"&]+)/.exec(page.body)?.[1] ?? '' };
  }

  const post = (url: string, token: string, fields: Record<string, string>) =>
    env.app.inject({ method: 'POST', url, cookies, payload: { _csrf: token, ...fields } });

  it('renders every section with the admin menu, labelled forms and the sub-navigation', async () => {
    for (const url of ['/quan-tri/to-chuc', '/quan-tri/to-chuc/co-quan/moi', `/quan-tri/to-chuc/co-quan/${DEPARTMENT}`, '/quan-tri/to-chuc/don-vi',
      '/quan-tri/to-chuc/don-vi/moi', '/quan-tri/to-chuc/don-vi/qlcl', '/quan-tri/to-chuc/nhap', '/quan-tri/to-chuc/phan-cong']) {
      const { page } = await open(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toContain('class="admin-menu"');
      expect(page.body, url).toContain('aria-label="Các mục của phần Tổ chức"');
    }
    const tree = (await open('/quan-tri/to-chuc/don-vi')).page.body;
    expect(tree).toMatch(/data-depth="1">\s*<a href="\/quan-tri\/to-chuc\/don-vi\/qlcl">Phòng Quản lý chất lượng<\/a>/);
    const roles = (await open('/quan-tri/to-chuc/phan-cong')).page.body;
    expect(roles).toContain('<label for="r-diploma-copy-office" class="visually-hidden">');
    expect(roles).toMatch(/<option value="qlcl" selected>/);
  });

  it('saves the settings form and shows field errors in Vietnamese; refuses a post without the CSRF token', async () => {
    const { token } = await open('/quan-tri/to-chuc');
    const noToken = await env.app.inject({ method: 'POST', url: '/quan-tri/to-chuc/cai-dat', cookies, payload: { provinceName: 'Hà Tĩnh' } });
    expect(noToken.statusCode).toBe(403);
    const bad = await post('/quan-tri/to-chuc/cai-dat', token, { provinceName: '', departmentAgencyCode: DEPARTMENT });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/id="f-provinceName-error"[^>]*>Nhập tên tỉnh, thành phố\./);
    const saved = await post('/quan-tri/to-chuc/cai-dat', token, { provinceName: 'Thanh Hóa', departmentAgencyCode: DEPARTMENT });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toMatch(/^\/quan-tri\/to-chuc\?tb=/);
  });

  it('adds an agency and a unit from their forms, and keeps a taken id on the form with 409', async () => {
    const { token } = await open('/quan-tri/to-chuc/co-quan/moi');
    const agency = await post('/quan-tri/to-chuc/co-quan', token, { code: '000.50.12.H56', name: 'Trường THPT Tĩnh Gia', abbreviation: 'THPTTG', kind: 'school', parentCode: DEPARTMENT, parentName: '', place: '' });
    expect(agency.statusCode).toBe(303);
    expect((await findAgency(env.ctx.db, '000.50.12.H56'))?.parentName).toBe('Sở Giáo dục và Đào tạo Thanh Hóa');
    const unit = await post('/quan-tri/to-chuc/don-vi', token, { id: 'thpt-tinh-gia', name: 'Văn phòng Trường THPT Tĩnh Gia', kind: 'school', agencyCode: '000.50.12.H56', parentId: '', abbreviation: '' });
    expect(unit.statusCode).toBe(303);
    const again = await post('/quan-tri/to-chuc/don-vi', token, { id: 'thpt-tinh-gia', name: 'X', kind: 'school', agencyCode: '000.50.12.H56' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Mã đơn vị này đã có.');
    const edit = await post('/quan-tri/to-chuc/don-vi/thpt-tinh-gia', token, { name: 'Văn phòng THPT Tĩnh Gia', kind: 'school', agencyCode: '000.50.12.H56', parentId: '', abbreviation: 'VP' });
    expect(edit.statusCode).toBe(303);
    expect((await listUnits(env.ctx.db)).find((u) => u.id === 'thpt-tinh-gia')).toMatchObject({ name: 'Văn phòng THPT Tĩnh Gia', abbreviation: 'VP' });
  });

  it('imports a file from the page and shows the bad lines in a table', async () => {
    const { page, token } = await open('/quan-tri/to-chuc/nhap');
    expect(page.body).toContain('href="/quan-tri/to-chuc/mau-nhap-don-vi-truong.csv"');
    const form = multipart('truong.csv', csv(['id,name,agencyCode,kind', `p-1,P,${DEPARTMENT},office`, `P 2,P,${DEPARTMENT},office`]), 'text/csv');
    const refused = await env.app.inject({ method: 'POST', url: `/quan-tri/to-chuc/nhap?_csrf=${encodeURIComponent(token)}`, cookies, payload: form.payload, headers: form.headers });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/<th scope="row">Dòng 3<\/th><td>id: /);
    const accepted = multipart('truong.csv', csv(['id,name,agencyCode,kind', `p-1,P,${DEPARTMENT},office`]), 'text/csv');
    const done = await env.app.inject({ method: 'POST', url: `/quan-tri/to-chuc/nhap?_csrf=${encodeURIComponent(token)}`, cookies, payload: accepted.payload, headers: accepted.headers });
    expect(done.statusCode).toBe(303);
    // The notice: a fixed text with the counts (digits) from the link; a crafted link with words shows nothing.
    expect(done.headers.location).toBe('/quan-tri/to-chuc/don-vi?tb=nhap&moi=1&cap-nhat=0&co-quan-moi=0');
    const shown = await env.app.inject({ method: 'GET', url: done.headers.location as string, cookies });
    expect(shown.body).toContain('role="status">Đã nhập 1 đơn vị từ tệp: 1 đơn vị mới, 0 đơn vị cập nhật.');
    const crafted = await env.app.inject({ method: 'GET', url: '/quan-tri/to-chuc/don-vi?tb=nhap&moi=T%E1%BA%A5t%20c%E1%BA%A3&cap-nhat=0', cookies });
    expect(crafted.body).not.toContain('role="status"');
    const noToken = await env.app.inject({ method: 'POST', url: '/quan-tri/to-chuc/nhap', cookies, payload: accepted.payload, headers: accepted.headers });
    expect(noToken.statusCode).toBe(403);

    const template = await env.app.inject({ method: 'GET', url: '/quan-tri/to-chuc/mau-nhap-don-vi-truong.csv', cookies });
    expect(template.headers['content-disposition']).toMatch(/^attachment/);
    expect(template.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('id,name,agencyCode,kind,parentId,abbreviation,agencyName');
    expect(template.body).toContain('000.30.12.H56');
  });

  it('saves the unit roles form and marks a wrong choice on its select', async () => {
    const { token } = await open('/quan-tri/to-chuc/phan-cong');
    const wrong = await post('/quan-tri/to-chuc/phan-cong', token, { 'role.*.desk': 'mot-cua', 'role.*.office': 'gdtrh', 'role.*.leadership': 'qlcl', 'role.diploma-copy.office': 'qlcl' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toMatch(/id="r-all-leadership-error">Vai trò lãnh đạo/);
    const saved = await post('/quan-tri/to-chuc/phan-cong', token, {
      'role.*.desk': 'mot-cua', 'role.*.office': 'gdtrh', 'role.*.leadership': 'so-gddt', 'role.diploma-copy.office': 'qlcl', 'role.school-transfer.office': 'qlcl',
    });
    expect(saved.statusCode).toBe(303);
    const view = (await api('GET', '/api/admin/unit-roles')).json();
    expect(view.items).toContainEqual({ procedureId: 'school-transfer', role: 'office', unitId: 'qlcl' });
    expect(view.items).toContainEqual({ procedureId: 'diploma-copy', role: 'office', unitId: 'qlcl' });
  });
});
