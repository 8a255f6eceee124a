// Fees in chromium (CSP enforced): a clerk takes a dossier's fee at the desk from the staff dossier page's "Phí, lệ
// phí" panel, the receipt link appears once issued and opens the PDF, a refund is recorded from the same panel; an
// administrator reads /quan-tri/thanh-toan with its totals. axe-core finds nothing serious on either page.
// Screenshots go to test-artifacts/browser/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  screenshot, seriousViolations, signInStaff, signOut, startBrowserEnvironment, type BrowserEnvironment,
} from '../../helpers/browser.js';
import { diplomaRequest } from '../../helpers/dossiers.js';
import { makePdf } from '../../helpers/files.js';
import { uploadPaidDiplomaCopy } from '../../helpers/paid-procedure.js';

describe('fees on the staff and administration pages in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  let base: string;
  let page: Page;
  let code: string;

  beforeAll(async () => {
    opened = await startBrowserEnvironment();
    ({ base, page } = opened);
    const { api, env } = opened;
    await uploadPaidDiplomaCopy(api, await api.login('admin'), env.config.workflowsDir);
    const { body } = await api.submit('diploma-copy', diplomaRequest('Trịnh Văn Phí'), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    code = body.code;
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('takes the fee at the desk, shows the receipt, records a refund', async () => {
    await signInStaff(page, base, 'clerk');
    const dossierUrl = `${base}/can-bo/ho-so/${encodeURIComponent(code)}`;
    await page.goto(dossierUrl);
    const panel = page.getByTestId('payment-panel');
    expect(await panel.getByTestId('fee-total').textContent()).toBe('150.000 đ');
    expect(await seriousViolations(page)).toEqual([]);
    await panel.getByText('Ghi nhận nộp phí, lệ phí tại quầy').click();
    expect(await panel.getByLabel('Số tiền đã thu (đồng)').inputValue()).toBe('150000');
    await panel.getByLabel(/Số chứng từ/).fill('POS-0042');
    await panel.getByRole('button', { name: 'Ghi nhận đã thu tại quầy' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Đã ghi nhận nộp 150000 đồng tại quầy');

    // The receipt is issued by its job: the link appears on a later look.
    await expect.poll(async () => {
      await page.goto(dossierUrl);
      return page.getByTestId('receipt-link').count();
    }, { timeout: 20_000 }).toBe(1);
    const receipt = await page.request.get(`${base}${await page.getByTestId('receipt-link').getAttribute('href')}`);
    expect(receipt.status()).toBe(200);
    expect(receipt.headers()['content-type']).toBe('application/pdf');

    await page.getByText(/Ghi nhận hoàn trả khoản/).click();
    await page.getByLabel('Số tiền đã hoàn (đồng)').fill('50000');
    await page.getByLabel('Lý do hoàn trả').fill('Công dân chỉ cần một bản sao');
    await page.getByRole('button', { name: 'Ghi nhận hoàn trả' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Đã ghi nhận hoàn trả 50000 đồng');
    expect(await page.getByTestId('refunds').textContent()).toContain('Công dân chỉ cần một bản sao');
    await screenshot(page, 'staff-dossier-fees');
    expect(await seriousViolations(page)).toEqual([]);
    await signOut(page, base);
  });

  it('lists the payment for the administrator with its totals', async () => {
    await signInStaff(page, base, 'admin');
    await page.goto(`${base}/quan-tri`);
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Thanh toán trực tuyến' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Thanh toán trực tuyến');
    const totals = await page.getByTestId('payment-totals').textContent();
    expect(totals).toContain('150.000 đ');
    expect(totals).toContain('50.000 đ');
    expect(await page.locator('tr[data-reference]').count()).toBe(1);
    await page.getByLabel('Hình thức').selectOption('online');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(/method=online/);
    expect(await page.locator('tr[data-reference]').count()).toBe(0);
    await screenshot(page, 'admin-payments');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
