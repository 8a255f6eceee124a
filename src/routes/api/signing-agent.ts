// The local signing agent's hand-off (USB token, VGCA Sign Service style): the official's page starts a session;
// the agent, which has no session of its own, downloads and uploads with the one-time tokens in the URLs. The token
// routes take a raw application/pdf body (or a multipart part `file`), bounded, and are rate-limited per address.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import {
  AGENT_SESSION_TTL_MS, completeAgentSigning, downloadAgentDocument, MAX_AGENT_UPLOAD_BYTES, startAgentSigning,
} from '../../services/results/agent-signing.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });
const tokenParams = z.object({ token: z.string().max(64) });
const moved = z.object({ code: z.string(), status: z.string(), version: z.number() });
/** An agent signs one document at a time; this only keeps a token-guessing client busy for nothing. */
const TOKEN_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

export const signingAgentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  // The signed PDF as the request body, bounded here (the app-wide JSON limit is 1 MB).
  for (const type of ['application/pdf', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_AGENT_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
  }

  app.post('/api/dossiers/:code/signatures/agent', {
    schema: {
      tags: ['signing'], summary: 'Ký bằng USB token qua phần mềm ký trên máy cán bộ: bắt đầu phiên',
      description: 'Chỉ người ký mà văn bản đang chờ (khóa đăng ký dạng chứng thư, ký ngoài). Trả về hai đường dẫn dùng một lần cho phần mềm ký: '
        + '`downloadUrl` (GET, tệp PDF cần ký) và `uploadUrl` (PUT/POST, toàn bộ tệp đã ký). '
        + `Phiên hết hạn sau ${AGENT_SESSION_TTL_MS / 60_000} phút.`,
      params: z.object({ code: z.string().min(1).max(64) }),
      response: {
        201: z.object({ sessionId: z.string(), downloadUrl: z.string(), uploadUrl: z.string(), expiresAt: z.string() }),
        401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse,
      },
    },
  }, async (request, reply) => reply.status(201).send(await startAgentSigning(ctx, request.params.code, request.caller)));

  app.get('/api/signing-agent/:token/document', {
    config: { rateLimit: TOKEN_RATE_LIMIT },
    schema: {
      tags: ['signing'], summary: 'Phần mềm ký: tải văn bản cần ký (một lần)',
      description: 'Không cần đăng nhập: mã trong đường dẫn là quyền tải. Lần tải thứ hai: 410 SIGNING_DOCUMENT_DOWNLOADED; '
        + 'hết hạn: 410 SIGNING_TOKEN_EXPIRED; mã không đúng: 404 SIGNING_TOKEN_INVALID.',
      params: tokenParams,
    },
  }, async (request, reply) => {
    const pdf = await downloadAgentDocument(ctx, request.params.token);
    return reply.header('content-type', 'application/pdf').header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="van-ban-can-ky.pdf"').send(pdf);
  });

  const upload = {
    config: { rateLimit: TOKEN_RATE_LIMIT },
    bodyLimit: MAX_AGENT_UPLOAD_BYTES,
    schema: {
      tags: ['signing'], summary: 'Phần mềm ký: gửi lên toàn bộ tệp đã ký (một lần)',
      description: 'Thân yêu cầu: tệp PDF đã ký (application/pdf), hoặc multipart/form-data phần `file`. Tệp phải đúng từng byte tệp đã tải về '
        + 'cộng MỘT lần cập nhật tăng dần thêm đúng một chữ ký số của người ký (chứng thư đã đăng ký), bao trùm toàn bộ tệp, không sửa gì khác. '
        + 'Từ chối (422): SIGNED_FILE_MODIFIED, SIGNATURE_COUNT_INVALID, SIGNATURE_COVERAGE_INVALID, SIGNATURE_INVALID, CERTIFICATE_MISMATCH, '
        + 'SIGNED_FILE_EXTRA_CHANGES, SIGNED_FILE_UNREADABLE — mỗi lần từ chối đều được ghi nhật ký và phiên ký bị đóng. '
        + `Đã dùng: 409 SIGNING_TOKEN_USED; hết hạn: 410 SIGNING_TOKEN_EXPIRED; mã không đúng: 404 SIGNING_TOKEN_INVALID; quá ${MAX_AGENT_UPLOAD_BYTES / 1024 / 1024} MB: 413.`,
      params: tokenParams,
      response: { 200: moved, 404: errorResponse, 409: errorResponse, 410: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse },
    },
  } as const;
  const receive = async (request: FastifyRequest, reply: FastifyReply, token: string) => {
    let body: Buffer | undefined;
    if (request.isMultipart()) {
      const form = await readMultipart(request, { limits: { fileSize: MAX_AGENT_UPLOAD_BYTES, files: 1 }, reply });
      body = form.files.find((f) => f.fieldName === 'file')?.data;
    } else if (Buffer.isBuffer(request.body)) {
      body = request.body;
    } else {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Gửi tệp đã ký dạng application/pdf hoặc multipart/form-data (phần "file").');
    }
    if (!body || body.length === 0) throw new AppError('VALIDATION_FAILED', 'Thiếu tệp đã ký.', { file: 'Bắt buộc.' });
    return completeAgentSigning(ctx, token, body, request.ip);
  };
  app.put('/api/signing-agent/:token/signed', upload, (request, reply) => receive(request, reply, request.params.token));
  app.post('/api/signing-agent/:token/signed', upload, (request, reply) => receive(request, reply, request.params.token));
};
