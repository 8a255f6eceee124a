// Checks uploaded files against the procedure's document rules — type from the content, not the name — and stores them.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { NewDossierDocument } from '../../db/repositories/dossiers.js';
import { AppError } from '../../errors.js';
import { missingRequiredDocuments } from '../../workflow/registry.js';
import type { WorkflowDefinition } from '../../workflow/types.js';

export interface UploadedFile {
  fieldName: string;
  fileName: string;
  data: Buffer;
}

export interface CheckedFile extends UploadedFile {
  documentKey: string;
  mimeType: string;
}

const MIME_LABEL: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/** Validates every file against `allowedKeys` of the definition; throws 422/413/415 with the offending field named. */
export async function checkUploads(definition: Pick<WorkflowDefinition, 'documents'>, files: UploadedFile[], allowedKeys: readonly string[]): Promise<CheckedFile[]> {
  const counts = new Map<string, number>();
  const checked: CheckedFile[] = [];
  for (const file of files) {
    const rule = allowedKeys.includes(file.fieldName) ? definition.documents[file.fieldName] : undefined;
    if (!rule) {
      throw new AppError('VALIDATION_FAILED', 'Giấy tờ không thuộc thành phần hồ sơ của thủ tục.', { [file.fieldName]: 'Giấy tờ không thuộc thành phần hồ sơ của thủ tục này.' });
    }
    const count = (counts.get(file.fieldName) ?? 0) + 1;
    counts.set(file.fieldName, count);
    if (count > rule.maxFiles) {
      throw new AppError('TOO_MANY_FILES', `Tối đa ${rule.maxFiles} tệp cho "${rule.label}".`, { [file.fieldName]: `Tối đa ${rule.maxFiles} tệp.` });
    }
    if (file.data.length > rule.maxSizeMb * 1024 * 1024) {
      throw new AppError('FILE_TOO_LARGE', `Tệp "${file.fileName}" vượt quá ${rule.maxSizeMb} MB.`, { [file.fieldName]: `Dung lượng tối đa ${rule.maxSizeMb} MB.` });
    }
    if (file.data.length === 0) {
      throw new AppError('VALIDATION_FAILED', `Tệp "${file.fileName}" rỗng.`, { [file.fieldName]: 'Tệp rỗng.' });
    }
    const detected = (await fileTypeFromBuffer(file.data))?.mime;
    if (!detected || !rule.accept.includes(detected)) {
      const accepted = rule.accept.map((m) => MIME_LABEL[m] ?? m).join(', ');
      throw new AppError('UNSUPPORTED_FILE_TYPE', `Tệp "${file.fileName}" không đúng định dạng; chấp nhận: ${accepted}.`, { [file.fieldName]: `Chỉ chấp nhận ${accepted}.` });
    }
    checked.push({ ...file, documentKey: file.fieldName, mimeType: detected });
  }
  return checked;
}

export type DocumentUpload = Omit<NewDossierDocument, 'id' | 'dossierId' | 'storageKey' | 'uploadedAt'> & { data: Buffer };

/** Row data for checked files; the bytes are written with the rows, in the use-case's transaction. */
export function documentUploads(files: CheckedFile[], uploadedBy: string): DocumentUpload[] {
  return files.map((file) => ({
    documentKey: file.documentKey,
    fileName: file.fileName.normalize('NFC').slice(0, 255),
    mimeType: file.mimeType,
    sizeBytes: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    uploadedBy,
    data: file.data,
  }));
}

/** Required documents (honouring requiredWhen) with no file, as field → Vietnamese message. */
export function missingDocumentFields(definition: WorkflowDefinition, formData: Record<string, unknown>, presentKeys: readonly string[]): Record<string, string> {
  return Object.fromEntries(missingRequiredDocuments(definition, formData, presentKeys)
    .map((key) => [key, `Vui lòng nộp "${definition.documents[key]?.label ?? key}".`]));
}
