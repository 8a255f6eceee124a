// What the family sees of an admission registration once results are out (the dossier page, /ho-so/:code/nhap-hoc,
// /ho-so/:code/tuyen-bo-sung and the citizen's space): the pupil's current published result with the school's
// cut-off, whether the place is confirmed, and what they may do now (confirm while the confirmation window is open; list
// supplementary choices while that window is open and no enrolment is confirmed). The caller was allowed already.
import type { Db } from '../../db/client.js';
import { findCutoff, findEnrolment, findSupplementaryChoices } from '../../db/repositories/admission-enrolments.js';
import { campaignSchoolsForDemand } from '../../db/repositories/admission-lookup.js';
import { findCampaign, findLiveRegistration } from '../../db/repositories/admissions.js';
import { findDossierByCode, type DossierRow } from '../../db/repositories/dossiers.js';
import { EXCLUDED_STATUSES, REGISTRATION_PROCEDURE } from './assignment-runs.js';
import { currentOutcome } from './enrolment.js';
import { vnDateTime } from './vn-date-time.js';
import { isWindowOpen, windowOf } from './windows.js';

export interface RegistrationAdmission {
  campaign: { id: string; name: string };
  pupilIdNumber: string;
  pupilName: string;
  /** null: no published result for the pupil yet. */
  result: {
    school: { unitId: string; name: string } | null; category: string; choiceRank: number | null; total: number; cutoff: number | null;
    round: 'main' | 'supplementary'; confirmable: boolean;
  } | null;
  enrolment: { school: string; confirmedAt: string; by: 'citizen' | 'school' } | null;
  confirmation: { open: boolean; window: string | null };
  supplementary: { open: boolean; window: string | null; eligible: boolean; choices: string[] | null };
}

const windowText = (w: { opensAt: Date; closesAt: Date } | undefined) => (w ? `từ ${vnDateTime(w.opensAt)} đến trước ${vnDateTime(w.closesAt)}` : null);

/**
 * null for a dossier that is not an admission registration (or names a campaign that is gone), and for one that is
 * not the pupil's live registration: the result, enrolment and choices are the pupil's, read by pupil ID, so the
 * holder of a refused or withdrawn registration's token must not see what the family of the live one does.
 */
export async function registrationAdmission(
  db: Db, dossier: Pick<DossierRow, 'id' | 'status' | 'procedureId' | 'formData'>, now = new Date(),
): Promise<RegistrationAdmission | null> {
  if (dossier.procedureId !== REGISTRATION_PROCEDURE || (EXCLUDED_STATUSES as readonly string[]).includes(dossier.status)) return null;
  const form = dossier.formData as Record<string, unknown>;
  const campaign = typeof form.campaign === 'string' ? await findCampaign(db, form.campaign) : undefined;
  const pupilIdNumber = String(form.pupilIdNumber ?? '');
  if (!campaign || pupilIdNumber === '') return null;
  if ((await findLiveRegistration(db, REGISTRATION_PROCEDURE, campaign.id, pupilIdNumber))?.id !== dossier.id) return null;
  const [outcome, enrolment, choices, schools] = await Promise.all([
    currentOutcome(db, campaign.id, pupilIdNumber), findEnrolment(db, campaign.id, pupilIdNumber),
    findSupplementaryChoices(db, campaign.id, pupilIdNumber), campaignSchoolsForDemand(db, campaign.id),
  ]);
  const nameOf = (unitId: string) => schools.find((s) => s.unitId === unitId)?.name ?? unitId;
  const r = outcome?.result;
  const cutoff = r?.schoolUnitId ? await findCutoff(db, outcome!.run.id, r.schoolUnitId, r.category) : null;
  const confirmationOpen = isWindowOpen(campaign, 'confirmation', now);
  const supplementaryOpen = isWindowOpen(campaign, 'supplementary', now);
  return {
    campaign: { id: campaign.id, name: campaign.name }, pupilIdNumber, pupilName: String(form.pupilName ?? ''),
    result: outcome && r ? {
      school: r.schoolUnitId ? { unitId: r.schoolUnitId, name: nameOf(r.schoolUnitId) } : null, category: r.category, choiceRank: r.choiceRank,
      total: r.total / 100, cutoff: cutoff == null ? null : cutoff / 100, round: outcome.run.round, confirmable: outcome.confirmable && !enrolment,
    } : null,
    enrolment: enrolment ? { school: nameOf(enrolment.schoolUnitId), confirmedAt: enrolment.confirmedAt.toISOString(), by: enrolment.confirmedBy.startsWith('staff:') ? 'school' : 'citizen' } : null,
    confirmation: { open: confirmationOpen, window: windowText(windowOf(campaign, 'confirmation')) },
    supplementary: {
      open: supplementaryOpen, window: windowText(windowOf(campaign, 'supplementary')),
      eligible: supplementaryOpen && !enrolment, choices: choices?.choices ?? null,
    },
  };
}

/**
 * The citizen's space: the admission of each registration among `codes` (dossiers the space already listed for the
 * caller, so no further access check), by code. A page of the space lists a handful, so one read each.
 */
export async function admissionsByCode(db: Db, codes: string[]): Promise<Map<string, RegistrationAdmission>> {
  const out = new Map<string, RegistrationAdmission>();
  for (const code of codes) {
    const dossier = await findDossierByCode(db, code);
    const admission = dossier ? await registrationAdmission(db, dossier) : null;
    if (admission) out.set(code, admission);
  }
  return out;
}
