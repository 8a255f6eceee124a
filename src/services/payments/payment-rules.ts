// What a dossier owes and whether it is paid: the fee terms of the definition the dossier is pinned to (fee.lines,
// fee.payment), the payment block every view of a dossier shows, and the rule of procedures paid before processing:
// out of the initial state staff may only refuse to accept or ask for a supplement until a payment (online or at the
// desk) is paid — a dossier that should not be accepted must stay refusable without the citizen paying first.
import type { Db } from '../../db/client.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { paymentsWithStatus, type PaymentRow } from '../../db/repositories/payments.js';
import type { FeeLine } from '../../db/schema/payments.js';
import { AppError } from '../../errors.js';
import type { FeePayment, WorkflowDefinition } from '../../workflow/types.js';

export interface FeeTerms {
  amount: number;
  lines: FeeLine[];
  payment: FeePayment;
}

/** Actions out of the initial state that stay open before the fee is paid: not accepting the dossier at all. */
export const ACTIONS_BEFORE_PAYMENT: readonly string[] = ['refuse', 'request_supplement'];

/** The fee the Payment Platform can be asked for, or null when the procedure charges nothing (no fee lines). */
export function feeTerms(definition: Pick<WorkflowDefinition, 'fee'>): FeeTerms | null {
  const { fee } = definition;
  if (!fee.lines || fee.lines.length === 0 || fee.amount <= 0) return null;
  return { amount: fee.amount, lines: fee.lines.map((l) => ({ code: l.code, label: l.label, amount: l.amount })), payment: fee.payment ?? 'optional' };
}

export type PaymentState = 'not_required' | 'unpaid' | 'pending' | 'paid' | 'failed';

/** The `payment` block of a dossier view (API and pages): what is owed and where its payment stands. */
export interface PaymentSummary {
  required: boolean;
  /** 'before-processing': the desk does not accept the dossier until it is paid. */
  policy: FeePayment | null;
  amount: number;
  lines: FeeLine[];
  status: PaymentState;
  method: 'online' | 'desk' | null;
  paidAt: string | null;
  /** The reference (mã tham chiếu) of the payment the status is about. */
  reference: string | null;
  /** The number of the paid payment's electronic receipt, once issued (GET …/payments/:reference/receipt). */
  receiptNumber: string | null;
}

/**
 * From the dossier's payments (any order): paid if one is paid, else the latest attempt's state (a cancelled attempt,
 * replaced by another or never made, leaves the fee unpaid).
 */
export function paymentSummary(definition: Pick<WorkflowDefinition, 'fee'>, payments: readonly PaymentRow[]): PaymentSummary {
  const terms = feeTerms(definition);
  const paid = payments.find((p) => p.status === 'paid');
  const latest = [...payments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  const shown = paid ?? latest;
  const status: PaymentState = paid ? 'paid'
    : !terms ? 'not_required'
      : latest?.status === 'pending' ? 'pending' : latest?.status === 'failed' ? 'failed' : 'unpaid';
  return {
    required: terms !== null,
    policy: terms?.payment ?? null,
    amount: terms?.amount ?? 0,
    lines: terms?.lines ?? [],
    status,
    method: shown?.method ?? null,
    paidAt: paid?.paidAt?.toISOString() ?? null,
    reference: shown?.reference ?? null,
    receiptNumber: paid?.receiptNumber ?? null,
  };
}

/**
 * Refuses (422 PAYMENT_REQUIRED) a staff action out of the initial state of a procedure paid before processing while
 * no payment of the dossier is paid. The citizen's own actions and the system's are not held.
 */
export async function assertFeePaidBeforeProcessing(
  db: Db, definition: Pick<WorkflowDefinition, 'fee' | 'initial'>, dossier: Pick<DossierRow, 'id' | 'status'>, action: string, actor: { kind: string },
): Promise<void> {
  if (actor.kind !== 'staff' || dossier.status !== definition.initial || ACTIONS_BEFORE_PAYMENT.includes(action)) return;
  if (feeTerms(definition)?.payment !== 'before-processing') return;
  if ((await paymentsWithStatus(db, dossier.id, ['paid'])).length > 0) return;
  throw new AppError('PAYMENT_REQUIRED', 'Hồ sơ chưa nộp phí, lệ phí: thủ tục này yêu cầu nộp phí trước khi tiếp nhận giải quyết '
    + '(công dân nộp trực tuyến, hoặc cán bộ ghi nhận nộp tại quầy). Vẫn có thể từ chối tiếp nhận hoặc yêu cầu bổ sung.');
}
