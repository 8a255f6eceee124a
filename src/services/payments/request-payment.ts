// The citizen (signed in with VNeID, or holding the dossier's tracking token) asks to pay the dossier's fee online:
// a payments row (method online, pending, amount and lines from the definition the dossier is pinned to, a new
// reference per attempt) is committed with its audit entry, then the Payment Platform opens the payment (INIT) and
// the citizen is sent to its page.
// One attempt counts at a time. A new request while one is pending first asks the platform about it (its callback
// may have been lost): paid → PAYMENT_ALREADY_MADE; failed → closed; still pending → cancelled and replaced, since
// the citizen left its page without finishing (the contract has no cancel message, so if they still finish it there,
// its callback — or reconciliation, which keeps asking about a cancelled attempt for ONLINE_ATTEMPT_WINDOW_MS — records
// it paid all the same: money taken is never ignored, and staff see the duplicate to refund it).
// The platform away at INIT: the new row is closed as failed (the citizen never got its page, so nothing can be paid
// on it) and the answer is 503 PAYMENT_PLATFORM_UNAVAILABLE with Retry-After — the request was right, the platform
// was not there, and trying again later is what to do. No pending row is left behind.
import type { AppContext } from '../../app-context.js';
import { findPaymentByReference, listPaymentsOfDossier } from '../../db/repositories/payment-records.js';
import * as paymentsRepo from '../../db/repositories/payments.js';
import { findDossierById, type DossierRow } from '../../db/repositories/dossiers.js';
import { AppError, type ErrorCode } from '../../errors.js';
import { initPayment, PaymentPlatformError } from '../../integrations/payment-platform/client.js';
import { vnTimestamp } from '../../calendar/vn-time.js';
import { loadDossierFor, type Caller } from '../access.js';
import { dossierCitizenActor, recordAudit } from '../audit/audit.js';
import { feeTerms } from './payment-rules.js';
import { checkPaymentWithPlatform } from './reconcile-payments.js';

/** How long a citizen is asked to wait before trying again when the platform did not answer. */
export const PLATFORM_RETRY_AFTER_SECONDS = 60;

export interface PaymentRequested { reference: string; amount: number; redirectUrl: string }

/** The reference of an attempt: "dvc" + the dossier code's letters and digits + the time + the attempt number. */
export function paymentReference(dossierCode: string, at: Date, attempt: number): string {
  return `dvc${dossierCode.replace(/[^A-Za-z0-9]/g, '')}${vnTimestamp(at)}${String(attempt).padStart(2, '0')}`;
}

