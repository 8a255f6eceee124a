// Around a payment once made: its electronic receipt, a fee taken at the desk, refunds recorded by hand, and the
// administrators' list of payments (services/payments: payment-receipt, desk-payment, refunds, payment-ledger).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { deskPaymentInput, recordDeskPayment } from '../../services/payments/desk-payment.js';
import {
  listPaymentsForAdmin, PAYMENT_LIST_LIMIT, paymentItem, paymentItemView, paymentListQuery, paymentListView,
} from '../../services/payments/payment-ledger.js';
import { paymentReceiptPdf } from '../../services/payments/payment-receipt.js';
import { recordRefund, refundInput, refundRecordedView } from '../../services/payments/refunds.js';
import { sendDownload } from '../pages/downloads.js';
import { errorResponse } from './error-response.js';

const code = z.string().min(1).max(64);
const reference = z.string().min(1).max(100);

export const paymentRecordRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/dossiers/:code/payments/:reference/receipt', {
    schema: {
      tags: ['payments'], summary: 'Tải biên lai điện tử thu phí, lệ phí (PDF)',
      description: 'Quyền như xem hồ sơ. Biên lai được phát hành (đánh số theo năm của cơ quan thu, đóng dấu số của cơ quan) ngay sau khi '
        + 'khoản thanh toán được xác nhận. 404 `PAYMENT_NOT_FOUND` khi hồ sơ không có khoản này; 404 `RECEIPT_NOT_READY` khi biên lai chưa phát hành.',
      params: z.object({ code, reference }),
    },
  }, async (request, reply) => {
    const { fileName, data } = await paymentReceiptPdf(ctx, request.params.code, request.params.reference, request.caller);
    return sendDownload(reply, 'application/pdf', fileName, data, true);
  });

  app.post('/api/dossiers/:code/payments/desk', {
    schema: {
      tags: ['payments'], summary: 'Ghi nhận nộp phí, lệ phí tại quầy',
      description: 'Cán bộ một cửa (vai trò clerk) của đơn vị đang giữ hồ sơ. `amount` phải đúng bằng phí, lệ phí của hồ sơ (422 '
        + '`PAYMENT_AMOUNT_MISMATCH`); `reference`: số chứng từ nếu có (in trên biên lai là mã giao dịch). → 201, khoản thanh toán '
        + '`method: desk`, `status: paid`; biên lai điện tử được phát hành sau đó. 409 `PAYMENT_ALREADY_MADE` khi hồ sơ đã nộp; '
        + '422 `PAYMENT_NOT_REQUIRED` khi thủ tục không thu phí; 403 khi không phải cán bộ một cửa của đơn vị giữ hồ sơ.',
      params: z.object({ code }),
      body: deskPaymentInput,
      response: { 201: paymentItemView, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    requireStaff(request);
    const payment = await recordDeskPayment(ctx, request.params.code, request.caller, request.body);
    return reply.status(201).send(paymentItem(payment, request.params.code));
  });

  app.post('/api/payments/:reference/refunds', {
    schema: {
      tags: ['payments'], summary: 'Ghi nhận hoàn trả phí, lệ phí (đã hoàn ngoài hệ thống)',
      description: 'Cán bộ một cửa của đơn vị đang giữ hồ sơ, hoặc quản trị hệ thống. `reason` bắt buộc; `externalReference`: mã giao dịch '
        + 'hoàn trả nếu có. Có thể hoàn nhiều lần; tổng không vượt số đã nộp (422 `REFUND_EXCEEDS_PAYMENT`). 409 `PAYMENT_NOT_PAID` khi '
        + 'khoản chưa nộp; 404 `PAYMENT_NOT_FOUND`. → 201 với tổng đã hoàn và số còn lại.',
      params: z.object({ reference }),
      body: refundInput,
      response: { 201: refundRecordedView, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    requireStaff(request);
    return reply.status(201).send(await recordRefund(ctx, request.params.reference, request.caller, request.body));
  });

  app.get('/api/admin/payments', {
    schema: {
      tags: ['admin'], summary: 'Danh sách thanh toán: trạng thái, hình thức, đối soát, hoàn trả, tổng đã thu và đã hoàn',
      description: 'Quản trị hệ thống. Lọc theo `status`, `method`, khoảng ngày `from`–`to` (yyyy-mm-dd, giờ Việt Nam, theo thời điểm nộp; '
        + `khoản chưa nộp: thời điểm tạo). Mới nhất trước, tối đa \`limit\` (mặc định ${PAYMENT_LIST_LIMIT.default}, tối đa `
        + `${PAYMENT_LIST_LIMIT.max}); \`truncated\` khi còn khoản khác khớp. \`totals\` tính trên mọi khoản khớp bộ lọc.`,
      querystring: paymentListQuery,
      response: { 200: paymentListView, 401: errorResponse, 403: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return listPaymentsForAdmin(ctx, request.caller, request.query);
  });
};
