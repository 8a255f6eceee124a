// The supplementary round (tuyển bổ sung): after the confirmation deadline, the seats not confirmed (seats.ts) are
// offered during the campaign's supplementary window; a registered pupil without a confirmed enrolment lists, in order,
// up to the campaign's number of choices among the programs with seats left (the registration's owner, as for the
// confirmation: enrolment.ts); an administrator then starts a supplementary run (assignment-runs.ts), which assigns
// those pupils with the same scores and tie-break to the seats left only.
import { z } from 'zod';
import { filledChoices, MAX_REGISTRATION_CHOICES } from '../../admissions/choices.js';
import type { AppContext } from '../../app-context.js';
import { findEnrolment, findSupplementaryChoices, replaceSupplementaryChoices } from '../../db/repositories/admission-enrolments.js';
import { campaignSchoolsForDemand } from '../../db/repositories/admission-lookup.js';
import { findCampaign } from '../../db/repositories/admissions.js';
import { findDossierById, insertEvent } from '../../db/repositories/dossiers.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import type { AdmissionEvent } from '../history-events.js';
import { registrationOwner } from './enrolment.js';
import { seatsLeft, splitProgramId } from './seats.js';
import { isWindowOpen, requireWindowOpen, windowOf } from './windows.js';

export interface SupplementaryProgram {
  /** What a supplementary choice names: the school's unit id, or unit id + ':' + category with categories. */
  program: string;
  unitId: string;
  name: string;
  category: string;
  categoryLabel: string | null;
  seatsLeft: number;
}

/** The programs with seats left, by school name (then category). */
async function programsWithSeats(ctx: Pick<AppContext, 'db'>, campaign: NonNullable<Awaited<ReturnType<typeof findCampaign>>>): Promise<SupplementaryProgram[]> {
  const [seats, schools] = await Promise.all([seatsLeft(ctx.db, campaign), campaignSchoolsForDemand(ctx.db, campaign.id)]);
  const labels = new Map(campaign.categories.map((c) => [c.id, c.label]));
  const order = new Map(schools.map((s, i) => [s.unitId, i]));
  return seats.filter((s) => s.left > 0)
    .sort((a, b) => (order.get(a.unitId) ?? 0) - (order.get(b.unitId) ?? 0) || a.category.localeCompare(b.category))
    .map((s) => ({
      program: s.id, unitId: s.unitId, name: schools.find((x) => x.unitId === s.unitId)?.name ?? s.unitId,
      category: s.category, categoryLabel: labels.get(s.category) ?? null, seatsLeft: s.left,
    }));
}

/** GET /api/campaigns/:id/supplementary: public while the supplementary window is open; 404 otherwise, as the demand. */
export async function supplementaryOffer(ctx: AppContext, campaignId: string): Promise<{ opensAt: string; closesAt: string; choices: number; programs: SupplementaryProgram[] }> {
  const campaign = await findCampaign(ctx.db, campaignId);
  if (!campaign || !isWindowOpen(campaign, 'supplementary', new Date())) {
    throw new AppError('NOT_FOUND', 'Kỳ tuyển sinh này không có hoặc chưa đến thời gian tuyển bổ sung.');
  }
  const window = windowOf(campaign, 'supplementary')!;
  return { opensAt: window.opensAt.toISOString(), closesAt: window.closesAt.toISOString(), choices: campaign.choices, programs: await programsWithSeats(ctx, campaign) };
}

const choicesInput = z.object({
  // Bounded by the most choices any campaign allows, so a list of thousands is refused before any work on it.
  choices: z.array(z.string().min(1, 'Chưa chọn trường.').max(120), { error: 'Chọn ít nhất một trường còn chỉ tiêu.' })
    .min(1, 'Chọn ít nhất một trường còn chỉ tiêu.')
    .max(MAX_REGISTRATION_CHOICES, `Chỉ được chọn tối đa ${MAX_REGISTRATION_CHOICES} nguyện vọng.`),
});

