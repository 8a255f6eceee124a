// Debian's chromium driven by playwright-core (no browser download): a fresh profile per run, the flags from the
// environment notes, screenshots kept under test-artifacts/browser/, and an axe-core check that fails on serious
// or critical violations.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts/browser');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface Browser { context: BrowserContext; close(): Promise<void> }

export async function launchBrowser(viewport: { width: number; height: number }): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'motcua-chromium-'));
  // A persistent context is how playwright takes an explicit --user-data-dir: a fresh directory each run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh',
    acceptDownloads: true,
    // The pages' Content-Security-Policy allows only our own scripts; axe is injected by the test.
    bypassCSP: true,
  });
  context.setDefaultTimeout(15_000);
  return { context, close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); } };
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
