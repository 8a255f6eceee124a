// Pre-verification (tiền kiểm) of an admission campaign: the roster the education database exports is imported
// (CSV/XLSX, all or nothing), parents confirm or correct their child's row while the preVerification window is open
// (signed in with VNeID, or at a desk by an administrator), rows nobody answered are taken as correct at the deadline
// (autoConfirmRosters, run by the periodic sweep), and a campaign with a roster only takes registrations of pupils on
// it with the same birth date (checkRosterIntake, one primary-key probe on the intake's hot path).
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import {
  autoConfirmPending, countRosterByStatus, findRosterRow, listCampaignsPastPreVerification, listRoster, listRosterOfFamily,
  replacePendingRoster, rosterBirthDate, updateRosterRow, type NewRosterRow, type RosterRow, type RosterStatus,
} from '../../db/repositories/admission-roster.js';
import { lockCampaign } from '../../db/repositories/admission-assignment.js';
import { findCampaign, listCampaigns, type CampaignRow } from '../../db/repositories/admissions.js';
import { normaliseDate } from '../../identity/citizen-claims.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import type { TableFile } from '../administration/table-file.js';
import { citizenActor, recordAudit, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.js';
import { citizenFamily } from '../citizens/family.js';
import { LineErrors, readImportFile } from './import-file.js';
import { isWindowOpen, requireWindowOpen, windowOf } from './windows.js';

export const ROSTER_COLUMNS = ['pupilIdNumber', 'fullName', 'birthDate', 'gender', 'currentSchool', 'residence', 'guardianIdNumber'] as const;
export const ROSTER_STATUSES = ['pending', 'confirmed', 'corrected', 'auto_confirmed'] as const satisfies readonly RosterStatus[];
export const ROSTER_STATUS_LABELS: Record<RosterStatus, string> = {
  pending: 'Chưa xác nhận', confirmed: 'Đã xác nhận', corrected: 'Đã điều chỉnh', auto_confirmed: 'Tự động xác nhận khi hết hạn',
};
/** The fields a parent may correct (the IDs are the keys of the row and of the parent's right to answer). */
export const CORRECTABLE = ['fullName', 'birthDate', 'gender', 'currentSchool', 'residence'] as const;
type Correctable = (typeof CORRECTABLE)[number];
export const ROSTER_PAGE_SIZE = 50;

const ID = /^\d{12}$/;
const MAX_NAME = 200;
const MAX_TEXT = 300;

/** 'male' | 'female' from how the education database or a parent writes it; undefined otherwise. */
export function rosterGender(value: string): 'male' | 'female' | undefined {
  const folded = value.trim().normalize('NFC').toLowerCase();
  if (folded === 'male' || folded === 'nam') return 'male';
  if (folded === 'female' || folded === 'nữ' || folded === 'nu') return 'female';
  return undefined;
}

const text = (max: number, label: string) => z.string({ error: `${label} không hợp lệ.` }).trim().normalize('NFC')
  .min(1, `${label} không được để trống.`).max(max, `${label} tối đa ${max} ký tự.`);

/** A correction: the fields that are wrong and what they should read (at least one). */
export const rosterCorrection = z.strictObject({
  corrections: z.strictObject({
    fullName: text(MAX_NAME, 'Họ và tên').optional(),
    birthDate: z.string().max(20).transform((v, ctx) => normaliseDate(v) ?? (ctx.addIssue({ code: 'custom', message: 'Ngày sinh không hợp lệ (ngày/tháng/năm hoặc năm-tháng-ngày, là một ngày có thật).' }), z.NEVER)).optional(),
    gender: z.string().max(20).transform((v, ctx) => rosterGender(v) ?? (ctx.addIssue({ code: 'custom', message: 'Giới tính là Nam hoặc Nữ.' }), z.NEVER)).optional(),
    currentSchool: text(MAX_TEXT, 'Trường đang học').optional(),
    residence: text(MAX_TEXT, 'Nơi cư trú').optional(),
  }).refine((c) => Object.values(c).some((v) => v !== undefined), 'Chưa có thông tin nào cần điều chỉnh.'),
});

/** The answer of a parent or a desk: the row is right as it is, or these fields are wrong and should read so. */
export const rosterAnswer = z.union([
  z.strictObject({ confirm: z.literal(true, { error: 'Gửi { "confirm": true } để xác nhận thông tin là đúng.' }) }),
  rosterCorrection,
], { error: 'Gửi { "confirm": true } hoặc { "corrections": { ... } }.' });
export type RosterAnswer = z.infer<typeof rosterAnswer>;

export interface RosterView {
  campaignId: string; pupilIdNumber: string; fullName: string; birthDate: string; gender: string | null;
  currentSchool: string | null; residence: string | null; guardianIdNumber: string | null; status: RosterStatus;
  corrections: Record<string, { from: string | null; to: string }>; confirmedBy: string | null; confirmedAt: string | null;
}

function view(row: RosterRow): RosterView {
  return {
    campaignId: row.campaignId, pupilIdNumber: row.pupilIdNumber, fullName: row.fullName, birthDate: row.birthDate, gender: row.gender,
    currentSchool: row.currentSchool, residence: row.residence, guardianIdNumber: row.guardianIdNumber, status: row.status,
    corrections: row.corrections, confirmedBy: row.confirmedBy, confirmedAt: row.confirmedAt?.toISOString() ?? null,
  };
}

async function campaignOrNotFound(db: Db, campaignId: string): Promise<CampaignRow> {
  const campaign = await findCampaign(db, campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return campaign;
}

// ---------------------------------------------------------------------------------------------------------------
// Import and the administrator's list.

/**
 * Imports the roster file. Refused once the preVerification window has closed (or when the campaign has none), after
 * the file's checks: the roster is what parents answer during that window. A re-import replaces the rows still
 * `pending` and keeps every row already answered as it was (`kept` counts the file's lines whose pupil had answered).
 */
export async function importRoster(ctx: AppContext, caller: Caller, campaignId: string, file: TableFile, now = new Date()): Promise<{ imported: number; kept: number; removed: number }> {
  const { actor } = administratorOf(caller);
  const campaign = await campaignOrNotFound(ctx.db, campaignId);
  const table = await readImportFile(file, ROSTER_COLUMNS, ['pupilIdNumber', 'fullName', 'birthDate']);
  const errors = new LineErrors();
  const fail = (line: number, message: string) => errors.fail(line, message);
  const rows: NewRosterRow[] = [];
  for (const { line, values } of table) {
    const id = values.pupilIdNumber ?? '';
    errors.pupilId(line, id);
    const fullName = values.fullName ?? '';
    if (fullName === '') fail(line, 'fullName: chưa có họ và tên.');
    else if (fullName.length > MAX_NAME) fail(line, `fullName: họ và tên tối đa ${MAX_NAME} ký tự.`);
    const birthDate = normaliseDate(values.birthDate ?? '');
    if (!birthDate) fail(line, `birthDate: "${values.birthDate ?? ''}" không phải ngày sinh có thật dạng năm-tháng-ngày (2015-04-30) hoặc ngày/tháng/năm (30/04/2015).`);
    const gender = values.gender === undefined ? undefined : rosterGender(values.gender);
    if (values.gender !== undefined && !gender) fail(line, `gender: "${values.gender}" không hợp lệ; ghi Nam/Nữ hoặc male/female.`);
    const guardian = values.guardianIdNumber;
    if (guardian !== undefined && !ID.test(guardian)) fail(line, `guardianIdNumber: số định danh của cha mẹ/người giám hộ gồm đúng 12 chữ số (đang là "${guardian}").`);
    for (const column of ['currentSchool', 'residence'] as const) {
      if ((values[column]?.length ?? 0) > MAX_TEXT) fail(line, `${column}: tối đa ${MAX_TEXT} ký tự.`);
    }
    if (birthDate) {
      rows.push({
        pupilIdNumber: id, fullName, birthDate, gender: gender ?? null, currentSchool: values.currentSchool ?? null,
        residence: values.residence ?? null, guardianIdNumber: guardian ?? null, importedAt: now,
      });
    }
  }
  errors.throwIfAny();

  // After the file's own problems, so an operator preparing the file early (or late) learns them all at once.
  const window = windowOf(campaign, 'preVerification');
  if (!window || now >= window.closesAt) requireWindowOpen(campaign, 'preVerification', now);
  return ctx.db.transaction(async (tx) => {
    // One import of a campaign at a time: two at once would otherwise interleave their delete and insert.
    await lockCampaign(tx, campaignId);
    const { inserted, removed } = await replacePendingRoster(tx, campaignId, rows);
    const result = { imported: inserted, kept: rows.length - inserted, removed };
    await recordAudit(tx, actor, 'campaign.roster_imported', campaignId, { ...result, fileName: file.fileName });
    return result;
  });
}

export const rosterQuery = z.object({
  status: z.enum(ROSTER_STATUSES, { error: 'Trạng thái là pending, confirmed, corrected hoặc auto_confirmed.' }).optional(),
  q: z.string().trim().max(100, 'Từ khóa tối đa 100 ký tự.').optional(),
  page: z.coerce.number({ error: 'Trang phải là một số.' }).int('Trang phải là số nguyên.').min(1, 'Trang bắt đầu từ 1.').max(100_000).default(1),
});
export type RosterQuery = z.infer<typeof rosterQuery>;

export interface RosterPage {
  items: RosterView[]; total: number; page: number; pageSize: number;
  counts: Record<RosterStatus, number>;
}

export async function readRoster(ctx: AppContext, caller: Caller, campaignId: string, query: RosterQuery): Promise<RosterPage> {
  administratorOf(caller);
  await campaignOrNotFound(ctx.db, campaignId);
  const [{ rows, total }, byStatus] = await Promise.all([
    listRoster(ctx.db, campaignId, { status: query.status, q: query.q || undefined, limit: ROSTER_PAGE_SIZE, offset: (query.page - 1) * ROSTER_PAGE_SIZE }),
    countRosterByStatus(ctx.db, campaignId),
  ]);
  const counts = Object.fromEntries(ROSTER_STATUSES.map((s) => [s, byStatus.get(s) ?? 0])) as Record<RosterStatus, number>;
  return { items: rows.map(view), total, page: query.page, pageSize: ROSTER_PAGE_SIZE, counts };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers: parents signed in with VNeID, or the desk.

export interface FamilyRosterView extends RosterView { campaignName: string; closesAt: string }

function signedInCitizen(caller: Caller) {
  if (caller.kind !== 'citizen') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập bằng VNeID để xác nhận thông tin tuyển sinh của con.');
  return caller.citizen;
}

/** The campaigns whose preVerification window is open now (the campaigns table holds a few rows a year). */
async function campaignsInPreVerification(db: Db, now: Date): Promise<CampaignRow[]> {
  return (await listCampaigns(db)).filter((c) => isWindowOpen(c, 'preVerification', now));
}

/** The signed-in citizen's rows: they are the guardian the education database names, or the pupil is their child. */
export async function myRoster(ctx: AppContext, caller: Caller, now = new Date()): Promise<FamilyRosterView[]> {
  const citizen = signedInCitizen(caller);
  const campaigns = await campaignsInPreVerification(ctx.db, now);
  if (campaigns.length === 0) return [];
  const children = (await citizenFamily(ctx.db, citizen)).children.map((c) => c.personalId);
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const rows = await listRosterOfFamily(ctx.db, [...byId.keys()], citizen.personalId, children);
  return rows.map((r) => {
    const campaign = byId.get(r.campaignId)!;
    return { ...view(r), campaignName: campaign.name, closesAt: windowOf(campaign, 'preVerification')!.closesAt.toISOString() };
  });
}

const notYours = () => new AppError('NOT_FOUND', 'Không tìm thấy học sinh này trong danh sách tiền kiểm của bạn.');

/** A parent's answer. Someone else's pupil (or one not on the roster) is the same 404: nothing says which. */
export async function answerRoster(ctx: AppContext, caller: Caller, campaignId: string, pupilIdNumber: string, answer: RosterAnswer, now = new Date()): Promise<RosterView> {
  const citizen = signedInCitizen(caller);
  const children = new Set((await citizenFamily(ctx.db, citizen)).children.map((c) => c.personalId));
  return answer_(ctx, campaignId, pupilIdNumber, answer, now, {
    actor: citizenActor(citizen, caller.kind === 'citizen' ? caller.ip : null),
    confirmedBy: citizen.personalId,
    may: (row) => row.guardianIdNumber === citizen.personalId || children.has(row.pupilIdNumber),
    missing: notYours,
  });
}

/** The desk records the answer of a parent without VNeID: administrators only (see the README for why). */
export async function answerRosterAtDesk(ctx: AppContext, caller: Caller, campaignId: string, pupilIdNumber: string, answer: RosterAnswer, now = new Date()): Promise<RosterView> {
  const { staff, actor } = administratorOf(caller);
  return answer_(ctx, campaignId, pupilIdNumber, answer, now, {
    actor, confirmedBy: `staff:${staff.id}`, may: () => true,
    missing: () => new AppError('NOT_FOUND', 'Không có học sinh này trong danh sách tiền kiểm của kỳ tuyển sinh.'),
  });
}

async function answer_(
  ctx: AppContext, campaignId: string, pupilIdNumber: string, answer: RosterAnswer, now: Date,
  who: { actor: AuditActor; confirmedBy: string; may: (row: RosterRow) => boolean; missing: () => AppError },
): Promise<RosterView> {
  if (!ID.test(pupilIdNumber)) throw who.missing();
  return ctx.db.transaction(async (tx) => {
    const campaign = await findCampaign(tx, campaignId);
    const row = campaign ? await findRosterRow(tx, campaignId, pupilIdNumber, { lock: true }) : undefined;
    // Ownership before the window: a closed window must not tell a stranger that the pupil is on the roster.
    if (!campaign || !row || !who.may(row)) throw who.missing();
    requireWindowOpen(campaign, 'preVerification', now);
    // A second answer builds on the first: `from` stays the imported value, a field set back to it is no correction.
    const corrections = { ...row.corrections };
    const changes: Partial<Record<Correctable, string>> = {};
    if ('corrections' in answer) {
      for (const field of CORRECTABLE) {
        const to = answer.corrections[field];
        if (to === undefined) continue;
        const from = field in corrections ? corrections[field]!.from : row[field];
        if (to === from) delete corrections[field];
        else corrections[field] = { from, to };
        changes[field] = to;
      }
    }
    const status = Object.keys(corrections).length > 0 ? 'corrected' : 'confirmed';
    await updateRosterRow(tx, campaignId, pupilIdNumber, { ...changes, status, corrections, confirmedBy: who.confirmedBy, confirmedAt: now });
    await recordAudit(tx, who.actor, 'campaign.roster_answered', campaignId, { pupilIdNumber, status, corrected: Object.keys(changes) });
    return view({ ...row, ...changes, status, corrections, confirmedBy: who.confirmedBy, confirmedAt: now });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The deadline and the registration.

/**
 * Rows still `pending` once a campaign's preVerification window has closed are taken as correct (`auto_confirmed`,
 * confirmedBy 'deadline'): one transaction and one audit entry per campaign that had any. Idempotent (a second pass
 * finds nothing pending) and cheap when nothing is due: one read of the small campaigns table, then one indexed
 * update per campaign whose window has closed.
 */
export async function autoConfirmRosters(ctx: Pick<AppContext, 'db'>, now = new Date()): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  for (const { id } of await listCampaignsPastPreVerification(ctx.db, now)) {
    await ctx.db.transaction(async (tx) => {
      const n = await autoConfirmPending(tx, id, now);
      if (n === 0) return;
      await recordAudit(tx, SYSTEM_ACTOR, 'campaign.roster_auto_confirmed', id, { count: n });
      done[id] = n;
    });
  }
  return done;
}

/**
 * Intake: when the campaign has a roster, the pupil must be on it with the same birth date (after any correction).
 * One statement probing the primary key. A campaign without a roster (the province skipped pre-verification) is left
 * alone.
 */
export async function checkRosterIntake(ctx: Pick<AppContext, 'database'>, formData: Record<string, unknown>): Promise<void> {
  const campaignId = String(formData.campaign ?? '');
  const pupilIdNumber = String(formData.pupilIdNumber ?? '');
  const { hasRoster, birthDate } = await rosterBirthDate(ctx.database, campaignId, pupilIdNumber);
  if (!hasRoster) return;
  if (birthDate === null) {
    throw new AppError('VALIDATION_FAILED', 'Học sinh không có trong danh sách tiền kiểm của kỳ tuyển sinh.', {
      pupilIdNumber: 'Số định danh này không có trong danh sách tiền kiểm của kỳ tuyển sinh. Kiểm tra lại số định danh, hoặc liên hệ nhà trường để được bổ sung.',
    });
  }
  if (birthDate !== formData.pupilBirthDate) {
    throw new AppError('VALIDATION_FAILED', 'Ngày sinh không khớp với danh sách tiền kiểm của kỳ tuyển sinh.', {
      pupilBirthDate: 'Ngày sinh khác với ngày sinh trong danh sách tiền kiểm (đã được cha mẹ xác nhận hoặc điều chỉnh). Kiểm tra lại ngày sinh.',
    });
  }
}
