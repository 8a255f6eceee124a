// Online payments where the review of issue 13 found money could be lost or state could be forged, over real HTTP on
// PostgreSQL + BullMQ with the Payment Platform simulator and the national portal simulator: a cancelled attempt paid
// after all (reconciled within the window), QUERY answers that must not be acted on, two attempts confirmed at once,
// a desk payment while an online one is pending, forged callbacks kept small, an attempt the platform never settles,
// and the national portal told when a fee is paid.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode, NATIONAL_SYNC_JOB } from '../../src/db/repositories/dossiers.js';
import { insertPayment } from '../../src/db/repositories/payments.js';
import { outbox, paymentNotifications, payments } from '../../src/db/schema/index.js';
import { paymentChecksum } from '../../src/integrations/payment-platform/checksum.js';
import { initPayment, PaymentPlatformError } from '../../src/integrations/payment-platform/client.js';
import {
  checkPaymentWithPlatform, GAVE_UP_REASON, ONLINE_ATTEMPT_WINDOW_MS, reconcilePendingPayments,
} from '../../src/services/payments/reconcile-payments.js';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { startPaymentPlatformSimulator, type PaymentPlatformSimulator } from '../../tools/payment-platform-sim/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { PAID_DIPLOMA_FEE, uploadPaidDiplomaCopy } from '../helpers/paid-procedure.js';

const PARTNER = 'MOTCUA-TEST';
const SECRET = 'payment-test-secret-0123456789';
const FEE = PAID_DIPLOMA_FEE.amount;