export async function requestPayment(ctx: AppContext, code: string, caller: Caller, ip: string | null = null): Promise<PaymentRequested> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller, 'view');
  const auditActor = dossierCitizenActor(caller, actor, ip);
  /** Audits the refusal (with `close`, the attempt closed in the same transaction) and throws it. */
  const refuse = async (errorCode: ErrorCode, message: string, extra: Record<string, unknown> = {}, close?: { id: string; reason: string }): Promise<never> => {
    await ctx.db.transaction(async (tx) => {
      if (close) await paymentsRepo.closePendingPayment(tx, close.id, 'failed', close.reason);
      await recordAudit(tx, auditActor, 'payment.request_refused', dossier.code, { code: errorCode, ...extra });
    });
    const error = new AppError(errorCode, message);
    if (errorCode === 'PAYMENT_PLATFORM_UNAVAILABLE' && extra.retryable !== false) error.retryAfterSeconds = PLATFORM_RETRY_AFTER_SECONDS;
    throw error;
  };
  // Staff take fees at the desk (recorded there); the online payment is the citizen's own.
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', 'Chỉ công dân nộp phí trực tuyến; cán bộ ghi nhận khoản nộp tại quầy.');
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const terms = feeTerms(definition);
  if (!terms) return refuse('PAYMENT_NOT_REQUIRED', 'Thủ tục này không thu phí, lệ phí.');
  if (definition.states[dossier.status]?.final) return refuse('PAYMENT_NOT_REQUIRED', 'Hồ sơ đã kết thúc, không cần nộp phí.');
  const config = ctx.config.paymentPlatform;
  if (!config) return refuse('PAYMENT_PLATFORM_NOT_CONFIGURED', 'Chưa kết nối cổng thanh toán trực tuyến: vui lòng nộp phí tại Bộ phận Tiếp nhận và Trả kết quả.');

  // An earlier attempt still pending: the platform knows whether it was paid.
  for (const pending of await paymentsRepo.paymentsWithStatus(ctx.db, dossier.id, ['pending'])) {
    if (pending.method !== 'online') continue;
    try {
      await checkPaymentWithPlatform(ctx, pending);
    } catch (error) {
      if (!(error instanceof PaymentPlatformError) || error.retryable) {
        return refuse('PAYMENT_PLATFORM_UNAVAILABLE', 'Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút.', { reference: pending.reference, reason: String((error as Error).message).slice(0, 300) });
      }
      // The platform does not know it (its INIT never reached it): nothing can be paid on it; it is replaced below.
    }
  }

  const at = new Date();
  const created = await ctx.db.transaction(async (tx) => {
    await paymentsRepo.lockDossierForPayment(tx, dossier.id);
    const open = await paymentsRepo.paymentsWithStatus(tx, dossier.id, ['pending', 'paid']);
    if (open.some((p) => p.status === 'paid')) return null;
    for (const old of open.filter((p) => p.method === 'online')) {
      if (await paymentsRepo.closePendingPayment(tx, old.id, 'cancelled', 'Thay bằng lần thanh toán mới')) {
        await recordAudit(tx, auditActor, 'payment.cancelled', dossier.code, { reference: old.reference });
      }
    }
    const attempt = (await paymentsRepo.countPaymentsOfDossier(tx, dossier.id)) + 1;
    const row = await paymentsRepo.insertPayment(tx, {
      dossierId: dossier.id, reference: paymentReference(dossier.code, at, attempt), method: 'online', amount: terms.amount, lines: terms.lines,
      status: 'pending', createdAt: at, createdBy: caller.kind === 'citizen' && actor.id ? `citizen:${actor.id}` : 'tracking-token',
    });
    await recordAudit(tx, auditActor, 'payment.requested', dossier.code, { reference: row.reference, amount: row.amount });
    return row;
  });
  if (!created) return refuse('PAYMENT_ALREADY_MADE', 'Hồ sơ đã được nộp phí, lệ phí.');

  try {
    const { paymentUrl } = await initPayment(config, { reference: created.reference, amount: created.amount, description: paymentDescription(dossier), at });
    return { reference: created.reference, amount: created.amount, redirectUrl: paymentUrl };
  } catch (error) {
    const retryable = !(error instanceof PaymentPlatformError) || error.retryable;
    const reason = String((error as Error).message).slice(0, 300);
    ctx.log.warn({ err: error, reference: created.reference }, 'payment platform INIT failed');
    return refuse('PAYMENT_PLATFORM_UNAVAILABLE', retryable
      ? 'Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút.'
      : 'Cổng thanh toán từ chối mở giao dịch. Vui lòng nộp phí tại Bộ phận Tiếp nhận và Trả kết quả hoặc thử lại sau.',
    { reference: created.reference, reason, retryable },
    { id: created.id, reason: retryable ? 'Cổng thanh toán không phản hồi khi mở giao dịch' : 'Cổng thanh toán từ chối mở giao dịch' });
  }
}

/** ThongTinGiaoDich: what the citizen reads on the platform's page and their bank statement. */
function paymentDescription(dossier: Pick<DossierRow, 'code'>): string {
  return `THANH TOAN HO SO ${dossier.code}`;
}

/** A dossier's payments (same access as the dossier itself), newest first. */
export async function listDossierPayments(ctx: AppContext, code: string, caller: Caller) {
  const { dossier } = await loadDossierFor(ctx, code, caller, 'view');
  return (await listPaymentsOfDossier(ctx.db, dossier.id)).reverse().map((p) => ({
    reference: p.reference, method: p.method, amount: p.amount, lines: p.lines, status: p.status,
    createdAt: p.createdAt.toISOString(), paidAt: p.paidAt?.toISOString() ?? null, confirmedVia: p.confirmedVia,
    platformTransactionId: p.platformTransactionId, failureReason: p.failureReason,
    receiptNumber: p.receiptNumber, receiptIssuedAt: p.receiptIssuedAt?.toISOString() ?? null,
  }));
}

/**
 * What the citizen's browser is shown when the platform sends it back (GET /thanh-toan/ket-qua?data=<reference>): the
 * payment's state in OUR database only — the query string is whatever the browser was given, so it proves nothing.
 */
export async function paymentReturnState(ctx: AppContext, reference: string) {
  const payment = /^[A-Za-z0-9_-]{1,100}$/.test(reference) ? await findPaymentByReference(ctx.db, reference) : undefined;
  const dossier = payment ? await findDossierById(ctx.db, payment.dossierId) : undefined;
  if (!payment || !dossier) return undefined;
  return { reference: payment.reference, status: payment.status, amount: payment.amount, paidAt: payment.paidAt, dossierCode: dossier.code };
}
