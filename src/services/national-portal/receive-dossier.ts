// A dossier a citizen filed on the national public-service portal, pushed to us (POST /api/national-portal/dossiers):
// signature over the raw body, one schema for the national message, the procedure found by its national code, the form
// and documents checked as intake checks them, the attachments fetched from the portal, then intake's one statement
// (record-filing.ts) with channel 'national'. Idempotent on the national code: the same message again answers the same
// dossier, another message under that code is a conflict. Every message, accepted or not, is logged for the
// administrators (national_inbound_messages); nothing is imported half: a failed fetch leaves no trace but the log.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { vnDay } from '../../calendar/vn-time.js';
import * as inbound from '../../db/repositories/national-inbound.js';
import { AppError, isAppError } from '../../errors.js';
import { AttachmentProblem, checkAttachmentUrl, fetchAttachment } from '../../integrations/national-portal/attachments.js';
import { checkPortalSignature } from '../../integrations/national-portal/signature.js';
import { validateFormData } from '../../workflow/form-schema.js';
import { isUniqueViolation, type PublishedProcedure } from '../procedures/catalog.js';
import { recordFiling } from '../intake/record-filing.js';
import { checkUploads, documentUploads, missingDocumentFields, type UploadedFile } from '../intake/uploads.js';

/** The national dossier's fields we take, with the portal's own names (DVCQG sync contract: HoSoDongBoDVC, TaiLieuNop). */
export const nationalDossierSchema = z.object({
  MaHoSo: z.string().trim().min(1).max(64).regex(/^[\p{L}\p{N}._\-/]+$/u, 'Mã hồ sơ chỉ gồm chữ, số và . _ - /'),
  MaTTHC: z.string().trim().min(1).max(64),
  /** When the citizen filed it on the portal, yyyyMMddHHmmss in Vietnam time. */
  NgayNopHoSo: z.string().regex(/^\d{14}$/, 'Định dạng yyyyMMddHHmmss'),
  /** "2" (online) is what the portal pushes; the dossier's channel is 'national' whatever it says (kept in the log). */
  KenhThucHien: z.enum(['1', '2', '3']).optional(),
  ChuHoSo: z.string().trim().min(1).max(200),
  SoGiayToChuHoSo: z.string().trim().max(20).optional(),
  Email: z.string().trim().max(254).optional(),
  SoDienThoai: z.string().trim().max(20).optional(),
  DiaChi: z.string().trim().max(500).optional(),
  TrichYeuHoSo: z.string().max(1000).optional(),
  /** The submitter's account at the portal (VNeID TechID; kept in the log). */
  MaDoiTuong: z.string().trim().max(64).optional(),
  /** The owner's identity numbers: LoaiDinhDanh "1" = 12-digit personal ID (CCCD), "2" = 9-digit ID card (CMND). */
  DinhDanhCHS: z.array(z.object({ LoaiDinhDanh: z.enum(['1', '2']), SoDinhDanh: z.string().regex(/^(\d{9}|\d{12})$/) })).max(5).optional(),
  /** "1": the citizen signed in to the portal with VNeID, so DinhDanhCHS is the state's, not typed. */
  TaiKhoanDuocXacThucVoiVNeID: z.enum(['0', '1']).optional(),
  /** The VNeID sign-in's level of assurance (its `loAs` claim). */
  loAs: z.string().trim().max(100).optional(),
  /** The procedure's e-form on the portal, keyed by our form field names (GET /api/procedures/:id). */
  /** Plain values only, as our form fields are (text, number, date, choice, checkbox): nothing nested to walk. */
  DuLieuBieuMau: z.record(z.string().max(64), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])),
  TaiLieuNop: z.array(z.object({
    /** Our document key (GET /api/procedures/:id `documents[].key`). */
    MaThanhPhanHoSo: z.string().trim().min(1).max(64),
    TenTepDinhKem: z.string().trim().min(1).max(255),
    DuongDanTaiTepTin: z.string().trim().min(1).max(2000),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
  })).max(50).default([]),
});
export type NationalDossier = z.infer<typeof nationalDossierSchema>;

export interface InboundRequest {
  method: string;
  /** Path and query as received: the signature covers them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ip: string;
}

export interface ReceivedDossier {
  /** Our dossier code. */
  code: string;
  nationalCode: string;
  status: string;
  dueDate: string;
  dueAt: string;
  /** The citizen tracks it on the national portal (no tracking token): these are for the portal's and staff's records. */
  links: { self: string; staff: string };
  /** True when the same message was received before: this is the dossier it created. */
  replayed: boolean;
}

