// The document kinds as administrators keep them (document_kinds): each kind's name, the type abbreviation its
// symbol starts with ("QĐ" in "125/QĐ-SGDĐT") and the register that numbers it. Read in the numbering transaction
// itself (no process copy to refresh); a change applies to numbers given afterwards and never rewrites a line already
// given, whose symbol is stored with it.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import {
  findDocumentKindForUpdate, listDocumentKinds, updateDocumentKind, type DocumentKindRow,
} from '../../db/repositories/document-register.js';
import { DOCUMENT_REGISTERS, type DocumentRegister } from '../../db/schema/index.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { administratorOf } from '../administration/administrator.js';

export const REGISTER_LABELS: Record<DocumentRegister, string> = {
  outgoing: 'Sổ đăng ký văn bản đi',
  copies: 'Sổ cấp bản sao',
};

/**
 * A type abbreviation: letters (Vietnamese ones too: "QĐ") and digits, 1–16 of them, upper-cased. No space, "/" or
 * "-": the number text is "{number}/{type}-{agency}", so either would make it ambiguous. A string, as it doubles as
 * the page's HTML `pattern`.
 */
export const KIND_ABBREVIATION_PATTERN = '^[\\p{L}\\p{N}]{1,16}$';
const ABBREVIATION_MESSAGE = 'Chữ viết tắt gồm 1–16 chữ cái hoặc chữ số, không có dấu cách, "/" hay "-" (ví dụ QĐ, TB, GGT).';

export const documentKindChanges = z.object({
  name: z.string({ error: 'Nhập tên loại văn bản.' }).trim().normalize('NFC')
    .min(1, { error: 'Nhập tên loại văn bản.' }).max(200, { error: 'Tên loại văn bản dài quá 200 ký tự.' }).optional(),
  abbreviation: z.string({ error: 'Nhập chữ viết tắt.' }).trim().normalize('NFC').toUpperCase()
    .regex(new RegExp(KIND_ABBREVIATION_PATTERN, 'u'), { error: ABBREVIATION_MESSAGE }).optional(),
  register: z.enum(DOCUMENT_REGISTERS, { error: 'Chọn sổ: outgoing (văn bản đi) hoặc copies (cấp bản sao).' }).optional(),
}).strict();
export type DocumentKindChanges = z.infer<typeof documentKindChanges>;

export const documentKindView = z.object({
  key: z.string(), name: z.string(), abbreviation: z.string(), register: z.enum(DOCUMENT_REGISTERS),
});
export type DocumentKindView = z.infer<typeof documentKindView>;

const viewOf = (row: DocumentKindRow): DocumentKindView => ({ key: row.key, name: row.name, abbreviation: row.abbreviation, register: row.register });

export async function listKinds(ctx: AppContext, caller: Caller): Promise<DocumentKindView[]> {
  administratorOf(caller);
  return (await listDocumentKinds(ctx.db)).map(viewOf);
}

/** PATCH /api/admin/document-kinds/:key and the page's form (which sends every field: an emptied one is refused). */
export async function changeKind(ctx: AppContext, caller: Caller, key: string, input: unknown): Promise<DocumentKindView> {
  const { actor } = administratorOf(caller);
  const parsed = documentKindChanges.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error, 'Loại văn bản chưa hợp lệ, xem từng trường.');
  const changes = parsed.data;
  return ctx.db.transaction(async (tx) => {
    const before = await findDocumentKindForUpdate(tx, key);
    if (!before) throw new AppError('DOCUMENT_KIND_NOT_FOUND', 'Không có loại văn bản này.');
    const after = (await updateDocumentKind(tx, key, changes))!;
    await recordAudit(tx, actor, 'document_kind.updated', key, { before: viewOf(before), after: viewOf(after) });
    return viewOf(after);
  });
}
