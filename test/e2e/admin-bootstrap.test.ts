// Going live from an EMPTY production database: `npm run admin:create` (a real child process, password from
// ADMIN_PASSWORD and from standard input) → sign-in → the first-run set-up (API, and the page through form posts) →
// the administration's start page; the same username twice exits 1; set-up runs once; only administrators reach it.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { listUnitRoles, readOrganisationSettings } from '../../src/db/repositories/administration.js';
import { findAgency, findStaffByUsername, findUnit, insertStaff } from '../../src/db/repositories/staff.js';
import { HOLDING_AGENCY_CODE, HOLDING_UNIT_ID } from '../../src/services/accounts/create-administrator.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';

const execFileAsync = promisify(execFile);
const PASSWORD = 'Quan-tri-2025!x';
const SECOND_PASSWORD = 'Mat-khau-thu-hai#42';

interface CliResult { code: number; stdout: string; stderr: string }

/** The CLI as an operator runs it: its own process, configured by the environment only. */
function cliEnv(env: TestEnvironment, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { ADMIN_PASSWORD: _ignored, ...inherited } = process.env;
  if (env.config.database.kind !== 'postgres') throw new Error('production mode expected');
  return {
    ...inherited, DATABASE_URL: env.config.database.url, APP_SECRET: randomBytes(32).toString('hex'), DATA_DIR: env.config.dataDir,
    LOG_LEVEL: 'silent', PUBLIC_URL: 'http://motcua.test', ...extra,
  };
}

async function runCli(args: string[], environment: NodeJS.ProcessEnv): Promise<CliResult> {
  return execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/admin-create.ts', ...args], { env: environment, timeout: 60_000 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
}

