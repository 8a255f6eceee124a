// Reconciliation: an online payment a while after it was asked for (its callback lost, or the citizen left the
// platform's page) is checked with the platform (QUERY). TrangThaiGD '1' → paid, through the same confirm path as a
// callback (confirmed_via 'reconciliation'); '4' → failed; '3' (the platform does not know yet) → stays pending,
// checked again after PAYMENT_RECONCILE_AFTER_MS, and closed failed once ONLINE_ATTEMPT_WINDOW_MS has passed. Attempts
// we cancelled or closed failed are asked about too within that window: a '1' records them paid (alsoPaid, for staff
// to refund a double); anything else leaves them as they are. Run by the periodic sweep (jobs/sla-sweep.ts) in both
// job drivers, by an administrator (POST /api/admin/payments/reconcile), for one payment when the citizen asks again,
// and for every pending attempt when the desk takes the fee.
// An answer is acted on only when it names the reference asked about (client.ts) and, for paid, carries MaGiaoDich.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import * as paymentsRepo from '../../db/repositories/payments.js';
import { PaymentPlatformError, queryPayment } from '../../integrations/payment-platform/client.js';
import { PAID_CODE, QUERY_STATES, type QueryResponse } from '../../integrations/payment-platform/wire.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { applyConfirmation, CallbackRefused, knownFields, mismatchOf, recordOnlinePaid, RECONCILIATION_ACTOR } from './confirm-payment.js';

/** Payments checked per pass at most: a backlog is worked off over several passes. */
export const RECONCILE_BATCH = 50;

/**
 * How long after it was opened an online attempt is still asked about. Cancelled or failed on our side does not mean
 * closed on the platform: the citizen's page of an attempt replaced by a new one may still be open in another tab, and
 * an INIT that timed out may have opened the transaction after all. A day covers a session left open overnight; an
 * attempt still unknown to the platform ("3") after it is closed failed (nobody waits for ever).
 */
export const ONLINE_ATTEMPT_WINDOW_MS = 24 * 3_600_000;
/** The failure reason of a pending attempt the platform never settled within the window. */
export const GAVE_UP_REASON = 'Quá thời hạn chờ xác nhận từ Nền tảng thanh toán';

export type CheckOutcome = 'paid' | 'failed' | 'pending' | 'refused';

export interface ReconcileOutcome { checked: number; paid: number; failed: number; pending: number; refused: number; unavailable: number }

/** What a QUERY answer (already about the right reference) says: paid, failed, pending, or nothing to act on (why). */
function verdictOf(answer: QueryResponse): 'paid' | 'failed' | 'pending' | { ignored: string } {
  if (answer.MaLoi !== PAID_CODE) return { ignored: `MaLoi ${answer.MaLoi}, TrangThaiGD ${answer.TrangThaiGD}` };
  if (answer.TrangThaiGD === QUERY_STATES.paid) return answer.MaGiaoDich ? 'paid' : { ignored: 'TrangThaiGD 1 without MaGiaoDich' };
  if (answer.TrangThaiGD === QUERY_STATES.failed) return 'failed';
  if (answer.TrangThaiGD === QUERY_STATES.pending) return 'pending';
  return { ignored: `TrangThaiGD ${answer.TrangThaiGD}` };
}

