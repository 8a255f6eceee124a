// Issue 10, "done when": a Department goes live from an EMPTY production database using only `npm run admin:create`
// and the administration pages, in a real browser (Debian's chromium). The province is Nghệ An (H40), not the demo's
// Thanh Hóa, and no workflow file is edited: the administrator creates the organisation in the first-run set-up, a
// desk clerk, a specialist and a deputy director signing "KT. GIÁM ĐỐC", uploads the deputy director's key and the
// Department's seal; each new account changes its temporary password at first sign-in; a citizen files a diploma copy
// and the staff take it to a signed result, sealed by the Department of Nghệ An.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dossierAction, screenshot, signOut as signOutAt, startBrowserEnvironment, submitStaffSignIn, textOf, type Browser, type BrowserEnvironment,
} from '../../helpers/browser.js';
import type { TestEnvironment } from '../../helpers/context.js';
import { makePdf } from '../../helpers/files.js';
import { pdfsig, pdfText } from '../../helpers/pdf-tools.js';
import { expectSignedAndSealed } from '../procedures-common.js';
import { createCertificateAuthority, issueCertificate } from '../../../src/signing/keys.js';
import { createPkcs12 } from '../../../src/signing/pkcs12.js';

const run = promisify(execFile);
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000, interval: 100 });

const ADMIN_PASSWORD = 'Quan-tri-Nghe-An-2026';
const P12_PASSWORD = 'mat-khau-tep-khoa';
const PROVINCE = 'Nghệ An';
const DEPARTMENT = 'Sở Giáo dục và Đào tạo Nghệ An';

interface Person { username: string; fullName: string; title: string; role: string; unit: string; password: string; authority?: boolean }
const PEOPLE: Person[] = [
  { username: 'motcua.lan', fullName: 'Hồ Thị Lan', title: 'Cán bộ một cửa', role: 'clerk', unit: 'mot-cua', password: '' },
  { username: 'cv.hung', fullName: 'Phan Văn Hùng', title: 'Chuyên viên', role: 'specialist', unit: 'qlcl', password: '' },
  { username: 'pgd.binh', fullName: 'Nguyễn Thanh Bình', title: 'Phó Giám đốc', role: 'leader', unit: 'ban-giam-doc', password: '', authority: true },
];
const person = (role: string) => PEOPLE.find((p) => p.role === role)!;