/** The password arrives on a pipe (not a terminal): the first line is read. */
function runCliWithStdin(args: string[], environment: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin-create.ts', ...args], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += String(c); });
    child.stderr.on('data', (c) => { stderr += String(c); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const setupBody = {
  provinceName: 'Nghệ An',
  department: { code: '000.00.12.H40', name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDĐT' },
  board: { name: 'Ban Giám đốc Sở', id: 'ban-giam-doc' },
  desk: { name: 'Bộ phận Tiếp nhận và Trả kết quả' },
  offices: [{ name: 'Phòng Quản lý chất lượng', id: 'qlcl' }, { name: 'Phòng Giáo dục Trung học' }],
};

describe('going live from an empty production database', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { seedStaff: false });
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  it('admin:create refuses bad arguments and a weak password with exit code 2, creating nothing', async () => {
    const missing = await runCli(['--username', 'quantri'], cliEnv(env, { ADMIN_PASSWORD: PASSWORD }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--full-name');
    const unknown = await runCli(['--username', 'quantri', '--full-name', 'X Y', '--bogus'], cliEnv(env, { ADMIN_PASSWORD: PASSWORD }));
    expect(unknown.code).toBe(2);
    const weak = await runCli(['--username', 'quantri', '--full-name', 'Nguyễn Văn Quản'], cliEnv(env, { ADMIN_PASSWORD: 'ngan' }));
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('ít nhất 10 ký tự');
    expect(weak.stderr).toContain('too weak');
    expect(await findStaffByUsername(env.ctx.db, 'quantri')).toBeUndefined();
  });

  it('creates the first administrator from ADMIN_PASSWORD and a second from standard input, in a holding unit', async () => {
    const first = await runCli(['--username', 'QuanTri', '--full-name', 'Nguyễn Văn Quản'], cliEnv(env, { ADMIN_PASSWORD: PASSWORD }));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('quantri');
    const second = await runCliWithStdin(['--username', 'quantri2', '--full-name', 'Trần Thị Hai'], cliEnv(env), `${SECOND_PASSWORD}\nignored\n`);
    expect(second.code, second.stderr).toBe(0);

    const admin = await findStaffByUsername(env.ctx.db, 'quantri');
    expect(admin).toMatchObject({ roles: ['admin'], unitId: HOLDING_UNIT_ID, fullName: 'Nguyễn Văn Quản', active: true, mustChangePassword: false });
    expect(await findAgency(env.ctx.db, HOLDING_AGENCY_CODE)).toBeDefined();
    const audit = await listAuditEntries(env.ctx.db, { action: 'staff.created', limit: 10 });
    expect(audit.map((a) => [a.target, a.actorKind])).toEqual([['quantri2', 'system'], ['quantri', 'system']]);
    // Both passwords work; the stdin one is the first line only.
    expect((await api.json('POST', '/api/auth/login', { json: { username: 'quantri2', password: SECOND_PASSWORD } })).status).toBe(200);
  });

  it('leads the signed-in administrator to the set-up, refuses bad input with Vietnamese field errors, then sets up once', async () => {
    const token = await api.login('quantri', PASSWORD);
    const home = await api.request('GET', '/quan-tri', { token, headers: {} });
    expect(home.url).toMatch(/\/quan-tri\/thiet-lap$/); // fetch followed /quan-tri → /quan-tri/thiet-lap
    expect(await home.text()).toContain('Bước 2. Sở Giáo dục và Đào tạo');
    const inbox = await fetch(`${api.baseUrl}/can-bo`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect([inbox.status, inbox.headers.get('location')]).toEqual([303, '/quan-tri']);
    expect((await api.json('GET', '/api/admin/setup', { token })).body).toMatchObject({ setupCompleted: false, departmentAgencyCode: null });

    const bad = await api.json('POST', '/api/admin/setup', { token, json: { ...setupBody, department: { ...setupBody.department, code: '12.H40' }, offices: [] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields['department.code']).toContain('QCVN 102');
    expect(bad.body.error.fields.offices).toContain('ít nhất một phòng');
    const clash = await api.json('POST', '/api/admin/setup', { token, json: { ...setupBody, desk: { name: 'Một cửa', id: 'qlcl' } } });
    expect(clash.status).toBe(422);
    expect(clash.body.error.fields).toHaveProperty('desk.id');

    const done = await api.json('POST', '/api/admin/setup', { token, json: setupBody });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body).toEqual({
      provinceName: 'Nghệ An', departmentAgencyCode: '000.00.12.H40', movedAccounts: expect.arrayContaining(['quantri', 'quantri2']),
      units: [
        { id: 'ban-giam-doc', name: 'Ban Giám đốc Sở', kind: 'board', role: 'leadership' },
        { id: 'bo-phan-tiep-nhan-va-tra-ket-qua', name: 'Bộ phận Tiếp nhận và Trả kết quả', kind: 'one_stop_desk', role: 'desk' },
        { id: 'qlcl', name: 'Phòng Quản lý chất lượng', kind: 'division', role: 'office' },
        { id: 'phong-giao-duc-trung-hoc', name: 'Phòng Giáo dục Trung học', kind: 'division', role: null },
      ],
    });
    const { db } = env.ctx;
    expect(await findAgency(db, '000.00.12.H40')).toMatchObject({ name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDĐT', parentName: 'Ủy ban nhân dân tỉnh Nghệ An', place: 'Nghệ An', kind: 'department' });
    expect(await findUnit(db, 'qlcl')).toMatchObject({ agencyCode: '000.00.12.H40', parentId: 'ban-giam-doc' });
    expect((await listUnitRoles(db)).map((r) => [r.procedureId, r.role, r.unitId])).toEqual([
      ['*', 'desk', 'bo-phan-tiep-nhan-va-tra-ket-qua'], ['*', 'leadership', 'ban-giam-doc'], ['*', 'office', 'qlcl'],
    ]);
    expect(await readOrganisationSettings(db)).toMatchObject({ provinceName: 'Nghệ An', departmentAgencyCode: '000.00.12.H40', setupCompletedAt: expect.any(Date) });
    expect((await findStaffByUsername(db, 'quantri'))?.unitId).toBe('ban-giam-doc');
    expect(await findUnit(db, HOLDING_UNIT_ID)).toBeUndefined();
    expect(await findAgency(db, HOLDING_AGENCY_CODE)).toBeUndefined();
    // This process reloaded at once: the site names the Department and the province.
    expect(env.ctx.organisation).toMatchObject({ setupCompleted: true, departmentName: 'Sở Giáo dục và Đào tạo Nghệ An', provinceName: 'Nghệ An' });
    const actions = (await listAuditEntries(db, { action: 'organisation.', limit: 50 })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['organisation.setup_completed', 'organisation.agency_saved', 'organisation.unit_saved', 'organisation.unit_role_assigned', 'organisation.settings_updated']));
    expect((await listAuditEntries(db, { action: 'organisation.setup_completed', limit: 5 }))[0]).toMatchObject({ actorName: 'Nguyễn Văn Quản (quantri)', actorKind: 'staff' });

    // The procedures now run on these units: a diploma copy is filed with the new Department's code.
    const filed = await api.submit('diploma-copy', diplomaRequest('Hồ Thị Nghệ'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body.code).toMatch(/^000\.00\.12\.H40-/);

    const again = await api.json('POST', '/api/admin/setup', { token, json: setupBody });
    expect([again.status, again.body.error.code]).toEqual([409, 'SETUP_ALREADY_DONE']);
    expect((await api.json('GET', '/api/admin/setup', { token })).body).toEqual({
      setupCompleted: true, provinceName: 'Nghệ An', departmentName: 'Sở Giáo dục và Đào tạo Nghệ An', departmentAgencyCode: '000.00.12.H40',
    });
  });

  it('shows the administration start page with its sections and counts once set up', async () => {
    const token = await api.login('quantri', PASSWORD);
    const home = await fetch(`${api.baseUrl}/quan-tri`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('Sở Giáo dục và Đào tạo Nghệ An');
    for (const label of ['Tài khoản cán bộ', 'Khóa ký số, chữ ký và con dấu', 'Nhật ký hệ thống', 'Lịch ngày làm việc']) expect(html).toContain(label);
    expect(html).toMatch(/data-testid="admin-units">4</);
    expect(html).toMatch(/data-testid="admin-staff">2</);
    expect(html).toMatch(/data-testid="admin-failed-effects">0</);
    const setupPage = await fetch(`${api.baseUrl}/quan-tri/thiet-lap`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(setupPage.status).toBe(303);
    expect(setupPage.headers.get('location')).toMatch(/^\/quan-tri\?tb=/);
  });

  it('admin:create refuses a username that exists (exit 1) and puts later administrators in the board', async () => {
    const again = await runCli(['--username', 'quantri', '--full-name', 'Người Khác'], cliEnv(env, { ADMIN_PASSWORD: 'Mot-mat-khau-khac-99' }));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('đã có tài khoản');
    expect(again.stderr).toContain('already has an account');
    const third = await runCli(['--username', 'quantri3', '--full-name', 'Lê Văn Ba'], cliEnv(env, { ADMIN_PASSWORD: PASSWORD }));
    expect(third.code, third.stderr).toBe(0);
    expect((await findStaffByUsername(env.ctx.db, 'quantri3'))?.unitId).toBe('ban-giam-doc');
    expect(await findUnit(env.ctx.db, HOLDING_UNIT_ID)).toBeUndefined();
  });

  it('lets no one but an administrator near the set-up: 401 anonymous, 403 other staff (API and pages)', async () => {
    await insertStaff(env.ctx.db, {
      username: 'motcua1', fullName: 'Lê Thị Một Cửa', title: 'Cán bộ một cửa', roles: ['clerk'], unitId: 'bo-phan-tiep-nhan-va-tra-ket-qua',
      passwordHash: (await findStaffByUsername(env.ctx.db, 'quantri'))!.passwordHash,
    });
    const clerk = await api.login('motcua1', PASSWORD);
    for (const method of ['GET', 'POST'] as const) {
      const json = method === 'POST' ? setupBody : undefined;
      expect((await api.json(method, '/api/admin/setup', { json })).body.error.code).toBe('UNAUTHENTICATED');
      const refused = await api.json(method, '/api/admin/setup', { token: clerk, json });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    for (const url of ['/quan-tri', '/quan-tri/thiet-lap']) {
      expect((await fetch(`${api.baseUrl}${url}`, { headers: { authorization: `Bearer ${clerk}` }, redirect: 'manual' })).status).toBe(403);
      const anonymous = await fetch(`${api.baseUrl}${url}`, { redirect: 'manual' });
      expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, `/dang-nhap?next=${encodeURIComponent(url)}`]);
    }
    // A clerk's inbox stays the inbox.
    expect((await fetch(`${api.baseUrl}/can-bo`, { headers: { authorization: `Bearer ${clerk}` }, redirect: 'manual' })).status).toBe(200);
  });
});

describe('the set-up page through form posts', () => {
  let env: TestEnvironment;
  let dataDir: string;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { seedStaff: false });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-cli-'));
    const created = await runCli(['--username', 'admin-so', '--full-name', 'Phạm Thị Quản Trị'], cliEnv(env, { ADMIN_PASSWORD: PASSWORD, DATA_DIR: dataDir }));
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(async () => {
    await env?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const form = {
    provinceName: 'Đà Nẵng', 'department.code': '000.00.12.H42', 'department.name': 'Sở Giáo dục và Đào tạo', 'department.abbreviation': 'SGDĐT',
    'department.parentName': '', 'department.place': '', 'board.name': 'Ban Giám đốc Sở', 'board.id': 'ban-giam-doc',
    'desk.name': 'Bộ phận Tiếp nhận và Trả kết quả', 'desk.id': 'mot-cua', 'offices.0.name': 'Phòng Khảo thí và Quản lý chất lượng', 'offices.0.id': '',
    'offices.1.name': '', 'offices.1.id': '', 'offices.2.name': 'Văn phòng Sở', 'offices.2.id': 'VP SO',
  };

  it('signs in, is led to the set-up, sees field errors in Vietnamese with the values kept, then completes it', async () => {
    const session = await signInPages(env, 'admin-so', PASSWORD);
    expect((await session.get('/can-bo')).location).toBe('/quan-tri');
    expect((await session.get('/quan-tri')).location).toBe('/quan-tri/thiet-lap');
    const page = await session.get('/quan-tri/thiet-lap');
    expect(page.status).toBe(200);
    // HTML checks as well: required fields and the QCVN 102 pattern.
    expect(page.body).toMatch(/name="department\.code"[^>]*pattern="\[0-9\]\{3\}/);
    expect(page.body).toMatch(/name="provinceName"[^>]*required/);
    expect(page.body).toContain('value="Bộ phận Tiếp nhận và Trả kết quả"');

    // Office row 3 with a bad id: the error lands on row 3's field, not on row 2 (which was left empty).
    const refused = await session.post('/quan-tri/thiet-lap', { ...form, 'department.code': 'H42' });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Mã cơ quan theo QCVN 102:2016');
    expect(refused.body).toMatch(/id="f-offices-2-id-error" data-for="offices\.2\.id">Mã đơn vị gồm 2–63 ký tự/);
    expect(refused.body).toContain('value="Đà Nẵng"');
    expect(await findUnit(env.ctx.db, 'mot-cua')).toBeUndefined();

    const done = await session.post('/quan-tri/thiet-lap', { ...form, 'offices.2.id': 'van-phong' });
    expect(done.status, done.body).toBe(303);
    expect(done.location).toBe('/quan-tri?tb=thiet-lap-xong');
    // A centrally governed city: its Department answers to the city's committee, not a province's.
    expect((await findAgency(env.ctx.db, '000.00.12.H42'))?.parentName).toBe('Ủy ban nhân dân thành phố Đà Nẵng');
    expect((await findUnit(env.ctx.db, 'phong-khao-thi-va-quan-ly-chat-luong'))?.kind).toBe('division');
    expect((await findUnit(env.ctx.db, 'van-phong'))?.parentId).toBe('ban-giam-doc');
    expect((await findStaffByUsername(env.ctx.db, 'admin-so'))?.unitId).toBe('ban-giam-doc');
    const home = await session.get(done.location!);
    expect(home.status).toBe(200);
    expect(home.body).toContain('Đã hoàn tất thiết lập ban đầu: Sở Giáo dục và Đào tạo Đà Nẵng, 4 đơn vị');
    // A crafted link cannot put its own words on the start page as a notice.
    const crafted = await session.get(`/quan-tri?tb=${encodeURIComponent('Phiên hết hạn: nhập lại mật khẩu tại http://gia-mao.example')}`);
    expect(crafted.body).not.toContain('gia-mao.example');
    expect(home.body).toMatch(/data-testid="admin-units">4</);
    expect(home.body).toContain('aria-label="Quản trị"');

    const twice = await session.post('/quan-tri/thiet-lap', form);
    expect(twice.status).toBe(303);
    expect(twice.location).toBe('/quan-tri?tb=da-thiet-lap');
  });
});
