// Staff accounts in chromium: an administrator creates a deputy director signing KT. GIÁM ĐỐC and hands over the
// temporary password; the deputy signs in, is sent to change it, turns on two-factor with the QR page's secret and
// signs in again with a code made from it. axe-core finds nothing serious on any of these pages; screenshots go to
// test-artifacts/browser/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../../src/accounts/totp.js';
import {
  screenshot, seriousViolations, signOut as signOutAt, startBrowserEnvironment, submitStaffSignIn, type BrowserEnvironment,
} from '../../helpers/browser.js';
import type { TestEnvironment } from '../../helpers/context.js';

describe('staff accounts in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  let env: TestEnvironment;
  let base: string;
  let page: Page;
  let temporary = '';
  const fresh = 'Sông Chu chảy mãi 2026';

  async function signIn(username: string, password: string, otp?: string) {
    await submitStaffSignIn(page, base, username, { password, ...(otp ? { otp } : {}) });
  }
  const signOut = () => signOutAt(page, base);
  async function checked(name: string) {
    await screenshot(page, name);
    expect(await seriousViolations(page), name).toEqual([]);
  }

  beforeAll(async () => {
    opened = await startBrowserEnvironment();
    ({ env, base, page } = opened);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('the administrator lands on /quan-tri, lists the accounts and creates one with its temporary password', async () => {
    await signIn('admin', 'demo');
    await page.waitForURL(`${base}/quan-tri`);
    await page.goto(`${base}/quan-tri/can-bo`);
    await page.getByLabel('Vai trò').selectOption('leader');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('tr[data-username="clerk"]').count()).toBe(0);
    await checked('staff-01-list');

    await page.getByRole('link', { name: 'Thêm tài khoản cán bộ' }).click();
    await page.getByLabel('Tên đăng nhập').fill('pgd.lan');
    await page.getByLabel('Họ và tên').fill('Trịnh Thị Lan');
    await page.getByLabel(/^Chức danh/).fill('Phó Giám đốc');
    await page.getByLabel('Đơn vị').selectOption('so-gddt');
    await page.getByLabel(/Lãnh đạo/).check();
    await page.getByLabel('Hình thức').selectOption('KT');
    await page.getByLabel('Cho chức danh').fill('Giám đốc');
    await checked('staff-02-create');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    temporary = (await page.getByTestId('temporary-password').textContent()) ?? '';
    expect(temporary).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await page.getByLabel('Cho chức danh').inputValue()).toBe('GIÁM ĐỐC');
    await checked('staff-03-created');
    await signOut();
  });

  it('the new account must change its password first, then turns on two-factor', async () => {
    await signIn('pgd.lan', temporary);
    await page.waitForURL(`${base}/tai-khoan/doi-mat-khau`);
    await page.goto(`${base}/can-bo`);
    await page.waitForURL(`${base}/tai-khoan/doi-mat-khau`);
    await page.getByLabel(/Mật khẩu hiện tại/).fill(temporary);
    await page.getByLabel('Mật khẩu mới', { exact: true }).fill('pgd.lan-2026-moi');
    await page.getByLabel('Nhập lại mật khẩu mới').fill('pgd.lan-2026-moi');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('không được chứa tên đăng nhập');
    await checked('staff-04-password-error');
    await page.getByLabel(/Mật khẩu hiện tại/).fill(temporary);
    await page.getByLabel('Mật khẩu mới', { exact: true }).fill(fresh);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(fresh);
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await page.waitForURL(/\/tai-khoan\?tb=/);
    await expect.poll(() => page.locator('main').textContent()).toContain('KT. GIÁM ĐỐC');
    await checked('staff-05-account');

    await page.getByRole('link', { name: 'Xác thực hai lớp' }).click();
    await page.getByLabel(/Mật khẩu hiện tại/).fill(fresh);
    await page.getByRole('button', { name: 'Bắt đầu thiết lập' }).click();
    await expect.poll(() => page.locator('figure.qr img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replaceAll(' ', '');
    await checked('staff-06-totp-enrol');
    await page.getByLabel('Mã xác thực').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Xác nhận và bật' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Đã bật xác thực hai lớp');
    await signOut();

    // Sign in: the code field appears when the server asks for it.
    await signIn('pgd.lan', fresh);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('xác thực hai lớp');
    await checked('staff-07-sign-in-code');
    await page.getByLabel('Mật khẩu').fill(fresh);
    await page.getByLabel('Mã xác thực hai lớp').fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(`${base}/can-bo`);
  });
});
