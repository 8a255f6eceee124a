// Online fees through the national Payment Platform: the citizen's payment request and the dossier's payments, the
// platform's confirm callback (no account: its MaXacThuc checksum authenticates it), and the administrators' manual
// reconciliation pass. Rules in services/payments/.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { requireStaff } from '../../plugins/caller.js';
import { receivePaymentCallback } from '../../services/payments/confirm-payment.js';
import { runPaymentReconciliation } from '../../services/payments/reconcile-payments.js';
import { listDossierPayments, requestPayment } from '../../services/payments/request-payment.js';
import { errorResponse } from './error-response.js';

const codeParams = z.object({ code: z.string().min(1).max(64) });
/** Callbacks a client address may post a minute (the platform sends one per settled payment). */
const CALLBACKS_PER_MINUTE = 600;
/** The platform's callback is a dozen short fields (well under 2 KB): anything much larger is not one. */
const CALLBACK_BODY_LIMIT = 16 * 1024;
const feeLine = z.object({ code: z.string(), label: z.string(), amount: z.number().int() });

const paymentView = z.object({
  reference: z.string(), method: z.enum(['online', 'desk']), amount: z.number().int(), lines: z.array(feeLine),
  status: z.enum(['pending', 'paid', 'failed', 'cancelled']), createdAt: z.string(), paidAt: z.string().nullable(),
  confirmedVia: z.enum(['callback', 'reconciliation', 'desk']).nullable(), platformTransactionId: z.string().nullable(),
  failureReason: z.string().nullable(), receiptNumber: z.string().nullable(), receiptIssuedAt: z.string().nullable(),
});

const callbackAnswer = z.object({
  MaLoi: z.string(), MoTaLoi: z.string(), MaDoiTac: z.string(), MaThamChieu: z.string(), ThoiGianGD: z.string(), MaXacThuc: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

const reconcileOutcome = z.object({
  checked: z.number().int(), paid: z.number().int(), failed: z.number().int(), pending: z.number().int(), refused: z.number().int(), unavailable: z.number().int(),
});

export const onlinePaymentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/dossiers/:code/payments', {
    schema: {
      tags: ['payments'], summary: 'Nộp phí, lệ phí trực tuyến qua Nền tảng thanh toán',
      description: 'Công dân (đăng nhập VNeID, hoặc `Authorization: Bearer <trackingToken>`). Mở một giao dịch với số tiền và các khoản phí của phiên bản thủ tục hồ sơ áp dụng; '
        + 'chuyển trình duyệt tới `redirectUrl`. Lần yêu cầu mới khi lần trước còn chờ: lần trước được kiểm tra với Nền tảng (đã thanh toán → 409 PAYMENT_ALREADY_MADE), còn chờ thì bị hủy và thay bằng lần mới. '
        + 'Nền tảng không phản hồi: 503 PAYMENT_PLATFORM_UNAVAILABLE kèm Retry-After, không để lại giao dịch chờ.',
      params: codeParams,
      response: {
        201: z.object({ reference: z.string(), amount: z.number().int(), redirectUrl: z.string() }),
        403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse, 503: errorResponse,
      },
    },
  }, async (request, reply) => reply.status(201).send(await requestPayment(ctx, request.params.code, request.caller, request.ip)));

  app.get('/api/dossiers/:code/payments', {
    schema: {
      tags: ['payments'], summary: 'Các lần nộp phí của hồ sơ (trực tuyến và tại quầy), mới nhất trước',
      description: 'Cùng quyền xem như GET /api/dossiers/:code.',
      params: codeParams,
      response: { 200: z.object({ items: z.array(paymentView) }), 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => ({ items: await listDossierPayments(ctx, request.params.code, request.caller) }));

  app.post('/api/payment-platform/confirm', {
    bodyLimit: CALLBACK_BODY_LIMIT,
    // Anyone may post here, and every post is logged: a flood from one address is cut off before it fills the logs.
    config: { rateLimit: { max: CALLBACKS_PER_MINUTE, timeWindow: 60_000, errorResponseBuilder: () => new AppError('RATE_LIMITED', 'Quá nhiều thông báo thanh toán.') } },
    schema: {
      tags: ['payments'], summary: 'Nền tảng thanh toán báo kết quả giao dịch (callback máy chủ tới máy chủ)',
      description: 'Không cần đăng nhập: MaXacThuc (SHA-256 của LoaiBanTin|MaLoi|MaDoiTac|MaThamChieu|SoTien|MaTienTe|MaGiaoDich|MaNganHang|ThoiGianGD|ThongTinGiaoDich|khóa bí mật) là xác thực. '
        + 'Mọi thông báo được ghi lại (chỉ các trường của hợp đồng, mỗi trường tối đa 200 ký tự; thân tối đa 16 KB, lớn hơn: 413). Trả lời theo dạng của Nền tảng: MaLoi "00" đã nhận (kể cả nhận lại), 01 sai mã xác thực (403), 02 không có giao dịch (404), 03 sai đối tác/số tiền (422), 04 sai định dạng (400).',
      // A body the framework cannot read (empty, not JSON, too large) is refused before our handler, in the house's error shape.
      response: {
        200: callbackAnswer, 400: callbackAnswer.or(errorResponse), 403: callbackAnswer, 404: callbackAnswer, 413: errorResponse, 415: errorResponse,
        422: callbackAnswer, 429: errorResponse, 503: callbackAnswer.or(errorResponse),
      },
    },
  }, async (request, reply) => {
    const answer = await receivePaymentCallback(ctx, request.body, request.ip);
    return reply.status(answer.status).send(answer.body);
  });

  app.post('/api/admin/payments/reconcile', {
    schema: {
      tags: ['admin'], summary: 'Đối soát ngay các giao dịch trực tuyến còn chờ (QUERY tới Nền tảng thanh toán)',
      description: 'Quản trị hệ thống. Cũng chạy định kỳ cùng lượt quét thời hạn. Ghi nhật ký.',
      response: { 200: reconcileOutcome, 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return runPaymentReconciliation(ctx, request.caller);
  });
};
