// The browser tests' common ground (test/e2e/browser/): Debian's chromium driven by playwright-core (no browser
// download) with the flags from the environment notes and a fresh profile per run, a production server listening on a
// real port with a browser already open on it, staff sign-in through /dang-nhap, "Đăng nhập bằng VNeID" through the
// demo OpenID Provider, screenshots kept under test-artifacts/browser/, and an axe-core check that fails on serious or
// critical violations.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser as ChromiumBrowser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { DemoOidcProvider } from '../../src/identity/demo-provider.js';
import { startTestEnvironment, type TestEnvironment, type TestEnvironmentOptions } from './context.js';
import { createTestDatabase, REDIS_URL } from './databases.js';
import { listenForHttp, type ApiClient } from './http.js';
import { freePort } from './own-services.js';
import { startServerApp, type ServerApp } from './server-app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts/browser');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 900 };
/** What every context is: a Vietnamese browser in Vietnam's time zone. */
const VIETNAMESE = { locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Fails (never skips) the suite when chromium is missing: scripts/test-setup.sh, npm test's pretest, installs it. */
export function requireChromium(): void {
  if (!chromiumAvailable()) throw new Error('chromium is not installed: run scripts/test-setup.sh (apt-get install chromium)');
}

export interface Browser { context: BrowserContext; close(): Promise<void> }

export interface LaunchOptions {
  /**
   * Enforce the pages' Content-Security-Policy (default: bypassed, so that axe can be injected as a script tag). A
   * test enforces it where the policy is what it checks, e.g. a form-action that must allow the provider.
   */
  enforceCsp?: boolean;
}

export async function launchBrowser(viewport = DESKTOP, options: LaunchOptions = {}): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'motcua-chromium-'));
  // A persistent context is how playwright takes an explicit --user-data-dir: a fresh directory each run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport, ...VIETNAMESE,
    acceptDownloads: true,
    bypassCSP: !options.enforceCsp,
  });
  context.setDefaultTimeout(15_000);
  return { context, close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); } };
}

/** The page the persistent context opened with (or a new one). */
export async function firstPage(browser: Browser): Promise<Page> {
  return browser.context.pages()[0] ?? await browser.context.newPage();
}

/** A plain chromium for tests that need several contexts (several people, each with their own cookies). */
export async function launchChromium(): Promise<ChromiumBrowser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A context of its own with the pages' Content-Security-Policy enforced. */
export async function newEnforcingContext(browser: ChromiumBrowser, timeout = 20_000): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: DESKTOP, ...VIETNAMESE, bypassCSP: false });
  context.setDefaultTimeout(timeout);
  return context;
}