/** Accepts (201), answers a replay (200), or throws the refusal after logging it. */
export async function receiveNationalDossier(ctx: AppContext, request: InboundRequest): Promise<ReceivedDossier> {
  const portal = ctx.config.nationalPortal;
  // No link configured: the endpoint does not exist here (nothing to authenticate with, nothing logged).
  if (!portal) throw new AppError('NATIONAL_PORTAL_DISABLED', 'Hệ thống chưa cấu hình liên thông với Cổng Dịch vụ công quốc gia.');
  const log = { bodySha256: createHash('sha256').update(request.body).digest('hex'), sourceIp: request.ip, nationalCode: null as string | null, procedureCode: null as string | null };
  try {
    const problem = checkPortalSignature(portal.secret, request.headers, request.method, request.url, request.body);
    if (problem) {
      // Named for the administrators when the body says, though nothing in it is trusted: parsed only when small (a
      // genuine message without attachments inline is a few KB), so a forger's megabyte costs one hash, not a parse.
      // The row keeps codes and the body's hash, never the body.
      if (request.body.length <= UNVERIFIED_PARSE_LIMIT) Object.assign(log, codesOf(request.body));
      throw new AppError('NATIONAL_SIGNATURE_INVALID', SIGNATURE_MESSAGES[problem]);
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body.toString('utf8'));
    } catch {
      throw new AppError('BAD_REQUEST', 'Dữ liệu JSON không hợp lệ.');
    }
    Object.assign(log, codesOf(json));
    const parsed = nationalDossierSchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', 'Hồ sơ liên thông chưa hợp lệ, xem các trường được nêu.', Object.fromEntries(
        parsed.error.issues.map((i) => [i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || 'body', i.message])));
    }
    const message = parsed.data;
    const received = await receive(ctx, message, canonicalHash(message));
    // Logged after intake's statement, not in it: intake is one INSERT … statement (insertSubmission) shared by every
    // channel, and this row needs its dossier id. A crash between the two leaves the dossier without its 'accepted'
    // row; the portal, having no answer, resends, and that resend is logged 'replayed' with the dossier.
    await record(ctx, { ...log, outcome: received.replayed ? 'replayed' : 'accepted', dossierId: received.dossierId, details: received.details });
    return received.answer;
  } catch (error) {
    if (isAppError(error)) {
      ctx.log.warn({ nationalCode: log.nationalCode, code: error.code, fields: error.fields }, 'national portal dossier refused');
      await record(ctx, { ...log, outcome: 'refused', errorCode: error.code, errorMessage: error.message, details: error.fields ? { fields: error.fields } : null });
    } else {
      await record(ctx, { ...log, outcome: 'refused', errorCode: 'INTERNAL_ERROR', errorMessage: 'Lỗi nội bộ khi nhận hồ sơ.' });
    }
    throw error;
  }
}

/** Largest unverified body whose codes are read for the log. */
const UNVERIFIED_PARSE_LIMIT = 64 * 1024;

const SIGNATURE_MESSAGES = {
  missing: 'Thiếu chữ ký của Cổng Dịch vụ công quốc gia.',
  stale: 'Chữ ký của Cổng đã quá hạn (lệch thời gian quá 5 phút).',
  mismatch: 'Chữ ký của Cổng không đúng.',
} as const;

interface Received {
  answer: ReceivedDossier;
  dossierId: string;
  replayed: boolean;
  details?: Record<string, unknown>;
}

