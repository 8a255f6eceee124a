// What staff read of payments: the "Phí, lệ phí" panel of a dossier (what is owed, each payment with its receipt and
// refunds, and what the caller may record) and the administrators' list of all payments with their reconciliation
// checks and totals (GET /api/admin/payments, /quan-tri/thanh-toan).
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { addDays, isIsoDay, vnInstant } from '../../calendar/vn-time.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { listPayments, listPaymentsOfDossier, paymentTotals, type PaymentRow } from '../../db/repositories/payment-records.js';
import { PAYMENT_STATUSES } from '../../db/schema/payments.js';
import { validationFailed } from '../../errors.js';
import type { Actor, Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { isDeskClerk } from './desk-payment.js';
import { feeTerms } from './payment-rules.js';
import { mayRecordRefunds, refundsByPayment, refundView, type RefundItem } from './refunds.js';

export const PAYMENT_STATUS_LABELS: Record<PaymentRow['status'], string> = {
  pending: 'Đang chờ thanh toán', paid: 'Đã thanh toán', failed: 'Không thành công', cancelled: 'Đã hủy',
};
export const PAYMENT_METHODS = ['online', 'desk'] as const;
export const PAYMENT_METHOD_SHORT_LABELS: Record<PaymentRow['method'], string> = { online: 'Trực tuyến', desk: 'Tại quầy' };
const CONFIRMED_VIA_LABELS: Record<NonNullable<PaymentRow['confirmedVia']>, string> = {
  callback: 'Nền tảng thanh toán báo', reconciliation: 'Đối soát với Nền tảng thanh toán', desk: 'Cán bộ ghi nhận tại quầy',
};

/** The receipt's download: same access as the dossier (404 until issued). */
export function receiptUrl(dossierCode: string, reference: string): string {
  return `/api/dossiers/${encodeURIComponent(dossierCode)}/payments/${encodeURIComponent(reference)}/receipt`;
}

export const paymentItemView = z.object({
  reference: z.string(),
  dossierCode: z.string(),
  method: z.enum(PAYMENT_METHODS),
  methodLabel: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  statusLabel: z.string(),
  amount: z.number().int(),
  refunded: z.number().int(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  platformTransactionId: z.string().nullable(),
  confirmedVia: z.string().nullable(),
  confirmedViaLabel: z.string().nullable(),
  /** How many times reconciliation asked the platform about it, and when last. */
  checks: z.number().int(),
  lastCheckedAt: z.string().nullable(),
  failureReason: z.string().nullable(),
  receiptNumber: z.string().nullable(),
  /** Null until the receipt is stored. */
  receiptUrl: z.string().nullable(),
  refunds: z.array(refundView),
});
export type PaymentItem = z.infer<typeof paymentItemView>;

export function paymentItem(row: PaymentRow, dossierCode: string, refunds: RefundItem[] = []): PaymentItem {
  return {
    reference: row.reference, dossierCode, method: row.method, methodLabel: PAYMENT_METHOD_SHORT_LABELS[row.method],
    status: row.status, statusLabel: PAYMENT_STATUS_LABELS[row.status], amount: row.amount,
    refunded: refunds.reduce((sum, r) => sum + r.amount, 0),
    createdAt: row.createdAt.toISOString(), paidAt: row.paidAt?.toISOString() ?? null, platformTransactionId: row.platformTransactionId,
    confirmedVia: row.confirmedVia, confirmedViaLabel: row.confirmedVia ? CONFIRMED_VIA_LABELS[row.confirmedVia] : null,
    checks: row.checks, lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null, failureReason: row.failureReason,
    receiptNumber: row.receiptNumber, receiptUrl: row.receiptStorageKey ? receiptUrl(dossierCode, row.reference) : null, refunds,
  };
}

export interface PaymentPanel {
  required: boolean;
  amount: number;
  lines: Array<{ code: string; label: string; amount: number }>;
  beforeProcessing: boolean;
  paid: boolean;
  payments: PaymentItem[];
  /** The caller may record a desk payment now (a clerk of the unit holding it, a fee owed and not paid). */
  mayRecordDesk: boolean;
  mayRefund: boolean;
}

/** The staff dossier page's panel, for a dossier and actor the page has already loaded and checked. */
export async function paymentPanel(ctx: AppContext, dossier: DossierRow, actor: Actor, caller: Caller): Promise<PaymentPanel> {
  const [definition, rows] = await Promise.all([ctx.catalog.definitionFor(dossier.procedureVersionId), listPaymentsOfDossier(ctx.db, dossier.id)]);
  const terms = feeTerms(definition);
  const refunds = await refundsByPayment(ctx, rows.map((r) => r.id));
  const payments = rows.map((r) => paymentItem(r, dossier.code, refunds.get(r.id) ?? []));
  const paid = rows.some((r) => r.status === 'paid');
  return {
    required: terms !== null, amount: terms?.amount ?? 0, lines: terms?.lines ?? [], beforeProcessing: terms?.payment === 'before-processing',
    paid, payments, mayRecordDesk: terms !== null && !paid && isDeskClerk(actor), mayRefund: mayRecordRefunds(caller, actor),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The administrators' list

export const PAYMENT_LIST_LIMIT = { default: 100, max: 500 } as const;

/** The query of GET /api/admin/payments and of the page's filter (one schema for both). */
export const paymentListQuery = z.object({
  status: z.enum(PAYMENT_STATUSES, { error: 'Trạng thái là pending, paid, failed hoặc cancelled.' }).optional(),
  method: z.enum(PAYMENT_METHODS, { error: 'Hình thức là online hoặc desk.' }).optional(),
  from: z.string().refine(isIsoDay, { error: 'Ngày không hợp lệ (yyyy-mm-dd).' }).optional().describe('Từ ngày (giờ Việt Nam), theo thời điểm nộp'),
  to: z.string().refine(isIsoDay, { error: 'Ngày không hợp lệ (yyyy-mm-dd).' }).optional().describe('Đến hết ngày (giờ Việt Nam)'),
  limit: z.coerce.number({ error: '`limit` là một số.' }).int().min(1, { error: `\`limit\` từ 1 đến ${PAYMENT_LIST_LIMIT.max}.` })
    .max(PAYMENT_LIST_LIMIT.max, { error: `\`limit\` từ 1 đến ${PAYMENT_LIST_LIMIT.max}.` }).optional(),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { error: 'Từ ngày phải trước đến ngày.', path: ['from'] });
export type PaymentListQuery = z.infer<typeof paymentListQuery>;

export const paymentListView = z.object({
  items: z.array(paymentItemView),
  /** More payments match than `limit`: narrow the filter. */
  truncated: z.boolean(),
  totals: z.object({
    count: z.number().int(), paidCount: z.number().int(),
    /** Sum of the paid payments' amounts, and of the refunds recorded against the payments matched. */
    paid: z.number().int(), refunded: z.number().int(), net: z.number().int(),
  }),
});
export type PaymentList = z.infer<typeof paymentListView>;

export function parsePaymentListQuery(input: unknown): PaymentListQuery {
  const parsed = paymentListQuery.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error, 'Điều kiện lọc chưa hợp lệ.');
  return parsed.data;
}

export async function listPaymentsForAdmin(ctx: AppContext, caller: Caller, query: PaymentListQuery): Promise<PaymentList> {
  administratorOf(caller);
  const filter = {
    status: query.status, method: query.method,
    from: query.from ? vnInstant(query.from, '00:00') : undefined, to: query.to ? vnInstant(addDays(query.to, 1), '00:00') : undefined,
  };
  const limit = query.limit ?? PAYMENT_LIST_LIMIT.default;
  const [rows, totals] = await Promise.all([listPayments(ctx.db, filter, limit + 1), paymentTotals(ctx.db, filter)]);
  const shown = rows.slice(0, limit);
  const refunds = await refundsByPayment(ctx, shown.map((r) => r.id));
  return {
    items: shown.map((r) => paymentItem(r, r.dossierCode, refunds.get(r.id) ?? [])), truncated: rows.length > limit,
    totals: { ...totals, net: totals.paid - totals.refunded },
  };
}

