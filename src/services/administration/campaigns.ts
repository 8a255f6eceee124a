// Admission campaigns as administrators set them up: the registration window (and the later adjustment and
// confirmation windows), the schools taking part with their quotas, the assignment rule. A quota is never lowered
// under the places already given, and a school some registration lists is never taken out of the campaign.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import {
  countPlacesBySchool, countPlacesBySchoolCategory, countRegistrationsBySchool, findCampaign, insertCampaign, listCampaigns, listCampaignSchools, lockCampaignSchools,
  removeCampaignSchools, setCampaignSchoolQuota, updateCampaign as updateCampaignRow, type CampaignRow,
} from '../../db/repositories/admissions.js';
import type { Db } from '../../db/client.js';
import { findUnitsByIds, listUnitsByKind } from '../../db/repositories/routing.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { CHOICE_FIELDS } from '../intake/admissions.js';
import { CAMPAIGN_WINDOWS, type CampaignWindowName } from '../admissions/windows.js';
import { CAMPAIGN_ID } from '../admissions/campaign-id.js';
import { administratorOf } from './administrator.js';
import { RESERVED_IDS, reservedIdMessage } from './organisation.js';
import { forgetIntakeCampaigns } from '../admissions/campaign-cache.js';

export const CAMPAIGN_RULES = ['deferred-acceptance', 'choice-priority'] as const;
export const CAMPAIGN_GRADES = [1, 6, 10] as const;
/** The windows other than registration, kept in the campaign's `windows` column (services/admissions/windows.ts). */
export const LATER_WINDOWS = CAMPAIGN_WINDOWS;

const instant = z.iso.datetime({ offset: true, error: 'Cần ngày giờ hợp lệ (API: ISO 8601 có múi giờ, ví dụ 2026-06-01T07:30:00+07:00).' });
const campaignWindow = z.strictObject({ opensAt: instant, closesAt: instant })
  .refine((w) => Date.parse(w.opensAt) < Date.parse(w.closesAt), { path: ['closesAt'], error: 'Thời điểm kết thúc phải sau thời điểm bắt đầu.' });

const categoryId = z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'Mã nhóm nguyện vọng gồm chữ thường không dấu, chữ số hoặc dấu gạch ngang (tối đa 24 ký tự), ví dụ chuyen.');
const quotaNumber = z.number({ error: 'Chỉ tiêu phải là một số.' }).int('Chỉ tiêu phải là số nguyên.').max(100_000, 'Chỉ tiêu quá lớn.');

