// The citizen's e-document store (kho dữ liệu điện tử của công dân): results issued to a person and paper documents
// the desk digitised for them, kept under the person's ID number. A signed-in citizen reads their own and their
// children's documents and attaches one to a later dossier by reference (documentRefs / `ref:<key>`) instead of
// uploading it again; the dossier's document then points at the same stored file, marked as re-used. No entry copies
// bytes: each points at the stored file of the dossier (or the upload) it came from.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import {
  deleteCitizenDocument, findCitizenDocuments, insertCitizenDocument, listCitizenDocuments, listDossierStoreEntries, type CitizenDocumentRow,
} from '../../db/repositories/citizen-documents.js';
import { findCitizenById, type CitizenRow } from '../../db/repositories/citizens.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { newFileKey } from '../../db/repositories/files.js';
import { findUnit, type StaffRow } from '../../db/repositories/staff.js';
import { AppError, validationFailed } from '../../errors.js';
import { isPersonalId, PERSONAL_ID_MESSAGE, personalIdSchema } from '../../identity/personal-id.js';
import type { DocumentDef, WorkflowDefinition } from '../../workflow/types.js';
import { actorForDossier, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { checkUploads, type UploadedFile } from '../intake/uploads.js';
import { citizenFamily } from './family.js';

export const KIND_LABELS: Record<CitizenDocumentRow['kind'], string> = { result: 'Kết quả giải quyết', digitised: 'Giấy tờ được số hóa' };

/** What a desk scan may be: the types and size the intake accepts for an identity document. */
const DIGITISED_RULE: DocumentDef = {
  label: 'Bản quét giấy tờ', required: true, accept: ['application/pdf', 'image/jpeg', 'image/png'], maxSizeMb: 10, maxFiles: 1,
};
const SCAN_FIELD = 'file';

const digitiseSchema = z.object({
  ownerPersonalId: personalIdSchema(),
  title: z.string().trim().min(1, 'Vui lòng nhập tên giấy tờ.').max(200, 'Tối đa 200 ký tự.'),
});

export interface StoredDocumentView {
  id: string;
  kind: CitizenDocumentRow['kind'];
  kindLabel: string;
  title: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
  owner: { personalId: string; name: string; relation: 'self' | 'child' };
  fileUrl: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Filling the store.

/**
 * Called by storeResult in the transaction that stores a result: the person the dossier is about (its subject, else
 * the signed-in citizen who filed it) finds the result in their store. Idempotent (the source index); nothing for a
 * dossier filed without an identity the state vouches for (a typed ID number on an anonymous form is not enough),
 * nor for a proxy filing: it is about the person represented, whose ID number was only typed, and not the filer's own
 * (the filer downloads the result from the dossier).
 */
export async function storeIssuedResult(
  tx: Db, dossier: Pick<dossiers.DossierRow, 'id' | 'code' | 'subjectPersonalId' | 'citizenId' | 'filedFor'>,
  definition: Pick<WorkflowDefinition, 'title'>, file: { storageKey: string; data: Buffer },
): Promise<void> {
  if (dossier.filedFor === 'proxy') return;
  const owner = dossier.subjectPersonalId ?? (dossier.citizenId ? (await findCitizenById(tx, dossier.citizenId))?.personalId : undefined);
  if (!owner) return;
  await insertCitizenDocument(tx, {
    ownerPersonalId: owner, kind: 'result', title: `${definition.title} (kết quả hồ sơ ${dossier.code})`,
    fileName: `${dossier.code}.pdf`, mimeType: 'application/pdf', sizeBytes: file.data.length,
    sha256: sha256(file.data), storageKey: file.storageKey, sourceDossierId: dossier.id,
  });
}

/** The desk (a clerk, or anyone of a one-stop desk unit) scans a paper document into a person's store: POST /api/citizen-documents. */
export async function digitiseDocument(ctx: AppContext, caller: Caller, input: { fields: Record<string, string>; files: UploadedFile[] }): Promise<StoredDocumentView> {
  const staff = await deskStaff(ctx.db, caller);
  const parsed = digitiseSchema.safeParse(input.fields);
  if (!parsed.success) throw validationFailed(parsed.error, 'Thông tin giấy tờ số hóa chưa hợp lệ.');
  const scans = input.files.filter((f) => f.fieldName === SCAN_FIELD);
  if (scans.length === 0) throw new AppError('VALIDATION_FAILED', 'Vui lòng chọn tệp bản quét.', { [SCAN_FIELD]: 'Bắt buộc.' });
  const [scan] = await checkUploads({ documents: { [SCAN_FIELD]: DIGITISED_RULE } }, scans, [SCAN_FIELD]);
  const storageKey = newFileKey('uploads');
  const file = await ctx.files.put(ctx.db, [{ key: storageKey, data: scan!.data }]);
  const row = await ctx.db.transaction(async (tx) => {
    await ctx.files.record(tx, file);
    const { row: stored } = await insertCitizenDocument(tx, {
      ownerPersonalId: parsed.data.ownerPersonalId, kind: 'digitised', title: parsed.data.title.normalize('NFC'),
      fileName: scan!.fileName.normalize('NFC').slice(0, 255), mimeType: scan!.mimeType, sizeBytes: scan!.data.length,
      sha256: sha256(scan!.data), storageKey, digitisedByStaffId: staff.id,
    });
    await recordAudit(tx, staffActor(staff, ipOf(caller)), 'citizen_document.digitised', stored.id, {
      ownerPersonalId: stored.ownerPersonalId, title: stored.title, sha256: stored.sha256,
    });
    return stored;
  });
  return view(row, { personalId: row.ownerPersonalId, name: '', relation: 'self' });
}

/**
 * "Số hóa vào kho của công dân" on the staff dossier page: the dossier's uploaded documents go into the person's
 * store (the ID number given, else the person the dossier is about, else the applicant's as the desk checked it),
 * sharing the dossier's stored files. Documents that came from the store are not put back; a second run for the same
 * person adds nothing, one for another person is refused (409 DOCUMENT_IN_ANOTHER_STORE: the desk removes the wrong
 * entries with "Gỡ khỏi kho" first). Only staff who may act on the dossier now do this, not those who only see it.
 */
export async function digitiseDossierDocuments(ctx: AppContext, caller: Caller, code: string, ownerPersonalId?: string): Promise<{ ownerPersonalId: string; added: number }> {
  const staff = await deskStaff(ctx.db, caller);
  const dossier = await dossiers.findDossierByCode(ctx.db, code);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', 'Không tìm thấy hồ sơ.');
  await actorForDossier(ctx, dossier, caller, 'act');
  const given = ownerPersonalId?.trim() ? personalIdSchema().safeParse(ownerPersonalId) : undefined;
  if (given && !given.success) throw new AppError('VALIDATION_FAILED', PERSONAL_ID_MESSAGE, { ownerPersonalId: PERSONAL_ID_MESSAGE });
  const owner = given?.data ?? dossier.subjectPersonalId ?? dossier.applicantIdNumber;
  if (!owner || !isPersonalId(owner)) {
    throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa có số định danh cá nhân của công dân: vui lòng nhập số định danh.', { ownerPersonalId: 'Bắt buộc.' });
  }
  const [definition, documents] = await Promise.all([ctx.catalog.definitionFor(dossier.procedureVersionId), dossiers.listDocuments(ctx.db, dossier.id)]);
  const fresh = documents.filter((d) => d.reusedFromDocumentId === null);
  const added = await ctx.db.transaction(async (tx) => {
    let count = 0;
    const elsewhere = new Set<string>();
    for (const d of fresh) {
      const { row, inserted } = await insertCitizenDocument(tx, {
        ownerPersonalId: owner, kind: 'digitised', title: `${definition.documents[d.documentKey]?.label ?? d.documentKey} (hồ sơ ${dossier.code})`,
        fileName: d.fileName, mimeType: d.mimeType, sizeBytes: d.sizeBytes, sha256: d.sha256, storageKey: d.storageKey,
        sourceDossierId: dossier.id, digitisedByStaffId: staff.id,
      });
      if (inserted) count += 1;
      else if (row.ownerPersonalId !== owner) elsewhere.add(row.ownerPersonalId);
    }
    // The same files are one store entry (the source index): in another person's store, they are not in this one.
    if (elsewhere.size > 0) {
      throw new AppError('DOCUMENT_IN_ANOTHER_STORE',
        `Giấy tờ của hồ sơ ${dossier.code} đã có trong kho của người khác (số định danh ${[...elsewhere].join(', ')}), không số hóa thêm cho ${owner}. `
        + 'Nếu đã số hóa nhầm người, hãy "Gỡ khỏi kho" trước rồi số hóa lại.', { ownerPersonalId: 'Giấy tờ đã có trong kho của người khác.' });
    }
    if (count > 0) {
      await recordAudit(tx, staffActor(staff, ipOf(caller)), 'citizen_document.digitised', dossier.code, { ownerPersonalId: owner, documents: count });
    }
    return count;
  });
  return { ownerPersonalId: owner, added };
}

/** An entry digitised from a dossier, as the staff dossier page lists it with "Gỡ khỏi kho". */
export interface DossierStoreEntry { id: string; title: string; ownerPersonalId: string; createdAt: string }

/** What the desk digitised from this dossier (the page has checked the caller may see the dossier). */
export async function digitisedFromDossier(ctx: Pick<AppContext, 'db'>, dossierId: string): Promise<DossierStoreEntry[]> {
  return (await listDossierStoreEntries(ctx.db, dossierId, 'digitised'))
    .map((r) => ({ id: r.id, title: r.title, ownerPersonalId: r.ownerPersonalId, createdAt: r.createdAt.toISOString() }));
}

/**
 * "Gỡ khỏi kho": the desk takes a digitised document out of a person's store (a scan put in the wrong store, or a
 * dossier digitised for the wrong person): DELETE /api/citizen-documents/:id. One from a dossier needs the right to act
 * on that dossier. Results are never removed (they are what was issued); the stored file stays (a dossier, or a later
 * dossier that re-used it, still points at it). Audited with what was removed.
 */
export async function removeStoredDocument(ctx: AppContext, caller: Caller, id: string): Promise<CitizenDocumentRow> {
  const staff = await deskStaff(ctx.db, caller);
  const [row] = isUuid(id) ? await findCitizenDocuments(ctx.db, [id]) : [];
  if (!row) throw new AppError('DOCUMENT_NOT_FOUND', 'Không tìm thấy giấy tờ trong kho dữ liệu của công dân.');
  if (row.kind !== 'digitised') {
    throw new AppError('DOCUMENT_NOT_REMOVABLE', 'Chỉ gỡ được giấy tờ đã số hóa; kết quả giải quyết đã cấp không gỡ khỏi kho.');
  }
  if (row.sourceDossierId) {
    const dossier = await dossiers.findDossierById(ctx.db, row.sourceDossierId);
    if (dossier) await actorForDossier(ctx, dossier, caller, 'act');
  }
  return ctx.db.transaction(async (tx) => {
    const removed = await deleteCitizenDocument(tx, row.id);
    if (!removed) throw new AppError('DOCUMENT_NOT_FOUND', 'Không tìm thấy giấy tờ trong kho dữ liệu của công dân.');
    await recordAudit(tx, staffActor(staff, ipOf(caller)), 'citizen_document.removed', removed.id, {
      ownerPersonalId: removed.ownerPersonalId, title: removed.title, sha256: removed.sha256, sourceDossierId: removed.sourceDossierId,
    });
    return removed;
  });
}

/** A clerk, or anyone of a one-stop desk unit: who may digitise into a person's store (else 401/403). */
export async function deskStaff(db: Db, caller: Caller): Promise<StaffRow> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập tài khoản cán bộ.');
  if (caller.staff.roles.includes('clerk')) return caller.staff;
  if ((await findUnit(db, caller.staff.unitId))?.kind === 'one_stop_desk') return caller.staff;
  throw new AppError('FORBIDDEN', 'Chỉ cán bộ Bộ phận Tiếp nhận và Trả kết quả được số hóa giấy tờ vào kho của công dân.');
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the store: the signed-in citizen's own documents and their children's.

interface Person { personalId: string; name: string; relation: 'self' | 'child' }

function signedInCitizen(caller: Caller): CitizenRow {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng VNeID để xem kho giấy tờ của bạn.');
  return caller.citizen;
}

/** The citizen and their children as the last sign-in's claims list them. */
async function family(db: Db, citizen: CitizenRow): Promise<Map<string, Person>> {
  const people = new Map<string, Person>([[citizen.personalId, { personalId: citizen.personalId, name: citizen.fullName, relation: 'self' }]]);
  for (const c of (await citizenFamily(db, citizen)).children) {
    if (!people.has(c.personalId)) people.set(c.personalId, { personalId: c.personalId, name: c.fullName, relation: 'child' });
  }
  return people;
}

export async function myDocuments(ctx: AppContext, caller: Caller): Promise<StoredDocumentView[]> {
  const people = await family(ctx.db, signedInCitizen(caller));
  const rows = await listCitizenDocuments(ctx.db, [...people.keys()]);
  return rows.map((r) => view(r, people.get(r.ownerPersonalId)!));
}

/** One of the caller's (or their children's) documents with its bytes; anyone else's is "not found", never "forbidden". */
export async function myDocumentFile(ctx: AppContext, caller: Caller, id: string): Promise<{ document: StoredDocumentView; data: Buffer | Readable }> {
  const people = await family(ctx.db, signedInCitizen(caller));
  const [row] = isUuid(id) ? await findCitizenDocuments(ctx.db, [id]) : [];
  const owner = row ? people.get(row.ownerPersonalId) : undefined;
  if (!row || !owner) throw new AppError('DOCUMENT_NOT_FOUND', 'Không tìm thấy giấy tờ trong kho của bạn.');
  return { document: view(row, owner), data: (await ctx.files.open(ctx.db, row.storageKey)).data };
}

function view(row: CitizenDocumentRow, owner: Person): StoredDocumentView {
  return {
    id: row.id, kind: row.kind, kindLabel: KIND_LABELS[row.kind], title: row.title, fileName: row.fileName, mimeType: row.mimeType,
    sizeBytes: row.sizeBytes, sha256: row.sha256, createdAt: row.createdAt.toISOString(), owner, fileUrl: `/api/me/documents/${row.id}/file`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Re-use at intake.

/** A dossier document attached by reference: the row intake inserts, pointing at the stored document's file. */
export interface ReusedDocument {
  documentKey: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  uploadedBy: string;
  reusedFromDocumentId: string;
}

/** Splits a multipart / page form's `ref:<documentKey>` fields (empty = "upload instead") from the rest. */
export function documentRefsFromFields(fields: Record<string, string>): { refs: Record<string, string>; rest: Record<string, string> } {
  const refs: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('ref:')) { if (value.trim()) refs[name.slice(4)] = value.trim(); } else rest[name] = value;
  }
  return { refs, rest };
}

/**
 * The dossier documents for `refs` ({ documentKey: citizen_documents.id }) of a filer signed in with VNeID (none:
 * 401): each must be a document of the procedure, of a type and size its rule accepts, within its file count together
 * with the uploads (`uploadedKeys`), and belong to the filer or one of their children (else 422 DOCUMENT_NOT_YOURS, the
 * same for an id that does not exist). Reads only; the rows are inserted with the dossier.
 */
export async function resolveDocumentRefs(
  db: Db, filer: { citizen: CitizenRow } | undefined, definition: Pick<WorkflowDefinition, 'documents'>,
  refs: Record<string, string> | undefined, uploadedKeys: readonly string[] = [],
): Promise<ReusedDocument[]> {
  const entries = Object.entries(refs ?? {});
  if (entries.length === 0) return [];
  if (!filer) throw new AppError('UNAUTHENTICATED', 'Chỉ công dân đăng nhập bằng VNeID mới dùng được giấy tờ trong kho dữ liệu.');
  const people = await family(db, filer.citizen);
  const found = new Map((await findCitizenDocuments(db, entries.map(([, id]) => id).filter(isUuid))).map((r) => [r.id, r]));
  const reused: ReusedDocument[] = [];
  for (const [key, id] of entries) {
    const rule = definition.documents[key];
    if (!rule) throw new AppError('VALIDATION_FAILED', 'Giấy tờ không thuộc thành phần hồ sơ của thủ tục.', { [key]: 'Giấy tờ không thuộc thành phần hồ sơ của thủ tục này.' });
    const row = found.get(id);
    if (!row || !people.has(row.ownerPersonalId)) {
      throw new AppError('DOCUMENT_NOT_YOURS', 'Giấy tờ được chọn không có trong kho của bạn hoặc của con bạn.', { [key]: 'Giấy tờ không thuộc kho của bạn.' });
    }
    if (!rule.accept.includes(row.mimeType)) {
      throw new AppError('UNSUPPORTED_FILE_TYPE', `"${row.title}" không đúng định dạng "${rule.label}" chấp nhận.`, { [key]: 'Định dạng không được chấp nhận cho giấy tờ này.' });
    }
    if (row.sizeBytes > rule.maxSizeMb * 1024 * 1024) {
      throw new AppError('FILE_TOO_LARGE', `"${row.title}" vượt quá ${rule.maxSizeMb} MB.`, { [key]: `Dung lượng tối đa ${rule.maxSizeMb} MB.` });
    }
    if (uploadedKeys.filter((k) => k === key).length + 1 > rule.maxFiles) {
      throw new AppError('TOO_MANY_FILES', `Tối đa ${rule.maxFiles} tệp cho "${rule.label}".`, { [key]: `Tối đa ${rule.maxFiles} tệp.` });
    }
    reused.push({
      documentKey: key, fileName: row.fileName, mimeType: row.mimeType, sizeBytes: row.sizeBytes, sha256: row.sha256,
      storageKey: row.storageKey, uploadedBy: 'citizen', reusedFromDocumentId: row.id,
    });
  }
  return reused;
}

/** The caller's stored documents for the apply page's picker ("Chọn từ kho giấy tờ của tôi"); none for anyone else. */
export async function pickableDocuments(ctx: AppContext, caller: Caller): Promise<StoredDocumentView[]> {
  return caller.kind === 'citizen' ? myDocuments(ctx, caller) : [];
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function ipOf(caller: Caller): string | null {
  return 'ip' in caller ? caller.ip ?? null : null;
}
