// Issue 12's whole story in chromium, with the pages' Content-Security-Policy enforced: the production server
// (startServerApp) at its PUBLIC_URL with a worker process's context beside it (signing, e-mails), the demo OpenID
// Provider on another loopback port. A parent signs in with "Đăng nhập bằng VNeID", files an admission registration
// for one child without typing the pupil's identity, follows it in "Hồ sơ của tôi" (status, timeline, a message from
// the school read, the school seeing "Đã xem"), re-uses the admission notice issued for that child in a school transfer
// ("Chọn từ kho giấy tờ của tôi", no upload; marked re-used for the school), files a complaint the school's principal
// answers, and GET /api/me/dossiers lists the family's dossiers and nobody else's (another demo citizen sees none).
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/app-context.js';
import { closeContext, createContext } from '../../../src/context.js';
import { citizenDocuments, dossierDocuments, dossiers } from '../../../src/db/schema/index.js';
import {
  launchChromium, newEnforcingContext, requireChromium, screenshot, seriousViolationsUnderCsp, signInStaff,
  signInWithVneid, startVneidPortal, type VneidPortal,
} from '../../helpers/browser.js';
import { signInCitizen } from '../../helpers/citizen-session.js';
import { diplomaRequest } from '../../helpers/dossiers.js';
import { makePdf, makePng } from '../../helpers/files.js';
import { ApiClient, eventually } from '../../helpers/http.js';
import type { ServerApp } from '../../helpers/server-app.js';

const PARENT = { personalId: '038082001234', name: 'Nguyễn Văn An' };
const KHOI = { personalId: '038211004567', name: 'Nguyễn Minh Khôi', birthDate: '2011-09-05', shown: '05/09/2011' };
const HA = { personalId: '038315007890', name: 'Nguyễn Thu Hà' };
const MOTHER = { personalId: '038185002345', name: 'Lê Thị Hương' };

