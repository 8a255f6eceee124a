// /api/admin: document kinds (name, type abbreviation, register) and the agencies' document registers (Decree 30).
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import { changeKind, documentKindChanges, documentKindView, listKinds } from '../../../services/numbering/document-kinds.js';
import {
  exportRegister, REGISTER_PAGE_SIZE, registerPage, registerPageView, registerQuery,
} from '../../../services/numbering/document-register.js';
import { errorResponse } from '../error-response.js';

const tags = ['admin'];

export const adminDocumentRegisterRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/document-kinds', {
    schema: {
      tags, summary: 'Loại văn bản: tên, chữ viết tắt trong ký hiệu, sổ đăng ký',
      response: { 200: z.object({ items: z.array(documentKindView) }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return { items: await listKinds(ctx, request.caller) };
  });

  app.patch('/api/admin/document-kinds/:key', {
    schema: {
      tags, summary: 'Sửa loại văn bản (áp dụng cho số cấp sau; số đã cấp giữ ký hiệu của nó)',
      description: '`abbreviation`: 1–16 chữ cái (cả chữ tiếng Việt như Đ) hoặc chữ số, được viết hoa; không dấu cách, "/" hay "-". '
        + '`register`: `outgoing` (sổ văn bản đi) hoặc `copies` (sổ cấp bản sao). 404 `DOCUMENT_KIND_NOT_FOUND`.',
      params: z.object({ key: z.string().max(64) }),
      body: documentKindChanges,
      response: { 200: documentKindView, 401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return changeKind(ctx, request.caller, request.params.key, request.body);
  });

  app.get('/api/admin/document-register', {
    schema: {
      tags, summary: 'Sổ đăng ký văn bản đi / sổ cấp bản sao của một cơ quan trong một năm: xem theo trang, xuất CSV hoặc XLSX',
      description: 'Theo thứ tự số; `next` (hoặc null) là `after` của trang sau (mặc định '
        + `${REGISTER_PAGE_SIZE.default} dòng, tối đa ${REGISTER_PAGE_SIZE.max}). Trạng thái: Đang ký (số đã cấp, văn bản chưa ban hành), `
        + 'Đã ban hành, Hủy số. `format=csv` (UTF-8 có BOM) hoặc `xlsx`: cả sổ của năm, theo mẫu Phụ lục III Nghị định 30/2020; '
        + 'việc xuất được ghi vào nhật ký (export.document_register). 404 `AGENCY_NOT_FOUND`; 422 khi tham số sai.',
      querystring: registerQuery,
      response: {
        200: registerPageView.describe('JSON; với format=csv/xlsx là tệp'),
        401: errorResponse, 403: errorResponse, 404: errorResponse, 422: errorResponse,
      },
    },
  }, async (request, reply) => {
    requireStaff(request);
    const { format } = request.query;
    if (format === 'json') return registerPage(ctx, request.caller, request.query);
    const file = await exportRegister(ctx, request.caller, { ...request.query, format });
    // A stream is sent as it is (never through the JSON schema above), written as the register is read.
    const raw: FastifyReply = reply;
    return raw.type(file.contentType).header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'private, no-store').send(file.body);
  });
};
