// Checks uploaded files against the procedure's document rules — type from the content, not the name — and stores them.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { NewDossierDocument } from '../db/repositories/dossiers.js';
import { AppError } from '../errors.js';
import type { FileStorage } from '../storage/index.js';
import { missingRequiredDocuments } from '../workflow/registry.js';
import type { WorkflowDefinition } from '../workflow/types.js';

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
export async function checkUploads(definition: WorkflowDefinition, files: UploadedFile[], allowedKeys: readonly string[]): Promise<CheckedFile[]> {
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

/** Writes the bytes before the transaction: a failed transaction leaves an unreferenced file, never a dangling row. */
export async function storeUploads(storage: FileStorage, files: CheckedFile[], dossierId: string, uploadedBy: string): Promise<NewDossierDocument[]> {
  return Promise.all(files.map(async (file) => ({
    dossierId,
    documentKey: file.documentKey,
    fileName: file.fileName.normalize('NFC').slice(0, 255),
    mimeType: file.mimeType,
    sizeBytes: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    storageKey: await storage.put(file.data, 'uploads'),
    uploadedBy,
  })));
}

/** Required documents (honouring requiredWhen) with no file, as field → Vietnamese message. */
export function missingDocumentFields(definition: WorkflowDefinition, formData: Record<string, unknown>, presentKeys: readonly string[]): Record<string, string> {
  return Object.fromEntries(missingRequiredDocuments(definition, formData, presentKeys)
    .map((key) => [key, `Vui lòng nộp "${definition.documents[key]?.label ?? key}".`]));
}
