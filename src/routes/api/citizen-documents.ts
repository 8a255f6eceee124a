// The citizen's e-document store (services/citizens/document-store.ts): the desk digitises a scan for a person
// (POST /api/citizen-documents) or removes a digitised one (DELETE /api/citizen-documents/:id), a signed-in citizen lists and downloads their own and their children's documents
// (GET /api/me/documents, GET /api/me/documents/:id/file).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { deskStaff, digitiseDocument, myDocumentFile, myDocuments, removeStoredDocument } from '../../services/citizens/document-store.js';
import { sendDownload } from '../pages/downloads.js';
import { errorResponse } from './error-response.js';


const storedDocument = z.object({
  id: z.string(), kind: z.enum(['result', 'digitised']), kindLabel: z.string(), title: z.string(), fileName: z.string(),
  mimeType: z.string(), sizeBytes: z.number(), sha256: z.string(), createdAt: z.string(),
  owner: z.object({ personalId: z.string(), name: z.string(), relation: z.enum(['self', 'child']) }),
  fileUrl: z.string(),
});

export const citizenDocumentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/citizen-documents', {
    schema: {
      tags: ['citizens'], summary: 'Số hóa giấy tờ vào kho dữ liệu của công dân (Bộ phận Một cửa)',
      description: 'multipart/form-data: `ownerPersonalId` (số định danh cá nhân, 12 chữ số), `title` (tên giấy tờ), `file` (PDF, JPEG hoặc PNG, tối đa 10 MB).',
      consumes: ['multipart/form-data'],
      response: { 201: storedDocument.omit({ owner: true }), 401: errorResponse, 403: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse },
    },
  }, async (request, reply) => {
    // The caller is checked first: nobody but the desk gets as far as reading an upload.
    await deskStaff(ctx.db, request.caller);
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
    const { owner: _owner, ...stored } = await digitiseDocument(ctx, request.caller, await readMultipart(request));
    return reply.status(201).send(stored);
  });

  app.delete('/api/citizen-documents/:id', {
    schema: {
      tags: ['citizens'], summary: 'Gỡ giấy tờ đã số hóa khỏi kho dữ liệu của công dân (Bộ phận Một cửa)',
      description: 'Chỉ giấy tờ số hóa (`kind: digitised`); kết quả giải quyết 409 DOCUMENT_NOT_REMOVABLE. Giấy tờ số hóa từ một hồ sơ: cần quyền xử lý hồ sơ đó. '
        + 'Tệp đã lưu không bị xóa (hồ sơ vẫn dùng). Ghi nhật ký `citizen_document.removed`.',
      params: z.object({ id: z.string().max(64) }),
      response: { 204: z.null(), 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse },
    },
  }, async (request, reply) => {
    await removeStoredDocument(ctx, request.caller, request.params.id);
    return reply.status(204).send(null);
  });

  app.get('/api/me/documents', {
    schema: {
      tags: ['citizens'], summary: 'Kho giấy tờ của tôi: của tôi và của con tôi',
      response: { 200: z.object({ items: z.array(storedDocument) }), 401: errorResponse },
    },
  }, async (request) => ({ items: await myDocuments(ctx, request.caller) }));

  app.get('/api/me/documents/:id/file', {
    schema: { tags: ['citizens'], summary: 'Tải một giấy tờ trong kho', params: z.object({ id: z.string().max(64) }) },
  }, async (request, reply) => {
    const { document, data } = await myDocumentFile(ctx, request.caller, request.params.id);
    return sendDownload(reply, document.mimeType, document.fileName, data, true);
  });
};
