// The staff dossier page's "Phí, lệ phí" panel posts here: a fee taken at the desk, and a refund recorded by hand.
// The same services as POST /api/dossiers/:code/payments/desk and POST /api/payments/:reference/refunds; a refusal
// comes back to the dossier page as its notice. Also the receipt's download for a browser (/ho-so/:code/bien-lai/:ref):
// staff by their session, a citizen signed in or holding the tracking token this browser remembers (a browser cannot
// send it as a Bearer header), as for the one-stop forms (/ho-so/:code/mau/:kind).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { parseDeskPayment, recordDeskPayment } from '../../../services/payments/desk-payment.js';
import { paymentReceiptPdf } from '../../../services/payments/payment-receipt.js';
import type { PaymentPanel } from '../../../services/payments/payment-ledger.js';
import { formatAmount } from '../../../documents/amount-in-words.js';
import { parseRefund, recordRefund } from '../../../services/payments/refunds.js';
import { citizenCaller, fieldErrors, readPageForm } from '../common.js';
import { sendDownload } from '../downloads.js';
import { enc, staffOr } from './shared.js';

/** The panel's anchor on the dossier page. */
export const PAYMENTS_ANCHOR = '#phi-le-phi';

export function paymentPages(app: FastifyInstance, ctx: AppContext): void {
  const backTo = (code: string, message: string) => `/can-bo/ho-so/${enc(code)}?tb=${enc(message)}${PAYMENTS_ANCHOR}`;
  const withNotice = async (code: string, run: () => Promise<string>) => {
    try {
      return backTo(code, await run());
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem) throw error;
      return backTo(code, [problem.message, ...Object.values(problem.fields)].join(' '));
    }
  };

  app.get('/ho-so/:code/bien-lai/:reference', async (request, reply) => {
    const { code, reference } = request.params as { code: string; reference: string };
    const { fileName, data } = await paymentReceiptPdf(ctx, code, reference, citizenCaller(request, code));
    return sendDownload(reply, 'application/pdf', fileName, data, true);
  });

  app.post('/can-bo/ho-so/:code/thanh-toan/tai-quay', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code } = request.params as { code: string };
    const { fields } = await readPageForm(request);
    const to = await withNotice(code, async () => {
      const payment = await recordDeskPayment(ctx, code, request.caller, parseDeskPayment({ amount: fields.amount, reference: fields.reference, note: fields.note }));
      return `Đã ghi nhận nộp ${payment.amount} đồng tại quầy; biên lai điện tử đang được phát hành.`;
    });
    return reply.redirect(to, 303);
  });

  app.post('/can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!staffOr(request, reply)) return reply;
    const { code, reference } = request.params as { code: string; reference: string };
    const { fields } = await readPageForm(request);
    const to = await withNotice(code, async () => {
      const refund = await recordRefund(ctx, reference, request.caller, parseRefund({
        amount: fields.amount, reason: fields.reason, externalReference: fields.externalReference,
      }));
      return `Đã ghi nhận hoàn trả ${refund.amount} đồng (đã hoàn tổng cộng ${refund.payment.refunded} đồng).`;
    });
    return reply.redirect(to, 303);
  });
}

/** The panel as the page draws it (templates/pages/partials/payment-panel.hbs): amounts written "150.000 đ". */
export function paymentPanelView(panel: PaymentPanel, code: string) {
  const page = `/can-bo/ho-so/${enc(code)}/thanh-toan`;
  const money = (amount: number) => `${formatAmount(amount)} đ`;
  return {
    // A procedure that charges nothing and a dossier that never paid: no panel at all.
    shown: panel.required || panel.payments.length > 0,
    ...panel, amountText: money(panel.amount), lines: panel.lines.map((l) => ({ ...l, amountText: money(l.amount) })),
    deskUrl: panel.mayRecordDesk ? `${page}/tai-quay` : null,
    payments: panel.payments.map((p) => ({
      ...p, amountText: money(p.amount), refundedText: p.refunded > 0 ? money(p.refunded) : null,
      refunds: p.refunds.map((r) => ({ ...r, amountText: money(r.amount) })),
      refundUrl: panel.mayRefund && p.status === 'paid' && p.refunded < p.amount ? `${page}/${enc(p.reference)}/hoan-tra` : null,
      remaining: p.amount - p.refunded,
    })),
  };
}
