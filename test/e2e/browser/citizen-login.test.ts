// "Đăng nhập bằng VNeID" in chromium: the production server (startServerApp) listening at its PUBLIC_URL and the demo
// OpenID Provider (oidc-provider) on another loopback port. A citizen clicks the header link, picks the parent on the
// provider's page, lands in their space signed in (their name in the header, /api/me answers), then signs out through
// the provider's logout and is back at the portal signed out.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP, firstPage, launchBrowser, openVneidProvider, pickDemoCitizen, requireChromium, screenshot, seriousViolations, startVneidPortal,
  type Browser, type VneidPortal,
} from '../../helpers/browser.js';

describe('citizen login with VNeID in chromium (demo provider)', () => {
  let portal: VneidPortal | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    requireChromium();
    portal = await startVneidPortal({ clientId: 'motcua-browser', clientSecret: 'browser-test-client-secret', seedStaff: false });
    base = portal.base;
    // The pages' Content-Security-Policy is enforced: signing out is a form post whose redirect leaves for the
    // provider, which the pages' form-action must allow (axe is injected on the provider's page only, which has no policy).
    browser = await launchBrowser(DESKTOP, { enforceCsp: true });
    page = await firstPage(browser);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  it('clicks "Đăng nhập bằng VNeID", picks the parent, lands signed in; signs out through the provider', async () => {
    await openVneidProvider(page, portal!);

    // The provider's page: clearly not the real VNeID, one button per demo citizen.
    await page.getByText('Máy chủ định danh thử nghiệm — không phải VNeID thật').waitFor();
    await screenshot(page, 'citizen-login-provider');
    expect(await seriousViolations(page)).toEqual([]);
    await pickDemoCitizen(page, portal!, 'Nguyễn Văn An');

    const header = page.locator('header.site-header');
    await header.getByRole('link', { name: 'Hồ sơ của tôi' }).waitFor();
    expect(await header.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).count()).toBe(0);
    const me = await page.request.get(`${base}/api/me`);
    expect(me.status()).toBe(200);
    const body = await me.json() as { personalId: string; loa: string; family: Array<{ relation: string; fullName: string }> };
    expect(body.personalId).toBe('038082001234');
    expect(body.loa).toBe('2');
    expect(body.family.filter((m) => m.relation === 'child').map((m) => m.fullName)).toEqual(['Nguyễn Minh Khôi', 'Nguyễn Thu Hà']);
    await screenshot(page, 'citizen-login-signed-in');

    // Sign-out: the portal's session ends, the provider's logout page confirms itself and sends the browser home.
    await header.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.waitForURL(`${base}/`);
    await header.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).waitFor();
    expect((await page.request.get(`${base}/api/me`)).status()).toBe(401);
  });
});
