// Admission registration rules that need the database, so they cannot be pure workflow guards: the campaign's
// registration window and grade, the chosen schools taking part (in the field's category), one live registration per
// pupil per campaign, and each school's quota when a place is given.
import type { AppContext } from '../../app-context.js';
import { choiceProblems, choiceSlots, CHOICE_FIELDS, type CampaignChoices } from '../../admissions/choices.js';
import type { Db } from '../../db/client.js';
import { findCampaign, findLiveRegistration, listCampaignSchools, takePlace, type CampaignRow } from '../../db/repositories/admissions.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { intakeCampaign, type CampaignSchool } from '../admissions/campaign-cache.js';
import { checkRosterIntake } from '../admissions/roster.js';
import { vnDateTime } from '../admissions/vn-date-time.js';

export { CHOICE_FIELDS } from '../../admissions/choices.js';
export const REGISTRATION_PROCEDURE_ID = 'admission-registration';

/** Who is filing: a signed-in citizen's account id (null: anonymous, the desk, the national portal). */
export interface IntakeFiler { citizenId: string | null }

/** The grade a campaign admits to (a signed-in filer is not asked for it); undefined for an unknown campaign. */
export async function campaignGrade(ctx: Pick<AppContext, 'db'>, campaignId: string): Promise<number | undefined> {
  return (await intakeCampaign(ctx.db, campaignId))?.campaign.grade;
}

/** Intake check: the window is open now, the grade matches, the choices keep the campaign's rules, the pupil is on the roster. */
export async function checkAdmissionIntake(ctx: AppContext, formData: Record<string, unknown>, now: Date): Promise<void> {
  // Cached per process for a few seconds (admissions/campaign-cache.ts): a burst of filings reads it once, not each.
  const cached = await intakeCampaign(ctx.db, String(formData.campaign ?? ''));
  if (!cached) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ.', { campaign: 'Kỳ tuyển sinh đã chọn không tồn tại.' });
  const { campaign } = cached;
  if (now < campaign.opensAt || now >= campaign.closesAt) {
    const when = now < campaign.opensAt ? 'chưa mở' : 'đã kết thúc';
    throw new AppError('CAMPAIGN_CLOSED',
      `Kỳ tuyển sinh "${campaign.name}" ${when}: chỉ nhận đăng ký từ ${vnDateTime(campaign.opensAt)} đến trước ${vnDateTime(campaign.closesAt)}.`,
      { campaign: `Ngoài thời gian đăng ký (${when}).` });
  }
  const problems: Record<string, string> = await checkChoices(ctx.db, campaign, formData, cached.schools);
  if (Number(formData.grade) !== campaign.grade) problems.grade = `Kỳ tuyển sinh này dành cho lớp ${campaign.grade}.`;
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  await checkRosterIntake(ctx, formData);
  // One live registration per pupil: not read here but left to the unique index dossiers_live_registration_uq, which
  // intake's INSERT meets anyway (record-filing.ts answers its violation with DUPLICATE_REGISTRATION, the dossier's code
  // named to the parent who filed it). A read first would cost every registration a round trip to refuse the rare
  // duplicate; refusing at the INSERT costs the duplicate a day number (numbers may have gaps, docs/API.md).
}

/** The choice problems of a form against the campaign's schools (intake and the adjustment window). */
export async function checkChoices(
  db: Db, campaign: CampaignRow, formData: Record<string, unknown>, campaignSchools?: CampaignSchool[],
): Promise<Record<string, string>> {
  const schools = new Map((campaignSchools ?? await listCampaignSchools(db, campaign.id)).map((s) => [
    s.schoolUnitId, new Set(Object.entries(s.categoryQuotas).filter(([, n]) => n > 0).map(([c]) => c)),
  ]));
  return choiceProblems(campaign, schools, formData);
}

/** The refusal of a second live registration of a pupil, once the unique index turned its INSERT down (the code named to its own filer). */
export async function duplicateRegistrationOf(db: Db, formData: Record<string, unknown>, filer?: IntakeFiler): Promise<AppError> {
  const campaign = await findCampaign(db, String(formData.campaign ?? ''));
  const existing = campaign ? await findLiveRegistration(db, REGISTRATION_PROCEDURE_ID, campaign.id, String(formData.pupilIdNumber ?? '')) : undefined;
  return duplicateRegistration(campaign, existing, filer);
}

function duplicateRegistration(
  campaign: Pick<CampaignRow, 'name'> | undefined, existing: { code: string; citizenId: string | null } | undefined, filer: IntakeFiler | undefined,
): AppError {
  const name = campaign ? ` trong kỳ tuyển sinh "${campaign.name}"` : '';
  const own = existing && filer?.citizenId && existing.citizenId === filer.citizenId;
  const message = own
    ? `Bạn đã đăng ký cho học sinh này${name}: hồ sơ ${existing.code}. Mỗi học sinh chỉ có một hồ sơ đăng ký; muốn đổi nguyện vọng, hãy điều chỉnh nguyện vọng của hồ sơ đó trong thời gian điều chỉnh.`
    : `Học sinh có số định danh này đã có hồ sơ đăng ký${name}. Mỗi học sinh chỉ được đăng ký một hồ sơ; nếu không phải bạn đã đăng ký, vui lòng liên hệ trường nguyện vọng 1 hoặc Sở Giáo dục và Đào tạo.`;
  return new AppError('DUPLICATE_REGISTRATION', message, { pupilIdNumber: own ? `Đã có hồ sơ ${existing.code}.` : 'Học sinh này đã có hồ sơ đăng ký trong kỳ tuyển sinh.' });
}

/** The field's category ('' without categories) for a choice rank of the campaign. */
export function categoryOfRank(campaign: CampaignChoices, rank: number): string {
  return choiceSlots(campaign).find((s) => s.rank === rank)?.category ?? '';
}

/**
 * Inside the action's transaction: admitting takes a place at the school holding the dossier, or fails with
 * QUOTA_FULL (the whole action rolls back, the dossier stays where it was).
 */
export async function takeAdmissionPlace(tx: Db, dossier: DossierRow): Promise<Record<string, unknown>> {
  const campaignId = String(dossier.formData.campaign ?? '');
  const ok = await takePlace(tx, { dossierId: dossier.id, campaignId, schoolUnitId: dossier.unitId });
  if (!ok) {
    throw new AppError('QUOTA_FULL', 'Trường đã đủ chỉ tiêu tuyển sinh của kỳ này; không thể trúng tuyển thêm. Có thể chuyển hồ sơ sang nguyện vọng tiếp theo.');
  }
  // Recorded on the dossier: the admission notice names the school that admitted and which choice it was.
  const [unit] = await findUnitsByIds(tx, [dossier.unitId]);
  const rank = CHOICE_FIELDS.findIndex((f) => dossier.formData[f] === dossier.unitId) + 1;
  const campaign = await findCampaign(tx, campaignId);
  // The category of the choice that admitted (counted per category when a quota is lowered); none without categories.
  const admittedCategory = campaign && rank > 0 ? categoryOfRank(campaign, rank) : '';
  return { admittedSchool: dossier.unitId, admittedSchoolLabel: unit?.agencyName ?? dossier.unitId, admittedChoice: rank > 0 ? rank : null,
    ...(admittedCategory ? { admittedCategory } : {}) };
}
