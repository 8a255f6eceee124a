// Refunds are made outside motcua (the platform's or the treasury's procedure, cash back at the desk) and recorded
// here by hand by a clerk of the unit holding the dossier or an administrator: the amount, the reason and the bank's
// or platform's reference. Never more in all than was paid (checked under the payment's row lock), only for a paid
// payment, audited. A payment stays 'paid': the refunds say how much of it went back.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import {
  findPaymentByReference, findPaymentForUpdate, insertRefund, listRefunds, refundedAmount, type RefundView,
} from '../../db/repositories/payment-records.js';
import { AppError, validationFailed } from '../../errors.js';
import { actorForDossier, can, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { isDeskClerk } from './desk-payment.js';
import { amountInDong } from './amount-input.js';
import { paymentNotFound } from './payment-receipt.js';

export const refundInput = z.object({
  amount: amountInDong('Nhập số tiền hoàn trả (đồng).').pipe(z.number().positive({ error: 'Số tiền hoàn trả phải lớn hơn 0.' })),
  reason: z.string({ error: 'Nhập lý do hoàn trả.' }).trim().normalize('NFC').min(1, { error: 'Nhập lý do hoàn trả.' })
    .max(1000, { error: 'Lý do dài quá 1000 ký tự.' }),
  externalReference: z.string().trim().normalize('NFC').max(100, { error: 'Mã giao dịch hoàn trả dài quá 100 ký tự.' }).optional()
    .transform((v) => (v ? v : undefined))
    .describe('Mã giao dịch hoàn trả của ngân hàng hoặc Nền tảng thanh toán, nếu có'),
}).strict();
export type RefundInput = z.infer<typeof refundInput>;

export function parseRefund(input: unknown): RefundInput {
  const parsed = refundInput.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error, 'Thông tin hoàn trả chưa hợp lệ.');
  return parsed.data;
}

export const refundView = z.object({
  id: z.string(), amount: z.number().int(), reason: z.string(), externalReference: z.string().nullable(),
  recordedBy: z.string().nullable(), recordedAt: z.string(),
});
export type RefundItem = z.infer<typeof refundView>;

export function refundItem(row: RefundView): RefundItem {
  return {
    id: row.id, amount: row.amount, reason: row.reason, externalReference: row.externalReference,
    recordedBy: row.recordedByName, recordedAt: row.recordedAt.toISOString(),
  };
}

export const refundRecordedView = refundView.extend({
  payment: z.object({ reference: z.string(), amount: z.number().int(), refunded: z.number().int(), remaining: z.number().int() }),
});

/** Who may record refunds of a dossier's payments: an administrator, or a clerk of the unit holding the dossier. */
export function mayRecordRefunds(caller: Caller, actor: { kind: string; roles: string[] }): boolean {
  return caller.kind === 'staff' && (can(caller.staff, 'administration') || isDeskClerk(actor));
}

export async function recordRefund(ctx: AppContext, reference: string, caller: Caller, input: RefundInput): Promise<z.infer<typeof refundRecordedView>> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  const payment = await findPaymentByReference(ctx.db, reference);
  const dossier = payment ? await findDossierById(ctx.db, payment.dossierId) : undefined;
  if (!payment || !dossier) throw paymentNotFound();
  if (!can(caller.staff, 'administration')) {
    const actor = await actorForDossier(ctx, dossier, caller, 'act');
    if (!isDeskClerk(actor)) throw new AppError('ACTION_FORBIDDEN', 'Chỉ cán bộ một cửa của đơn vị giữ hồ sơ hoặc quản trị hệ thống được ghi nhận hoàn trả.');
  }
  const { refund, refunded } = await ctx.db.transaction(async (tx) => {
    const locked = await findPaymentForUpdate(tx, payment.id);
    if (!locked || locked.status !== 'paid') {
      throw new AppError('PAYMENT_NOT_PAID', 'Khoản thanh toán này chưa được nộp: không có gì để hoàn trả.');
    }
    const before = await refundedAmount(tx, locked.id);
    if (before + input.amount > locked.amount) {
      throw new AppError('REFUND_EXCEEDS_PAYMENT',
        `Tổng số tiền hoàn trả không được vượt số đã nộp (${locked.amount} đồng; đã hoàn ${before} đồng, còn tối đa ${locked.amount - before} đồng).`,
        { amount: `Còn hoàn trả tối đa ${locked.amount - before} đồng.` });
    }
    const row = await insertRefund(tx, {
      paymentId: locked.id, amount: input.amount, reason: input.reason, externalReference: input.externalReference ?? null, recordedBy: caller.staff.id,
    });
    await recordAudit(tx, staffActor(caller.staff, caller.ip), 'payment.refund_recorded', dossier.code, {
      reference: locked.reference, amount: input.amount, reason: input.reason, externalReference: input.externalReference ?? null,
      refundedBefore: before,
    });
    return { refund: row, refunded: before + input.amount };
  });
  return {
    ...refundItem({ ...refund, recordedByName: caller.staff.fullName }),
    payment: { reference: payment.reference, amount: payment.amount, refunded, remaining: payment.amount - refunded },
  };
}

/** The refunds of these payments, grouped by payment id. */
export async function refundsByPayment(ctx: AppContext, paymentIds: string[]): Promise<Map<string, RefundItem[]>> {
  const grouped = new Map<string, RefundItem[]>();
  for (const row of await listRefunds(ctx.db, paymentIds)) {
    const list = grouped.get(row.paymentId) ?? [];
    list.push(refundItem(row));
    grouped.set(row.paymentId, list);
  }
  return grouped;
}