const campaignFields = {
  id: z.string().regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh gồm 2–49 chữ thường không dấu, chữ số hoặc dấu gạch ngang, ví dụ ts10-2026.')
    .refine((id) => !RESERVED_IDS.includes(id), { error: (issue) => reservedIdMessage(String(issue.input)) }),
  name: z.string().trim().min(5, 'Tên kỳ tuyển sinh cần ít nhất 5 ký tự.').max(200, 'Tên kỳ tuyển sinh tối đa 200 ký tự.'),
  grade: z.literal(CAMPAIGN_GRADES, { error: 'Lớp tuyển sinh phải là lớp 1, lớp 6 hoặc lớp 10.' }),
  schoolYear: z.string().regex(/^\d{4}-\d{4}$/, 'Năm học dạng 2026-2027.')
    .refine((y) => Number(y.slice(5)) === Number(y.slice(0, 4)) + 1, 'Năm học gồm hai năm liên tiếp, ví dụ 2026-2027.'),
  choices: z.number({ error: 'Số nguyện vọng phải là một số.' }).int('Số nguyện vọng phải là số nguyên.')
    .min(1, 'Học sinh được đăng ký ít nhất 1 nguyện vọng.').max(CHOICE_FIELDS.length, `Phiếu đăng ký có tối đa ${CHOICE_FIELDS.length} nguyện vọng.`),
  windows: z.strictObject({
    registration: campaignWindow,
    ...Object.fromEntries(CAMPAIGN_WINDOWS.map((name) => [name, campaignWindow.optional()])) as Record<CampaignWindowName, z.ZodOptional<typeof campaignWindow>>,
  }),
  categories: z.array(z.strictObject({
    id: categoryId,
    label: z.string().trim().min(1, 'Chưa nhập tên nhóm nguyện vọng.').max(100, 'Tên nhóm nguyện vọng tối đa 100 ký tự.'),
    choices: z.number({ error: 'Số nguyện vọng của nhóm phải là một số.' }).int('Số nguyện vọng của nhóm phải là số nguyên.')
      .min(1, 'Mỗi nhóm có ít nhất 1 nguyện vọng.').max(CHOICE_FIELDS.length, `Mỗi nhóm có tối đa ${CHOICE_FIELDS.length} nguyện vọng.`),
  })).max(CHOICE_FIELDS.length, `Tối đa ${CHOICE_FIELDS.length} nhóm nguyện vọng.`)
    .superRefine((categories, ctx) => categories.forEach((c, i) => {
      if (categories.findIndex((d) => d.id === c.id) !== i) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'Mã nhóm này đã có.' });
    })),
  schools: z.array(z.strictObject({
    unitId: z.string().min(1, 'Chưa chọn trường.').max(64),
    // With categories `quota` may be left out: it is the sum of `quotas` (checked when given).
    quota: quotaNumber.positive('Chỉ tiêu phải lớn hơn 0.').optional(),
    quotas: z.record(categoryId, quotaNumber.nonnegative('Chỉ tiêu không được âm.')).optional(),
  })).min(1, 'Kỳ tuyển sinh cần ít nhất một trường tham gia.').max(5000)
    .superRefine((schools, ctx) => schools.forEach((s, i) => {
      if (schools.findIndex((t) => t.unitId === s.unitId) !== i) ctx.addIssue({ code: 'custom', path: [i, 'unitId'], message: 'Trường này đã có trong danh sách.' });
    })),
  rule: z.enum(CAMPAIGN_RULES, { error: 'Quy tắc xét tuyển là "deferred-acceptance" hoặc "choice-priority".' }),
  tieBreak: z.array(z.string().regex(/^[A-Za-z][\w.-]{0,40}$/, 'Tiêu chí phụ là tên ngắn không dấu, ví dụ priorityPoints.')).max(10),
};

/** POST /api/admin/campaigns: the whole campaign. */
export const campaignInput = z.strictObject({
  ...campaignFields,
  rule: campaignFields.rule.default('choice-priority'),
  tieBreak: campaignFields.tieBreak.default([]),
  categories: campaignFields.categories.default([]),
});
/** PATCH /api/admin/campaigns/:id: what changes; `schools` (when given) is the whole new list, `windows` too. */
export const campaignPatch = z.strictObject(campaignFields).omit({ id: true }).partial();

export type CampaignInput = z.input<typeof campaignInput>;
export type CampaignPatch = z.input<typeof campaignPatch>;
type Window = { opensAt: string; closesAt: string };
type Category = { id: string; label: string; choices: number };
type SchoolInput = { unitId: string; quota?: number; quotas?: Record<string, number> };
/** A school as stored: the total quota and, with categories, the quota per category (their sum is the total). */
type SchoolQuota = { unitId: string; quota: number; quotas: Record<string, number> };

export interface CampaignView {
  id: string; name: string; grade: number; schoolYear: string; choices: number;
  windows: { registration: Window } & Partial<Record<CampaignWindowName, Window>>;
  rule: (typeof CAMPAIGN_RULES)[number]; tieBreak: string[];
  /** The categories of choices in order (empty: one category); their `choices` add up to the campaign's. */
  categories: Category[];
  /**
   * `places`: given so far (admitted); `registrations`: dossiers listing the school among their choices; `quotas`: per
   * category ({} without categories), `quota` their sum.
   */
  schools: Array<{ unitId: string; name: string; quota: number; quotas: Record<string, number>; places: number; registrations: number }>;
  /** The registration window is open now: the registration form lists the campaign while it is. */
  open: boolean;
  createdAt: string;
}