describe('online payments: reconciliation windows, QUERY answers, concurrency, desk vs online, forged callbacks', () => {
  let sim: PaymentPlatformSimulator;
  let portal: PortalSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  let clerk: string;

  const file = async (name = 'Lê Thị Đối Soát') => {
    const { status, body } = await api.submit('diploma-copy', diplomaRequest(name), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }]);
    expect(status).toBe(201);
    return body as { code: string; trackingToken: string };
  };
  const pay = async (d: { code: string; trackingToken: string }) => {
    const response = await api.json('POST', `/api/dossiers/${d.code}/payments`, { token: d.trackingToken });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.reference as string;
  };
  const desk = (code: string) => api.json('POST', `/api/dossiers/${encodeURIComponent(code)}/payments/desk`, { token: clerk, json: { amount: FEE } });
  const row = async (reference: string) => (await env.ctx.db.select().from(payments).where(eq(payments.reference, reference)))[0]!;
  const rowsOf = async (code: string) => {
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    return env.ctx.db.select().from(payments).where(eq(payments.dossierId, dossier.id));
  };
  /** Pays on the platform's page with the callback lost on the way. */
  const payWithLostCallback = async (reference: string) => {
    sim.dropCallbacks = true;
    try {
      expect((await sim.pay(reference, 'paid')).callback.dropped).toBe(true);
    } finally {
      sim.dropCallbacks = false;
    }
  };
  const syncRows = async (code: string) => {
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    return env.ctx.db.select().from(outbox).where(and(eq(outbox.job, NATIONAL_SYNC_JOB), sql`${outbox.payload}->>'dossierId' = ${dossier.id}`));
  };
  const confirmedAudit = async (reference: string) => (await listAuditEntries(env.ctx.db, { action: 'payment.confirmed', limit: 200 }))
    .filter((e) => e.details.reference === reference);
  const callback = (reference: string, transactionId: string) => {
    const body = {
      LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: reference, SoTien: FEE, MaTienTe: 'VND', MaGiaoDich: transactionId,
      MaNganHang: 'SIMBANK', ThoiGianGD: '20261201100000', ThongTinGiaoDich: 'x',
    };
    return api.json('POST', '/api/payment-platform/confirm', { json: { ...body, MaXacThuc: paymentChecksum('CONFIRM', body, SECRET) } });
  };

  beforeAll(async () => {
    sim = await startPaymentPlatformSimulator({ partnerCode: PARTNER, secret: SECRET });
    const portalSecret = randomBytes(32).toString('hex');
    portal = await startPortalSimulator({ secret: portalSecret });
    env = await startTestEnvironment('production', {
      env: {
        PAYMENT_PLATFORM_URL: sim.url, PAYMENT_PLATFORM_PARTNER_CODE: PARTNER, PAYMENT_PLATFORM_SECRET: SECRET,
        PAYMENT_PLATFORM_TIMEOUT_MS: '2000', PAYMENT_RECONCILE_AFTER_MS: '0',
        NATIONAL_PORTAL_URL: portal.url, NATIONAL_PORTAL_SECRET: portalSecret,
      },
    });
    api = await listenForHttp(env);
    sim.confirmUrl = `${api.baseUrl}/api/payment-platform/confirm`;
    sim.returnUrl = `${api.baseUrl}/thanh-toan/ket-qua`;
    portal.options.motcuaUrl = api.baseUrl;
    const admin = await api.login('admin');
    clerk = await api.login('clerk');
    await uploadPaidDiplomaCopy(api, admin, env.config.workflowsDir, 'optional');
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await sim?.close();
    await portal?.close();
  });

  it('an attempt cancelled by a new request, paid on the platform after all with its callback lost, is reconciled paid (and the portal told)', async () => {
    const dossier = await file();
    const old = await pay(dossier);
    const replacement = await pay(dossier);
    expect(await row(old)).toMatchObject({ status: 'cancelled' });
    const syncBefore = (await syncRows(dossier.code)).length;

    // The citizen's first tab was still open: they finish the old attempt there, and its callback never arrives.
    await payWithLostCallback(old);
    expect((await row(old)).status).toBe('cancelled');
    const pass = await reconcilePendingPayments(env.ctx);
    expect(pass.paid).toBeGreaterThanOrEqual(1);
    expect(await row(old)).toMatchObject({ status: 'paid', confirmedVia: 'reconciliation', platformTransactionId: expect.stringMatching(/^SIM/) });
    // The replacement is not wanted any more; had both been paid, staff would see alsoPaid and refund one.
    expect(await row(replacement)).toMatchObject({ status: 'cancelled', failureReason: 'Đã nộp phí bằng giao dịch khác' });
    expect((await confirmedAudit(old))[0]!.details).toMatchObject({ via: 'reconciliation', previousStatus: 'cancelled' });
    // Paid: the national portal's sync job is queued in the same transaction (DuocThanhToanTrucTuyen).
    expect((await syncRows(dossier.code)).length).toBe(syncBefore + 1);
  });

  it('a QUERY answer about another reference, or "paid" without a transaction id, is not acted on', async () => {
    const first = await file('Phạm Văn Một');
    const second = await file('Phạm Văn Hai');
    const asked = await pay(first);
    const other = await pay(second);
    await payWithLostCallback(asked);
    try {
      // The platform (or someone on the path) answers the question about `asked` with a signed answer about `other`.
      sim.queryAnswer = (answer) => ({ ...answer, MaThamChieu: other });
      await expect(checkPaymentWithPlatform(env.ctx, await row(asked))).rejects.toBeInstanceOf(PaymentPlatformError);
      expect((await row(other)).status).toBe('pending');
      expect((await row(asked)).status).toBe('pending');

      sim.queryAnswer = (answer) => ({ ...answer, MaGiaoDich: '' });
      expect(await checkPaymentWithPlatform(env.ctx, await row(asked))).toBe('pending');
      expect((await row(asked)).status).toBe('pending');
      const notes = await env.ctx.db.select().from(paymentNotifications).where(eq(paymentNotifications.reference, asked));
      expect(notes.map((n) => n.outcome)).toContain('ignored: TrangThaiGD 1 without MaGiaoDich');
    } finally {
      sim.queryAnswer = undefined;
    }
    // A genuine answer is acted on.
    expect(await checkPaymentWithPlatform(env.ctx, await row(asked))).toBe('paid');
    expect((await row(asked)).status).toBe('paid');
    expect((await row(other)).status).toBe('pending');
  });

  it('two attempts of one dossier confirmed at the same moment: both recorded paid, no 5xx', async () => {
    const dossiers = await Promise.all(['Một', 'Hai', 'Ba', 'Bốn', 'Năm'].map((n) => file(`Đồng Thời ${n}`)));
    const pairs = await Promise.all(dossiers.map(async (d, i) => {
      const { id } = (await findDossierByCode(env.ctx.db, d.code))!;
      const make = (suffix: string) => insertPayment(env.ctx.db, {
        dossierId: id, reference: `dvcCONC${i}${suffix}${Date.now()}`, method: 'online', amount: FEE, lines: [...PAID_DIPLOMA_FEE.lines], status: 'pending',
      });
      return [await make('A'), await make('B')] as const;
    }));
    const answers = await Promise.all(pairs.flat().map((p) => callback(p.reference, `GD${p.reference}`)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    for (const [a, b] of pairs) {
      expect((await row(a.reference)).status).toBe('paid');
      expect((await row(b.reference)).status).toBe('paid');
      // The second one confirmed names the first: a double payment for staff to refund.
      const flagged = [...await confirmedAudit(a.reference), ...await confirmedAudit(b.reference)].filter((e) => e.details.alsoPaid);
      expect(flagged).toHaveLength(1);
    }
  });

  it('the desk while an online attempt is pending: paid online meanwhile → recorded, 409; otherwise cancelled (still reconciled) and the desk payment recorded', async () => {
    // Paid on the platform, callback lost: the desk learns it and takes nothing.
    const paidOnline = await file('Võ Thị Quầy');
    const online = await pay(paidOnline);
    await payWithLostCallback(online);
    const refused = await desk(paidOnline.code);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PAYMENT_ALREADY_MADE');
    expect(await row(online)).toMatchObject({ status: 'paid', confirmedVia: 'reconciliation' });
    expect((await rowsOf(paidOnline.code)).filter((p) => p.method === 'desk')).toEqual([]);

    // Not paid: cancelled, the desk payment recorded (and the portal told); the citizen pays the old page after all.
    const atDesk = await file('Võ Văn Tiền Mặt');
    const abandoned = await pay(atDesk);
    const syncBefore = (await syncRows(atDesk.code)).length;
    const taken = await desk(atDesk.code);
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(await row(abandoned)).toMatchObject({ status: 'cancelled', failureReason: 'Đã nộp phí tại quầy' });
    expect((await syncRows(atDesk.code)).length).toBe(syncBefore + 1);
    await payWithLostCallback(abandoned);
    await reconcilePendingPayments(env.ctx);
    expect((await row(abandoned)).status).toBe('paid');
    expect((await confirmedAudit(abandoned))[0]!.details).toMatchObject({ alsoPaid: [taken.body.reference] });

    // The platform unreachable: a clerk can still take cash; the attempt is cancelled.
    const platformDown = await file('Võ Thị Mất Mạng');
    const stuck = await pay(platformDown);
    sim.setDown(true);
    try {
      expect((await desk(platformDown.code)).status).toBe(201);
    } finally {
      sim.setDown(false);
    }
    expect((await row(stuck)).status).toBe('cancelled');
  });

  it('a forged callback stores the contract\'s fields only, each truncated, and no audit entry; a big body is refused', async () => {
    const reference = `dvcFORGED${Date.now()}`;
    const forged = await api.json('POST', '/api/payment-platform/confirm', {
      json: { LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: reference, SoTien: FEE, ThongTinGiaoDich: 'x'.repeat(10_000), Junk: 'y'.repeat(5_000), MaXacThuc: '0'.repeat(64) },
    });
    expect(forged.status).toBe(403);
    const [note, ...more] = await env.ctx.db.select().from(paymentNotifications).where(eq(paymentNotifications.reference, reference));
    expect(more).toEqual([]);
    expect(note!.body).toEqual({
      LoaiBanTin: 'PAY', MaLoi: '00', MaDoiTac: PARTNER, MaThamChieu: reference, SoTien: FEE, ThongTinGiaoDich: 'x'.repeat(200), MaXacThuc: '0'.repeat(64),
    });
    expect((await listAuditEntries(env.ctx.db, { action: 'payment.callback_refused', limit: 200 })).filter((e) => e.details.reference === reference)).toEqual([]);

    const big = await api.json('POST', '/api/payment-platform/confirm', { json: { MaThamChieu: `${reference}B`, ThongTinGiaoDich: 'z'.repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(await env.ctx.db.select().from(paymentNotifications).where(eq(paymentNotifications.reference, `${reference}B`))).toEqual([]);
  });

  it('an attempt the platform still answers "pending" after the window is closed failed, audited; a younger one is left pending', async () => {
    const dossier = await file('Đinh Văn Chờ Mãi');
    const { id } = (await findDossierByCode(env.ctx.db, dossier.code))!;
    const opened = async (ageMs: number, suffix: string) => {
      const at = new Date(Date.now() - ageMs);
      at.setMilliseconds(0);
      const created = await insertPayment(env.ctx.db, {
        dossierId: id, reference: `dvcOLD${suffix}${Date.now()}`, method: 'online', amount: FEE, lines: [...PAID_DIPLOMA_FEE.lines], status: 'pending', createdAt: at,
      });
      await initPayment(env.config.paymentPlatform!, { reference: created.reference, amount: FEE, description: 'x', at });
      return created.reference;
    };
    const stale = await opened(ONLINE_ATTEMPT_WINDOW_MS + 3_600_000, 'S');
    const young = await opened(ONLINE_ATTEMPT_WINDOW_MS - 3_600_000, 'Y');
    await reconcilePendingPayments(env.ctx);
    expect(await row(stale)).toMatchObject({ status: 'failed', failureReason: GAVE_UP_REASON });
    expect((await row(young)).status).toBe('pending');
    const [audit] = (await listAuditEntries(env.ctx.db, { action: 'payment.failed', limit: 50 })).filter((e) => e.details.reference === stale);
    expect(audit).toMatchObject({ target: dossier.code, details: expect.objectContaining({ via: 'reconciliation', reason: GAVE_UP_REASON }) });
  });
});
