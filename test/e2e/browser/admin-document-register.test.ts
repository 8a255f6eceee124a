// The document registers page in chromium: an administrator reads the Department's register of a year, downloads it
// as CSV from the page's link, and changes a kind's abbreviation from its row (inputs tied to the row's form by the
// `form` attribute); axe-core finds nothing serious. Screenshots go to test-artifacts/browser/.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDocumentKind } from '../../../src/db/repositories/document-register.js';
import { dossiers } from '../../../src/db/schema/index.js';
import { numberDocument } from '../../../src/services/numbering/document-numbers.js';
import { screenshot, seriousViolations, signInStaff, startBrowserEnvironment, type BrowserEnvironment } from '../../helpers/browser.js';
import type { TestEnvironment } from '../../helpers/context.js';
import { diplomaRequest } from '../../helpers/dossiers.js';
import { makePdf } from '../../helpers/files.js';

const DEPARTMENT = '000.00.12.H56';

describe('document registers page in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  let env: TestEnvironment;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    opened = await startBrowserEnvironment();
    ({ env, base, page } = opened);
    const { api } = opened;
    const { body } = await api.submit('diploma-copy', diplomaRequest(), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    const [dossier] = await env.ctx.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.code, body.code));
    for (const [subject, kind] of [['result', 'decision'], ['form:receipt', 'receipt']] as const) {
      await env.ctx.db.transaction((tx) => numberDocument(tx, {
        agencyCode: DEPARTMENT, agencyAbbreviation: 'SGDĐT', kind, dossierId: dossier!.id, subject, summary: 'Về việc cấp bản sao bằng tốt nghiệp',
        at: new Date('2030-04-01T09:00:00+07:00'),
      }));
    }
    await signInStaff(page, base, 'admin');
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('opens the register of a year from the menu and the filter, and downloads it as CSV', async () => {
    await page.goto(`${base}/quan-tri`);
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Sổ văn bản và loại văn bản' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sổ văn bản và loại văn bản');
    await page.getByLabel('Năm', { exact: true }).fill('2030');
    await page.getByRole('button', { name: 'Xem sổ' }).click();
    await page.waitForURL(/year=2030/);
    expect(await page.locator('table.document-register tbody tr').allTextContents()).toEqual([
      expect.stringContaining('01/QĐ-SGDĐT'), expect.stringContaining('02/TNHS-SGDĐT'),
    ]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Xuất CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`so-van-ban-di_${DEPARTMENT}_2030.csv`);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFSố, ký hiệu văn bản') || csv.startsWith('\uFEFF"Số, ký hiệu văn bản"')).toBe(true);
    expect(csv).toContain('02/TNHS-SGDĐT');
    await screenshot(page, 'admin-document-register');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("changes a kind's abbreviation from its row", async () => {
    await page.goto(`${base}/quan-tri/so-van-ban`);
    const row = page.locator('#loai-referral');
    await row.getByLabel('Chữ viết tắt (referral)').fill('GGT-1');
    await row.getByRole('button', { name: 'Lưu' }).click();
    // The browser's own check stops the "-" (the pattern); the server refuses it as well (tested over HTTP).
    expect(await row.getByLabel('Chữ viết tắt (referral)').evaluate((el) => (el as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(true);
    expect(await findDocumentKind(env.ctx.db, 'referral')).toMatchObject({ abbreviation: 'GGT' });
    await row.getByLabel('Chữ viết tắt (referral)').fill('gth');
    await row.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã lưu loại văn bản "Giấy giới thiệu" (GTH');
    expect(await findDocumentKind(env.ctx.db, 'referral')).toMatchObject({ abbreviation: 'GTH', register: 'outgoing' });
    await screenshot(page, 'admin-document-kinds');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
