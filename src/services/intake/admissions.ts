// Admission registration rules that need the database, so they cannot be pure workflow guards: the campaign's
// registration window and grade, the chosen schools taking part, and each school's quota when a place is given.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findCampaign, listCampaignSchools, takePlace } from '../../db/repositories/admissions.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findUnitsByIds } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { checkRosterIntake } from '../admissions/roster.js';
import { vnDateTime } from '../admissions/vn-date-time.js';

export const CHOICE_FIELDS = ['choice1', 'choice2', 'choice3'] as const;

/** The grade a campaign admits to (a signed-in filer is not asked for it); undefined for an unknown campaign. */
export async function campaignGrade(ctx: Pick<AppContext, 'db'>, campaignId: string): Promise<number | undefined> {
  return (await findCampaign(ctx.db, campaignId))?.grade;
}

/** Intake check: the window is open now, the grade matches, choices are distinct schools of the campaign. */
export async function checkAdmissionIntake(ctx: AppContext, formData: Record<string, unknown>, now: Date): Promise<void> {
  const campaign = await findCampaign(ctx.db, String(formData.campaign ?? ''));
  if (!campaign) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ.', { campaign: 'Kỳ tuyển sinh đã chọn không tồn tại.' });
  if (now < campaign.opensAt || now >= campaign.closesAt) {
    const when = now < campaign.opensAt ? 'chưa mở' : 'đã kết thúc';
    throw new AppError('CAMPAIGN_CLOSED',
      `Kỳ tuyển sinh "${campaign.name}" ${when}: chỉ nhận đăng ký từ ${vnDateTime(campaign.opensAt)} đến trước ${vnDateTime(campaign.closesAt)}.`,
      { campaign: `Ngoài thời gian đăng ký (${when}).` });
  }
  const problems: Record<string, string> = {};
  if (Number(formData.grade) !== campaign.grade) problems.grade = `Kỳ tuyển sinh này dành cho lớp ${campaign.grade}.`;
  const schools = new Set((await listCampaignSchools(ctx.db, campaign.id)).map((s) => s.schoolUnitId));
  const seen = new Set<string>();
  for (const field of CHOICE_FIELDS) {
    const value = formData[field];
    if (typeof value !== 'string' || value === '') continue;
    if (seen.has(value)) problems[field] = 'Các nguyện vọng phải là các trường khác nhau.';
    else if (!schools.has(value)) problems[field] = 'Trường này không tuyển sinh trong kỳ đã chọn.';
    seen.add(value);
  }
  if (!formData.choice2 && formData.choice3) problems.choice3 = 'Cần chọn nguyện vọng 2 trước nguyện vọng 3.';
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  await checkRosterIntake(ctx, formData);
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
  return { admittedSchool: dossier.unitId, admittedSchoolLabel: unit?.agencyName ?? dossier.unitId, admittedChoice: rank > 0 ? rank : null };
}