/** A zod failure as VALIDATION_FAILED with one message per field path ("schools.2.quota"). */
function parseOrRefuse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error, 'Thông tin kỳ tuyển sinh chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.');
}

export async function listCampaignViews(ctx: AppContext, caller: Caller, now = new Date()): Promise<CampaignView[]> {
  administratorOf(caller);
  return Promise.all((await listCampaigns(ctx.db)).map((row) => viewOf(ctx.db, row, now)));
}

export async function getCampaign(ctx: AppContext, caller: Caller, id: string, now = new Date()): Promise<CampaignView> {
  administratorOf(caller);
  const row = await findCampaign(ctx.db, id);
  if (!row) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return viewOf(ctx.db, row, now);
}

/** The school units a campaign may take (the page lists them all with a quota box each). */
export async function campaignSchoolChoices(ctx: AppContext, caller: Caller): Promise<Array<{ unitId: string; name: string }>> {
  administratorOf(caller);
  return (await listUnitsByKind(ctx.db, 'school_office')).map((u) => ({ unitId: u.id, name: u.agencyName }));
}

export async function createCampaign(ctx: AppContext, caller: Caller, raw: unknown): Promise<CampaignView> {
  const { actor } = administratorOf(caller);
  const input = parseOrRefuse(campaignInput, raw);
  const schools = schoolQuotas(input.choices, input.categories, input.schools);
  await ctx.db.transaction(async (tx) => {
    const created = await insertCampaign(tx, {
      id: input.id, name: input.name, grade: input.grade, schoolYear: input.schoolYear, choices: input.choices, rule: input.rule,
      tieBreak: input.tieBreak, categories: input.categories, ...windowColumns(input.windows),
    });
    if (!created) {
      throw new AppError('CAMPAIGN_EXISTS', 'Mã kỳ tuyển sinh đã được dùng.', { id: `Đã có kỳ tuyển sinh mã "${input.id}"; chọn mã khác hoặc sửa kỳ đó.` });
    }
    await checkSchools(tx, schools);
    for (const s of schools) await setCampaignSchoolQuota(tx, input.id, s.unitId, s.quota, s.quotas);
    await recordAudit(tx, actor, 'campaign.saved', input.id, { created: true, after: input });
  });
  forgetIntakeCampaigns(ctx.db); // intake in this process sees the saved campaign at once (admissions/campaign-cache.ts)
  return getCampaign(ctx, caller, input.id);
}

export async function updateCampaign(ctx: AppContext, caller: Caller, id: string, raw: unknown): Promise<CampaignView> {
  const { actor } = administratorOf(caller);
  const patch = parseOrRefuse(campaignPatch, raw);
  await ctx.db.transaction(async (tx) => {
    const row = await findCampaign(tx, id);
    if (!row) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
    // Locked first: a principal admitting at this moment waits, then sees the new quota.
    const current = await lockCampaignSchools(tx, id);
    const before = { ...stored(row), schools: current.map((s) => ({
      unitId: s.schoolUnitId, quota: s.quota, ...(Object.keys(s.categoryQuotas).length > 0 ? { quotas: s.categoryQuotas } : {}),
    })) };
    const categories = patch.categories ?? row.categories;
    if (patch.categories && !patch.schools && JSON.stringify(patch.categories) !== JSON.stringify(row.categories)) {
      throw new AppError('VALIDATION_FAILED', 'Thông tin kỳ tuyển sinh chưa hợp lệ.', {
        schools: 'Khi thay đổi nhóm nguyện vọng, cần gửi lại danh sách trường với chỉ tiêu từng nhóm.',
      });
    }
    const schools = patch.schools ? schoolQuotas(patch.choices ?? row.choices, categories, patch.schools)
      : (checkCategorySum(patch.choices ?? row.choices, categories), undefined);
    if (schools) await replaceSchools(tx, id, current, schools);
    const { schools: _schools, windows, ...columns } = patch;
    const changes = { ...columns, ...(windows ? windowColumns(windows) : {}) };
    if (Object.keys(changes).length > 0) await updateCampaignRow(tx, id, changes);
    await recordAudit(tx, actor, 'campaign.saved', id, { created: false, before, after: patch });
  });
  forgetIntakeCampaigns(ctx.db);
  return getCampaign(ctx, caller, id);
}

