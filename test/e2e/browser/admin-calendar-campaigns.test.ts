// The calendar and campaign administration pages in chromium: an administrator declares a day off on the year's
// form and sees it on the month grid, then creates an admission campaign with its window in Vietnam time and a quota
// for one school; axe-core finds nothing serious on either page. Screenshots go to test-artifacts/browser/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCampaign, listCampaignSchools } from '../../../src/db/repositories/admissions.js';
import { findCalendarYear } from '../../../src/db/repositories/calendar.js';
import type { TestEnvironment } from '../../helpers/context.js';
import { screenshot, seriousViolations, signInStaff, startBrowserEnvironment, type BrowserEnvironment } from '../../helpers/browser.js';

describe('calendar and campaign pages in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  let env: TestEnvironment;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    opened = await startBrowserEnvironment();
    ({ env, base, page } = opened);
    await signInStaff(page, base, 'admin');
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('declares a day off for 2027 and shows it on the grid', async () => {
    await page.goto(`${base}/quan-tri/lich/2027`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Lịch ngày làm việc năm 2027');
    await page.getByLabel(/Ngày thường được nghỉ thêm/).fill('04/02/2027\n10/02/2027');
    await page.getByLabel('Thứ Bảy, Chủ nhật đi làm bù').fill('30/01/2027');
    await page.getByLabel(/Ghi chú/).fill('Phương án nghỉ Tết Đinh Mùi (thử)');
    await page.getByRole('button', { name: 'Lưu lịch năm 2027' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã lưu lịch ngày làm việc năm 2027');
    expect(await page.locator('td.declared-holiday[title^="10/02/2027"]').count()).toBe(1);
    expect(await page.locator('td.working-weekend[title^="30/01/2027"]').count()).toBe(1);
    expect(await findCalendarYear(env.ctx.db, 2027)).toMatchObject({ holidays: ['2027-02-04', '2027-02-10'], workingWeekends: ['2027-01-30'] });
    await screenshot(page, 'admin-calendar-2027');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('creates a campaign with its window in Vietnam time and one school', async () => {
    await page.goto(`${base}/quan-tri/tuyen-sinh`);
    await page.getByRole('link', { name: 'Tạo kỳ tuyển sinh' }).click();
    await page.getByLabel('Mã kỳ tuyển sinh').fill('ts10-2027');
    await page.getByLabel('Tên kỳ tuyển sinh').fill('Tuyển sinh lớp 10 THPT năm học 2027-2028');
    await page.getByLabel('Lớp tuyển sinh').selectOption('10');
    await page.getByLabel('Năm học').fill('2027-2028');
    await page.locator('#windows-registration-opensAt').fill('2027-05-10T07:30');
    await page.locator('#windows-registration-closesAt').fill('2027-05-31T17:00');
    await page.getByLabel('Trường THPT Hàm Rồng', { exact: true }).fill('120');
    await screenshot(page, 'admin-campaign-form');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Lưu kỳ tuyển sinh' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã lưu kỳ tuyển sinh');
    expect(await page.locator('td', { hasText: 'ts10-2027' }).count()).toBe(1);
    const row = (await findCampaign(env.ctx.db, 'ts10-2027'))!;
    expect(row.opensAt.toISOString()).toBe('2027-05-10T00:30:00.000Z');
    expect((await listCampaignSchools(env.ctx.db, 'ts10-2027')).map((s) => [s.schoolUnitId, s.quota])).toEqual([['thpt-ham-rong', 120]]);
    await screenshot(page, 'admin-campaigns');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
