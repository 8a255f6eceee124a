// Filing feedback or a complaint (phản ánh, kiến nghị). Three kinds of filer: a citizen signed in with VNeID (their
// name and contacts come from the state's claims, the item is theirs: citizen_id), the holder of a dossier's tracking
// token writing about that dossier (the dossier's applicant and contacts unless they give others), or anyone, who then
// gives a name and an e-mail or a phone. A dossier named must be one the caller may see (404 as everywhere else);
// it is checked before the rest of the form, so a refusal never depends on what else was typed. The acknowledgement
// goes to whatever contact is given, so filings are bounded per e-mail and phone by the intake's rule
// (INTAKE_CONTACT_HOURLY_LIMIT / _DAILY_LIMIT, intake/contact-limit.ts) — anonymous ones, and a signed-in citizen's
// when they type a contact other than their claims' — and per client address by the route. The item takes the year's next code "PAKN-YYYY-NNNNNN", is due FEEDBACK_DUE_WORKING_DAYS working days
// later (the administrators' calendar, as dossier due dates), and is audited and acknowledged by e-mail in one
// transaction.
import { z } from 'zod';
import { vnDay, vnToday } from '../../calendar/vn-time.js';
import { dueDate } from '../../calendar/working-days.js';
import type { AppContext } from '../../app-context.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { insertFeedback, nextFeedbackNumber, recentFeedbackByContact } from '../../db/repositories/feedback.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { FEEDBACK_KINDS } from '../../db/schema/citizens.js';
import { AppError } from '../../errors.js';
import { loadDossierFor, type Caller } from '../access.js';
import { recordAudit, type AuditActor } from '../audit/audit.js';
import { contactOverLimit, overLimitWhat, phoneSpellings, waitText, type Contact as LimitedContact } from '../intake/contact-limit.js';
import { notifyFeedbackRow } from './notify-feedback.js';
import { feedbackLookupUrl, feedbackTokenFor } from './shared.js';

/** Counting starts the next working day for an item filed after this time (as for dossiers). */
const FEEDBACK_CUTOFF = '15:00';
export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 5000;
const PHONE = /^(?:0\d{9}|02\d{9}|\+84\d{9}|\+842\d{9})$/;

/** Trimmed, NFC, one kind of line break; an empty field is a field not given. */
const text = (schema: z.ZodType<string>) => z.preprocess(
  (v) => (typeof v === 'string' ? v.normalize('NFC').replace(/\r\n?/g, '\n').trim() : v),
  schema,
);
const optionalText = (schema: z.ZodType<string, string>) => z.preprocess(
  (v) => (typeof v === 'string' ? (v.normalize('NFC').trim() || undefined) : v === null ? undefined : v),
  schema.optional(),
);

/** Names the fields a strict object does not know (a typo such as `tittle`), in Vietnamese. */
export function unknownField(issue: { code?: string; keys?: string[] }): string | undefined {
  return issue.code === 'unrecognized_keys' ? `Trường không được hỗ trợ: ${(issue.keys ?? []).join(', ')}.` : undefined;
}

/**
 * VALIDATION_FAILED with one message per field; a field the schema does not know is named by itself (not as the whole
 * input's "body", which is a field of the form here).
 */
export function feedbackValidationFailed(error: z.ZodError, message: string): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[key] ??= 'Trường không được hỗ trợ.';
    else fields[issue.path.map(String).join('.') || '_'] ??= issue.message;
  }
  return new AppError('VALIDATION_FAILED', message, fields);
}

/** The body of POST /api/feedback and of the page's form (one schema: both answer the same 422). */
export const feedbackInput = z.strictObject({
  kind: z.enum(FEEDBACK_KINDS, { error: 'Vui lòng chọn phản ánh hoặc kiến nghị.' }),
  dossierCode: optionalText(z.string({ error: 'Mã hồ sơ không hợp lệ.' }).max(64, 'Mã hồ sơ không hợp lệ.')),
  procedureId: optionalText(z.string({ error: 'Thủ tục không hợp lệ.' }).max(100, 'Thủ tục không hợp lệ.')),
  title: text(z.string({ error: 'Vui lòng nhập tiêu đề.' }).min(5, 'Tiêu đề cần ít nhất 5 ký tự.').max(MAX_TITLE_LENGTH, `Tiêu đề tối đa ${MAX_TITLE_LENGTH} ký tự.`)),
  body: text(z.string({ error: 'Vui lòng nhập nội dung.' }).min(10, 'Nội dung cần ít nhất 10 ký tự.').max(MAX_BODY_LENGTH, `Nội dung tối đa ${MAX_BODY_LENGTH} ký tự.`)),
  contactName: optionalText(z.string({ error: 'Họ và tên không hợp lệ.' }).max(100, 'Họ và tên tối đa 100 ký tự.')),
  contactEmail: optionalText(z.string({ error: 'Email không hợp lệ.' }).max(200, 'Email không hợp lệ.').pipe(z.email('Email không hợp lệ.'))),
  contactPhone: optionalText(z.string({ error: 'Số điện thoại không hợp lệ.' }).transform((p) => p.replace(/[\s.-]/g, '')).pipe(z.string().regex(PHONE, 'Số điện thoại không hợp lệ.'))),
  publishRequested: z.boolean({ error: 'Giá trị không hợp lệ (true hoặc false).' }).default(false),
}, { error: unknownField });
export type FeedbackInput = z.infer<typeof feedbackInput>;

