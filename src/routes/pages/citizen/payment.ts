// Online fees on the citizen's pages: the fee panel of /ho-so/:code ("Nộp phí trực tuyến" posts to /ho-so/:code/nop-phi,
// which sends the browser to the Payment Platform's page), and /thanh-toan/ket-qua, where the platform sends the
// browser back: it shows the payment as OUR database has it (the query string is never trusted), and while the
// platform's confirmation has not arrived says so and offers to look again.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { loadDossierFor } from '../../../services/access.js';
import { paymentReturnState, requestPayment } from '../../../services/payments/request-payment.js';
import type { DossierView } from '../../../services/viewing/dossier-view.js';
import { citizenCaller, render } from '../common.js';
import { enc } from './shared.js';

const money = (amount: number) => `${new Intl.NumberFormat('vi-VN').format(amount)} đồng`;

const STATUS_TEXT: Record<string, string> = {
  not_required: 'Không thu phí', unpaid: 'Chưa nộp phí', pending: 'Đang chờ xác nhận thanh toán', paid: 'Đã nộp phí',
  failed: 'Thanh toán chưa thành công', cancelled: 'Đã hủy',
};

/** Why a payment request was refused, as the dossier page says it after the redirect (`?tt=`): fixed texts. */
export const PAYMENT_FLASH: Record<string, string> = {
  'da-nop': 'Hồ sơ đã được nộp phí, lệ phí.',
  'khong-thu': 'Hồ sơ này không cần nộp phí.',
  'tam-ngung': 'Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút, hoặc nộp phí tại Bộ phận Tiếp nhận và Trả kết quả.',
  'chua-ket-noi': 'Chưa kết nối cổng thanh toán trực tuyến: vui lòng nộp phí tại Bộ phận Tiếp nhận và Trả kết quả.',
};
const FLASH_OF: Partial<Record<string, string>> = {
  PAYMENT_ALREADY_MADE: 'da-nop', PAYMENT_NOT_REQUIRED: 'khong-thu', PAYMENT_PLATFORM_UNAVAILABLE: 'tam-ngung', PAYMENT_PLATFORM_NOT_CONFIGURED: 'chua-ket-noi',
};

/** The fee panel of the citizen's dossier page; null when the procedure charges nothing. */
export function paymentPanel(view: DossierView, base: string, options: { asStaff: boolean; online: boolean; closed: boolean; flash?: string }) {
  const p = view.payment;
  if (!p.required && p.status !== 'paid') return null;
  return {
    amount: money(p.amount),
    lines: p.lines.map((l) => ({ label: l.label, amount: money(l.amount) })),
    status: p.status, statusText: STATUS_TEXT[p.status] ?? p.status, paidAt: p.paidAt, reference: p.reference,
    mustPayFirst: p.policy === 'before-processing' && p.status !== 'paid',
    payUrl: !options.asStaff && options.online && !options.closed && p.status !== 'paid' ? `${base}/nop-phi` : null,
    flash: options.flash ? PAYMENT_FLASH[options.flash] : undefined,
    receipt: p.receiptNumber && p.reference ? { number: p.receiptNumber, url: `/ho-so/${enc(view.code)}/bien-lai/${enc(p.reference)}` } : null,
  };
}

export function paymentPages(app: FastifyInstance, ctx: AppContext): void {
  app.post('/ho-so/:code/nop-phi', { preHandler: app.csrfProtection }, async (request, reply) => {
    const { code } = request.params as { code: string };
    try {
      const { redirectUrl } = await requestPayment(ctx, code, citizenCaller(request, code), request.ip);
      return await reply.redirect(redirectUrl, 303);
    } catch (error) {
      const flash = error instanceof AppError ? FLASH_OF[error.code] : undefined;
      if (!flash) throw error;
      return reply.redirect(`/ho-so/${enc(code)}?tt=${flash}#nop-phi`, 303);
    }
  });

  app.get('/thanh-toan/ket-qua', async (request, reply) => {
    const { data } = request.query as { data?: string };
    const state = typeof data === 'string' ? await paymentReturnState(ctx, data) : undefined;
    if (!state) {
      return render(request, reply, 'payment-result', { title: 'Kết quả thanh toán', missing: true }, 404);
    }
    // The reference is no secret: it rides in the platform's return URL (history, logs) and is the dossier's code plus
    // a time, so anyone can make one up. Holding it tells what it already says (the dossier) and how that payment
    // stands; the amount and the time paid only to whoever may see the dossier (this browser's remembered token, a
    // VNeID or staff session), as on the dossier's own page.
    const mayView = await loadDossierFor(ctx, state.dossierCode, citizenCaller(request, state.dossierCode)).then(() => true, (error: unknown) => {
      if (error instanceof AppError && error.statusCode < 500) return false;
      throw error;
    });
    return render(request, reply, 'payment-result', {
      title: 'Kết quả thanh toán',
      payment: {
        reference: state.reference, dossierCode: state.dossierCode, statusText: STATUS_TEXT[state.status] ?? state.status,
        ...(mayView ? { amount: money(state.amount), paidAt: state.paidAt?.toISOString() ?? null } : {}),
      },
      mayView,
      paid: state.status === 'paid', pending: state.status === 'pending', failed: state.status === 'failed' || state.status === 'cancelled',
      refreshUrl: `/thanh-toan/ket-qua?data=${enc(state.reference)}`,
      dossierUrl: `/ho-so/${enc(state.dossierCode)}`,
    });
  });
}
