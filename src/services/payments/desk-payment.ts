// A fee taken at the one-stop desk (cash, card, transfer to the agency's account) and recorded there by a clerk of
// the unit holding the dossier: a payment paid on the spot (method and confirmed_via 'desk'), audited, and its
// electronic receipt issued by the same job as an online payment's. Only the fee the dossier owes, in full, and only
// once: the dossier's row lock serialises it with the citizen's own online payment requests, and a pending online
// attempt is first asked about (paid → recorded, 409 PAYMENT_ALREADY_MADE; otherwise cancelled, still reconciled).
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import {
  countPaymentsOfDossier, insertPayment, lockDossierForPayment, paymentsWithStatus, type PaymentRow,
} from '../../db/repositories/payments.js';
import { vnTimestamp } from '../../calendar/vn-time.js';
import { AppError, validationFailed } from '../../errors.js';
import { loadDossierFor, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { reportDeskPaid } from './confirm-payment.js';
import { ISSUE_PAYMENT_RECEIPT_JOB } from './payment-receipt.js';
import { settleBeforeDeskPayment } from './reconcile-payments.js';
import { feeTerms } from './payment-rules.js';
import { amountInDong } from './amount-input.js';

const MAX_AMOUNT = 1_000_000_000_000;

/** The body of POST /api/dossiers/:code/payments/desk and of the staff page's form. */
export const deskPaymentInput = z.object({
  amount: amountInDong('Nhập số tiền đã thu (đồng).')
    .pipe(z.number().positive({ error: 'Số tiền phải lớn hơn 0.' }).max(MAX_AMOUNT, { error: 'Số tiền quá lớn.' })),
  reference: z.string().trim().normalize('NFC').max(100, { error: 'Số chứng từ dài quá 100 ký tự.' }).optional()
    .transform((v) => (v ? v : undefined))
    .describe('Số chứng từ của khoản thu, nếu có (mã giao dịch máy POS, số giấy nộp tiền)'),
  note: z.string().trim().normalize('NFC').max(500, { error: 'Ghi chú dài quá 500 ký tự.' }).optional()
    .transform((v) => (v ? v : undefined)),
}).strict();
export type DeskPaymentInput = z.infer<typeof deskPaymentInput>;

export function parseDeskPayment(input: unknown): DeskPaymentInput {
  const parsed = deskPaymentInput.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error, 'Thông tin khoản thu chưa hợp lệ.');
  return parsed.data;
}

/** The reference of a desk payment: "quay" + the dossier code's letters and digits + the time + the attempt number. */
export function deskReference(dossierCode: string, at: Date, attempt: number): string {
  return `quay${dossierCode.replace(/[^A-Za-z0-9]/g, '')}${vnTimestamp(at)}${String(attempt).padStart(2, '0')}`;
}

/** Whether this actor may record desk payments and refunds on the dossier: a clerk of the unit holding it. */
export function isDeskClerk(actor: { kind: string; roles: string[] }): boolean {
  return actor.kind === 'staff' && actor.roles.includes('clerk');
}

export async function recordDeskPayment(ctx: AppContext, code: string, caller: Caller, input: DeskPaymentInput): Promise<PaymentRow> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller, 'act');
  if (caller.kind !== 'staff' || !isDeskClerk(actor)) {
    throw new AppError('ACTION_FORBIDDEN', 'Chỉ cán bộ một cửa của đơn vị đang giữ hồ sơ được ghi nhận khoản nộp tại quầy.');
  }
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const terms = feeTerms(definition);
  if (!terms) throw new AppError('PAYMENT_NOT_REQUIRED', 'Thủ tục này không thu phí, lệ phí.');
  if (definition.states[dossier.status]?.final) throw new AppError('PAYMENT_NOT_REQUIRED', 'Hồ sơ đã kết thúc, không thu phí, lệ phí.');
  if (input.amount !== terms.amount) {
    throw new AppError('PAYMENT_AMOUNT_MISMATCH', `Số tiền thu phải đúng bằng phí, lệ phí của hồ sơ: ${terms.amount} đồng.`,
      { amount: `Phí, lệ phí của hồ sơ là ${terms.amount} đồng.` });
  }
  const staff = staffActor(caller.staff, caller.ip);
  const payment = await ctx.db.transaction(async (tx) => {
    await lockDossierForPayment(tx, dossier.id);
    const open = await paymentsWithStatus(tx, dossier.id, ['paid', 'pending']);
    if (open.some((p) => p.status === 'paid')) {
      throw new AppError('PAYMENT_ALREADY_MADE', 'Hồ sơ đã nộp phí, lệ phí: không thu thêm.');
    }
    // The citizen may be paying online right now: the platform is asked about each pending attempt first.
    for (const pending of open.filter((p) => p.method === 'online')) {
      const { result, platformSaid } = await settleBeforeDeskPayment(ctx, tx, pending, 'Đã nộp phí tại quầy');
      if (result === 'paid') return null;
      await recordAudit(tx, staff, 'payment.cancelled', dossier.code, { reference: pending.reference, reason: 'desk payment', platformSaid });
    }
    const now = new Date();
    const created = await insertPayment(tx, {
      dossierId: dossier.id, reference: deskReference(dossier.code, now, (await countPaymentsOfDossier(tx, dossier.id)) + 1),
      method: 'desk', amount: terms.amount, lines: terms.lines, status: 'paid', createdAt: now, createdBy: caller.staff.id,
      paidAt: now, confirmedVia: 'desk', platformTransactionId: input.reference ?? null,
    });
    await recordAudit(tx, staff, 'payment.desk_recorded', dossier.code, {
      reference: created.reference, amount: created.amount, documentReference: input.reference ?? null, note: input.note ?? null,
    });
    await insertOutbox(tx, [{ job: ISSUE_PAYMENT_RECEIPT_JOB, payload: { paymentId: created.id } }]);
    await reportDeskPaid(ctx, tx, dossier);
    return created;
  });
  ctx.jobs.wake();
  // Paid online meanwhile: that payment is now recorded (committed above), and the desk takes nothing.
  if (!payment) throw new AppError('PAYMENT_ALREADY_MADE', 'Hồ sơ vừa được nộp phí trực tuyến qua Nền tảng thanh toán: không thu thêm tại quầy.');
  return payment;
}
