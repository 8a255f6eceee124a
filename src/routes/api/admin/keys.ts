// /api/admin: Signing keys and signature/seal images of any account or unit, with expiry (services/keys/).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { readMultipart, type MultipartBody } from '../../../plugins/multipart.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import { appearancePreview, deactivateSigningKey, listSigningKeys } from '../../../services/keys/manage-keys.js';
import { MAX_APPEARANCE_BYTES } from '../../../services/keys/appearance-image.js';
import { registerAppearance, registerSigningKey } from '../../../services/keys/register-key.js';
import { AppError } from '../../../errors.js';
import { errorResponse } from '../error-response.js';

const owner = z.object({
  kind: z.enum(['staff', 'unit']), ref: z.string().describe('`staff:<username>` hoặc `unit:<mã đơn vị>`'), id: z.string(), name: z.string(),
  title: z.string().nullable(),
});
const status = z.enum(['active', 'expiring', 'expired', 'not_yet_valid', 'inactive']);
const key = z.object({
  id: z.string(), owner, commonName: z.string().nullable(), organisation: z.string().nullable(), issuer: z.string(), serial: z.string(),
  notBefore: z.string(), notAfter: z.string(), daysLeft: z.number().int(), status, active: z.boolean(),
  mode: z.enum(['server', 'pin', 'external', 'remote']), pinProtected: z.boolean(), pinLockedUntil: z.string().nullable(), hasAppearance: z.boolean(),
  createdAt: z.string(),
});
const choice = z.object({ owner, hasKey: z.boolean(), hasAppearance: z.boolean(), label: z.string() });

/**
 * A key file (with a certificate and its chain as files, for external signing) or an image: a few small files. The
 * page forms (/quan-tri/khoa-ky-so) read their uploads with the same limits.
 */
export const KEY_UPLOAD_LIMITS = { fileSize: 1024 * 1024, files: 3 } as const;

async function multipartOf(request: FastifyRequest, reply: FastifyReply): Promise<MultipartBody> {
  administratorOf(request.caller); // 401/403 before reading (and holding) anyone's upload
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
  return readMultipart(request, { limits: KEY_UPLOAD_LIMITS, reply });
}

const fileOf = (body: MultipartBody, name: string) => body.files.find((f) => f.fieldName === name)?.data;

