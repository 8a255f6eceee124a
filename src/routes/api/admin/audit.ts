// /api/admin: The audit log: filter and export.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import { AUDIT_PAGE_SIZE, exportAuditLog, listAuditLog, MAX_EXPORT_DAYS } from '../../../services/administration/audit-log.js';
import { errorResponse } from '../error-response.js';


export const auditQuery = z.object({
  from: z.string().max(10).optional().describe('Từ ngày (yyyy-mm-dd, giờ Việt Nam)'),
  to: z.string().max(10).optional().describe('Đến hết ngày (yyyy-mm-dd)'),
  actor: z.string().max(64).optional().describe('Tên đăng nhập của người thực hiện'),
  action: z.string().max(64).optional().describe('Một thao tác ("dossier.approve") hoặc một nhóm kết thúc bằng dấu chấm ("staff.")'),
  dossier: z.string().max(64).optional().describe('Mã hồ sơ (hoặc đối tượng khác: tên đăng nhập, mã thủ tục)'),
  before: z.coerce.number().int().positive().max(2 ** 53).optional().describe('`next` của trang trước'),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_SIZE.max).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

const auditItem = z.object({
  id: z.number().int(), at: z.string(), actor: z.string(), actorKind: z.enum(['staff', 'citizen', 'system', 'anonymous']),
  action: z.string(), actionLabel: z.string(), target: z.string().nullable(), ip: z.string().nullable(), details: z.record(z.string(), z.unknown()),
});

export const adminAuditRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/audit', {
    schema: {
      tags: ['admin'], summary: 'Nhật ký hệ thống (chỉ ghi thêm): lọc, phân trang, xuất CSV',
      description: `Mới nhất trước; \`next\` (hoặc null) là \`before\` của trang sau. \`format=csv\`: tệp CSV UTF-8 có BOM, tối đa ${MAX_EXPORT_DAYS} ngày `
        + '(không có `from`: 30 ngày gần nhất), mọi dòng khớp bộ lọc; việc xuất được ghi vào nhật ký (export.audit_log). 422 khi điều kiện lọc sai '
        + '(ngày, tài khoản không tồn tại, thao tác).',
      querystring: auditQuery,
      response: {
        200: z.object({ items: z.array(auditItem), next: z.number().int().nullable() }).describe('JSON; với format=csv là tệp text/csv'),
        401: errorResponse, 403: errorResponse, 422: errorResponse,
      },
    },
  }, async (request, reply) => {
    requireStaff(request);
    const { format, ...query } = request.query;
    if (format === 'json') return listAuditLog(ctx, request.caller, query);
    const csv = await exportAuditLog(ctx, request.caller, query);
    // A stream is sent as it is (never through the JSON schema above), written as the log is read page by page.
    const file: FastifyReply = reply;
    return file.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.fileName}"`)
      .header('cache-control', 'private, no-store').send(Readable.from(csv.lines));
  });
};