describe('the citizen story in chromium: VNeID, prefill, Hồ sơ của tôi, re-use, complaint', () => {
  let portal: VneidPortal | undefined;
  let server: ServerApp;
  let worker: AppContext;
  let browser: Browser;
  let parentContext: BrowserContext;
  let page: Page;
  let api: ApiClient;
  let base: string;
  let admissionCode: string;
  let transferCode: string;
  let feedbackCode: string;
  const staffContexts: BrowserContext[] = [];

  /** A member of staff signed in through /dang-nhap in a context of their own (their own cookies). */
  async function staffPage(username: string): Promise<Page> {
    const context = await newEnforcingContext(browser);
    staffContexts.push(context);
    const staff = await context.newPage();
    await signInStaff(staff, base, username);
    return staff;
  }

  async function dossierRow(code: string) {
    const [row] = await server.ctx.db.select().from(dossiers).where(eq(dossiers.code, code));
    return row!;
  }

  async function pdfUpload(name: string) {
    return { name, mimeType: 'application/pdf', buffer: await makePdf('Giay to') };
  }

  beforeAll(async () => {
    requireChromium();
    portal = await startVneidPortal({
      clientId: 'motcua-story', clientSecret: 'story-test-client-secret', env: { OUTBOX_POLL_MS: '100', DEMO_CA_CRL: 'off' },
    });
    ({ base, server } = portal);
    // The worker process of a production deployment: relays the server's outbox and runs the jobs (signing the result).
    worker = await createContext(server.config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), 'worker');
    await worker.jobs.start();
    api = new ApiClient(base);
    browser = await launchChromium();
    parentContext = await newEnforcingContext(browser);
    page = await parentContext.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (worker) await closeContext(worker);
    await portal?.close();
  });

  it('1. the parent signs in with VNeID, picking themselves at the provider', async () => {
    await signInWithVneid(page, portal!, PARENT.name);
    const me = await page.request.get(`${base}/api/me`);
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ personalId: PARENT.personalId, fullName: PARENT.name });
  });

  it('2. files an admission registration for one child: the pupil prefilled, read-only, vouched; no grade; nothing typed about the pupil', async () => {
    await page.goto(`${base}/thu-tuc/admission-registration/nop`);
    const filing = page.getByTestId('filing-choice');
    await filing.getByRole('heading', { name: 'Nộp cho' }).waitFor();
    // Only the children: an admission registration is filed for a child.
    expect(await filing.getByRole('radio').count()).toBe(2);
    await filing.getByRole('radio', { name: `Con: ${KHOI.name}, sinh ngày ${KHOI.shown}` }).check();
    await filing.getByRole('button', { name: 'Chọn' }).click();
    await page.waitForURL((url) => url.searchParams.get('cho') === KHOI.personalId);

    const form = page.locator('#apply-form');
    for (const [label, value] of [['Họ và tên học sinh', KHOI.name], ['Số định danh cá nhân của học sinh', KHOI.personalId], ['Ngày sinh', KHOI.shown]] as const) {
      const input = form.getByLabel(label, { exact: true });
      expect(await input.inputValue(), label).toBe(value);
      expect(await input.getAttribute('readonly'), label).not.toBeNull();
      // Marked as the state's data (its description, read by screen readers too).
      const describedBy = await input.getAttribute('aria-describedby');
      expect(await page.locator(`[id="${describedBy}"]`).textContent(), label).toBe('Thông tin từ CSDL quốc gia về dân cư (VNeID)');
    }
    expect(await form.locator('[name="grade"]').count()).toBe(0);
    await page.getByText('Lớp đăng ký được lấy theo kỳ tuyển sinh bạn chọn.').waitFor();
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
    await screenshot(page, 'citizen-story-apply-prefilled');

    // Only what the system does not know.
    await form.getByLabel('Kỳ tuyển sinh').selectOption('ts10-demo');
    await form.getByLabel('Trường đang học (lớp 6, lớp 10)').fill('THCS Trần Mai Ninh');
    await form.getByLabel('Nguyện vọng 1').selectOption('thpt-lam-son');
    await form.getByLabel('Nguyện vọng 2').selectOption('thpt-dao-duy-tu');
    await form.getByLabel('Đối tượng ưu tiên, khuyến khích').selectOption('none');
    await form.locator('#d-birthCertificate').setInputFiles(await pdfUpload('giay-khai-sinh.pdf'));
    await form.locator('#d-residenceProof').setInputFiles({ name: 'cu-tru.png', mimeType: 'image/png', buffer: makePng() });
    await form.locator('#d-schoolRecord').setInputFiles(await pdfUpload('hoc-ba.pdf'));
    await form.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await page.waitForURL(/\/ho-so\/[^/]+\/bien-nhan$/);
    admissionCode = decodeURIComponent(/\/ho-so\/([^/]+)\/bien-nhan$/.exec(page.url())![1]!);

    const row = await dossierRow(admissionCode);
    expect(row.formData).toMatchObject({
      pupilName: KHOI.name, pupilIdNumber: KHOI.personalId, pupilBirthDate: KHOI.birthDate, pupilGender: 'male', grade: '10',
      parentName: PARENT.name, parentPhone: '0912345678', parentEmail: 'nguyenvanan@example.com',
      residence: 'Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', choice1: 'thpt-lam-son',
    });
    expect(row).toMatchObject({ filedFor: 'child', subjectPersonalId: KHOI.personalId, loa: '2', possibleDuplicateOf: null });
  });

  it('3. follows it in "Hồ sơ của tôi": under the child, status and timeline; the school writes, the parent reads, the school sees "Đã xem"', async () => {
    await page.goto(`${base}/ho-so-cua-toi`);
    const row = page.locator(`[data-testid="my-dossier"][data-code="${admissionCode}"]`);
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe(`Con: ${KHOI.name}`);
    expect(await row.locator('td').nth(3).textContent()).toBe('Đã đăng ký');
    // The child's filter lists it; the other child's does not.
    await page.getByTestId('person-filter').getByRole('link', { name: `Con: ${KHOI.name}` }).click();
    await page.waitForURL((url) => url.searchParams.get('person') === KHOI.personalId);
    await row.waitFor();
    await page.getByTestId('person-filter').getByRole('link', { name: `Con: ${HA.name}` }).click();
    await page.waitForURL((url) => url.searchParams.get('person') === HA.personalId);
    expect(await page.locator(`[data-code="${admissionCode}"]`).count()).toBe(0);
    await page.goto(`${base}/ho-so-cua-toi`);
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);

    await row.getByRole('link', { name: admissionCode }).click();
    await page.waitForURL(`${base}/ho-so/${encodeURIComponent(admissionCode)}`);
    expect(await page.getByTestId('status').textContent()).toBe('Đã đăng ký');
    const timeline = page.locator('section[aria-labelledby="timeline-h"] li');
    expect(await timeline.count()).toBeGreaterThanOrEqual(1);
    expect(await timeline.first().textContent()).toContain('Công dân');
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);

    // The first-choice school, where the dossier is, writes to the parent.
    const school = await staffPage('school');
    const staffDossier = `${base}/can-bo/ho-so/${encodeURIComponent(admissionCode)}`;
    await school.goto(staffDossier);
    const note = 'Đề nghị phụ huynh mang bản chính giấy khai sinh khi nhập học.';
    await school.getByTestId('message-form').getByLabel('Nhắn cho công dân').fill(note);
    await school.getByRole('button', { name: 'Gửi tin nhắn' }).click();
    await school.waitForURL((url) => url.pathname === `/can-bo/ho-so/${encodeURIComponent(admissionCode)}`);
    const sent = school.getByTestId('message').filter({ hasText: note });
    expect(await sent.getByTestId('receipt').textContent()).toBe('Chưa xem');

    // The parent's space announces it; the dossier page shows it (and reading it is the receipt).
    await page.goto(`${base}/ho-so-cua-toi`);
    await row.getByTestId('unread').getByText('1 tin nhắn mới').click();
    await page.waitForURL(`${base}/ho-so/${encodeURIComponent(admissionCode)}#tin-nhan`);
    const received = page.getByTestId('message').filter({ hasText: note });
    expect(await received.locator('strong').textContent()).toBe('Cán bộ Hoàng Thị Mai');
    await screenshot(page, 'citizen-story-message');

    await school.reload();
    expect(await school.getByTestId('message').filter({ hasText: note }).getByTestId('receipt').textContent()).toMatch(/^Đã xem lúc /);
    await page.goto(`${base}/ho-so-cua-toi`);
    expect(await row.getByTestId('unread').count()).toBe(0);
  });

  it('4. re-uses the admission notice issued for the child in a school transfer, chosen from the store instead of an upload', async () => {
    // The school verifies, the principal admits and the worker signs: the notice goes into the child's store.
    const schoolToken = await api.login('school');
    const principalToken = await api.login('principal');
    const version = (await api.json('GET', `/api/dossiers/${encodeURIComponent(admissionCode)}`, { token: schoolToken })).body.version as number;
    const verified = await api.act(admissionCode, 'verify', schoolToken, { version, data: { residenceChecked: true, score: '42,5' } });
    expect(verified.body, 'verify').toMatchObject({ status: 'awaiting_decision' });
    const admitted = await api.act(admissionCode, 'admit', principalToken, { version: verified.body.version });
    expect(admitted.body, 'admit').toMatchObject({ status: 'signing' });
    await eventually(async () => ((await dossierRow(admissionCode)).status === 'result_ready' ? true : undefined), 60_000);
    const [stored] = await server.ctx.db.select().from(citizenDocuments).where(eq(citizenDocuments.ownerPersonalId, KHOI.personalId));
    expect(stored).toBeDefined();

    // The parent sees it in the store and on the dossier.
    await page.goto(`${base}/ho-so-cua-toi/giay-to`);
    await page.getByText(admissionCode).first().waitFor();
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
    await page.goto(`${base}/ho-so/${encodeURIComponent(admissionCode)}`);
    await page.getByTestId('download-result').waitFor();

    // A school transfer for the same child: the notice attached by reference.
    await page.goto(`${base}/thu-tuc/school-transfer/nop?cho=${KHOI.personalId}`);
    const form = page.locator('#apply-form');
    expect(await form.getByLabel('Họ và tên học sinh', { exact: true }).getAttribute('readonly')).not.toBeNull();
    await form.getByLabel('Lớp đang học').selectOption('10');
    await form.getByLabel('Trường hợp chuyển trường').selectOption('within');
    await form.getByLabel('Trường đang học (trong tỉnh)').selectOption('thpt-lam-son');
    await form.getByLabel('Trường xin chuyển đến').selectOption('thpt-dao-duy-tu');
    await form.getByLabel('Lý do chuyển trường').fill('Gia đình chuyển nơi ở về gần trường mới.');
    await form.locator('#d-application').setInputFiles(await pdfUpload('don-xin-chuyen-truong.pdf'));
    await form.locator('#d-schoolRecord').setInputFiles(await pdfUpload('hoc-ba.pdf'));
    const picker = form.locator('[data-store-picker="d-admissionCertificate"]');
    const requiredMark = form.locator('label[for="d-admissionCertificate"] .req');
    expect(await requiredMark.isVisible()).toBe(true);  // required in grade 10
    await picker.getByLabel('Chọn từ kho giấy tờ của tôi').selectOption(stored!.id);
    // Chosen from the store: the slot's upload is off and no longer marked required.
    expect(await form.locator('#d-admissionCertificate').isDisabled()).toBe(true);
    expect(await requiredMark.isVisible()).toBe(false);
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
    await screenshot(page, 'citizen-story-reuse');
    await form.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await page.waitForURL(/\/ho-so\/[^/]+\/bien-nhan$/);
    transferCode = decodeURIComponent(/\/ho-so\/([^/]+)\/bien-nhan$/.exec(page.url())![1]!);
    expect(transferCode).not.toBe(admissionCode);

    const transfer = await dossierRow(transferCode);
    const documents = await server.ctx.db.select().from(dossierDocuments).where(eq(dossierDocuments.dossierId, transfer.id));
    const reused = documents.filter((d) => d.reusedFromDocumentId);
    expect(reused.map((d) => [d.documentKey, d.reusedFromDocumentId])).toEqual([['admissionCertificate', stored!.id]]);
    expect(reused[0]!.storageKey).toBe(stored!.storageKey);

    // The school (the transfer goes to the pupil's current school) sees it marked.
    const school = await staffPage('school');
    await school.goto(`${base}/can-bo/ho-so/${encodeURIComponent(transferCode)}`);
    const mark = school.getByTestId('reused-document');
    expect(await mark.count()).toBe(1);
    expect(await mark.textContent()).toBe('Tái sử dụng từ kho dữ liệu');
    expect(await school.locator('figcaption', { has: mark }).textContent()).toContain('Giấy chứng nhận trúng tuyển');
    expect(await seriousViolationsUnderCsp(school)).toEqual([]);
  });

  it('5. files a complaint about the dossier; the principal answers it in /can-bo/phan-anh; the parent sees the answer', async () => {
    await page.goto(`${base}/phan-anh-kien-nghi`);
    const form = page.getByTestId('feedback-form');
    await form.getByText(`Người gửi: ${PARENT.name}`).waitFor();
    await form.getByRole('radio', { name: /^Phản ánh/ }).check();
    await form.getByLabel('Mã hồ sơ (nếu phản ánh về một hồ sơ)').fill(admissionCode);
    await form.getByLabel('Tiêu đề').fill('Chưa được hướng dẫn về lịch nhập học');
    await form.locator('#body').fill('Con tôi đã trúng tuyển nhưng chưa được thông báo lịch nhập học và giấy tờ cần mang.');
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
    await form.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
    const codeCell = page.getByTestId('feedback-code');
    await codeCell.waitFor();
    feedbackCode = (await codeCell.textContent())!.trim();

    // The dossier is at the school: its leader answers (the school has no one-stop clerk).
    const principal = await staffPage('principal');
    await principal.goto(`${base}/can-bo/phan-anh`);
    await principal.getByRole('link', { name: feedbackCode }).click();
    await principal.waitForURL(`${base}/can-bo/phan-anh/${feedbackCode}`);
    expect(await principal.getByRole('link', { name: admissionCode }).count()).toBe(1);
    const answer = 'Nhà trường sẽ nhắn lịch nhập học trên hồ sơ trước ngày 15/7; cần mang bản chính giấy khai sinh và học bạ.';
    await principal.getByLabel('Nội dung trả lời').fill(answer);
    expect(await seriousViolationsUnderCsp(principal)).toEqual([]);
    await principal.getByRole('button', { name: 'Gửi trả lời' }).click();
    await principal.locator('#answer-h').waitFor();

    await page.goto(`${base}/phan-anh-kien-nghi`);
    const mine = page.locator('section[aria-labelledby="mine-h"] tr', { hasText: feedbackCode });
    expect(await mine.textContent()).toContain('Đã trả lời');
    await mine.getByRole('link', { name: feedbackCode }).click();
    expect(await page.getByTestId('feedback-answer').textContent()).toBe(answer);
    expect(await seriousViolationsUnderCsp(page)).toEqual([]);
    await screenshot(page, 'citizen-story-feedback-answered');
  });

  it("6. GET /api/me/dossiers lists the parent's and the children's dossiers and nobody else's", async () => {
    // The mother files for the other child (her own sign-in names the same child), the parent for himself; a
    // dossier filed without an account and another citizen's are nobody's business of theirs.
    const mother = await signInCitizen(server.ctx.db, {
      personalId: MOTHER.personalId, fullName: MOTHER.name, phone: '0913555666', currentAddress: 'Số 12 Lê Lợi, phường Hạc Thành',
      family: [{ relation: 'child', personalId: HA.personalId, fullName: HA.name, birthDate: '2015-02-21' }],
    });
    const transferForm = api.submitForm('school-transfer', {
      grade: '8', scope: 'within', currentSchool: 'thpt-ham-rong', targetSchool: 'thpt-dao-duy-tu', reason: 'Gia đình chuyển nơi ở.',
    }, [
      { field: 'application', name: 'don.pdf', data: await makePdf('Don'), type: 'application/pdf' },
      { field: 'schoolRecord', name: 'hoc-ba.pdf', data: await makePdf('Hoc ba'), type: 'application/pdf' },
    ]);
    transferForm.append('filedFor', 'child');
    transferForm.append('childPersonalId', HA.personalId);
    const byMother = await api.json('POST', '/api/dossiers', { form: transferForm, headers: { cookie: mother.cookie, origin: base } });
    expect(byMother.status, JSON.stringify(byMother.body)).toBe(201);

    const identity = { name: 'cccd.pdf', mimeType: 'application/pdf', buffer: await makePdf('CCCD') };
    const own = await page.request.post(`${base}/api/dossiers`, {
      headers: { origin: base },
      multipart: { procedure: 'diploma-copy', data: JSON.stringify(diplomaRequest(PARENT.name)), filedFor: 'self', identity },
    });
    expect(own.status(), await own.text()).toBe(201);
    const ownCode = (await own.json()).code as string;
    const anonymous = await api.submit('diploma-copy', diplomaRequest('Phạm Thị Khác'), [{ field: 'identity', name: 'cccd.pdf', data: identity.buffer, type: 'application/pdf' }]);
    expect(anonymous.status).toBe(201);

    // Another demo citizen, in a browser of her own, files her own dossier and sees only it.
    const otherContext = await newEnforcingContext(browser);
    staffContexts.push(otherContext);
    const other = await otherContext.newPage();
    await signInWithVneid(other, portal!, 'Lê Thị Mai');
    const hers = await other.request.post(`${base}/api/dossiers`, {
      headers: { origin: base },
      multipart: { procedure: 'diploma-copy', data: JSON.stringify(diplomaRequest('Lê Thị Mai')), filedFor: 'self', identity },
    });
    expect(hers.status(), await hers.text()).toBe(201);
    const herCode = (await hers.json()).code as string;

    const listed = await page.request.get(`${base}/api/me/dossiers?limit=100`);
    expect(listed.status()).toBe(200);
    const mine = await listed.json() as { people: Array<{ relation: string; personalId: string }>; items: Array<{ code: string; for: { relation: string; personalId: string }; filedByMe: boolean }> };
    expect(mine.people.map((p) => [p.relation, p.personalId])).toEqual([['self', PARENT.personalId], ['child', KHOI.personalId], ['child', HA.personalId]]);
    expect(mine.items.map((d) => d.code).sort()).toEqual([admissionCode, transferCode, byMother.body.code as string, ownCode].sort());
    expect(mine.items.find((d) => d.code === byMother.body.code)).toMatchObject({ for: { relation: 'child', personalId: HA.personalId }, filedByMe: false });
    expect(mine.items.find((d) => d.code === ownCode)).toMatchObject({ for: { relation: 'self' }, filedByMe: true });

    const theirs = await other.request.get(`${base}/api/me/dossiers?limit=100`);
    expect(theirs.status()).toBe(200);
    expect(((await theirs.json()) as { items: Array<{ code: string }> }).items.map((d) => d.code)).toEqual([herCode]);
    // And her browser cannot open the parent's dossier.
    const refused = await other.request.get(`${base}/api/dossiers/${encodeURIComponent(admissionCode)}`);
    expect(refused.status()).toBe(404);
    await other.goto(`${base}/ho-so-cua-toi`);
    expect(await other.getByTestId('my-dossier').count()).toBe(1);
  });
});