export interface FiledFeedback {
  code: string;
  kind: string;
  status: 'open';
  dueDate: string;
  dueAt: string;
  /** Opens this item for whoever holds it (GET /api/feedback/:code with Authorization: Bearer). */
  accessToken: string;
  links: { self: string; page: string };
}

type Filer =
  | { kind: 'citizen'; caller: Extract<Caller, { kind: 'citizen' }> }
  | { kind: 'public'; dossier: DossierRow | null };

export async function fileFeedback(ctx: AppContext, caller: Caller, raw: unknown, options: { ip?: string; now?: Date } = {}): Promise<FiledFeedback> {
  const now = options.now ?? new Date();
  if (caller.kind === 'staff' || caller.kind === 'system') {
    throw new AppError('FORBIDDEN', 'Phản ánh, kiến nghị do công dân gửi; cán bộ không gửi bằng tài khoản cán bộ.');
  }
  const parsed = feedbackInput.safeParse(raw ?? {});
  // The dossier first: whoever may not see it learns nothing else (404 like every other view of a dossier).
  const given = (raw as Record<string, unknown> | null)?.dossierCode;
  const dossierCode = typeof given === 'string' ? given.trim() || undefined : undefined;
  const dossier = dossierCode && dossierCode.length <= 64 ? (await loadDossierFor(ctx, dossierCode, caller)).dossier : null;
  if (!parsed.success) throw feedbackValidationFailed(parsed.error, 'Phản ánh, kiến nghị chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.');
  const input = parsed.data;

  const procedureId = dossier?.procedureId ?? input.procedureId ?? null;
  if (!dossier && procedureId && !ctx.catalog.listAll().some((p) => p.definition.id === procedureId)) {
    throw new AppError('VALIDATION_FAILED', 'Thủ tục không tồn tại.', { procedureId: 'Vui lòng chọn một thủ tục trong danh sách.' });
  }
  const filer: Filer = caller.kind === 'citizen' ? { kind: 'citizen', caller } : { kind: 'public', dossier };
  const contact = contactOf(filer, input);
  await checkFeedbackContactLimits(ctx, limitedContact(filer, contact), now);

  const due = dueDate(now, { workingDays: ctx.config.feedbackDueWorkingDays, cutoff: FEEDBACK_CUTOFF });
  const year = vnToday(now).slice(0, 4);
  const actor: AuditActor = filer.kind === 'citizen'
    ? { id: filer.caller.citizen.id, name: filer.caller.citizen.fullName, kind: 'citizen', ip: options.ip ?? filer.caller.ip ?? null }
    : { id: null, name: contact.name, kind: dossier ? 'citizen' : 'anonymous', ip: options.ip ?? null };

  const item = await ctx.db.transaction(async (tx) => {
    const number = await nextFeedbackNumber(tx, year);
    const row = await insertFeedback(tx, {
      code: `PAKN-${year}-${String(number).padStart(6, '0')}`,
      kind: input.kind,
      citizenId: filer.kind === 'citizen' ? filer.caller.citizen.id : null,
      dossierId: dossier?.id ?? null,
      procedureId,
      title: input.title,
      body: input.body,
      contactName: contact.name,
      contactEmail: contact.email,
      contactPhone: contact.phone,
      publishRequested: input.publishRequested,
      dueAt: due.dueAt,
      createdAt: now,
    });
    await recordAudit(tx, actor, 'feedback.filed', row.code, {
      kind: row.kind, dossierCode: dossier?.code ?? null, procedureId, dueAt: row.dueAt.toISOString(), publishRequested: row.publishRequested,
    });
    if (row.contactEmail) await insertOutbox(tx, [notifyFeedbackRow(row.id, 'filed')]);
    return row;
  });
  ctx.jobs.wake();
  const accessToken = feedbackTokenFor(ctx.secret, item.id);
  return {
    code: item.code, kind: item.kind, status: 'open', dueDate: vnDay(item.dueAt), dueAt: item.dueAt.toISOString(), accessToken,
    links: { self: `${ctx.config.publicUrl}/api/feedback/${encodeURIComponent(item.code)}`, page: feedbackLookupUrl(ctx.config.publicUrl, item.code) },
  };
}