/**
 * Asks the platform about one online payment and applies what it says. Throws PaymentPlatformError when it cannot
 * tell (unreachable, refused the query, answered about another reference); the check is counted either way.
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
  const verdict = verdictOf(answer);
  const source = { kind: 'status-check' as const, via: 'reconciliation' as const, body: raw, sourceIp: null };
  try {
    if (verdict === 'paid') {
      await applyConfirmation(ctx, { ...answer, MaLoi: PAID_CODE }, source);
      return 'paid';
    }
    if (verdict === 'failed' && payment.status === 'pending') {
      await applyConfirmation(ctx, { ...answer, MaLoi: `TT${answer.TrangThaiGD}` }, { ...source, failureReason: 'Cổng thanh toán báo giao dịch không thành công' });
      return 'failed';
    }
  } catch (error) {
    if (!(error instanceof CallbackRefused)) throw error;
    await paymentsRepo.recordPaymentCheck(ctx.db, payment.id, now);
    return 'refused';
  }
  await paymentsRepo.recordPaymentCheck(ctx.db, payment.id, now);
  const note = (db: Db, outcome: string) => paymentsRepo.insertPaymentNotification(db, {
    reference: payment.reference, kind: 'status-check', verified: true, body: knownFields(raw), outcome,
  });
  if (verdict === 'pending' && payment.status === 'pending' && now.getTime() - payment.createdAt.getTime() >= ONLINE_ATTEMPT_WINDOW_MS) {
    const closed = await ctx.db.transaction(async (tx) => {
      const row = await paymentsRepo.closePendingPayment(tx, payment.id, 'failed', GAVE_UP_REASON);
      if (!row) return false;
      await recordAudit(tx, RECONCILIATION_ACTOR, 'payment.failed', await dossierCodeOf(ctx, payment), {
        reference: payment.reference, via: 'reconciliation', reason: GAVE_UP_REASON, checks: row.checks,
      });
      await note(tx, 'failed: no confirmation within the window');
      return true;
    });
    if (closed) return 'failed';
  }
  await note(ctx.db, verdict === 'pending' ? 'pending' : typeof verdict === 'object' ? `ignored: ${verdict.ignored}` : `ignored: payment is ${payment.status}`);
  return 'pending';
}

async function dossierCodeOf(ctx: AppContext, payment: paymentsRepo.PaymentRow): Promise<string | null> {
  return (await findDossierById(ctx.db, payment.dossierId))?.code ?? null;
}

/**
 * The desk is about to take the fee while `payment` (online) is pending: asks the platform about it inside the
 * caller's transaction, which holds the dossier's lock. Paid → recorded paid there ('paid': the desk must not take the
 * money again). Anything else — pending, failed, an answer we cannot use, the platform unreachable — cancels the
 * attempt ('cancelled'): a clerk must be able to take cash with the platform down, and reconciliation keeps asking
 * about the cancelled attempt for ONLINE_ATTEMPT_WINDOW_MS, so a late payment is still recorded (alsoPaid, to refund).
 * The QUERY runs while the lock is held — bounded by PAYMENT_PLATFORM_TIMEOUT_MS — so that no callback of this dossier
 * can be applied between the platform's answer and the desk's decision.
 */
export async function settleBeforeDeskPayment(
  ctx: AppContext, tx: Db, payment: paymentsRepo.PaymentRow, cancelReason: string,
): Promise<{ result: 'paid' | 'cancelled'; platformSaid: string }> {
  const config = ctx.config.paymentPlatform;
  let outcome = 'no payment platform configured';
  if (config) {
    try {
      const { answer, raw } = await queryPayment(config, payment.reference, payment.createdAt);
      const verdict = verdictOf(answer);
      const mismatch = mismatchOf(ctx, payment, answer);
      const source = { kind: 'status-check' as const, via: 'reconciliation' as const, body: raw, sourceIp: null };
      if (verdict === 'paid' && !mismatch) {
        await recordOnlinePaid(ctx, tx, payment.id, { ...answer, MaLoi: PAID_CODE }, source);
        return { result: 'paid', platformSaid: 'paid' };
      }
      outcome = mismatch ? `refused: ${mismatch}` : typeof verdict === 'object' ? `ignored: ${verdict.ignored}` : verdict;
      await paymentsRepo.insertPaymentNotification(tx, { reference: payment.reference, kind: 'status-check', verified: true, body: knownFields(raw), outcome });
    } catch (error) {
      if (!(error instanceof PaymentPlatformError)) throw error;
      ctx.log.warn({ err: error, reference: payment.reference }, 'desk payment: status check of a pending online attempt failed');
      outcome = `no usable answer: ${error.message.slice(0, 200)}`;
    }
  }
  await paymentsRepo.recordPaymentCheck(tx, payment.id, new Date());
  await paymentsRepo.closePendingPayment(tx, payment.id, 'cancelled', cancelReason);
  return { result: 'cancelled', platformSaid: outcome };
}

/** One pass over the online payments due for a check. The platform unreachable ends the pass (the next one retries). */
export async function reconcilePendingPayments(ctx: AppContext, now = new Date()): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { checked: 0, paid: 0, failed: 0, pending: 0, refused: 0, unavailable: 0 };
  const config = ctx.config.paymentPlatform;
  if (!config) return outcome;
  const threshold = new Date(now.getTime() - config.reconcileAfterMs);
  const due = await paymentsRepo.duePaymentChecks(ctx.db, {
    createdBefore: threshold, checkedBefore: threshold, closedSince: new Date(now.getTime() - ONLINE_ATTEMPT_WINDOW_MS),
  }, RECONCILE_BATCH);
  for (const payment of due) {
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