async function receive(ctx: AppContext, message: NationalDossier, requestHash: string): Promise<Received> {
  const earlier = await inbound.findDossierByNationalCode(ctx.db, message.MaHoSo);
  if (earlier) return replay(ctx, earlier, requestHash);
  const procedure = procedureOf(ctx, message.MaTTHC);
  // As many files as an upload may carry (refused first, as a multipart upload is): what is held in memory stays what intake allows.
  const { maxFiles } = ctx.config.uploads;
  if (message.TaiLieuNop.length > maxFiles) {
    throw new AppError('TOO_MANY_FILES', `Tối đa ${maxFiles} tệp cho một hồ sơ.`, { TaiLieuNop: `Tối đa ${maxFiles} tệp.` });
  }
  const { definition } = procedure;
  const form = definition.forms[definition.intakeForm]!;

  // The portal's envelope names the owner and their contacts: they fill the procedure's contact fields the e-form left
  // empty (the e-form's own values win: for a pupil's procedure its ID field is the pupil's, not the owner's).
  const posted: Record<string, unknown> = { ...message.DuLieuBieuMau };
  const envelope: Array<[string | undefined, string | undefined]> = [
    [definition.contact.name, message.ChuHoSo], [definition.contact.email, message.Email], [definition.contact.phone, message.SoDienThoai],
    [definition.contact.address, message.DiaChi], [definition.contact.idNumber, message.SoGiayToChuHoSo],
  ];
  for (const [field, value] of envelope) if (field && value && (posted[field] === undefined || posted[field] === '')) posted[field] = value;

  // Everything that needs no download first: a message the portal must correct costs it no transfer.
  const validated = validateFormData(form, posted);
  const problems: Record<string, string> = validated.ok
    ? missingDocumentFields(definition, validated.data, message.TaiLieuNop.map((d) => d.MaThanhPhanHoSo))
    : { ...validated.fields };
  message.TaiLieuNop.forEach((d, i) => {
    if (!definition.documents[d.MaThanhPhanHoSo]) problems[`TaiLieuNop[${i}].MaThanhPhanHoSo`] = 'Giấy tờ không thuộc thành phần hồ sơ của thủ tục này.';
  });
  if (Object.keys(problems).length > 0 || !validated.ok) {
    throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  }
  const portal = ctx.config.nationalPortal!;
  const refused: Record<string, string> = {};
  message.TaiLieuNop.forEach((d, i) => {
    try {
      checkAttachmentUrl(portal, d.DuongDanTaiTepTin);
    } catch (error) {
      if (!(error instanceof AttachmentProblem)) throw error;
      refused[`TaiLieuNop[${i}].DuongDanTaiTepTin`] = error.message;
    }
  });
  if (Object.keys(refused).length > 0) {
    throw new AppError('NATIONAL_ATTACHMENT_REFUSED', 'Tệp đính kèm phải được tải từ Cổng Dịch vụ công quốc gia.', refused);
  }
  const uploads = await fetchAll(ctx, message);
  const files = await checkUploads(definition, uploads, Object.keys(definition.documents));

  // The owner as the state vouches for them (signed in to the portal with VNeID): their space here shows the dossier too.
  const personalId = message.TaiKhoanDuocXacThucVoiVNeID === '1' ? message.DinhDanhCHS?.find((d) => d.LoaiDinhDanh === '1')?.SoDinhDanh : undefined;
  try {
    const recorded = await recordFiling(ctx, {
      procedure,
      formData: validated.data,
      documents: documentUploads(files, 'citizen'),
      channel: 'national',
      nationalCode: message.MaHoSo,
      idempotencyKey: null,
      requestHash,
      now: new Date(),
      filing: personalId ? { citizenId: null, filedFor: 'self', subjectPersonalId: personalId, loa: message.loAs ?? 'VNeID' } : undefined,
    });
    return {
      answer: answer(ctx, { ...recorded, nationalCode: message.MaHoSo }, false),
      dossierId: recorded.id,
      replayed: false,
      details: {
        filedAt: message.NgayNopHoSo,
        ...(message.KenhThucHien ? { portalChannel: message.KenhThucHien } : {}),
        ...(message.MaDoiTuong ? { submitter: message.MaDoiTuong } : {}),
        attachments: files.map((f) => ({ key: f.documentKey, name: f.fileName, sizeBytes: f.data.length, mimeType: f.mimeType })),
      },
    };
  } catch (error) {
    // The same message raced itself (the portal retried before our first answer): the loser answers the winner's dossier.
    if (isUniqueViolation(error)) {
      const winner = await inbound.findDossierByNationalCode(ctx.db, message.MaHoSo);
      if (winner) return replay(ctx, winner, requestHash);
    }
    throw error;
  }
}

type Earlier = NonNullable<Awaited<ReturnType<typeof inbound.findDossierByNationalCode>>>;

function replay(ctx: AppContext, earlier: Earlier, requestHash: string): Received {
  if (earlier.requestHash !== requestHash) {
    throw new AppError('NATIONAL_CODE_CONFLICT', `Mã hồ sơ ${earlier.nationalCode} đã được tiếp nhận với nội dung khác (hồ sơ ${earlier.code}).`);
  }
  return { answer: answer(ctx, { ...earlier, nationalCode: earlier.nationalCode! }, true), dossierId: earlier.id, replayed: true };
}

