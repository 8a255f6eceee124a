// Thanh toán (/quan-tri/thanh-toan): every payment (online through the Payment Platform, or taken at the desk) with its
// status, dossier, reconciliation checks, receipt and refunds, filtered by status, method and period, with the totals
// paid and refunded (the same service as GET /api/admin/payments); "Đối soát ngay" runs a reconciliation pass now
// (the same service as POST /api/admin/payments/reconcile).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { formatAmount } from '../../../documents/amount-in-words.js';
import { isAppError } from '../../../errors.js';
import {
  listPaymentsForAdmin, PAYMENT_METHOD_SHORT_LABELS, PAYMENT_METHODS, PAYMENT_STATUS_LABELS, parsePaymentListQuery, type PaymentList,
} from '../../../services/payments/payment-ledger.js';
import { runPaymentReconciliation } from '../../../services/payments/reconcile-payments.js';
import { PAYMENT_STATUSES } from '../../../db/schema/payments.js';
import { render } from '../common.js';
import { queryText } from '../staff/shared.js';
import { adminMenu, adminOr } from './shared.js';

const PAGE = '/quan-tri/thanh-toan';
const FILTERS = ['status', 'method', 'from', 'to'] as const;

const money = (amount: number) => `${formatAmount(amount)} đ`;


export function paymentAdminPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const raw = queryText(request);
    const filter = Object.fromEntries(FILTERS.map((k) => [k, (raw[k] ?? '').trim().slice(0, 32)])) as Record<(typeof FILTERS)[number], string>;
    let list: PaymentList = { items: [], truncated: false, totals: { count: 0, paidCount: 0, paid: 0, refunded: 0, net: 0 } };
    let problem: { message: string; fields: Record<string, string> } | undefined;
    try {
      list = await listPaymentsForAdmin(ctx, request.caller, parsePaymentListQuery(Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== ''))));
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500 || error.statusCode === 403) throw error;
      problem = { message: error.message, fields: error.fields ?? {} };
    }
    const reconciled = raw.doi_soat ?? '';
    return render(request, reply, 'admin-payments', {
      title: 'Thanh toán trực tuyến', adminMenu: adminMenu(PAGE), filter, problem,
      statuses: PAYMENT_STATUSES.map((s) => ({ value: s, label: PAYMENT_STATUS_LABELS[s], selected: s === filter.status })),
      methods: PAYMENT_METHODS.map((m) => ({ value: m, label: PAYMENT_METHOD_SHORT_LABELS[m], selected: m === filter.method })),
      // The outcome of "Đối soát ngay", passed back as counts only (never text a crafted link could choose).
      reconciled: /^\d+(-\d+){3}$/.test(reconciled) ? (([checked, paid, failed, pending]) => ({ checked, paid, failed, pending }))(reconciled.split('-')) : null,
      reconcileConfigured: ctx.config.paymentPlatform !== undefined,
      totals: {
        ...list.totals, paidText: money(list.totals.paid), refundedText: money(list.totals.refunded), netText: money(list.totals.net),
      },
      truncated: list.truncated,
      items: list.items.map((p) => ({
        ...p, amountText: money(p.amount), refundedText: p.refunded > 0 ? money(p.refunded) : null,
        dossierUrl: `/can-bo/ho-so/${encodeURIComponent(p.dossierCode)}`,
        refunds: p.refunds.map((r) => ({ ...r, amountText: money(r.amount) })),
      })),
    }, problem ? 422 : 200);
  });

  app.post(`${PAGE}/doi-soat`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const outcome = await runPaymentReconciliation(ctx, request.caller);
    return reply.redirect(`${PAGE}?doi_soat=${outcome.checked}-${outcome.paid}-${outcome.failed}-${outcome.pending}`, 303);
  });
}
