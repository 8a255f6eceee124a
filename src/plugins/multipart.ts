// Reads a multipart request into text fields and in-memory files. Limits come from the configuration; the per-document
// size and type rules of the procedure are checked by the service.
import type { FastifyRequest } from 'fastify';
import type { UploadedFile } from '../services/intake/uploads.js';

export interface MultipartBody { fields: Record<string, string>; files: UploadedFile[] }

export function isMultipart(request: FastifyRequest): boolean {
  return request.isMultipart();
}

export async function readMultipart(request: FastifyRequest): Promise<MultipartBody> {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      files.push({ fieldName: part.fieldname, fileName: part.filename || part.fieldname, data: await part.toBuffer() });
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, files };
}
