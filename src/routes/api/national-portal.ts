// /api/national-portal/dossiers: dossiers citizens filed on the national public-service portal, pushed to us
// (services/national-portal/receive-dossier.ts). The portal's HMAC covers the raw body, so this plugin keeps JSON bodies
// as bytes (its own parser, for its own routes only) and the service parses them after the signature holds.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { receiveNationalDossier } from '../../services/national-portal/receive-dossier.js';
import { errorResponse } from './error-response.js';

/** The whole message without its attachments (they come by URL): 1 MB is plenty. */
const MAX_BODY_BYTES = 1024 * 1024;
/** One portal pushes; this only stops a flood from one address filling the log (counted before the signature). */
const PUSH_RATE_LIMIT = { max: 600, timeWindow: '1 minute' };

const received = z.object({
  code: z.string().describe('Mã hồ sơ trên hệ thống một cửa'),
  nationalCode: z.string().describe('MaHoSo trên Cổng DVC quốc gia'),
  status: z.string(), dueDate: z.string(), dueAt: z.string(),
  links: z.object({ self: z.string(), staff: z.string() }),
});

export const nationalPortalRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Encapsulated: only this plugin's routes see JSON as a Buffer; every other route keeps fastify's JSON parser.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

  app.post('/api/national-portal/dossiers', {
    config: { rateLimit: PUSH_RATE_LIMIT },
    bodyLimit: MAX_BODY_BYTES,
    schema: {
      tags: ['national-portal'], summary: 'Cổng DVC quốc gia đẩy hồ sơ công dân đã nộp trên Cổng sang hệ thống một cửa',
      description: 'Thân yêu cầu JSON (application/json) với tên trường của Cổng: MaHoSo, MaTTHC, NgayNopHoSo (yyyyMMddHHmmss), ChuHoSo, '
        + 'SoGiayToChuHoSo, Email, SoDienThoai, DiaChi, TrichYeuHoSo, MaDoiTuong, DinhDanhCHS[{LoaiDinhDanh, SoDinhDanh}], '
        + 'TaiKhoanDuocXacThucVoiVNeID ("0"/"1"), loAs, DuLieuBieuMau (đối tượng theo tên trường biểu mẫu của `GET /api/procedures/{id}`), '
        + 'TaiLieuNop[{MaThanhPhanHoSo (khóa giấy tờ), TenTepDinhKem, DuongDanTaiTepTin (URL trên Cổng), sha256?}]. '
        + 'Xác thực: tiêu đề x-portal-timestamp (giây Unix) và x-portal-signature = HMAC-SHA256(secret, "{timestamp}.POST {đường dẫn}.{thân yêu cầu}") hex; '
        + 'thiếu, lệch quá 5 phút hoặc sai: 401 NATIONAL_SIGNATURE_INVALID. Chưa cấu hình liên thông: 404 NATIONAL_PORTAL_DISABLED. '
        + 'Cùng MaHoSo và cùng nội dung: 200 với hồ sơ đã tạo; khác nội dung: 409 NATIONAL_CODE_CONFLICT. MaTTHC không có: 422 NATIONAL_PROCEDURE_UNKNOWN; '
        + 'thủ tục tạm ngừng: 422 PROCEDURE_DISABLED; dữ liệu, giấy tờ sai: 400 BAD_REQUEST (JSON hỏng), 422 VALIDATION_FAILED kèm `fields`, 413, 415. '
        + 'Tệp ngoài địa chỉ của Cổng: 422 NATIONAL_ATTACHMENT_REFUSED; không tải được tệp từ Cổng: 424 NATIONAL_ATTACHMENT_UNAVAILABLE, '
        + 'không có gì được lưu, Cổng gửi lại sau. Mọi lần nhận đều được ghi nhật ký liên thông.',
      response: {
        200: received.describe('Đã nhận trước đó (gửi lại cùng nội dung)'), 201: received,
        400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse,
        422: errorResponse, 424: errorResponse, 429: errorResponse,
      },
    },
  }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Gửi hồ sơ dạng application/json.');
    const { replayed, ...dossier } = await receiveNationalDossier(ctx, {
      method: request.method, url: request.url, headers: request.headers, body: request.body, ip: request.ip,
    });
    return reply.status(replayed ? 200 : 201).send(dossier);
  });
};