/** The published procedure with this national code; a switched-off one refuses as intake does (PROCEDURE_DISABLED). */
function procedureOf(ctx: AppContext, procedureCode: string): PublishedProcedure {
  const match = ctx.catalog.listAll().find((p) => p.definition.national?.procedureCode === procedureCode);
  if (!match) {
    throw new AppError('NATIONAL_PROCEDURE_UNKNOWN', `Không có thủ tục nào mang mã TTHC ${procedureCode}.`, { MaTTHC: 'Mã thủ tục hành chính không có trên hệ thống một cửa.' });
  }
  return ctx.catalog.findForIntake(match.definition.id);
}

/** Downloads at a time: a dossier's files come from one portal, a few connections are what a browser would open. */
const FETCH_CONCURRENCY = 4;

/** Every attachment or none: any failure refuses the whole message (the portal resends it later). */
async function fetchAll(ctx: AppContext, message: NationalDossier): Promise<UploadedFile[]> {
  const portal = ctx.config.nationalPortal!;
  const list = message.TaiLieuNop;
  const data: Buffer[] = [];
  const failed: Record<string, string> = {};
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < list.length; i = next++) {
      try {
        data[i] = await fetchAttachment(portal, { url: list[i]!.DuongDanTaiTepTin, sha256: list[i]!.sha256 }, ctx.config.uploads.maxFileBytes);
      } catch (error) {
        if (!(error instanceof AttachmentProblem)) throw error;
        failed[`TaiLieuNop[${i}].DuongDanTaiTepTin`] = error.message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, list.length) }, worker));
  if (Object.keys(failed).length > 0) {
    throw new AppError('NATIONAL_ATTACHMENT_UNAVAILABLE', 'Không tải được tệp đính kèm từ Cổng; hồ sơ chưa được tiếp nhận, vui lòng gửi lại sau.', failed);
  }
  return list.map((d, i) => ({ fieldName: d.MaThanhPhanHoSo, fileName: d.TenTepDinhKem, data: data[i]! }));
}

function answer(ctx: AppContext, dossier: { code: string; nationalCode: string; status: string; dueAt: Date | null }, replayed: boolean): ReceivedDossier {
  const code = encodeURIComponent(dossier.code);
  return {
    code: dossier.code,
    nationalCode: dossier.nationalCode,
    status: dossier.status,
    dueDate: dossier.dueAt ? vnDay(dossier.dueAt) : '',
    dueAt: dossier.dueAt?.toISOString() ?? '',
    links: { self: `${ctx.config.publicUrl}/api/dossiers/${code}`, staff: `${ctx.config.publicUrl}/can-bo/ho-so/${code}` },
    replayed,
  };
}

/**
 * The same message, however the portal orders its keys or spaces its JSON, hashes the same. Transport-only fields are
 * left out: an attachment's DuongDanTaiTepTin is a signed, expiring URL the portal mints anew on every push, so a
 * re-push after a lost 201 differs there and must still be the replay. The file is named by MaThanhPhanHoSo,
 * TenTepDinhKem and its sha256, which are kept.
 */
function canonicalHash(message: NationalDossier): string {
  const content = { ...message, TaiLieuNop: message.TaiLieuNop.map(({ DuongDanTaiTepTin: _url, ...file }) => file) };
  return createHash('sha256').update('national\0').update(canonicalJson(content)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The codes a message names, for the log, when it has them (strings only, bounded). */
function codesOf(json: unknown): { nationalCode?: string; procedureCode?: string } {
  let value = json;
  if (Buffer.isBuffer(json)) {
    try {
      value = JSON.parse(json.toString('utf8'));
    } catch {
      return {};
    }
  }
  const record = value && typeof value === 'object' ? value as Record<string, unknown> : {};
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 64) : undefined);
  return { nationalCode: text(record.MaHoSo), procedureCode: text(record.MaTTHC) };
}

/** A log row that cannot be written never hides the answer (the database error is logged). */
async function record(ctx: AppContext, row: Omit<inbound.NewInboundMessage, 'id' | 'receivedAt'>): Promise<void> {
  try {
    await inbound.insertInboundMessage(ctx.db, row);
  } catch (error) {
    ctx.log.error({ err: error, nationalCode: row.nationalCode }, 'national inbound message not logged');
  }
}
