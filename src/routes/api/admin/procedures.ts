// /api/admin: Procedures: enable/disable, versions with dossier counts, upload a workflow file.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { readMultipart } from '../../../plugins/multipart.js';
import { requireStaff } from '../../../plugins/caller.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import {
  listProcedureAdministration, MAX_WORKFLOW_FILE_BYTES, procedureVersionSource, setProcedureEnabled, uploadWorkflow,
} from '../../../services/administration/procedures.js';
import { errorResponse } from '../error-response.js';

/** One workflow file, within the service's size bound; the page form (/quan-tri/thu-tuc) reads with the same limits. */
export const WORKFLOW_UPLOAD_LIMITS = { fileSize: MAX_WORKFLOW_FILE_BYTES, files: 1 } as const;

const tags = ['admin'];
const errors = { 401: errorResponse, 403: errorResponse };

const versionView = z.object({
  version: z.number().int(), hash: z.string(),
  source: z.enum(['file', 'upload']).describe('file: đọc từ thư mục workflows/ khi khởi động; upload: quản trị viên nạp lên'),
  uploadedBy: z.string().nullable().describe('Tên đăng nhập của người nạp'),
  createdAt: z.string(), dossiers: z.number().int(), openDossiers: z.number().int().describe('Hồ sơ chưa kết thúc'),
  current: z.boolean().describe('Phiên bản hồ sơ mới được nộp theo'),
});
const procedureView = z.object({
  id: z.string(), title: z.string(), enabled: z.boolean(), currentVersion: z.number().int(), versions: z.array(versionView),
});
const uploadOutcome = z.object({
  procedureId: z.string(), version: z.number().int(), changed: z.boolean(), current: z.boolean(), newProcedure: z.boolean(),
});
const procedureParams = z.object({ id: z.string().min(1).max(64) });

export const adminProcedureRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/procedures', {
    schema: {
      tags, summary: 'Các thủ tục: bật/tắt, phiên bản hiện hành, mọi phiên bản với số hồ sơ (tổng, chưa kết thúc)',
      response: { 200: z.object({ items: z.array(procedureView) }), ...errors },
    },
  }, async (request) => {
    requireStaff(request);
    return { items: await listProcedureAdministration(ctx, request.caller) };
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(`/api/admin/procedures/:id/${verb}`, {
      schema: {
        tags, params: procedureParams,
        summary: enabled ? 'Bật thủ tục: nhận hồ sơ mới' : 'Tắt thủ tục: ngừng nhận hồ sơ mới (hồ sơ đã nộp vẫn được xử lý)',
        response: { 200: z.object({ id: z.string(), enabled: z.boolean() }), 404: errorResponse, ...errors },
      },
    }, async (request) => {
      requireStaff(request);
      return setProcedureEnabled(ctx, request.caller, request.params.id, enabled);
    });
  }

  app.post('/api/admin/procedures', {
    schema: {
      tags, summary: 'Nạp tệp quy trình (YAML): kiểm tra như khi khởi động, lưu thành phiên bản mới',
      description: `multipart/form-data, phần \`file\` (.yaml/.yml, tối đa ${MAX_WORKFLOW_FILE_BYTES / 1024} KB). Mã thủ tục trong tệp là thủ tục đã có `
        + '(phiên bản mới) hoặc thủ tục mới. 201: phiên bản mới, hồ sơ nộp sau đó theo phiên bản này; 200 với `changed: false`: nội dung trùng '
        + 'một phiên bản đã có, không lưu gì. 422 WORKFLOW_INVALID: `fields` theo "tệp.yaml:đường.dẫn.trong.tệp" với lỗi như khi khởi động; không lưu gì.',
      consumes: ['multipart/form-data'],
      response: { 200: uploadOutcome, 201: uploadOutcome, 413: errorResponse, 415: errorResponse, 422: errorResponse, ...errors },
    },
  }, async (request, reply) => {
    requireStaff(request);
    administratorOf(request.caller); // before reading the upload
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Gửi tệp quy trình trong phần `file` của multipart/form-data.');
    const body = await readMultipart(request, { limits: WORKFLOW_UPLOAD_LIMITS, reply });
    const file = body.files.find((f) => f.fieldName === 'file' && f.data.length > 0);
    if (!file) throw new AppError('VALIDATION_FAILED', 'Chưa chọn tệp quy trình.', { file: 'Chọn tệp .yaml.' });
    const outcome = await uploadWorkflow(ctx, request.caller, { fileName: file.fileName, data: file.data });
    return reply.status(outcome.changed ? 201 : 200).send(outcome);
  });

  app.get('/api/admin/procedures/:id/versions/:version/source', {
    schema: {
      tags, summary: 'Tệp quy trình (YAML) của một phiên bản: tệp đã nạp, hoặc định nghĩa đã lưu viết lại dạng YAML',
      description: 'application/yaml, tải về như tệp. 404 khi không có phiên bản này.',
      params: procedureParams.extend({ version: z.coerce.number().int().positive().max(1_000_000) }),
    },
  }, async (request, reply) => {
    requireStaff(request);
    const source = await procedureVersionSource(ctx, request.caller, request.params.id, request.params.version);
    return reply.type('application/yaml; charset=utf-8').header('content-disposition', `attachment; filename="${source.fileName}"`)
      .header('cache-control', 'private, no-store').send(source.text);
  });
};
