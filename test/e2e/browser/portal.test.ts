// The portal in a real browser (Debian's chromium via playwright-core), production mode (PostgreSQL + BullMQ):
// a citizen files a diploma-copy dossier with an upload, the clerk receives it, the specialist checks the register,
// the leader sends it back once with a reason, then approves it from the approval queue (signed by the job), the
// clerk returns the result, and the citizen tracks it, downloads the signed PDF and rates the service. Then a
// 360 px phone run, and axe-core on the main pages. Screenshots go to test-artifacts/browser/.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEnvironment } from '../../helpers/context.js';
import { makePdf, makePng } from '../../helpers/files.js';
import { diplomaRequest, staffCaller } from '../../helpers/dossiers.js';
import { performAction } from '../../../src/services/processing/perform-action.js';
import { submitDossier } from '../../../src/services/intake/submit-dossier.js';
import {
  dossierAction, screenshot, seriousViolations, startBrowserEnvironment, submitStaffSignIn, textOf, type Browser, type BrowserEnvironment,
} from '../../helpers/browser.js';

const APPLICANT = 'Nguyễn Thị Hồng Nhung';

// playwright-core has no web-first assertions: vitest's expect.poll retries these until they match or time out.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const exactly = (expected: string | RegExp) => (typeof expected === 'string' ? new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : expected);

// Every page an axe check ran on, with what it found: one assertion at the end lists them all.
const axeFindings: Array<{ page: string; violations: Awaited<ReturnType<typeof seriousViolations>> }> = [];
async function checkA11y(page: Page, name: string) {
  axeFindings.push({ page: name, violations: await seriousViolations(page) });
}

