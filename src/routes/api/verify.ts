import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { MAX_VERIFY_BYTES, VERIFY_RETRY_AFTER_SECONDS, VERIFY_UPLOAD_LIMITS, verifyDocument } from '../../services/results/verify-document.js';
import { MAX_SIGNATURES } from '../../signing/verify-pdf.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });

export const verificationResponse = z.object({
  valid: z.boolean().describe('true chỉ khi tệp đúng là văn bản kết quả do hệ thống cấp, không bị sửa, mọi chữ ký hợp lệ'),
  intact: z.boolean().describe('mọi chữ ký đúng về mật mã và chữ ký cuối bao trùm toàn bộ tệp (hoặc sau nó chỉ có dữ liệu kiểm tra dài hạn — DSS)'),
  signatures: z.array(z.object({
    signer: z.string().nullable(), organisation: z.string().nullable(), signedAt: z.string().nullable(),
    valid: z.boolean(), coversWholeDocument: z.boolean(), timestampedAt: z.string().nullable(),
    revocation: z.enum(['good', 'revoked', 'unknown'])
      .describe('trạng thái thu hồi của chứng thư người ký tại thời điểm ký, theo OCSP/CRL lưu trong văn bản (DSS); revoked: chữ ký không hợp lệ'),
    revocationSource: z.enum(['ocsp', 'crl']).nullable(),
  })),
  dossierCode: z.string().nullable(),
  reasons: z.array(z.string()).describe('lý do khi không hợp lệ (tiếng Việt)'),
});

export const verifyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/verify', {
    schema: {
      tags: ['verify'], summary: 'Kiểm tra chữ ký số của văn bản kết quả (ai cũng dùng được)',
      description: 'multipart/form-data, phần `file` là tệp PDF. Kiểm tra từng chữ ký (băm, chữ ký CMS, chuỗi chứng thư tới CA tin cậy, '
        + `phạm vi ký) và đối chiếu tệp với hồ sơ đã cấp. Giới hạn: một tệp, tối đa ${MAX_VERIFY_BYTES / 1024 / 1024} MB (413 FILE_TOO_LARGE, `
        + `từ chối ngay khi vượt), tối đa ${MAX_SIGNATURES} chữ ký (422 TOO_MANY_SIGNATURES); 503 SERVICE_UNAVAILABLE (đang bận) hoặc `
        + 'VERIFICATION_TIMEOUT (quá thời gian) kèm Retry-After.',
      consumes: ['multipart/form-data'],
      response: { 200: verificationResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse, 503: errorResponse },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
    // One file, refused while it streams once it passes the verifier's limit (tighter than the app-wide upload limits).
    const body = await readMultipart(request, { limits: VERIFY_UPLOAD_LIMITS, reply });
    const file = body.files.find((f) => f.fieldName === 'file');
    if (!file) throw new AppError('VALIDATION_FAILED', 'Thiếu tệp cần kiểm tra.', { file: 'Bắt buộc.' });
    try {
      return await verifyDocument(ctx, file.data, { handOver: true });
    } catch (error) {
      // Busy or out of time: worth retrying shortly (the error handler keeps headers already set).
      if (error instanceof AppError && error.statusCode === 503) reply.header('retry-after', String(VERIFY_RETRY_AFTER_SECONDS));
      throw error;
    }
  });
};