export const adminKeyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/keys', {
    schema: {
      tags: ['admin'], summary: 'Mọi khóa ký số (cán bộ và con dấu đơn vị), hạn chứng thư, và những người/đơn vị ký chưa có khóa',
      description: '`status`: active | expiring (còn ≤ `warningDays` ngày) | expired | not_yet_valid | inactive (đã thu hồi hoặc đã thay bằng khóa mới). '
        + '`withoutKey`: lãnh đạo (vai trò leader) và đơn vị đóng dấu kết quả (Ban Giám đốc, văn phòng trường) chưa có khóa đang dùng.',
      response: {
        200: z.object({
          items: z.array(key), withoutKey: z.array(z.object({ owner, unitName: z.string() })),
          signers: z.object({ staff: z.array(choice), units: z.array(choice) }), warningDays: z.number().int(),
        }),
        401: errorResponse, 403: errorResponse,
      },
    },
  }, async (request) => listSigningKeys(ctx, request.caller));

  app.post('/api/admin/keys', {
    schema: {
      tags: ['admin'], summary: 'Nạp khóa ký số (PKCS#12) cho cán bộ hoặc đơn vị; thay khóa đang dùng của chủ sở hữu',
      description: 'multipart/form-data: `staff` (tên đăng nhập) hoặc `unit` (mã đơn vị); `pkcs12` (.p12/.pfx) + `password` (+ `pin` 6–12 chữ số, '
        + 'chỉ cho cán bộ); hoặc `certificate` (+ `chain`) PEM cho ký ngoài. Chứng thư đã hết hạn → 422 CERTIFICATE_EXPIRED; chưa đến ngày hiệu lực → '
        + '422 CERTIFICATE_NOT_YET_VALID; sai mật khẩu tệp → 422 VALIDATION_FAILED (`fields.pkcs12`). Còn ≤ 30 ngày: nhận, kèm `warning`. '
        + 'Ký số từ xa: `staff` + `remoteHolderId` (số CCCD 12 chữ số của người ký tại nhà cung cấp), không kèm tệp: chứng thư lấy từ nhà cung cấp '
        + '(`mode` = remote); nhà cung cấp không có chứng thư → 422 REMOTE_HOLDER_NOT_FOUND; không phản hồi → 503 REMOTE_SIGNING_UNAVAILABLE; '
        + 'máy chủ chưa cấu hình → 503 REMOTE_SIGNING_NOT_CONFIGURED.',
      consumes: ['multipart/form-data'],
      response: {
        201: z.object({
          keyId: z.string(), mode: z.enum(['server', 'pin', 'external', 'remote']), owner: z.string(), subject: z.string(), commonName: z.string().nullable(),
          serial: z.string(), notBefore: z.string(), notAfter: z.string(), daysLeft: z.number().int(), status, warning: z.string().optional(),
        }),
        401: errorResponse, 403: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse, 502: errorResponse, 503: errorResponse,
      },
    },
  }, async (request, reply) => {
    const body = await multipartOf(request, reply);
    const text = (name: string) => body.fields[name] ?? fileOf(body, name)?.toString('utf8');
    return reply.status(201).send(await registerSigningKey(ctx, request.caller, {
      staff: body.fields.staff || undefined, unit: body.fields.unit || undefined, pkcs12: fileOf(body, 'pkcs12'),
      password: body.fields.password, pin: body.fields.pin || undefined, certificate: text('certificate'), chain: text('chain'),
      remoteHolderId: body.fields.remoteHolderId?.trim() || undefined,
    }));
  });

  app.post('/api/admin/keys/:id/deactivate', {
    schema: {
      tags: ['admin'], summary: 'Thu hồi khóa ký số: khóa thôi ký ngay; văn bản cần khóa này chờ đến khi có khóa mới',
      params: z.object({ id: z.string().uuid() }),
      response: { 200: key, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse },
    },
  }, async (request) => deactivateSigningKey(ctx, request.caller, request.params.id));

  app.post('/api/admin/appearances', {
    schema: {
      tags: ['admin'], summary: 'Nạp ảnh chữ ký của cán bộ hoặc ảnh con dấu của đơn vị',
      description: `multipart/form-data: \`staff\` hoặc \`unit\`, và \`image\` (PNG nền trong suốt hoặc JPEG, ≤ ${MAX_APPEARANCE_BYTES / 1024} KB, `
        + 'tối đa 2000 × 2000 điểm ảnh). Thay ảnh cũ của chủ sở hữu.',
      consumes: ['multipart/form-data'],
      response: {
        201: z.object({ owner: z.enum(['staff', 'unit']), ref: z.string(), type: z.enum(['image/png', 'image/jpeg']), sizeBytes: z.number().int() }),
        401: errorResponse, 403: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse,
      },
    },
  }, async (request, reply) => {
    const body = await multipartOf(request, reply);
    return reply.status(201).send(await registerAppearance(ctx, request.caller, {
      staff: body.fields.staff || undefined, unit: body.fields.unit || undefined, image: fileOf(body, 'image'),
    }));
  });

  app.get('/api/admin/appearances/:owner/image', {
    schema: {
      tags: ['admin'], summary: 'Xem ảnh chữ ký/con dấu đã nạp',
      description: 'Trả về tệp PNG hoặc JPEG; 404 khi chưa có ảnh.',
      params: z.object({ owner: z.string().min(3).max(200).describe('`staff:<tên đăng nhập>` hoặc `unit:<mã đơn vị>`') }),
    },
  }, async (request, reply) => {
    const { image, type } = await appearancePreview(ctx, request.caller, request.params.owner);
    return reply.type(type).header('cache-control', 'no-store').send(image);
  });
};
