// The citizen pays a fee in chromium (CSP enforced): the dossier page's "Nộp phí trực tuyến" → the Payment Platform
// simulator's page → "Thanh toán" → back on /thanh-toan/ket-qua, which shows the payment as our database has it; the
// dossier page then says "Đã nộp phí". A second dossier: "Hủy" on the platform's page comes back as not paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentPlatformSimulator, type PaymentPlatformSimulator } from '../../../tools/payment-platform-sim/index.js';
import type { ChromiumBrowser, Page } from 'playwright-core';
import { launchChromium, newEnforcingContext, requireChromium, seriousViolationsUnderCsp, textOf } from '../../helpers/browser.js';
import { startTestEnvironment, type TestEnvironment } from '../../helpers/context.js';
import { listenForHttp, type ApiClient } from '../../helpers/http.js';
import { diplomaRequest } from '../../helpers/dossiers.js';
import { makePdf } from '../../helpers/files.js';
import { uploadPaidDiplomaCopy } from '../../helpers/paid-procedure.js';

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const PARTNER = 'MOTCUA-BROWSER';
const SECRET = 'browser-payment-secret-0123456789';

describe('online fee payment in chromium', () => {
  let sim: PaymentPlatformSimulator;
  let env: TestEnvironment;
  let browser: ChromiumBrowser;
  /** The pages' Content-Security-Policy enforced: its form-action must let the pay button go on to the platform. */
  let b: { api: ApiClient; base: string; page: Page; env: TestEnvironment };

  const file = async (name: string) => {
    const { status, body } = await b.api.submit('diploma-copy', diplomaRequest(name), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }]);
    expect(status).toBe(201);
    return body as { code: string; trackingToken: string };
  };
  /** Opens the dossier page as its citizen: the tracking link (token in the fragment), then remembered. */
  const openDossier = async (d: { code: string; trackingToken: string }) => {
    await b.page.goto(`${b.base}/tra-cuu?ma=${encodeURIComponent(d.code)}#t=${encodeURIComponent(d.trackingToken)}`);
    await b.page.waitForURL(`${b.base}/ho-so/${encodeURIComponent(d.code)}`);
  };

  beforeAll(async () => {
    sim = await startPaymentPlatformSimulator({ partnerCode: PARTNER, secret: SECRET });
    requireChromium();
    env = await startTestEnvironment('production', { env: { PAYMENT_PLATFORM_URL: sim.url, PAYMENT_PLATFORM_PARTNER_CODE: PARTNER, PAYMENT_PLATFORM_SECRET: SECRET } });
    const api = await listenForHttp(env);
    browser = await launchChromium();
    b = { api, base: api.baseUrl, page: await (await newEnforcingContext(browser)).newPage(), env };
    sim.confirmUrl = `${b.base}/api/payment-platform/confirm`;
    sim.returnUrl = `${b.base}/thanh-toan/ket-qua`;
    const admin = await b.api.login('admin');
    await uploadPaidDiplomaCopy(b.api, admin, env.config.workflowsDir, 'before-processing');
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await sim?.close();
  });

  it('pays from the dossier page through the platform and comes back paid', async () => {
    const dossier = await file('Phạm Thị Nộp Phí');
    await openDossier(dossier);
    const panel = b.page.locator('#nop-phi');
    expect(await textOf(panel)).toContain('150.000 đồng');
    expect(await textOf(b.page.getByTestId('payment-status'))).toBe('Chưa nộp phí');
    await b.page.getByRole('button', { name: 'Nộp phí trực tuyến' }).click();
    await b.page.waitForURL(`${sim.url}/pay/**`);
    await b.page.getByRole('button', { name: 'Thanh toán' }).click();
    await b.page.waitForURL(`${b.base}/thanh-toan/ket-qua?**`);
    await poll(() => textOf(b.page.getByTestId('payment-status'))).toBe('Đã nộp phí');
    expect(await seriousViolationsUnderCsp(b.page)).toEqual([]);
    await b.page.getByRole('link', { name: 'Về trang hồ sơ' }).click();
    await poll(() => textOf(b.page.getByTestId('payment-status'))).toBe('Đã nộp phí');
    expect(await b.page.getByRole('button', { name: 'Nộp phí trực tuyến' }).count()).toBe(0);
  });

  it('"Hủy" on the platform\'s page comes back not paid, and the citizen can try again', async () => {
    const dossier = await file('Đỗ Văn Hủy');
    await openDossier(dossier);
    await b.page.getByRole('button', { name: 'Nộp phí trực tuyến' }).click();
    await b.page.waitForURL(`${sim.url}/pay/**`);
    await b.page.getByRole('button', { name: 'Hủy' }).click();
    await b.page.waitForURL(`${b.base}/thanh-toan/ket-qua?**`);
    expect(await textOf(b.page.getByTestId('payment-state'))).toContain('Giao dịch chưa thành công');
    await b.page.getByRole('link', { name: 'Về trang hồ sơ' }).click();
    await poll(() => textOf(b.page.getByTestId('payment-status'))).toBe('Thanh toán chưa thành công');
    await b.page.getByRole('button', { name: 'Nộp phí trực tuyến' }).waitFor({ state: 'visible' });
  });
});
