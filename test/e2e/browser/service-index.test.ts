// The Decision 766 pages in a real browser (Debian's chromium, production mode): the public /chi-so-phuc-vu reached
// from the home page's footer, a period chosen with the form (and a wrong one refused in words), the leader's
// dashboard with the five groups; axe-core finds no serious violation on any of them, under the pages' own CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, seriousViolationsUnderCsp, signInStaff, startBrowserEnvironment, textOf, type BrowserEnvironment } from '../../helpers/browser.js';

describe('Decision 766 pages in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  beforeAll(async () => { opened = await startBrowserEnvironment(); });
  afterAll(async () => { await opened?.close(); });

  it('the public summary and the dashboard read well and pass axe', async () => {
    const { page, base } = opened!;
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Chỉ số phục vụ người dân (Quyết định 766)' }).click();
    await page.waitForURL(`${base}/chi-so-phuc-vu`);
    expect(await page.getByRole('heading', { level: 3 }).count()).toBe(5);
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);

    const year = new Date().getUTCFullYear();
    await page.getByLabel('Kỳ báo cáo').selectOption('year');
    await page.getByLabel('Năm').fill(String(year - 1));
    await page.getByRole('button', { name: 'Xem' }).click();
    await page.waitForURL(/period=year/);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(`Chỉ số phục vụ người dân — Năm ${year - 1}`);

    await page.goto(`${base}/chi-so-phuc-vu?period=quarter&quarter=7`);
    expect(await textOf(page.getByRole('alert'))).toContain('Quý phải là số từ 1 đến 4.');
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);

    await signInStaff(page, base, 'leader');
    await page.goto(`${base}/can-bo/chi-so`);
    expect(await page.getByRole('region', { name: /Số hóa hồ sơ/ }).count()).toBe(1);
    await screenshot(page, 'index-766-dashboard');
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
  });
});
