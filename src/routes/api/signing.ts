import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { batchSign, MAX_BATCH, pendingSignatures, signWithPin } from '../../services/results/batch-sign.js';
import { completeExternalSignature, prepareExternalSignature } from '../../services/results/external-signing.js';
import { registerAppearance, registerSigningKey } from '../../services/keys/register-key.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });
const codeParams = z.object({ code: z.string().min(1).max(64) });
const moved = z.object({ code: z.string(), status: z.string(), version: z.number() });
const pin = z.string().min(4).max(12);

export const signingRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/signatures/pending', {
    schema: {
      tags: ['signing'], summary: 'Văn bản kết quả đang chờ chữ ký của người gọi (mã PIN hoặc thiết bị ký)',
      response: { 200: z.object({ items: z.array(z.object({ code: z.string(), waitingFor: z.string() })) }) },
    },
  }, async (request) => ({ items: await pendingSignatures(ctx, request.caller) }));

  app.post('/api/dossiers/:code/signatures/prepare', {
    schema: {
      tags: ['signing'], summary: 'Ký ngoài (USB token, ký số từ xa): chuẩn bị',
      description: 'Cố định văn bản (thêm trường chữ ký, /ByteRange) và trả về dữ liệu cần ký: `signedAttributes` (DER, base64) '
        + 'và `digest` (SHA-256 của signedAttributes, base64), kèm chứng thư số phải dùng. Hết hạn sau `expiresAt`.',
      params: codeParams,
      response: {
        201: z.object({
          preparationId: z.string(), expiresAt: z.string(), signedAttributes: z.string(), digest: z.string(),
          digestAlgorithm: z.literal('SHA-256'), certificate: z.string(),
        }),
        403: errorResponse, 404: errorResponse, 409: errorResponse,
      },
    },
  }, async (request, reply) => reply.status(201).send(await prepareExternalSignature(ctx, request.params.code, request.caller)));

  app.post('/api/dossiers/:code/signatures/:preparationId/complete', {
    schema: {
      tags: ['signing'], summary: 'Ký ngoài: hoàn tất',
      description: '`signature`: chữ ký thô (base64; RSA PKCS#1 v1.5 hoặc ECDSA với SHA-256) trên signedAttributes; `certificate`: chứng thư của người ký (PEM). '
        + 'Sai chứng thư → 422 CERTIFICATE_MISMATCH; chữ ký không khớp → 422 SIGNATURE_INVALID; hết hạn → 410; đã dùng → 409.',
      params: codeParams.extend({ preparationId: z.string().max(64) }),
      body: z.object({ signature: z.string().min(1).max(8192), certificate: z.string().min(1).max(65536) }),
      response: { 200: moved, 404: errorResponse, 409: errorResponse, 410: errorResponse, 422: errorResponse },
    },
  }, async (request) => completeExternalSignature(ctx, request.params.code, request.caller, { preparationId: request.params.preparationId, ...request.body }));

  app.post('/api/dossiers/:code/signatures/sign', {
    schema: {
      tags: ['signing'], summary: 'Ký bằng khóa lưu trên máy chủ, mở bằng mã PIN của người ký',
      description: 'Sai mã PIN: 422 SIGNING_PIN_INVALID; từ lần sai thứ 5, khóa ký số bị tạm khóa (1 phút, tăng gấp đôi mỗi lần sai tiếp, tối đa 1 giờ): '
        + 'trong thời gian đó trả 423 SIGNING_PIN_LOCKED kèm Retry-After, không kiểm tra mã PIN.',
      params: codeParams, body: z.object({ pin }),
      response: { 200: moved, 403: errorResponse, 409: errorResponse, 422: errorResponse, 423: errorResponse },
    },
  }, async (request) => signWithPin(ctx, request.params.code, request.caller, request.body.pin));

  app.post('/api/signatures/batch', {
    schema: {
      tags: ['signing'], summary: 'Ký hàng loạt các văn bản kết quả đã phê duyệt',
      description: 'Mỗi hồ sơ được ký và chuyển bước độc lập; hồ sơ lỗi được báo riêng, không dừng các hồ sơ khác. '
        + 'Mã PIN sai: 422 SIGNING_PIN_INVALID, không ký hồ sơ nào; khóa đang tạm khóa vì sai nhiều lần: 423 SIGNING_PIN_LOCKED.',
      body: z.object({ codes: z.array(z.string().min(1).max(64)).min(1).max(MAX_BATCH), pin }),
      response: {
        200: z.object({
          signed: z.number(), failed: z.number(),
          results: z.array(z.object({
            code: z.string(), ok: z.boolean(), status: z.string().optional(), version: z.number().optional(),
            error: z.object({ code: z.string(), message: z.string() }).optional(),
          })),
        }),
        422: errorResponse,
        423: errorResponse,
      },
    },
  }, async (request) => batchSign(ctx, request.caller, request.body));

  app.post('/api/signing-keys', {
    schema: {
      tags: ['signing'], summary: 'Quản trị: đăng ký khóa ký số cho cán bộ hoặc đơn vị (con dấu)',
      description: 'multipart/form-data: `staff` (tên đăng nhập) hoặc `unit` (mã đơn vị); `pkcs12` (tệp .p12) + `password` (+ `pin` tùy chọn, '
        + 'từ 6 đến 12 chữ số; khi có thì khóa chỉ mở được bằng PIN của chủ sở hữu); hoặc `certificate` (+ `chain`) dạng PEM cho ký ngoài (USB token).',
      consumes: ['multipart/form-data'],
      response: { 201: z.object({ keyId: z.string(), mode: z.string(), subject: z.string(), notAfter: z.string() }), 403: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
    const body = await readMultipart(request);
    const file = (name: string) => body.files.find((f) => f.fieldName === name)?.data;
    const text = (name: string) => body.fields[name] ?? file(name)?.toString('utf8');
    return reply.status(201).send(await registerSigningKey(ctx, request.caller, {
      staff: body.fields.staff, unit: body.fields.unit, pkcs12: file('pkcs12'), password: body.fields.password, pin: body.fields.pin,
      certificate: text('certificate'), chain: text('chain'),
    }));
  });

  app.post('/api/signing-appearances', {
    schema: {
      tags: ['signing'], summary: 'Quản trị: ảnh chữ ký của cán bộ hoặc ảnh con dấu của đơn vị (PNG nền trong suốt)',
      description: 'multipart/form-data: `staff` hoặc `unit`, và `image` (PNG ≤ 512 KB). Hiển thị trong chữ ký số trên văn bản (Nghị định 30/2020).',
      consumes: ['multipart/form-data'],
      response: { 201: z.object({ owner: z.string(), sizeBytes: z.number() }), 403: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
    const body = await readMultipart(request);
    return reply.status(201).send(await registerAppearance(ctx, request.caller, {
      staff: body.fields.staff, unit: body.fields.unit, image: body.files.find((f) => f.fieldName === 'image')?.data,
    }));
  });
};