/** A production test environment listening on a free port, and a desktop browser open on a first page. */
export interface BrowserEnvironment {
  env: TestEnvironment;
  api: ApiClient;
  base: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function startBrowserEnvironment(options: TestEnvironmentOptions = {}): Promise<BrowserEnvironment> {
  requireChromium();
  const env = await startTestEnvironment('production', options);
  let browser: Browser | undefined;
  try {
    const api = await listenForHttp(env);
    browser = await launchBrowser(DESKTOP);
    const page = await firstPage(browser);
    const opened = browser;
    return { env, api, base: api.baseUrl, browser, page, close: async () => { await opened.close(); await env.close(); } };
  } catch (error) {
    await browser?.close();
    await env.close();
    throw error;
  }
}

export interface StaffSignIn { password?: string; otp?: string }

/** Fills and sends the /dang-nhap form; where it leads is for the caller to wait for. */
export async function submitStaffSignIn(page: Page, base: string, username: string, { password = 'demo', otp }: StaffSignIn = {}): Promise<void> {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  if (otp) await page.getByLabel('Mã xác thực hai lớp').fill(otp);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/** Signs a member of staff in through /dang-nhap and waits until the browser has left the sign-in page. */
export async function signInStaff(page: Page, base: string, username: string, signIn: StaffSignIn = {}): Promise<void> {
  await submitStaffSignIn(page, base, username, signIn);
  await page.waitForURL((url) => !url.pathname.startsWith('/dang-nhap'));
}

/** Signs out with the header's "Đăng xuất" and waits for the home page. */
export async function signOut(page: Page, base: string): Promise<void> {
  await page.getByRole('button', { name: 'Đăng xuất' }).first().click();
  await page.waitForURL(`${base}/`);
}

/**
 * One of the staff dossier page's actions (a `details.action` whose summary and button carry the label): opens it,
 * lets the caller fill its form, sends it and waits for the page that answers.
 */
export async function dossierAction(page: Page, label: string, fill?: () => Promise<void>): Promise<void> {
  const action = page.locator('details.action', { has: page.locator('summary', { hasText: label }) });
  await action.locator('summary').click();
  if (fill) await fill();
  await action.getByRole('button', { name: label }).click();
  await page.waitForLoadState('domcontentloaded');
}

/** The first match's trimmed text, or '' while there is none yet (for expect.poll: playwright-core has no web-first assertions). */
export function textOf(locator: Locator): Promise<string> {
  return locator.first().textContent({ timeout: 2_000 }).then((t) => (t ?? '').trim()).catch(() => '');
}

/**
 * The production server (startServerApp) listening at its PUBLIC_URL on a free loopback port, with the demo OpenID
 * Provider (the VNeID stand-in) on another port and a database of its own; close() stops all three.
 */
export interface VneidPortal {
  base: string;
  provider: DemoOidcProvider;
  server: ServerApp;
  close(): Promise<void>;
}

export async function startVneidPortal(options: { clientId: string; clientSecret: string; seedStaff?: boolean; env?: Record<string, string> }): Promise<VneidPortal> {
  // Loaded here, not at the top: only the VNeID tests should load oidc-provider (and see its runtime warning).
  const { startDemoOidcProvider } = await import('../../src/identity/demo-provider.js');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startDemoOidcProvider({
    clientId: options.clientId, clientSecret: options.clientSecret,
    redirectUri: `${base}/auth/citizen/callback`, postLogoutRedirectUri: `${base}/`,
  });
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let server: ServerApp | undefined;
  const close = async () => {
    await server?.close();
    await provider.close();
    await database?.drop();
  };
  try {
    database = await createTestDatabase();
    server = await startServerApp({
      databaseUrl: database.url, redisUrl: REDIS_URL, ...(options.seedStaff === undefined ? {} : { seedStaff: options.seedStaff }),
      env: { PUBLIC_URL: base, OIDC_ISSUER: provider.url, OIDC_CLIENT_ID: options.clientId, OIDC_CLIENT_SECRET: options.clientSecret, ...options.env },
    });
    await server.app.listen({ port, host: '127.0.0.1' });
    return { base, provider, server, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** "Đăng nhập bằng VNeID" from the portal's header, up to the demo provider's page (one button per demo citizen). */
export async function openVneidProvider(page: Page, portal: Pick<VneidPortal, 'base' | 'provider'>): Promise<void> {
  await page.goto(portal.base);
  await page.locator('header.site-header').getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
  await page.waitForURL((url) => url.origin === portal.provider.url && url.pathname.startsWith('/interaction/'));
}

/** Picks the demo citizen on the provider's page; the portal brings them to "Hồ sơ của tôi". */
export async function pickDemoCitizen(page: Page, portal: Pick<VneidPortal, 'base'>, name: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.waitForURL(`${portal.base}/ho-so-cua-toi`);
  await page.locator('header.site-header').getByText(name, { exact: true }).waitFor();
}

/** The whole VNeID sign-in of a demo citizen, ending with their name in the portal's header. */
export async function signInWithVneid(page: Page, portal: Pick<VneidPortal, 'base' | 'provider'>, name: string): Promise<void> {
  await openVneidProvider(page, portal);
  await pickDemoCitizen(page, portal, name);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }

/** Serious and critical axe-core violations on the current page (WCAG 2.1 A/AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated in the page (strings: this project's TypeScript has no DOM types).
  const loaded = await page.evaluate('typeof window.axe !== "undefined"');
  if (!loaded) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  })()`) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * The same check on a page whose CSP forbids injected script tags: axe's source is evaluated through the DevTools
 * protocol, which the page's policy does not govern (seriousViolations then finds it loaded).
 */
export async function seriousViolationsUnderCsp(page: Page): Promise<AxeViolation[]> {
  if (!await page.evaluate('typeof window.axe !== "undefined"')) await page.evaluate(await readFile(AXE, 'utf8'));
  return seriousViolations(page);
}