/**
 * The schools' quotas checked against the categories: without categories `quota` is required and `quotas` refused; with
 * them `quotas` is required, names only the campaign's categories, and `quota` is their sum (computed, or checked when
 * given). The categories' choices add up to the campaign's.
 */
function schoolQuotas(choices: number, categories: Category[], schools: SchoolInput[]): SchoolQuota[] {
  const problems: Record<string, string> = {};
  categorySumProblem(choices, categories, problems);
  const ids = new Set(categories.map((c) => c.id));
  const out = schools.map((s, i) => {
    if (categories.length === 0) {
      if (s.quotas !== undefined && Object.keys(s.quotas).length > 0) problems[`schools.${i}.quotas`] = 'Kỳ tuyển sinh không chia nhóm nguyện vọng: chỉ nhập một chỉ tiêu.';
      if (s.quota === undefined) problems[`schools.${i}.quota`] = 'Chưa nhập chỉ tiêu.';
      return { unitId: s.unitId, quota: s.quota ?? 0, quotas: {} };
    }
    const quotas = s.quotas ?? {};
    for (const key of Object.keys(quotas)) if (!ids.has(key)) problems[`schools.${i}.quotas.${key}`] = `Kỳ tuyển sinh không có nhóm nguyện vọng "${key}".`;
    const sum = Object.values(quotas).reduce((a, n) => a + n, 0);
    if (sum <= 0) problems[`schools.${i}.quotas`] = 'Cần chỉ tiêu cho ít nhất một nhóm nguyện vọng.';
    else if (s.quota !== undefined && s.quota !== sum) problems[`schools.${i}.quota`] = `Chỉ tiêu của trường phải bằng tổng chỉ tiêu các nhóm (${sum}).`;
    return { unitId: s.unitId, quota: sum, quotas };
  });
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Thông tin kỳ tuyển sinh chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  return out;
}

function categorySumProblem(choices: number, categories: Category[], problems: Record<string, string>): void {
  const sum = categories.reduce((a, c) => a + c.choices, 0);
  if (categories.length > 0 && sum !== choices) problems.categories = `Tổng số nguyện vọng của các nhóm (${sum}) phải bằng số nguyện vọng của kỳ tuyển sinh (${choices}).`;
}

function checkCategorySum(choices: number, categories: Category[]): void {
  const problems: Record<string, string> = {};
  categorySumProblem(choices, categories, problems);
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Thông tin kỳ tuyển sinh chưa hợp lệ.', problems);
}