interface Contact { name: string; email: string | null; phone: string | null }

/**
 * How the answer reaches the filer. A signed-in citizen is named as the state knows them (contacts they type win over
 * the claims'); a tracking-token holder defaults to the dossier's applicant; anyone else names themselves and gives an
 * e-mail or a phone (422 otherwise: nobody could be answered).
 */
function contactOf(filer: Filer, input: FeedbackInput): Contact {
  if (filer.kind === 'citizen') {
    const { citizen } = filer.caller;
    return { name: citizen.fullName, email: input.contactEmail ?? citizen.email ?? null, phone: input.contactPhone ?? citizen.phone ?? null };
  }
  const { dossier } = filer;
  const contact: Contact = {
    name: input.contactName ?? dossier?.applicantName ?? '',
    email: input.contactEmail ?? dossier?.applicantEmail ?? null,
    phone: input.contactPhone ?? dossier?.applicantPhone ?? null,
  };
  const problems: Record<string, string> = {};
  if (!contact.name) problems.contactName = 'Vui lòng nhập họ và tên.';
  if (!contact.email && !contact.phone) {
    problems.contactEmail = 'Vui lòng nhập email hoặc số điện thoại để nhận trả lời.';
    problems.contactPhone = 'Vui lòng nhập email hoặc số điện thoại để nhận trả lời.';
  }
  if (Object.keys(problems).length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Vui lòng cho biết họ tên và email hoặc số điện thoại để nhận trả lời.', problems);
  }
  return contact;
}

/**
 * The contacts the per-contact limit applies to: all of an anonymous or token-holding filer's; of a signed-in citizen's,
 * only an e-mail or phone other than their claims' (the state's own contacts for them are theirs to use freely).
 */
function limitedContact(filer: Filer, contact: Contact): LimitedContact {
  if (filer.kind !== 'citizen') return { email: contact.email, phone: contact.phone };
  const { citizen } = filer.caller;
  const sameEmail = (a: string, b: string | null) => b !== null && emailKey(a) === emailKey(b);
  const samePhone = (a: string, b: string | null) => b !== null && phoneSpellings(a).includes(b);
  return {
    email: contact.email && !sameEmail(contact.email, citizen.email) ? contact.email : null,
    phone: contact.phone && !samePhone(contact.phone, citizen.phone) ? contact.phone : null,
  };
}

/** An e-mail as the limit counts it: lower-case, without a +tag (repositories/feedback.ts, dossiers.ts). */
function emailKey(email: string): string {
  return email.toLowerCase().replace(/[+][^@]*@/, '@');
}

/** 429 RATE_LIMITED + Retry-After when the contact reached the intake's per-contact limit, counted over feedback. */
async function checkFeedbackContactLimits(ctx: AppContext, contact: LimitedContact, now: Date): Promise<void> {
  const found = await contactOverLimit(ctx, contact, async ({ email, phones }, windows) => {
    const [byEmail, byPhone] = await Promise.all([
      email ? recentFeedbackByContact(ctx.db, { email }, windows) : undefined,
      phones ? recentFeedbackByContact(ctx.db, { phones }, windows) : undefined,
    ]);
    return { ...(byEmail ? { email: byEmail } : {}), ...(byPhone ? { phone: byPhone } : {}) };
  }, now);
  if (!found) return;
  const note = 'Đã có nhiều phản ánh, kiến nghị được gửi gần đây với thông tin liên hệ này.';
  const fields: Record<string, string> = {};
  if (found.over.has('email')) fields.contactEmail = note;
  if (found.over.has('phone')) fields.contactPhone = note;
  const error = new AppError('RATE_LIMITED', `Đã có nhiều phản ánh, kiến nghị được gửi gần đây với ${overLimitWhat(found.over)}. `
    + `Vui lòng thử lại sau ${waitText(found.retryAfterSeconds)}, hoặc đăng nhập bằng VNeID và dùng email, số điện thoại của chính bạn.`, fields);
  error.retryAfterSeconds = found.retryAfterSeconds;
  throw error;
}