export interface SupplementaryChoicesView { campaign: string; pupilIdNumber: string; choices: string[]; filedAt: string }

/**
 * PUT /api/admissions/supplementary: the registration's owner lists the pupil's supplementary choices (replacing any
 * earlier list) within the supplementary window; refused for a pupil already enrolled (409), and each choice must be a
 * program with seats left now, once, of a category the pupil had a main-round choice in (422, `fields.choices.N`).
 */
export async function chooseSupplementary(ctx: AppContext, caller: Caller, input: unknown): Promise<SupplementaryChoicesView> {
  const owner = await registrationOwner(ctx, caller, input);
  const { campaign, pupilIdNumber, dossier } = owner;
  requireWindowOpen(campaign, 'supplementary', new Date());
  if (await findEnrolment(ctx.db, campaign.id, pupilIdNumber)) {
    throw new AppError('ADMISSION_ALREADY_ENROLLED', 'Học sinh đã xác nhận nhập học nên không đăng ký tuyển bổ sung.');
  }
  const parsed = choicesInput.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Nguyện vọng tuyển bổ sung chưa hợp lệ.');
  const { choices } = parsed.data;
  const offered = new Set((await programsWithSeats(ctx, campaign)).map((p) => p.program));
  // With categories, only those the pupil registered for in the main round (their choices there say which
  // admission group the pupil belongs to, e.g. a specialised class needs its own exam).
  const categories = new Set(filledChoices(campaign, dossier.formData as Record<string, unknown>).map((c) => c.category));
  const fields: Record<string, string> = {};
  if (choices.length > campaign.choices) fields.choices = `Chỉ được chọn tối đa ${campaign.choices} nguyện vọng.`;
  const seen = new Set<string>();
  choices.forEach((c, i) => {
    if (seen.has(c)) fields[`choices.${i}`] = 'Trường này đã chọn ở nguyện vọng trước.';
    else if (!offered.has(c)) fields[`choices.${i}`] = 'Trường này không còn chỉ tiêu tuyển bổ sung (hoặc không thuộc kỳ tuyển sinh).';
    else if (campaign.categories.length > 0 && !categories.has(splitProgramId(c).category)) {
      fields[`choices.${i}`] = 'Học sinh không đăng ký nhóm tuyển sinh này ở vòng chính nên không chọn được trong tuyển bổ sung.';
    }
    seen.add(c);
  });
  if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', 'Nguyện vọng tuyển bổ sung chưa hợp lệ.', fields);

  const saved = await ctx.db.transaction(async (tx) => {
    const row = await replaceSupplementaryChoices(tx, { campaignId: campaign.id, pupilIdNumber, dossierId: dossier.id, choices, filedBy: owner.filedBy });
    const current = await findDossierById(tx, dossier.id);
    const action: AdmissionEvent = 'supplementary_choices';
    await insertEvent(tx, {
      dossierId: dossier.id, at: row.filedAt, action, fromStatus: current?.status ?? dossier.status, toStatus: current?.status ?? dossier.status,
      actorKind: 'citizen', actorId: owner.eventActor.id, actorName: owner.eventActor.name, comment: null,
      data: { campaign: campaign.id, choices }, dossierVersion: current?.version ?? dossier.version,
    });
    await recordAudit(tx, owner.actor, 'admission.supplementary_choices_saved', dossier.code, { campaign: campaign.id, pupilIdNumber, choices });
    return row;
  });
  return { campaign: campaign.id, pupilIdNumber, choices: saved.choices, filedAt: saved.filedAt.toISOString() };
}

/** The pupil's supplementary choices so far (the citizen pages), or null. */
export async function supplementaryChoicesOf(ctx: Pick<AppContext, 'db'>, campaignId: string, pupilIdNumber: string): Promise<string[] | null> {
  return (await findSupplementaryChoices(ctx.db, campaignId, pupilIdNumber))?.choices ?? null;
}

export { programsWithSeats };