describe('a Department goes live from an empty production database (chromium)', () => {
  let opened: BrowserEnvironment | undefined;
  let env: TestEnvironment;
  let base: string;
  let browser: Browser;
  let page: Page;
  let code = '';
  let trackingToken = '';

  beforeAll(async () => {
    // No demo: no organisation, no accounts, no keys, exactly what a production start on a new database has.
    opened = await startBrowserEnvironment({ seedStaff: false });
    ({ env, base, browser, page } = opened);
  });
  afterAll(async () => {
    await opened?.close();
  });

  async function signIn(username: string, password: string) {
    await browser.context.clearCookies({ name: 'motcua_session' });
    await submitStaffSignIn(page, base, username, { password });
    await page.waitForLoadState('domcontentloaded');
  }

  const signOut = () => signOutAt(page, base);

  const act = (label: string, fill?: () => Promise<void>) => dossierAction(page, label, fill);

  it('starts empty: no organisation, no account, the site names no province', async () => {
    const counts = await env.ctx.database.query<{ agencies: number; units: number; staff: number }>(
      'select (select count(*)::int from agencies) as agencies, (select count(*)::int from units where id <> all($1)) as units, (select count(*)::int from staff_accounts) as staff',
      [[]],
    );
    expect(counts[0]).toEqual({ agencies: 0, units: 0, staff: 0 });
    await page.goto(base);
    expect(await page.title()).not.toContain('Thanh Hóa');
  });

  it('admin:create makes the first administrator (password from ADMIN_PASSWORD), and refuses the same username twice', async () => {
    const cli = ['tsx', 'src/cli/admin-create.ts', '--username', 'quantri', '--full-name', 'Trần Quốc Việt'];
    const childEnv = { ...process.env, DATABASE_URL: databaseUrl(env), APP_SECRET: env.config.appSecret, ADMIN_PASSWORD, DATA_DIR: env.config.dataDir, LOG_LEVEL: 'silent' };
    const created = await run('npx', cli, { env: childEnv });
    expect(created.stdout + created.stderr).toContain('quantri');
    const again = await run('npx', cli, { env: childEnv }).then(() => 0, (error: { code: number }) => error.code);
    expect(again).toBe(1);
  });

  it('the administrator is led through the first-run set-up and creates the organisation', async () => {
    await signIn('quantri', ADMIN_PASSWORD);
    await page.waitForURL(`${base}/quan-tri/thiet-lap`);
    await page.getByLabel('Tên tỉnh/thành phố').fill(PROVINCE);
    await page.getByLabel('Mã cơ quan (QCVN 102:2016)').fill('000.00.12.H40');
    // The defaults (Sở Giáo dục và Đào tạo, SGDĐT, Ban Giám đốc Sở / ban-giam-doc, one-stop desk / mot-cua) are kept.
    // The first office row: the office in charge of every procedure until assigned otherwise.
    await page.locator('#f-offices-0-name').fill('Phòng Quản lý chất lượng');
    await page.locator('#f-offices-0-id').fill('qlcl');
    await screenshot(page, 'go-live-01-setup');
    await page.getByRole('button', { name: 'Hoàn tất thiết lập' }).click();
    await page.waitForURL((url) => url.pathname === '/quan-tri');
    // The site now names the province and the Department, from the settings.
    await poll(() => page.title()).toContain(PROVINCE);
    await poll(() => textOf(page.locator('header'))).toContain(PROVINCE);
    expect(env.ctx.organisation).toMatchObject({ provinceName: PROVINCE, departmentAgencyCode: '000.00.12.H40', setupCompleted: true });
  });

  it('creates a desk clerk, a specialist and a deputy director signing KT. GIÁM ĐỐC, each with a temporary password', async () => {
    for (const p of PEOPLE) {
      await page.goto(`${base}/quan-tri/can-bo/tao-moi`);
      await page.locator('#username').fill(p.username);
      await page.locator('#fullName').fill(p.fullName);
      await page.locator('#title').fill(p.title);
      await page.locator('#unitId').selectOption(p.unit);
      await page.locator(`#role-${p.role}`).check();
      if (p.authority) {
        await page.locator('#authorityKind').selectOption('KT');
        await page.locator('#authorityFor').fill('GIÁM ĐỐC');
      }
      await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
      p.password = await textOf(page.getByTestId('temporary-password'));
      expect(p.password, p.username).not.toBe('');
    }
    await screenshot(page, 'go-live-02-staff');
  });

  it('uploads the deputy director\'s key and the Department\'s seal', async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA thử nghiệm Nghệ An', organisation: 'CA thử nghiệm' });
    const leader = person('leader');
    const official = await issueCertificate(ca, { commonName: leader.fullName, organisation: DEPARTMENT, title: leader.title });
    const seal = await issueCertificate(ca, { commonName: DEPARTMENT, organisation: DEPARTMENT });
    const upload = async (owner: string, key: typeof official) => {
      await page.goto(`${base}/quan-tri/khoa-ky-so`);
      await page.locator('#key-owner').selectOption(owner);
      await page.locator('#key-pkcs12').setInputFiles({
        name: 'khoa.p12', mimeType: 'application/x-pkcs12', buffer: createPkcs12(key.privateKeyPem, key.certificatePem, [ca.certificatePem], P12_PASSWORD),
      });
      await page.locator('#key-password').fill(P12_PASSWORD);
      await page.getByRole('button', { name: 'Nạp khóa' }).click();
      await poll(() => textOf(page.getByRole('status'))).toContain('Đã nạp khóa ký số');
    };
    await upload(`staff:${leader.username}`, official);
    await upload('unit:ban-giam-doc', seal);
    await screenshot(page, 'go-live-03-keys');
    await signOut();
  });

  it('each new account must change its temporary password at first sign-in', async () => {
    for (const p of PEOPLE) {
      await signIn(p.username, p.password);
      await page.waitForURL(/\/tai-khoan\/doi-mat-khau/);
      const fresh = `Hoc-tap-suot-doi-${p.role}-2026`;
      await screenshot(page, `go-live-04-must-change-${p.role}`);
      await page.locator('#currentPassword').fill(p.password);
      await page.locator('#newPassword').fill(fresh);
      await page.locator('#confirmPassword').fill(fresh);
      await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/tai-khoan/doi-mat-khau'));
      p.password = fresh;
      await signOut();
    }
  });

  it('a citizen files a diploma copy; the desk receives it, the specialist checks the paper register, the deputy director approves', async () => {
    await page.goto(`${base}/thu-tuc/diploma-copy/nop`);
    await page.getByLabel('Họ và tên người yêu cầu').fill('Lê Thị Hoa');
    await page.getByLabel('Số căn cước công dân').fill('040190001234');
    await page.getByLabel('Số điện thoại').fill('0912345678');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 1 Quang Trung, TP Vinh');
    await page.getByLabel('Quan hệ với người được cấp văn bằng').selectOption('self');
    await page.getByLabel('Họ và tên người được cấp văn bằng').fill('Lê Thị Hoa');
    await page.getByLabel('Ngày sinh người được cấp văn bằng').fill('2003-05-10');
    await page.getByLabel('Loại văn bằng, chứng chỉ').selectOption('thpt');
    await page.getByLabel('Trường / nơi cấp văn bằng').fill('Trường THPT chuyên Phan Bội Châu');
    await page.getByLabel('Năm tốt nghiệp').fill('2021');
    await page.getByLabel('Số bản sao đề nghị cấp').fill('1');
    await page.locator('#d-identity').setInputFiles({ name: 'cccd.pdf', mimeType: 'application/pdf', buffer: await makePdf() });
    await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await page.waitForURL(/\/ho-so\/.+\/bien-nhan$/);
    code = (await page.getByTestId('dossier-code').textContent())!.trim();
    // The dossier code carries the Department's own QCVN 102 code, set by the administrator, not a workflow file.
    expect(code).toMatch(/^000\.00\.12\.H40-\d{6}-\d{4}$/);
    trackingToken = await textOf(page.getByTestId('tracking-token'));
    expect(trackingToken).not.toBe('');

    const clerk = person('clerk');
    await signIn(clerk.username, clerk.password);
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    await act('Tiếp nhận hồ sơ');
    await poll(() => textOf(page.getByTestId('status'))).toBe('Đang thẩm định');
    await signOut();

    const specialist = person('specialist');
    await signIn(specialist.username, specialist.password);
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    await act('Xác nhận có trong sổ gốc, trình phê duyệt', async () => {
      const form = page.locator('details.action[open]');
      await form.getByLabel('Số sổ gốc').fill('SG-THPT-2021');
      await form.getByLabel('Số vào sổ cấp văn bằng').fill('215/THPT');
      await form.getByLabel('Số hiệu văn bằng').fill('B 7654321');
      await form.getByLabel('Ngày cấp văn bằng').fill('2021-07-20');
      await form.getByLabel('Nguồn đối chiếu').selectOption('paper');
    });
    await poll(() => textOf(page.getByTestId('status'))).toBe('Chờ lãnh đạo phê duyệt');
    await signOut();

    const leader = person('leader');
    await signIn(leader.username, leader.password);
    await page.goto(`${base}/can-bo/phe-duyet`);
    await page.getByRole('checkbox', { name: `Chọn hồ sơ ${code}` }).check();
    await page.getByRole('button', { name: 'Phê duyệt và ký số các hồ sơ đã chọn' }).click();
    await poll(() => textOf(page.locator('.results .ok'))).toContain(code);
    await signOut();
  });

  it('the result is signed by the deputy director "KT. GIÁM ĐỐC" and sealed by the Department of Nghệ An', async () => {
    // The signing job runs on the worker; the citizen downloads the result with the tracking token from the receipt.
    const asCitizen = { headers: { authorization: `Bearer ${trackingToken}` } };
    const url = `${base}/api/dossiers/${encodeURIComponent(code)}`;
    await poll(async () => ((await (await page.request.get(url, asCitizen)).json()) as { status: string }).status).toBe('result_ready');
    const download = await page.request.get(`${url}/result`, asCitizen);
    expect(download.status()).toBe(200);
    const pdf = Buffer.from(await download.body());
    expectSignedAndSealed(await pdfsig(pdf), person('leader').fullName, DEPARTMENT);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('KT. GIÁM ĐỐC');
    expect(text).toContain('PHÓ GIÁM ĐỐC');
    expect(text).toContain('TỈNH NGHỆ AN');
    expect(text).toContain('Nghệ An, ngày');
    expect(text).not.toContain('Thanh Hóa');
  });
});

function databaseUrl(env: TestEnvironment): string {
  if (env.config.database.kind !== 'postgres') throw new Error('production mode has a PostgreSQL database');
  return env.config.database.url;
}
