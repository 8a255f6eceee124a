// Reconciliation: a payment still pending a while after it was asked for (its callback lost, or the citizen left the
// platform's page) is checked with the platform (QUERY). TrangThaiGD '1' → paid, through the same applyConfirmation as
// a callback (confirmed_via 'reconciliation'); '4' → failed; '3' (the platform does not know yet) → stays pending,
// checked again after PAYMENT_RECONCILE_AFTER_MS. Run by the periodic sweep (jobs/sla-sweep.ts) in both job drivers,
// by an administrator (POST /api/admin/payments/reconcile), and for one payment when the citizen asks again.
import type { AppContext } from '../../app-context.js';
import * as paymentsRepo from '../../db/repositories/payments.js';
import { PaymentPlatformError, queryPayment } from '../../integrations/payment-platform/client.js';
import { PAID_CODE, QUERY_STATES } from '../../integrations/payment-platform/wire.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { applyConfirmation, CallbackRefused } from './confirm-payment.js';

/** Payments checked per pass at most: a backlog is worked off over several passes. */
export const RECONCILE_BATCH = 50;

export type CheckOutcome = 'paid' | 'failed' | 'pending' | 'refused';

export interface ReconcileOutcome { checked: number; paid: number; failed: number; pending: number; refused: number; unavailable: number }

/**
 * Asks the platform about one pending payment and applies what it says. Throws PaymentPlatformError when it cannot
 * tell (unreachable, refused the query); the check is counted either way.
 */
export async function checkPaymentWithPlatform(ctx: AppContext, payment: paymentsRepo.PaymentRow, now = new Date()): Promise<CheckOutcome> {
  const config = ctx.config.paymentPlatform;
  if (!config) throw new PaymentPlatformError('no payment platform configured', false);
  let result: Awaited<ReturnType<typeof queryPayment>>;
  try {
    result = await queryPayment(config, payment.reference, payment.createdAt);
  } catch (error) {
    await paymentsRepo.recordPaymentCheck(ctx.db, payment.id, now);
    throw error;
  }
  const { answer, raw } = result;
  const source = { kind: 'status-check' as const, via: 'reconciliation' as const, body: raw, sourceIp: null };
  try {
    if (answer.MaLoi === PAID_CODE && answer.TrangThaiGD === QUERY_STATES.paid) {
      await applyConfirmation(ctx, { ...answer, MaLoi: PAID_CODE }, source);
      return 'paid';
    }
    if (answer.MaLoi === PAID_CODE && answer.TrangThaiGD === QUERY_STATES.failed) {
      await applyConfirmation(ctx, { ...answer, MaLoi: `TT${answer.TrangThaiGD}` }, { ...source, failureReason: 'Cổng thanh toán báo giao dịch không thành công' });
      return 'failed';
    }
  } catch (error) {
    if (!(error instanceof CallbackRefused)) throw error;
    await paymentsRepo.recordPaymentCheck(ctx.db, payment.id, now);
    return 'refused';
  }
  await paymentsRepo.recordPaymentCheck(ctx.db, payment.id, now);
  await paymentsRepo.insertPaymentNotification(ctx.db, {
    reference: payment.reference, kind: 'status-check', verified: true, body: raw,
    outcome: answer.TrangThaiGD === QUERY_STATES.pending ? 'pending' : `ignored: MaLoi ${answer.MaLoi}, TrangThaiGD ${answer.TrangThaiGD}`,
  });
  return 'pending';
}

/** One pass over the pending payments due for a check. The platform unreachable ends the pass (the next one retries). */
export async function reconcilePendingPayments(ctx: AppContext, now = new Date()): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { checked: 0, paid: 0, failed: 0, pending: 0, refused: 0, unavailable: 0 };
  const config = ctx.config.paymentPlatform;
  if (!config) return outcome;
  const threshold = new Date(now.getTime() - config.reconcileAfterMs);
  for (const payment of await paymentsRepo.duePendingOnlinePayments(ctx.db, threshold, threshold, RECONCILE_BATCH)) {
    outcome.checked++;
    try {
      outcome[await checkPaymentWithPlatform(ctx, payment, now)]++;
    } catch (error) {
      if (!(error instanceof PaymentPlatformError)) throw error;
      ctx.log.warn({ err: error, reference: payment.reference }, 'payment reconciliation: status check failed');
      if (error.retryable) { outcome.unavailable++; break; }
      outcome.refused++;
    }
  }
  if (outcome.checked > 0) ctx.log.info(outcome, 'payment reconciliation pass');
  return outcome;
}

/** An administrator runs a pass now (audited with what it found). */
export async function runPaymentReconciliation(ctx: AppContext, caller: Caller): Promise<ReconcileOutcome> {
  const { actor } = administratorOf(caller);
  const outcome = await reconcilePendingPayments(ctx);
  await recordAudit(ctx.db, actor, 'payment.reconcile_run', null, { ...outcome });
  return outcome;
}
