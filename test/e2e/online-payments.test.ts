// Online fees through the national Payment Platform, over real HTTP on PostgreSQL + BullMQ with the platform simulator
// (tools/payment-platform-sim) on a free port: a diploma-copy version with fee lines, paid before processing, uploaded
// through the admin procedure API. The citizen pays (INIT → the platform's page → its callback) and only then may the
// desk receive the dossier; forged and mismatched callbacks are refused, logged and change nothing; a replayed
// callback changes nothing; a lost callback is caught by reconciliation (QUERY); a failed payment can be retried; the
// platform away at INIT leaves no pending payment behind.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { insertPayment } from '../../src/db/repositories/payments.js';
import { dossierEvents, dossiers, outbox, paymentNotifications, payments } from '../../src/db/schema/index.js';
import { paymentChecksum } from '../../src/integrations/payment-platform/checksum.js';
import { slaSweepJob } from '../../src/jobs/sla-sweep.js';
import { reconcilePendingPayments } from '../../src/services/payments/reconcile-payments.js';
import { startPaymentPlatformSimulator, type PaymentPlatformSimulator } from '../../tools/payment-platform-sim/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { PAID_DIPLOMA_FEE, uploadPaidDiplomaCopy } from '../helpers/paid-procedure.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

const PARTNER = 'MOTCUA-TEST';
const SECRET = 'payment-test-secret-0123456789';
const ACCESS_TOKEN = 'platform-static-token-abc';
/** What a dossier of the paid diploma-copy version owes (đồng). */
const FEE = PAID_DIPLOMA_FEE.amount;