describe('portal pages in chromium', () => {
  let opened: BrowserEnvironment | undefined;
  let env: TestEnvironment;
  let base: string;
  let browser: Browser;
  let page: Page;
  let code = '';

  beforeAll(async () => {
    opened = await startBrowserEnvironment();
    ({ env, base, browser, page } = opened);
  });
  afterAll(async () => {
    await opened?.close();
  });

  async function signIn(username: string) {
    // A previous step that failed half-way may have left someone signed in.
    await browser.context.clearCookies({ name: 'motcua_session' });
    await submitStaffSignIn(page, base, username);
    await page.waitForURL(`${base}/can-bo`);
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.waitForURL(`${base}/`);
  }

  const act = (label: string, fill?: () => Promise<void>) => dossierAction(page, label, fill);

  async function openFromInbox() {
    await page.getByRole('link', { name: code }).click();
    await poll(() => textOf(page.locator('h1'))).toMatch(exactly(`Hồ sơ ${code}`));
  }

  it('citizen: finds the procedure without accents, fills the form (the draft survives a reload), uploads and gets a receipt', async () => {
    await page.goto(base);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    await page.getByRole('heading', { level: 2, name: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc' }).first().waitFor({ state: 'visible' });
    // Every published procedure is on the home page, by its Vietnamese title.
    for (const { definition } of env.ctx.catalog.list()) {
      await page.getByRole('heading', { level: 2, name: definition.title }).first().waitFor({ state: 'visible' });
    }
    await poll(() => page.locator('#procedures li[data-search]').count()).toBe(env.ctx.catalog.list().length);
    await screenshot(page, '01-home');
    await checkA11y(page, 'home');
    // Accent-free search, live (script) and on the server (?q=).
    await page.getByLabel('Tìm thủ tục').fill('ban sao van bang');
    await poll(() => page.locator('#procedures li[data-search]:visible').count()).toBe(1);
    if (env.ctx.catalog.find('school-transfer')) {
      await page.getByLabel('Tìm thủ tục').fill('chuyen truong');
      await poll(() => textOf(page.locator('#procedures li[data-search]:visible'))).toContain('Chuyển trường');
      await poll(() => page.locator('#procedures li[data-search]:visible').count()).toBe(1);
    }
    await page.getByLabel('Tìm thủ tục').fill('khong co thu tuc nay');
    await poll(() => page.locator('#procedures li[data-search]:visible').count()).toBe(0);
    const served = await page.request.get(`${base}/?q=${encodeURIComponent('cap ban sao')}`);
    expect(await served.text()).toContain('Cấp bản sao văn bằng, chứng chỉ từ sổ gốc');

    await page.goto(`${base}/thu-tuc/diploma-copy`);
    await page.getByText('Thông tư số 21/2019/TT-BGDĐT', { exact: false }).first().waitFor({ state: 'visible' });
    await checkA11y(page, 'procedure');
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();

    // Browser-side validation: an empty form is not sent, the summary names the problems.
    await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await page.locator('#form-summary').first().waitFor({ state: 'visible' });
    await poll(() => textOf(page.locator('#f-applicantName-error'))).toContain('bắt buộc');
    expect(page.url()).toContain('/thu-tuc/diploma-copy/nop');

    await page.getByLabel('Họ và tên người yêu cầu').fill(APPLICANT);
    await page.getByLabel('Số căn cước công dân').fill('03809000123'); // one digit short
    await page.getByLabel('Số điện thoại').fill('0912345678');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 Lê Lợi, TP Thanh Hóa');
    await page.getByLabel('Quan hệ với người được cấp văn bằng').selectOption('relative');
    // Draft: reload and the typed values are back.
    await page.reload();
    await poll(() => page.getByLabel('Họ và tên người yêu cầu').inputValue()).toBe(APPLICANT);
    await poll(() => page.getByLabel('Quan hệ với người được cấp văn bằng').inputValue()).toBe('relative');
    await poll(() => textOf(page.getByRole('status'))).toContain('khôi phục');

    await page.getByLabel('Họ và tên người được cấp văn bằng').fill(APPLICANT);
    await page.getByLabel('Ngày sinh người được cấp văn bằng').fill('2004-03-15');
    await page.getByLabel('Loại văn bằng, chứng chỉ').selectOption('thpt');
    await page.getByLabel('Trường / nơi cấp văn bằng').fill('Trường THPT chuyên Lam Sơn');
    await page.getByLabel('Năm tốt nghiệp').fill('2022');
    await page.getByLabel('Số bản sao đề nghị cấp').fill('2');
    await page.locator('#d-identity').setInputFiles({ name: 'cccd.pdf', mimeType: 'application/pdf', buffer: await makePdf() });
    // "relative" makes the authorisation document required: the browser says so before sending.
    await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await poll(() => textOf(page.locator('#f-applicantIdNumber-error'))).toContain('12 chữ số');
    await poll(() => textOf(page.locator('#d-authorisation-error'))).toContain('chọn tệp');
    await page.getByLabel('Số căn cước công dân').fill('038090001234');
    await page.locator('#d-authorisation').setInputFiles({ name: 'giay-khai-sinh.png', mimeType: 'image/png', buffer: makePng() });
    await screenshot(page, '02-application-form');
    await checkA11y(page, 'application form');
    await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();

    await page.waitForURL(/\/ho-so\/.+\/bien-nhan$/);
    code = (await page.getByTestId('dossier-code').textContent())!.trim();
    expect(code).toMatch(/^000\.00\.12\.H56-\d{6}-\d{4}$/);
    await poll(() => textOf(page.getByTestId('due-date'))).toMatch(exactly(/^\d{2}\/\d{2}\/\d{4}$/));
    await page.getByRole('img', { name: `Mã QR để tra cứu hồ sơ ${code}` }).first().waitFor({ state: 'visible' });
    await poll(() => textOf(page.getByTestId('tracking-token'))).not.toBe('');
    await screenshot(page, '03-receipt');
    await checkA11y(page, 'receipt');
    // The draft is gone once filed.
    expect(await page.evaluate("localStorage.getItem('motcua-draft:diploma-copy')")).toBeNull();

    // Tracking remembers the dossier: no code or token to retype.
    await page.goto(`${base}/tra-cuu`);
    await page.getByRole('link', { name: code }).click();
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Mới nộp'));
    await checkA11y(page, 'tracking');
  });

  it('clerk: sees the dossier in the inbox with its due date, views the files inline and receives it', async () => {
    await signIn('clerk');
    await page.getByRole('link', { name: code }).first().waitFor({ state: 'visible' });
    await screenshot(page, '04-clerk-inbox');
    await checkA11y(page, 'inbox');
    // Search without accents by the applicant's name.
    await page.getByLabel('Tìm theo mã, tên').fill('hong nhung');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.getByRole('link', { name: code }).first().waitFor({ state: 'visible' });
    await openFromInbox();
    await poll(() => page.locator('iframe[title^="Căn cước công dân"]').count()).toBe(1);
    const img = page.locator('figure.doc img');
    await poll(() => img.count()).toBe(1);
    await img.scrollIntoViewIfNeeded(); // loaded lazily
    await poll(() => page.evaluate("(() => { const i = document.querySelector('figure.doc img'); return i.complete && i.naturalWidth > 0; })()")).toBe(true);
    await screenshot(page, '05-clerk-dossier');
    await checkA11y(page, 'staff dossier');
    await act('Tiếp nhận hồ sơ');
    await poll(() => textOf(page.getByRole('status'))).toContain('Tiếp nhận hồ sơ');
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Đang thẩm định'));
    await signOut();
  });

  let specialistShot = false;
  async function specialistVerifies() {
    await signIn('specialist');
    await openFromInbox();
    await act('Xác nhận có trong sổ gốc, trình phê duyệt', async () => {
      // The register check says whether it was filled from the electronic master register.
      await poll(() => textOf(page.locator('details.action[open] .notice'))).toContain('sổ gốc');
      if (!specialistShot) { specialistShot = true; await screenshot(page, '05b-specialist-register-check'); }
      const fill = async (label: string, value: string) => {
        const input = page.locator('details.action[open]').getByLabel(label);
        if ((await input.inputValue()) === '') await input.fill(value);
      };
      await fill('Số sổ gốc', 'SG-THPT-2022');
      await fill('Số vào sổ cấp văn bằng', '77/THPT');
      await fill('Số hiệu văn bằng', 'B 1234567');
      await fill('Ngày cấp văn bằng', '2022-07-01');
    });
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Chờ lãnh đạo phê duyệt'));
    await signOut();
  }

  it('specialist: fills the register check and sends the dossier for approval', async () => {
    await specialistVerifies();
  });

  it('leader: previews the unsigned result, sends it back with a reason, then approves it from the queue', async () => {
    await signIn('leader');
    await page.goto(`${base}/can-bo/phe-duyet`);
    await page.getByRole('link', { name: code }).first().waitFor({ state: 'visible' });
    await checkA11y(page, 'approval queue');
    const preview = await page.request.get(`${base}/can-bo/ho-so/${encodeURIComponent(code)}/xem-truoc`);
    expect(preview.status()).toBe(200);
    expect(preview.headers()['content-type']).toBe('application/pdf');
    expect((await preview.body()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.getByRole('link', { name: code }).click();
    // A reason is required to send back: the browser refuses the empty one.
    await act('Trả lại chuyên viên');
    await page.locator('details.action[open] textarea:invalid, details.action[open] [aria-invalid="true"]').first().first().waitFor({ state: 'visible' });
    await page.locator('details.action[open] textarea[name="comment"]').fill('Bổ sung số vào sổ theo sổ gốc năm 2022.');
    await page.locator('details.action[open]').getByRole('button', { name: 'Trả lại chuyên viên' }).click();
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Đang thẩm định'));
    await signOut();

    await specialistVerifies();

    await signIn('leader');
    await page.goto(`${base}/can-bo/phe-duyet`);
    await page.getByRole('checkbox', { name: `Chọn hồ sơ ${code}` }).check();
    await screenshot(page, '06-leader-approvals');
    await page.getByRole('button', { name: 'Phê duyệt và ký số các hồ sơ đã chọn' }).click();
    await poll(() => textOf(page.locator('.results .ok'))).toContain(code);
    // The signing job runs on the worker; the dossier moves to "result ready" when the signed PDF is stored.
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    for (let i = 0; i < 100 && (await page.getByTestId('status').textContent()) !== 'Đã có kết quả'; i++) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Đã có kết quả'));
    await page.goto(`${base}/can-bo/chi-so`);
    await page.getByRole('heading', { name: 'Chỉ số chất lượng phục vụ' }).first().waitFor({ state: 'visible' });
    await poll(() => page.locator('figure.chart svg').count()).toBe(2);
    await screenshot(page, '07-leader-dashboard');
    await checkA11y(page, 'dashboard');
    await signOut();
  });

  it('clerk: returns the result', async () => {
    await signIn('clerk');
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    await act('Trả kết quả');
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Đã trả kết quả'));
    await signOut();
  });

  it('citizen: tracks the timeline, downloads the signed result and rates the service (reason required when unsatisfied)', async () => {
    await page.goto(`${base}/ho-so/${encodeURIComponent(code)}`);
    await poll(() => textOf(page.getByTestId('status'))).toMatch(exactly('Đã trả kết quả'));
    await poll(() => page.locator('.timeline li').count()).toBe(8);
    // The leader's reason for sending it back was written for the specialist, not the citizen (history-events.ts).
    await poll(() => textOf(page.locator('.timeline'))).toContain('Trả lại chuyên viên');
    expect(await textOf(page.locator('.timeline'))).not.toContain('Bổ sung số vào sổ theo sổ gốc năm 2022.');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-result').click()]);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.includes(Buffer.from('/ByteRange'))).toBe(true);
    expect(download.suggestedFilename()).toBe(`${code}.pdf`);

    const survey = page.locator('#survey-form');
    await survey.getByRole('radio', { name: 'Không hài lòng' }).check();
    await survey.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await poll(() => page.locator('#survey-reason').getAttribute('aria-invalid')).toBe('true');
    await poll(() => textOf(page.locator('#survey-reason-error'))).toContain('lý do không hài lòng');
    await screenshot(page, '08-citizen-survey');
    await checkA11y(page, 'citizen dossier with survey');
    await survey.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
    await survey.getByRole('radio', { name: 'Đúng hẹn' }).check();
    await survey.getByRole('radio', { name: 'Tận tình, chu đáo' }).check();
    await survey.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await poll(() => textOf(page.getByRole('status'))).toContain('Cảm ơn bạn đã đánh giá');
    await poll(() => page.locator('#survey-form').count()).toBe(0);
    await screenshot(page, '09-citizen-result-rated');
    const rows = await env.ctx.database.query<{ rating: string; criteria: Record<string, string> }>(
      'select s.rating, s.criteria from survey_answers s join dossiers d on d.id = s.dossier_id where d.code = $1', [code]);
    expect(rows).toEqual([{ rating: 'satisfied', criteria: { timeliness: 'on_time', staffAttitude: 'good' } }]);
  });

  it('citizen: supplements a dossier when the desk asks, with the upload script showing progress', async () => {
    const filed = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest('Lê Văn Bổ Sung'), files: [{ fieldName: 'identity', fileName: 'mo.pdf', data: await makePdf() }],
    });
    await performAction(env.ctx, { code: filed.code, action: 'request_supplement', caller: await staffCaller(env.ctx, 'clerk'), version: 1, comment: 'Ảnh căn cước bị mờ, vui lòng chụp lại.' });
    // The link from the e-mail or the receipt's QR: the token in the fragment, posted by the page's script (never in a
    // URL the server sees); then remembered, so the next visits need neither.
    await page.goto(`${base}/tra-cuu?ma=${encodeURIComponent(filed.code)}#t=${encodeURIComponent(filed.trackingToken)}`);
    await page.waitForURL(`${base}/ho-so/${encodeURIComponent(filed.code)}`);
    await poll(() => textOf(page.locator('#supp-h').locator('..'))).toContain('Ảnh căn cước bị mờ');
    await page.locator('#d-identity').setInputFiles({ name: 'cccd-ro.png', mimeType: 'image/png', buffer: makePng() });
    await page.getByRole('button', { name: 'Nộp bổ sung hồ sơ' }).click();
    await poll(() => textOf(page.getByRole('status'))).toContain('Đã nộp bổ sung');
    await poll(() => textOf(page.getByTestId('status'))).toBe('Mới nộp');
    const view = await page.goto(`${base}/ho-so/${encodeURIComponent(filed.code)}`);
    expect(await view!.text()).toContain('cccd-ro.png');
  });

  it('a form posted without the CSRF token is refused', async () => {
    const response = await page.request.post(`${base}/ho-so/${encodeURIComponent(code)}/danh-gia`, { form: { rating: 'satisfied' } });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('Phiên làm việc đã hết hạn');
  });

  it('works on a 360 px phone: no sideways scrolling on the main pages', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    for (const [name, url] of [
      ['10-phone-home', '/'], ['11-phone-form', '/thu-tuc/diploma-copy/nop'], ['12-phone-dossier', `/ho-so/${encodeURIComponent(code)}`],
    ] as const) {
      await phone.goto(`${base}${url}`);
      const width = await phone.evaluate('document.documentElement.scrollWidth') as number;
      expect(width, `${url} is ${width}px wide`).toBeLessThanOrEqual(360);
      await screenshot(phone, name);
    }
    await phone.close();
  });

  it('the accessibility check itself finds a missing label and a missing language', async () => {
    const probe = await browser.context.newPage();
    await probe.setContent('<html><body><main><input type="text"><img src="data:,"></main></body></html>');
    const ids = (await seriousViolations(probe)).map((v) => v.id);
    await probe.close();
    expect(ids).toEqual(expect.arrayContaining(['label', 'html-has-lang', 'image-alt']));
  });

  it('has no serious or critical accessibility violations on the pages checked', () => {
    expect(axeFindings.length).toBeGreaterThanOrEqual(10);
    expect(axeFindings.filter((f) => f.violations.length > 0)).toEqual([]);
  });
});
