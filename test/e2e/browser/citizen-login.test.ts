// "Đăng nhập bằng VNeID" in chromium: the production server (startServerApp) listening at its PUBLIC_URL and the demo
// OpenID Provider (oidc-provider) on another loopback port. A citizen clicks the header link, picks the parent on the
// provider's page, lands in their space signed in (their name in the header, /api/me answers), then signs out through
// the provider's logout and is back at the portal signed out.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoOidcProvider, type DemoOidcProvider } from '../../../src/identity/demo-provider.js';
import { createTestDatabase, REDIS_URL } from '../../helpers/databases.js';
import { startServerApp, type ServerApp } from '../../helpers/server-app.js';
import { ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, chromiumAvailable, screenshot, seriousViolations, type Browser } from './browser.js';

/**
 * Like launchBrowser, but the pages' Content-Security-Policy is enforced: signing out is a form post whose redirect
 * leaves for the provider, which the pages' form-action must allow (axe is injected on the provider's page only,
 * which has no policy).
 */
async function launchEnforcingCsp(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'motcua-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 }, locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: false,
  });
  context.setDefaultTimeout(15_000);
  return { context, close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('citizen login with VNeID in chromium (demo provider)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let provider: DemoOidcProvider;
  let server: ServerApp;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error('chromium is not installed: run scripts/test-setup.sh (apt-get install chromium)');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startDemoOidcProvider({
      clientId: 'motcua-browser', clientSecret: 'browser-test-client-secret',
      redirectUri: `${base}/auth/citizen/callback`, postLogoutRedirectUri: `${base}/`,
    });
    database = await createTestDatabase();
    server = await startServerApp({
      databaseUrl: database.url, redisUrl: REDIS_URL, seedStaff: false,
      env: { PUBLIC_URL: base, OIDC_ISSUER: provider.url, OIDC_CLIENT_ID: 'motcua-browser', OIDC_CLIENT_SECRET: 'browser-test-client-secret' },
    });
    await server.app.listen({ port, host: '127.0.0.1' });
    browser = await launchEnforcingCsp();
    page = browser.context.pages()[0] ?? await browser.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
    await database?.drop();
  });

  it('clicks "Đăng nhập bằng VNeID", picks the parent, lands signed in; signs out through the provider', async () => {
    await page.goto(base);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();

    // The provider's page: clearly not the real VNeID, one button per demo citizen.
    await page.waitForURL((url) => url.origin === provider.url && url.pathname.startsWith('/interaction/'));
    await page.getByText('Máy chủ định danh thử nghiệm — không phải VNeID thật').waitFor();
    await screenshot(page, 'citizen-login-provider');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /Nguyễn Văn An/ }).click();

    await page.waitForURL(`${base}/ho-so-cua-toi`);
    const header = page.locator('header.site-header');
    await header.getByText('Nguyễn Văn An', { exact: true }).waitFor();
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