describe('online fee payment through the Payment Platform', () => {
  let sim: PaymentPlatformSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;
  let clerk: string;
  /** Filed under version 1, which charges nothing. */
  let freeDossier: { code: string; trackingToken: string };

  const file = async (name = 'Nguyễn Thị Phí') => {
    const { status, body } = await api.submit('diploma-copy', diplomaRequest(name), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }]);
    expect(status).toBe(201);
    return body as { code: string; trackingToken: string };
  };
  const pay = (d: { code: string; trackingToken: string }) => api.json('POST', `/api/dossiers/${d.code}/payments`, { token: d.trackingToken });
  const view = async (d: { code: string; trackingToken: string }) => (await api.json('GET', `/api/dossiers/${d.code}`, { token: d.trackingToken })).body;
  const paymentRow = async (reference: string) => (await env.ctx.db.select().from(payments).where(eq(payments.reference, reference)))[0]!;
  const paymentsOf = async (code: string) => env.ctx.db.select({ p: payments }).from(payments).innerJoin(dossiers, eq(dossiers.id, payments.dossierId))
    .where(eq(dossiers.code, code)).then((rows) => rows.map((r) => r.p));
  const notifications = (reference: string) => env.ctx.db.select().from(paymentNotifications).where(eq(paymentNotifications.reference, reference))
    .orderBy(paymentNotifications.id);
  const receiptRows = (paymentId: string) => env.ctx.db.select().from(outbox)
    .where(and(eq(outbox.job, 'issue-payment-receipt'), sql`${outbox.payload}->>'paymentId' = ${paymentId}`));
  const simPay = async (reference: string, outcome: 'paid' | 'failed') => {
    const response = await fetch(`${sim.url}/sim/pay/${reference}?outcome=${outcome}`);
    expect(response.status).toBe(200);
    return response.json() as Promise<{ redirect: string; callback: { status: number | null; answer: Record<string, unknown>; dropped: boolean } }>;
  };
  /** A callback signed with `secret`, posted as the platform would. */
  const postCallback = (body: Record<string, unknown>, secret = SECRET) => api.json('POST', '/api/payment-platform/confirm', {
    json: { ...body, MaXacThuc: paymentChecksum('CONFIRM', body, secret) },
  });

  beforeAll(async () => {
    sim = await startPaymentPlatformSimulator({ partnerCode: PARTNER, secret: SECRET, accessToken: ACCESS_TOKEN });
    env = await startTestEnvironment('production', {
      env: {
        PAYMENT_PLATFORM_URL: sim.url, PAYMENT_PLATFORM_PARTNER_CODE: PARTNER, PAYMENT_PLATFORM_SECRET: SECRET,
        PAYMENT_PLATFORM_ACCESS_TOKEN: ACCESS_TOKEN, PAYMENT_PLATFORM_TIMEOUT_MS: '2000', PAYMENT_RECONCILE_AFTER_MS: '0',
      },
    });
    api = await listenForHttp(env);
    sim.confirmUrl = `${api.baseUrl}/api/payment-platform/confirm`;
    sim.returnUrl = `${api.baseUrl}/thanh-toan/ket-qua`;
    admin = await api.login('admin');
    clerk = await api.login('clerk');
    freeDossier = await file('Trần Văn Miễn');
    await uploadPaidDiplomaCopy(api, admin, env.config.workflowsDir, 'before-processing');
  });
  afterAll(async () => {
    await env?.close();
    await sim?.close();
  });

  it('citizen pays online: callback → paid in one transaction with the receipt job; the desk can receive only then', async () => {
    const dossier = await file();
    expect((await view(dossier)).payment).toEqual({
      required: true, policy: 'before-processing', amount: FEE, status: 'unpaid', method: null, paidAt: null, reference: null, receiptNumber: null,
      lines: PAID_DIPLOMA_FEE.lines,
    });
    // Before paying: receiving is refused, refusing to accept stays possible (see the next test).
    const early = await api.act(dossier.code, 'receive', clerk, { version: 1 });
    expect(early.status).toBe(422);
    expect(early.body.error).toMatchObject({ code: 'PAYMENT_REQUIRED', message: expect.stringContaining('Hồ sơ chưa nộp phí, lệ phí') });

    const requested = await pay(dossier);
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    expect(requested.body).toEqual({ reference: expect.stringMatching(/^dvc[A-Za-z0-9]+$/), amount: FEE, redirectUrl: expect.stringContaining(`${sim.url}/pay/`) });
    const { reference } = requested.body;
    expect(await paymentRow(reference)).toMatchObject({ status: 'pending', method: 'online', amount: FEE, lines: expect.arrayContaining([expect.objectContaining({ code: 'LP-BS' })]) });
    expect(sim.payments().find((p) => p.reference === reference)).toMatchObject({ amount: String(FEE), description: `THANH TOAN HO SO ${dossier.code}` });
    expect((await view(dossier)).payment).toMatchObject({ status: 'pending', reference });

    // The platform's page, as a browser opens it.
    const page = await fetch(requested.body.redirectUrl);
    expect(await page.text()).toMatch(/Thanh toán[\s\S]*Hủy/);

    const eventsBefore = await env.ctx.db.select().from(dossierEvents).innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId)).where(eq(dossiers.code, dossier.code));
    const settled = await simPay(reference, 'paid');
    expect(settled.callback).toMatchObject({ status: 200, dropped: false, answer: { MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: reference } });
    // Our answer is signed too.
    const answer = settled.callback.answer;
    expect(answer.MaXacThuc).toBe(paymentChecksum('CONFIRM_ANSWER', answer, SECRET));

    const row = await paymentRow(reference);
    expect(row).toMatchObject({ status: 'paid', confirmedVia: 'callback', platformTransactionId: expect.stringMatching(/^SIM/) });
    expect(row.paidAt).toBeInstanceOf(Date);
    expect(await receiptRows(row.id)).toHaveLength(1);
    expect(await notifications(reference)).toEqual([expect.objectContaining({ kind: 'callback', verified: true, outcome: 'confirmed' })]);
    const [confirmed] = await listAuditEntries(env.ctx.db, { action: 'payment.confirmed', limit: 50 }).then((all) => all.filter((e) => e.details.reference === reference));
    expect(confirmed).toMatchObject({ target: dossier.code, actorName: 'Nền tảng thanh toán', details: expect.objectContaining({ via: 'callback', amount: FEE }) });
    // No history event: paying is not a step of the workflow.
    const eventsAfter = await env.ctx.db.select().from(dossierEvents).innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId)).where(eq(dossiers.code, dossier.code));
    expect(eventsAfter).toHaveLength(eventsBefore.length);

    const shown = (await view(dossier)).payment;
    expect(shown).toMatchObject({ status: 'paid', method: 'online', reference, paidAt: row.paidAt!.toISOString() });

    // The browser comes back: the page reads our database, not the query string.
    const back = await fetch(settled.redirect.replace(/^http:\/\/[^/]+/, api.baseUrl));
    expect(back.status).toBe(200);
    const backHtml = await back.text();
    expect(backHtml).toContain('Đã nhận được khoản nộp phí');
    expect(backHtml).toContain(`/ho-so/${dossier.code}`);

    expect((await api.act(dossier.code, 'receive', clerk, { version: 1 })).status).toBe(200);
    // A second payment of a paid fee is refused.
    const again = await pay(dossier);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PAYMENT_ALREADY_MADE');

    // Replayed callback (the platform retrying, or someone resending it): success, nothing changes.
    const replay = await sim.replayCallback(reference);
    expect(replay).toMatchObject({ status: 200, answer: { MaLoi: '00' } });
    expect((await paymentsOf(dossier.code)).filter((p) => p.status === 'paid')).toHaveLength(1);
    expect(await receiptRows(row.id)).toHaveLength(1);
    expect((await paymentRow(reference)).paidAt).toEqual(row.paidAt);
    expect((await notifications(reference)).map((n) => n.outcome)).toEqual(['confirmed', 'duplicate']);
    expect((await api.json('GET', `/api/dossiers/${dossier.code}/payments`, { token: dossier.trackingToken })).body.items)
      .toEqual([expect.objectContaining({ reference, status: 'paid', confirmedVia: 'callback', amount: FEE })]);
  });

  it('a dossier not to be accepted can still be refused before its fee is paid', async () => {
    const dossier = await file();
    const refused = await api.act(dossier.code, 'refuse', clerk, { version: 1, comment: 'Không thuộc thẩm quyền' });
    expect(refused.status).toBe(200);
  });

  it('refuses forged and mismatched callbacks, logs them, changes nothing', async () => {
    const dossier = await file();
    const { body: { reference } } = await pay(dossier);
    const genuine = {
      LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: reference, SoTien: FEE, MaTienTe: 'VND', MaGiaoDich: 'FORGED1',
      MaNganHang: 'X', ThoiGianGD: '20250101120000', ThongTinGiaoDich: 'x',
    };
    const dossierBefore = await view(dossier);

    const forged = await postCallback(genuine, 'not-the-shared-secret-at-all');
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ MaLoi: '01', MaThamChieu: reference, error: { code: 'PAYMENT_CHECKSUM_INVALID' } });

    const edited = await api.json('POST', '/api/payment-platform/confirm', { json: { ...genuine, MaXacThuc: paymentChecksum('CONFIRM', { ...genuine, SoTien: 1 }, SECRET) } });
    expect(edited.status).toBe(403);

    const wrongAmount = await postCallback({ ...genuine, SoTien: FEE - 1 });
    expect(wrongAmount.status).toBe(422);
    expect(wrongAmount.body).toMatchObject({ MaLoi: '03', error: { code: 'PAYMENT_CALLBACK_MISMATCH' } });

    const wrongPartner = await postCallback({ ...genuine, MaDoiTac: 'SOMEONE-ELSE' });
    expect(wrongPartner.status).toBe(422);

    const unknown = await postCallback({ ...genuine, MaThamChieu: 'dvcNOSUCHPAYMENT' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PAYMENT_NOT_FOUND');

    const malformed = await api.json('POST', '/api/payment-platform/confirm', { json: { MaThamChieu: reference, hello: 'world' } });
    expect(malformed.status).toBe(403);

    // Hostile bodies: deeply nested (our string conversions and the jsonb column must not choke), not an object.
    const before = await env.ctx.db.select().from(paymentNotifications);
    // (5 000 deep: under the route's 16 KB body limit, so they reach the handler.)
    for (const raw of [`${'['.repeat(5_000)}${']'.repeat(5_000)}`, `{"MaThamChieu":"${reference}","LoaiBanTin":${'['.repeat(5_000)}${']'.repeat(5_000)}}`, '"PAY"']) {
      const response = await fetch(`${api.baseUrl}/api/payment-platform/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYMENT_CHECKSUM_INVALID');
    }
    // A body the framework cannot read is refused before the handler, in the house's error shape (not logged: no message came).
    const empty = await api.json('POST', '/api/payment-platform/confirm', { headers: { 'content-type': 'application/json' } });
    expect(empty).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const hostileRows = (await env.ctx.db.select().from(paymentNotifications)).filter((n) => !before.some((b) => b.id === n.id));
    expect(hostileRows.map((n) => n.body)).toEqual(expect.arrayContaining([{ notAFlatObject: 'array' }, { notAFlatObject: 'object' }, { notAFlatObject: 'string' }]));

    expect(await paymentRow(reference)).toMatchObject({ status: 'pending', platformTransactionId: null, paidAt: null });
    expect((await paymentsOf(dossier.code)).every((p) => p.status !== 'paid')).toBe(true);
    expect(await receiptRows((await paymentRow(reference)).id)).toHaveLength(0);
    expect((await notifications(reference)).map((n) => [n.verified, n.outcome])).toEqual([
      [false, 'refused: checksum'], [false, 'refused: checksum'], [true, 'refused: amount'], [true, 'refused: partner'], [false, 'refused: checksum'],
    ]);
    expect((await notifications('dvcNOSUCHPAYMENT')).map((n) => n.outcome)).toEqual(['refused: unknown reference']);
    const refusedAudit = await listAuditEntries(env.ctx.db, { action: 'payment.callback_refused', limit: 100 });
    // Verified but refused callbacks are audited; unverified ones only logged (anyone can post them).
    expect(refusedAudit.filter((e) => e.details.reference === reference).map((e) => e.details.code).sort())
      .toEqual(['PAYMENT_CALLBACK_MISMATCH', 'PAYMENT_CALLBACK_MISMATCH']);
    const dossierAfter = await view(dossier);
    expect(dossierAfter.version).toBe(dossierBefore.version);
    expect(dossierAfter.status).toBe('submitted');
    expect((await api.act(dossier.code, 'receive', clerk, { version: 1 })).body.error.code).toBe('PAYMENT_REQUIRED');
  });

  it('a lost callback: reconciliation asks the platform (QUERY) and records the payment paid', async () => {
    const dossier = await file();
    const { body: { reference } } = await pay(dossier);
    // Not paid yet: the platform answers "pending" (3), the payment stays pending, the check is counted.
    expect((await api.json('POST', '/api/admin/payments/reconcile', { token: admin })).body).toMatchObject({ pending: expect.any(Number), paid: 0 });
    expect(await paymentRow(reference)).toMatchObject({ status: 'pending', checks: 1 });

    sim.dropCallbacks = true;
    try {
      const settled = await simPay(reference, 'paid');
      expect(settled.callback.dropped).toBe(true);
    } finally {
      sim.dropCallbacks = false;
    }
    expect((await paymentRow(reference)).status).toBe('pending');
    const waiting = await (await fetch(`${api.baseUrl}/thanh-toan/ket-qua?data=${reference}&responseCode=00&secureCode=anything`)).text();
    expect(waiting).toContain('Đang chờ Nền tảng thanh toán xác nhận');
    expect(waiting).toContain('Tải lại để xem kết quả');

    expect((await api.json('POST', '/api/admin/payments/reconcile', { token: clerk })).status).toBe(403);
    const run = await api.json('POST', '/api/admin/payments/reconcile', { token: admin });
    expect(run.status).toBe(200);
    expect(run.body.paid).toBe(1);
    const row = await paymentRow(reference);
    expect(row).toMatchObject({ status: 'paid', confirmedVia: 'reconciliation', platformTransactionId: expect.stringMatching(/^SIM/) });
    expect(await receiptRows(row.id)).toHaveLength(1);
    expect((await notifications(reference)).map((n) => [n.kind, n.outcome])).toEqual([['status-check', 'pending'], ['status-check', 'confirmed']]);
    expect((await listAuditEntries(env.ctx.db, { action: 'payment.reconcile_run', limit: 10 }))[0]).toMatchObject({ actorName: expect.stringContaining('(admin)') });

    // The callback arriving late after all: a duplicate, nothing changes.
    expect((await sim.replayCallback(reference)).answer).toMatchObject({ MaLoi: '00' });
    expect((await paymentRow(reference)).confirmedVia).toBe('reconciliation');
    expect(await receiptRows(row.id)).toHaveLength(1);
    expect((await api.act(dossier.code, 'receive', clerk, { version: 1 })).status).toBe(200);
  });

  it('the periodic sweep (sla-sweep job) reconciles a payment whose callback was lost', async () => {
    const dossier = await file();
    const { body: { reference } } = await pay(dossier);
    sim.dropCallbacks = true;
    try {
      await simPay(reference, 'paid');
    } finally {
      sim.dropCallbacks = false;
    }
    expect((await paymentRow(reference)).status).toBe('pending');
    await slaSweepJob.handle(env.ctx, {});
    expect(await paymentRow(reference)).toMatchObject({ status: 'paid', confirmedVia: 'reconciliation' });
    expect(await receiptRows((await paymentRow(reference)).id)).toHaveLength(1);
  });

  it('a failed payment is recorded failed and the citizen can pay again; a new request replaces a pending one', async () => {
    const dossier = await file();
    const first = (await pay(dossier)).body.reference as string;
    const settled = await simPay(first, 'failed');
    expect(settled.callback).toMatchObject({ status: 200, answer: { MaLoi: '00' } });
    expect(await paymentRow(first)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('51') });
    expect((await view(dossier)).payment).toMatchObject({ status: 'failed', reference: first });
    const failedPage = await (await fetch(settled.redirect.replace(/^http:\/\/[^/]+/, api.baseUrl))).text();
    expect(failedPage).toContain('Giao dịch chưa thành công');

    const second = (await pay(dossier)).body.reference as string;
    expect(second).not.toBe(first);
    // Asked again while the second is pending on the platform: it is cancelled and replaced by a third.
    const third = await pay(dossier);
    expect(third.status).toBe(201);
    expect(await paymentRow(second)).toMatchObject({ status: 'cancelled' });
    expect((await paymentsOf(dossier.code)).filter((p) => p.status === 'pending').map((p) => p.reference)).toEqual([third.body.reference]);
    // Two tabs racing: another attempt opened alongside (as if its request slipped in), never finished.
    const [row] = await paymentsOf(dossier.code);
    const raced = await insertPayment(env.ctx.db, {
      dossierId: row!.dossierId, reference: `${third.body.reference}R`, method: 'online', amount: FEE, lines: row!.lines, status: 'pending',
    });
    await simPay(third.body.reference, 'paid');
    expect((await paymentRow(third.body.reference)).status).toBe('paid');
    expect((await view(dossier)).payment).toMatchObject({ status: 'paid', reference: third.body.reference });
    // Paid by the third: the raced attempt is cancelled, so reconciliation does not ask about it for ever...
    expect(await paymentRow(raced.reference)).toMatchObject({ status: 'cancelled', failureReason: 'Đã nộp phí bằng giao dịch khác' });
    // ...and should the citizen still pay it, the money is recorded, flagged for a refund.
    const late = await postCallback({
      LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: raced.reference, SoTien: FEE, MaTienTe: 'VND', MaGiaoDich: 'LATE1',
      MaNganHang: 'SIMBANK', ThoiGianGD: '20250101120000', ThongTinGiaoDich: 'x',
    });
    expect(late.status).toBe(200);
    expect(await paymentRow(raced.reference)).toMatchObject({ status: 'paid', platformTransactionId: 'LATE1' });
    expect((await notifications(raced.reference)).map((n) => n.outcome)).toEqual(['confirmed (duplicate payment)']);
    const [audit] = (await listAuditEntries(env.ctx.db, { action: 'payment.confirmed', limit: 50 })).filter((e) => e.details.reference === raced.reference);
    expect(audit!.details).toMatchObject({ previousStatus: 'cancelled', alsoPaid: [third.body.reference] });
  });

  it('the platform away at INIT: 503 with Retry-After, no pending payment left; the periodic pass skips while it is down', async () => {
    const dossier = await file();
    const requestsBefore = sim.requestCount;
    sim.setDown(true);
    try {
      const refused = await api.request('POST', `/api/dossiers/${dossier.code}/payments`, { token: dossier.trackingToken });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PAYMENT_PLATFORM_UNAVAILABLE');
      const rows = await paymentsOf(dossier.code);
      expect(rows.map((p) => [p.status, p.failureReason])).toEqual([['failed', 'Cổng thanh toán không phản hồi khi mở giao dịch']]);
      expect(await reconcilePendingPayments(env.ctx)).toMatchObject({ paid: 0 });
    } finally {
      sim.setDown(false);
    }
    expect(sim.requestCount).toBe(requestsBefore);
    const [audit] = await listAuditEntries(env.ctx.db, { action: 'payment.request_refused', limit: 5 });
    expect(audit).toMatchObject({ target: dossier.code, details: expect.objectContaining({ code: 'PAYMENT_PLATFORM_UNAVAILABLE' }) });
    expect((await pay(dossier)).status).toBe(201);
  });

  it('the platform not answering within PAYMENT_PLATFORM_TIMEOUT_MS is the same 503, the attempt closed', async () => {
    const dossier = await file();
    sim.setHanging(true);
    try {
      const refused = await api.json('POST', `/api/dossiers/${dossier.code}/payments`, { token: dossier.trackingToken });
      expect(refused).toMatchObject({ status: 503, body: { error: { code: 'PAYMENT_PLATFORM_UNAVAILABLE' } } });
    } finally {
      sim.setHanging(false);
    }
    expect((await paymentsOf(dossier.code)).map((p) => p.status)).toEqual(['failed']);
  });

  it('refuses what is not the citizen\'s to pay: a free procedure, staff, no token', async () => {
    const free = await pay(freeDossier);
    expect(free.status).toBe(422);
    expect(free.body.error.code).toBe('PAYMENT_NOT_REQUIRED');
    expect((await view(freeDossier)).payment).toMatchObject({ required: false, status: 'not_required', amount: 0, lines: [] });
    const dossier = await file();
    expect((await api.json('POST', `/api/dossiers/${dossier.code}/payments`, { token: clerk })).status).toBe(403);
    expect((await api.json('POST', `/api/dossiers/${dossier.code}/payments`)).status).toBe(404);
    expect((await api.json('GET', `/api/dossiers/${dossier.code}/payments`)).status).toBe(404);
    // The platform checks our token and checksum: what it refused, nothing.
    expect(sim.refused).toEqual([]);
  });
});
