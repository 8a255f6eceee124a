// What happens around a payment once made, over real HTTP on PostgreSQL + BullMQ: the electronic receipt (numbered in
// the agency's yearly series, fee lines, total in figures and words, payer, transaction id, sealed by the Department;
// its job idempotent), a fee taken at the desk, refunds recorded by hand, the administrators' list and the staff
// dossier page's panel. The paid procedure is a new version of diploma-copy with fee lines, uploaded through the
// administration API like an administrator would.
import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findPaymentByReference } from '../../src/db/repositories/payment-records.js';
import { payments, storedFiles } from '../../src/db/schema/index.js';
import { runJob } from '../../src/jobs/registry.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { registerYear } from '../../src/services/numbering/document-numbers.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';
import { uploadPaidDiplomaCopy } from '../helpers/paid-procedure.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';

describe('payment records: receipts, desk payments, refunds, the admin list', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;
  let clerk: string;
  let specialist: string;
  let freeCode: string;

  const fileDossier = async (name: string) => submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  const desk = (code: string, body: unknown, token = clerk) => api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/payments/desk`, { token, json: body });
  const refund = (reference: string, body: unknown, token = clerk) => api.json('POST', `/api/payments/${encodeURIComponent(reference)}/refunds`, { token, json: body });
  const receipt = (code: string, reference: string, token: string) =>
    api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/payments/${encodeURIComponent(reference)}/receipt`, { token });
  const flat = (text: string) => text.replace(/\s+/g, ' ');
  /**
   * An online payment the Payment Platform confirmed, inserted as the confirmation writes it (a real row of the
   * payments table: this file tests what follows a payment, not the platform protocol), without the outbox row, so the
   * test runs the receipt job itself.
   */
  const onlinePayment = async (code: string, status: 'paid' | 'pending', reference: string) => {
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const [row] = await env.ctx.db.insert(payments).values({
      dossierId: dossier.id, reference, method: 'online', amount: 150000, status,
      lines: [{ code: 'LP-BS', label: 'Lệ phí cấp bản sao văn bằng', amount: 100000 }, { code: 'P-TC', label: 'Phí tra cứu sổ gốc', amount: 50000 }],
      ...(status === 'paid' ? { paidAt: new Date(), platformTransactionId: `GD${reference}`, confirmedVia: 'callback' as const } : {}),
    }).returning();
    return row!;
  };

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    admin = await api.login('admin');
    clerk = await api.login('clerk');
    specialist = await api.login('specialist');
    // Filed under the free version 1, before the paid version exists: it owes nothing.
    freeCode = (await fileDossier('Phan Văn Miễn')).code;
    await uploadPaidDiplomaCopy(api, admin, env.config.workflowsDir);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('issues the receipt of an online payment once: numbered, with the lines, the total in words, payer and transaction id, sealed', async () => {
    const { code, trackingToken } = await fileDossier('Nguyễn Thị Hoa');
    const payment = await onlinePayment(code, 'paid', 'dvcONLINE0001');
    expect((await receipt(code, payment.reference, clerk)).status).toBe(404);
    expect((await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/payments/${payment.reference}/receipt`, { token: clerk })).body.error.code)
      .toBe('RECEIPT_NOT_READY');

    const filesBefore = (await env.ctx.db.select({ key: storedFiles.key }).from(storedFiles)).length;
    // Two runs at once and one after: one number, one stored file.
    await Promise.all([
      runJob(env.ctx, 'issue-payment-receipt', { paymentId: payment.id }), runJob(env.ctx, 'issue-payment-receipt', { paymentId: payment.id }),
    ]);
    const first = (await findPaymentByReference(env.ctx.db, payment.reference))!;
    await runJob(env.ctx, 'issue-payment-receipt', { paymentId: payment.id });
    const again = (await findPaymentByReference(env.ctx.db, payment.reference))!;
    expect(again).toMatchObject({ receiptNumber: first.receiptNumber, receiptStorageKey: first.receiptStorageKey });
    expect((await env.ctx.db.select({ key: storedFiles.key }).from(storedFiles)).length).toBe(filesBefore + 1);
    const agency = (await findDossierByCode(env.ctx.db, code))!.agencyCode;
    expect(first.receiptNumber).toBe(`BL${registerYear(new Date())}-${agency}-0000001`);
    expect(first.receiptIssuedAt).toBeInstanceOf(Date);

    // The citizen (tracking token) downloads it like any document of the dossier.
    const response = await receipt(code, payment.reference, trackingToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    const text = flat(await pdfText(pdf));
    expect(text).toContain('BIÊN LAI THU PHÍ, LỆ PHÍ (ĐIỆN TỬ)');
    expect(text).toContain(`Ký hiệu: BL${registerYear(new Date())}-${agency} — Số biên lai: 0000001`);
    expect(text).toContain('Nguyễn Thị Hoa');
    expect(text).toContain('038090001234');
    expect(text).toContain(code);
    expect(text).toContain('Cấp bản sao văn bằng, chứng chỉ từ sổ gốc');
    expect(text).toMatch(/Lệ phí cấp bản sao văn bằng: 100\.000 đồng/);
    expect(text).toMatch(/Phí tra cứu sổ gốc: 50\.000 đồng/);
    expect(text).toMatch(/Tổng số tiền: 150\.000 đồng/);
    expect(text).toContain('dvcONLINE0001');
    expect(text).toContain('Một trăm năm mươi nghìn đồng');
    expect(text).toContain('Nền tảng thanh toán');
    expect(text).toContain('Mã giao dịch: GDdvcONLINE0001');
    // Sealed by the Department like its one-stop forms.
    const signature = await pdfsig(pdf);
    expect(signature).toMatch(/Signature #1:[\s\S]*Sở Giáo dục và Đào tạo[\s\S]*Signature Validation: Signature is Valid\./);

    // Another dossier's token does not open it.
    const other = await fileDossier('Người Khác');
    expect((await receipt(code, payment.reference, other.trackingToken)).status).toBe(404);
    expect((await receipt(other.code, payment.reference, other.trackingToken)).status).toBe(404);
  });

  it('keeps the number a run gave before it died, and draws the receipt with it', async () => {
    const { code } = await fileDossier('Trần Văn Lại');
    const payment = await onlinePayment(code, 'paid', 'dvcONLINE0002');
    // What the numbering transaction committed before the process died (no file yet).
    const issuedAt = new Date();
    const agency = (await findDossierByCode(env.ctx.db, code))!.agencyCode;
    const number = `BL${registerYear(issuedAt)}-${agency}-0000002`;
    await env.ctx.db.update(payments).set({ receiptNumber: number, receiptIssuedAt: issuedAt }).where(eq(payments.id, payment.id));
    await runJob(env.ctx, 'issue-payment-receipt', { paymentId: payment.id });
    const stored = (await findPaymentByReference(env.ctx.db, payment.reference))!;
    expect(stored.receiptNumber).toBe(number);
    expect(stored.receiptStorageKey).toBeTruthy();
    expect(flat(await pdfText(Buffer.from(await (await receipt(code, payment.reference, clerk)).arrayBuffer())))).toContain('Số biên lai: 0000002');
  });

  it('records a fee taken at the desk, then issues its receipt', async () => {
    const { code, trackingToken } = await fileDossier('Lê Văn Quầy');
    const wrongAmount = await desk(code, { amount: 100000 });
    expect(wrongAmount.status).toBe(422);
    expect(wrongAmount.body.error.code).toBe('PAYMENT_AMOUNT_MISMATCH');
    const notClerk = await desk(code, { amount: 150000 }, specialist);
    expect(notClerk.status).toBe(403);

    const taken = await desk(code, { amount: 150000, reference: 'POS-778899', note: 'Nộp tiền mặt' });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(taken.body).toMatchObject({ method: 'desk', status: 'paid', amount: 150000, dossierCode: code, confirmedVia: 'desk', receiptUrl: null });
    const again = await desk(code, { amount: 150000 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PAYMENT_ALREADY_MADE');

    await env.ctx.jobs.idle(20_000);
    const payment = (await findPaymentByReference(env.ctx.db, taken.body.reference))!;
    expect(payment.receiptNumber).toMatch(/-0000003$/);
    const response = await receipt(code, payment.reference, clerk);
    expect(response.status).toBe(200);
    const text = flat(await pdfText(Buffer.from(await response.arrayBuffer())));
    expect(text).toContain('Số biên lai: 0000003');
    expect(text).toContain('Lê Văn Quầy');
    expect(text).toContain('Một trăm năm mươi nghìn đồng');
    expect(text).toContain('Nộp trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả');
    expect(text).toContain('Mã giao dịch: POS-778899');
    expect(text).toContain('NGƯỜI THU TIỀN');

    // The citizen's dossier page links the receipt once it is issued (the browser remembers the tracking token).
    const track = `motcua_track=${Buffer.from(JSON.stringify([{ code, token: trackingToken }])).toString('base64url')}`;
    const citizenPage = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, headers: { cookie: track } });
    const receiptLink = /href="([^"]+)" data-testid="payment-receipt">Tải biên lai điện tử \(số ([^)]+)\)/.exec(citizenPage.body);
    expect(receiptLink?.[2]).toBe(payment.receiptNumber);
    const viaLink = await env.app.inject({ method: 'GET', url: receiptLink![1]!.replaceAll('&#x3D;', '='), headers: { cookie: track } });
    expect(viaLink.statusCode).toBe(200);
    expect(viaLink.headers['content-type']).toContain('application/pdf');

    const [entry] = await listAuditEntries(env.ctx.db, { action: 'payment.desk_recorded', target: code, limit: 10 });
    expect(entry).toMatchObject({ target: code, details: expect.objectContaining({ amount: 150000, documentReference: 'POS-778899', note: 'Nộp tiền mặt' }) });
  });

  it('refuses a desk payment for a dossier that owes nothing, or is closed', async () => {
    const { status, body } = await desk(freeCode, { amount: 150000 });
    expect(status).toBe(422);
    expect(body.error.code).toBe('PAYMENT_NOT_REQUIRED');
    const { code } = await fileDossier('Khúc Văn Đóng');
    expect((await api.act(code, 'refuse', clerk, { version: 1, comment: 'Sai thủ tục' })).status).toBe(200);
    const closed = await desk(code, { amount: 150000 });
    expect(closed.status).toBe(422);
    expect(closed.body.error.code).toBe('PAYMENT_NOT_REQUIRED');
  });

  it('records refunds by hand: partial, then the rest, never more than was paid, only for a paid payment', async () => {
    const { code } = await fileDossier('Đỗ Thị Hoàn');
    const paid = await onlinePayment(code, 'paid', 'dvcREFUND0001');

    expect((await refund(paid.reference, { amount: 50000 })).status).toBe(422);
    expect((await refund(paid.reference, { amount: 50000, reason: 'Nộp thừa' }, specialist)).status).toBe(403);
    expect((await refund('khong-co', { amount: 1, reason: 'x' })).status).toBe(404);

    const partial = await refund(paid.reference, { amount: 50000, reason: 'Công dân rút một bản sao', externalReference: 'HT-001' });
    expect(partial.status, JSON.stringify(partial.body)).toBe(201);
    expect(partial.body).toMatchObject({
      amount: 50000, reason: 'Công dân rút một bản sao', externalReference: 'HT-001', recordedBy: expect.any(String),
      payment: { reference: paid.reference, amount: 150000, refunded: 50000, remaining: 100000 },
    });
    const over = await refund(paid.reference, { amount: 100001, reason: 'Hoàn quá' });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('REFUND_EXCEEDS_PAYMENT');
    // An administrator may record it too; the rest, exactly.
    const rest = await refund(paid.reference, { amount: 100000, reason: 'Hồ sơ bị từ chối' }, admin);
    expect(rest.status).toBe(201);
    expect(rest.body.payment).toMatchObject({ refunded: 150000, remaining: 0 });
    expect((await refund(paid.reference, { amount: 1, reason: 'Thêm' })).body.error.code).toBe('REFUND_EXCEEDS_PAYMENT');

    const pending = await onlinePayment(code, 'pending', 'dvcREFUND0002');
    const unpaid = await refund(pending.reference, { amount: 1000, reason: 'Chưa nộp' });
    expect(unpaid.status).toBe(409);
    expect(unpaid.body.error.code).toBe('PAYMENT_NOT_PAID');

    const entries = await listAuditEntries(env.ctx.db, { action: 'payment.refund_recorded', target: code, limit: 10 });
    expect(entries.map((e) => e.details)).toEqual(expect.arrayContaining([
      expect.objectContaining({ reference: paid.reference, amount: 50000, refundedBefore: 0 }),
      expect.objectContaining({ reference: paid.reference, amount: 100000, refundedBefore: 50000 }),
    ]));
  });

  it('lists payments for administrators with their checks, refunds and totals; not for clerks', async () => {
    expect((await api.json('GET', '/api/admin/payments', { token: clerk })).status).toBe(403);
    const all = await api.json('GET', '/api/admin/payments', { token: admin });
    expect(all.status).toBe(200);
    const refs = all.body.items.map((p: { reference: string }) => p.reference);
    expect(refs).toEqual(expect.arrayContaining(['dvcONLINE0001', 'dvcREFUND0001', 'dvcREFUND0002']));
    const refunded = all.body.items.find((p: { reference: string }) => p.reference === 'dvcREFUND0001');
    expect(refunded).toMatchObject({ status: 'paid', refunded: 150000, checks: 0, lastCheckedAt: null, refunds: [expect.objectContaining({ amount: 50000 }), expect.objectContaining({ amount: 100000 })] });
    const rows = await env.ctx.db.select().from(payments);
    const paidSum = rows.filter((p) => p.status === 'paid').reduce((s, p) => s + p.amount, 0);
    expect(all.body.totals).toMatchObject({ count: rows.length, paid: paidSum, refunded: 150000, net: paidSum - 150000 });

    const deskOnly = await api.json('GET', '/api/admin/payments?method=desk', { token: admin });
    expect(deskOnly.body.items.length).toBeGreaterThan(0);
    expect(deskOnly.body.items.every((p: { method: string }) => p.method === 'desk')).toBe(true);
    const pendingOnly = await api.json('GET', '/api/admin/payments?status=pending', { token: admin });
    expect(pendingOnly.body.items.map((p: { reference: string }) => p.reference)).toEqual(['dvcREFUND0002']);
    expect(pendingOnly.body.totals).toMatchObject({ count: 1, paid: 0 });
    const future = await api.json('GET', '/api/admin/payments?from=2099-01-01', { token: admin });
    expect(future.body).toMatchObject({ items: [], totals: { count: 0 } });
    expect((await api.json('GET', '/api/admin/payments?from=2026-13-01', { token: admin })).status).toBe(422);
    const limited = await api.json('GET', '/api/admin/payments?limit=1', { token: admin });
    expect(limited.body).toMatchObject({ truncated: true, items: [expect.any(Object)] });
  });

  it('shows the payments page to administrators, with totals, filters and "Đối soát ngay"; refuses clerks', async () => {
    expect((await (await signInPages(env, 'clerk')).get('/quan-tri/thanh-toan')).status).toBe(403);
    const pages = await signInPages(env, 'admin');
    const page = await pages.get('/quan-tri/thanh-toan');
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-reference="dvcREFUND0001"');
    expect(page.body).toContain('Công dân rút một bản sao');
    expect(page.body).toMatch(/Đã hoàn trả<\/dt><dd>150\.000 đ/);
    expect(page.body).toContain('data-testid="reconcile-form"');
    const pending = await pages.get('/quan-tri/thanh-toan?status=pending');
    expect(pending.body).toContain('data-reference="dvcREFUND0002"');
    expect(pending.body).not.toContain('data-reference="dvcREFUND0001"');
    const bad = await pages.get('/quan-tri/thanh-toan?from=2026-02-30');
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Ngày không hợp lệ');
    // No Payment Platform configured in this environment: the pass checks nothing, and says so.
    const run = await pages.post('/quan-tri/thanh-toan/doi-soat', {});
    expect(run.status).toBe(303);
    expect((await pages.get(run.location!)).body).toContain('Đã đối soát 0 khoản đang chờ');
    const [entry] = await listAuditEntries(env.ctx.db, { action: 'payment.reconcile_run', limit: 1 });
    expect(entry).toBeDefined();
  });

  it('lets the desk receive a dossier of a procedure paid before processing once its fee is taken at the desk', async () => {
    await uploadPaidDiplomaCopy(api, admin, env.config.workflowsDir, 'before-processing');
    const { code } = await fileDossier('Hồ Văn Trước');
    const early = await api.act(code, 'receive', clerk, { version: 1 });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('PAYMENT_REQUIRED');
    expect((await desk(code, { amount: 150000 })).status).toBe(201);
    const received = await api.act(code, 'receive', clerk, { version: 1 });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
  });

  it('shows the fee panel on the staff dossier page, takes a desk payment and a refund through its forms', async () => {
    const { code } = await fileDossier('Vũ Thị Trang');
    const pages = await signInPages(env, 'clerk');
    const page = await pages.get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-testid="payment-panel"');
    expect(page.body).toContain('Lệ phí cấp bản sao văn bằng');
    expect(page.body).toContain('150.000 đ');
    expect(page.body).toContain('data-testid="desk-payment-form"');

    const posted = await pages.post(`/can-bo/ho-so/${encodeURIComponent(code)}/thanh-toan/tai-quay`, { amount: '150000', reference: 'BL-GIAY-9' });
    expect(posted.status).toBe(303);
    expect(posted.location).toContain('Đã ghi nhận nộp 150000 đồng tại quầy');
    await env.ctx.jobs.idle(20_000);
    const after = await pages.get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(after.body).not.toContain('data-testid="desk-payment-form"');
    expect(after.body).toContain('data-testid="receipt-link"');
    expect(after.body).toContain('data-testid="refund-form"');
    const [payment] = await env.ctx.db.select().from(payments)
      .where(and(inArray(payments.dossierId, [(await findDossierByCode(env.ctx.db, code))!.id]), like(payments.reference, 'quay%')));
    const refunded = await pages.post(`/can-bo/ho-so/${encodeURIComponent(code)}/thanh-toan/${payment!.reference}/hoan-tra`, { amount: '20000', reason: 'Thu thừa' });
    expect(refunded.location).toContain('Đã ghi nhận hoàn trả 20000 đồng');
    const over = await pages.post(`/can-bo/ho-so/${encodeURIComponent(code)}/thanh-toan/${payment!.reference}/hoan-tra`, { amount: '200000', reason: 'Quá' });
    expect(over.location).toContain('Tổng số tiền hoàn trả không được vượt số đã nộp');
    expect((await pages.get(`/can-bo/ho-so/${encodeURIComponent(code)}`)).body).toContain('Thu thừa');
    // The receipt opens in the browser from the panel's link (session), and from the page route for browsers.
    const link = /href="([^"]+)" target="_blank" rel="noopener" data-testid="receipt-link"/.exec(after.body)![1]!;
    expect((await pages.get(link)).status).toBe(200);
    const viaPage = `/ho-so/${encodeURIComponent(code)}/bien-lai/${payment!.reference}`;
    expect((await pages.get(viaPage)).status).toBe(200);
    expect((await env.app.inject({ method: 'GET', url: viaPage })).statusCode).toBe(404);

    // A dossier of a free procedure that never paid has no panel.
    expect((await pages.get(`/can-bo/ho-so/${encodeURIComponent(freeCode)}`)).body).not.toContain('data-testid="payment-panel"');
    // A specialist sees the panel, but neither form.
    const specialistPage = await (await signInPages(env, 'specialist')).get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(specialistPage.body).toContain('data-testid="payment-panel"');
    expect(specialistPage.body).not.toContain('data-testid="refund-form"');
  });
});
