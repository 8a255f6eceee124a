// The citizen's e-document store (services/citizens/document-store.ts): the desk digitises a scan for a person
// (POST /api/citizen-documents), a signed-in citizen lists and downloads their own and their children's documents
// (GET /api/me/documents, GET /api/me/documents/:id/file).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { deskStaff, digitiseDocument, myDocumentFile, myDocuments } from '../../services/citizens/document-store.js';
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
