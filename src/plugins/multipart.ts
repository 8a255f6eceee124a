// Reads a multipart request into text fields and in-memory files. Limits come from the configuration, or from the
// route for one that needs tighter ones (the public verifier); the per-document size and type rules of the procedure
// are checked by the service.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { UploadedFile } from '../services/intake/uploads.js';

export interface MultipartBody { fields: Record<string, string>; files: UploadedFile[] }

/** Per-request limits, tighter than the app-wide ones (@fastify/multipart merges them over the plugin's). */
export interface MultipartLimits { fileSize?: number; files?: number }

export function isMultipart(request: FastifyRequest): boolean {
  return request.isMultipart();
}

/**
 * Without `bounded`: the app-wide limits, and an oversized file is refused once the whole request has been read
 * (the library's toBuffer()). With it: the route's limits, and an oversized file is refused as soon as it passes
 * the limit, without waiting for the rest of the upload (see lingerThenClose).
 */
export async function readMultipart(request: FastifyRequest, bounded?: { limits: MultipartLimits; reply: FastifyReply }): Promise<MultipartBody> {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts(bounded ? { limits: bounded.limits } : undefined)) {
      if (part.type === 'file') {
        const data = bounded ? await readFileEagerly(part.file) : await part.toBuffer();
        files.push({ fieldName: part.fieldname, fileName: part.filename || part.fieldname, data });
      } else {
        // The parser cuts a field at `fieldSize` without failing; a cut value is refused, never used.
        if (part.valueTruncated) throw new AppError('PAYLOAD_TOO_LARGE', 'Dữ liệu biểu mẫu quá lớn.');
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if (bounded) lingerThenClose(request, bounded.reply);
    throw malformed(error);
  }
  return { fields, files };
}

/**
 * The one table file (CSV or XLSX) of an administrator's import, in the part `file`: 415 without multipart, 413
 * FILE_TOO_LARGE (with the import's own message) past `maxBytes`, refused as soon as it passes, 422 without the part.
 */
export async function readImportFile(
  request: FastifyRequest, reply: FastifyReply, maxBytes: number, tooLargeMessage: () => string,
): Promise<{ fileName: string; data: Buffer }> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Gửi tệp trong phần `file` của multipart/form-data.');
  const body = await readMultipart(request, { limits: { fileSize: maxBytes, files: 1 }, reply }).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'FILE_TOO_LARGE' ? new AppError('FILE_TOO_LARGE', tooLargeMessage()) : error;
  });
  const file = body.files.find((f) => f.fieldName === 'file');
  if (!file) throw new AppError('VALIDATION_FAILED', 'Chưa chọn tệp.', { file: 'Chọn tệp CSV hoặc XLSX.' });
  return { fileName: file.fileName, data: file.data };
}

/**
 * Limits and refusals keep their codes (AppError, the plugin's FST_* errors); anything else the parser throws — no
 * boundary, a body cut short, a broken part header — is a malformed request (400), never a 500.
 */
function malformed(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('FST_')) return error;
  return new AppError('BAD_REQUEST', 'Dữ liệu multipart/form-data không hợp lệ hoặc bị cắt cụt.');
}

/** How long the rest of a refused upload is discarded after the answer before the connection is cut. */
const LINGER_MS = 5_000;

/**
 * After an early refusal the client is usually still sending. Closing at once, with its bytes unread, makes the
 * kernel reset the connection, and a client still writing may lose the answer with it; so the remainder is read
 * and dropped (never parsed or kept) while the answer goes out, and the connection is cut only if the upload has
 * not ended LINGER_MS after the answer (what web servers call a lingering close).
 */
function lingerThenClose(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete) return;
  raw.resume();
  reply.raw.once('finish', () => {
    if (raw.complete) return;
    // Destroying an unfinished request destroys its socket (also fine for light-my-request's injected requests).
    const timer = setTimeout(() => raw.destroy(), LINGER_MS).unref();
    raw.once('end', () => clearTimeout(timer));
    raw.once('close', () => clearTimeout(timer));
  });
}

/** A file part's bytes, refused at the first chunk past the limit; leaving the loop destroys the part's stream. */
async function readFileEagerly(file: AsyncIterable<Buffer> & { truncated: boolean }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file) {
    if (file.truncated) throw fileTooLarge();
    chunks.push(chunk);
  }
  if (file.truncated) throw fileTooLarge();
  return Buffer.concat(chunks);
}

const fileTooLarge = () => new AppError('FILE_TOO_LARGE', 'Tệp tải lên vượt quá dung lượng cho phép.');