/** New quotas and schools; refused when a quota (or a category's) falls under the places given or a listed school would go. */
async function replaceSchools(
  tx: Db, campaignId: string, current: Array<{ schoolUnitId: string; quota: number }>, wanted: SchoolQuota[],
): Promise<void> {
  await checkSchools(tx, wanted);
  const places = await countPlacesBySchool(tx, campaignId);
  const byCategory = await countPlacesBySchoolCategory(tx, campaignId);
  const registrations = await countRegistrationsBySchool(tx, campaignId, CHOICE_FIELDS);
  const problems: Record<string, string> = {};
  wanted.forEach((s, i) => {
    const given = places.get(s.unitId) ?? 0;
    if (s.quota < given) problems[`schools.${i}.quota`] = `Trường đã trúng tuyển ${given} học sinh; chỉ tiêu không thể thấp hơn ${given}.`;
    for (const p of byCategory) {
      if (p.unitId !== s.unitId || p.category === '' || (s.quotas[p.category] ?? 0) >= p.n) continue;
      problems[`schools.${i}.quotas.${p.category}`] = `Trường đã trúng tuyển ${p.n} học sinh ở nhóm này; chỉ tiêu của nhóm không thể thấp hơn ${p.n}.`;
    }
  });
  const keep = new Set(wanted.map((s) => s.unitId));
  const removed = current.map((s) => s.schoolUnitId).filter((u) => !keep.has(u));
  const names = new Map((await findUnitsByIds(tx, removed)).map((u) => [u.id, u.agencyName]));
  const blocked = removed.filter((u) => (registrations.get(u) ?? 0) > 0 || (places.get(u) ?? 0) > 0);
  if (blocked.length > 0) {
    problems.schools = `Không thể bỏ trường đã có học sinh đăng ký: ${blocked.map((u) => `${names.get(u) ?? u} (${registrations.get(u) ?? 0} hồ sơ)`).join(', ')}.`;
  }
  if (Object.keys(problems).length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Không thể thay đổi danh sách trường và chỉ tiêu như vậy.', problems);
  }
  await removeCampaignSchools(tx, campaignId, removed);
  for (const s of wanted) await setCampaignSchoolQuota(tx, campaignId, s.unitId, s.quota, s.quotas);
}

/** Every unit exists and is a school's office. */
async function checkSchools(db: Db, schools: Array<{ unitId: string }>): Promise<void> {
  const found = new Map((await findUnitsByIds(db, schools.map((s) => s.unitId))).map((u) => [u.id, u]));
  const problems: Record<string, string> = {};
  schools.forEach((s, i) => {
    const unit = found.get(s.unitId);
    if (!unit) problems[`schools.${i}.unitId`] = `Không có đơn vị "${s.unitId}".`;
    else if (unit.kind !== 'school_office') problems[`schools.${i}.unitId`] = `"${unit.name}" không phải một trường.`;
  });
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Danh sách trường chưa hợp lệ.', problems);
}

function windowColumns(windows: CampaignView['windows']): Pick<CampaignRow, 'opensAt' | 'closesAt' | 'windows'> {
  const later: Record<string, Window> = {};
  for (const name of LATER_WINDOWS) {
    const w = windows[name];
    if (w) later[name] = { opensAt: new Date(w.opensAt).toISOString(), closesAt: new Date(w.closesAt).toISOString() };
  }
  return { opensAt: new Date(windows.registration.opensAt), closesAt: new Date(windows.registration.closesAt), windows: later };
}

function stored(row: CampaignRow) {
  return {
    name: row.name, grade: row.grade, schoolYear: row.schoolYear, choices: row.choices, rule: row.rule, tieBreak: row.tieBreak,
    categories: row.categories,
    windows: { registration: { opensAt: row.opensAt.toISOString(), closesAt: row.closesAt.toISOString() }, ...row.windows },
  };
}

async function viewOf(db: Db, row: CampaignRow, now: Date): Promise<CampaignView> {
  const [schools, places, registrations] = await Promise.all([
    listCampaignSchools(db, row.id), countPlacesBySchool(db, row.id), countRegistrationsBySchool(db, row.id, CHOICE_FIELDS),
  ]);
  return {
    id: row.id, ...stored(row), grade: row.grade,
    schools: schools.map((s) => ({
      unitId: s.schoolUnitId, name: s.name, quota: s.quota, quotas: s.categoryQuotas, places: places.get(s.schoolUnitId) ?? 0, registrations: registrations.get(s.schoolUnitId) ?? 0,
    })),
    open: row.opensAt <= now && now < row.closesAt,
    createdAt: row.createdAt.toISOString(),
  };
}
