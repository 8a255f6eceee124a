// The seats of a campaign as the assignment counts them: one program per school, or per school × category when the
// campaign has categories (program id `${unitId}:${categoryId}`, as admission_supplementary_choices and the engine
// name them), and the seats left once confirmations are in: quota − confirmed enrolments, never below 0. The
// supplementary round offers and assigns only these.
import type { Db } from '../../db/client.js';
import { campaignQuotas, countEnrolmentsByProgram, listSupplementaryChoicesWithoutEnrolment } from '../../db/repositories/admission-enrolments.js';
import type { CampaignRow } from '../../db/repositories/admissions.js';

export interface Program { id: string; unitId: string; category: string; quota: number }
export interface ProgramSeats extends Program { confirmed: number; left: number }

export function programId(unitId: string, category: string): string {
  return category === '' ? unitId : `${unitId}:${category}`;
}

/** A program id back to its school and category ('' without categories). */
export function splitProgramId(id: string): { unitId: string; category: string } {
  const at = id.indexOf(':');
  return at < 0 ? { unitId: id, category: '' } : { unitId: id.slice(0, at), category: id.slice(at + 1) };
}

export function programsOf(
  campaign: Pick<CampaignRow, 'categories'>, quotas: Array<{ unitId: string; quota: number; categoryQuotas: Record<string, number> }>,
): Program[] {
  if (campaign.categories.length === 0) return quotas.map((q) => ({ id: q.unitId, unitId: q.unitId, category: '', quota: q.quota }));
  return quotas.flatMap((q) => campaign.categories.map((c) => ({
    id: programId(q.unitId, c.id), unitId: q.unitId, category: c.id, quota: q.categoryQuotas[c.id] ?? 0,
  })));
}

/** Every program of the campaign with its confirmed enrolments and the seats left. */
export async function seatsLeft(db: Db, campaign: Pick<CampaignRow, 'id' | 'categories'>): Promise<ProgramSeats[]> {
  const [quotas, confirmed] = await Promise.all([campaignQuotas(db, campaign.id), countEnrolmentsByProgram(db, campaign.id)]);
  return programsOf(campaign, quotas).map((p) => {
    const n = confirmed.get(p.id) ?? 0;
    return { ...p, confirmed: n, left: Math.max(0, p.quota - n) };
  });
}

/**
 * What a supplementary run assigns: every program with its seats left as the quota (a program with none left stays, at
 * quota 0, so an older choice naming it is simply not admitted there), and the supplementary choices of the pupils
 * still without a confirmed enrolment.
 */
export async function supplementaryRound(db: Db, campaign: Pick<CampaignRow, 'id' | 'categories'>) {
  const [seats, choices] = await Promise.all([seatsLeft(db, campaign), listSupplementaryChoicesWithoutEnrolment(db, campaign.id)]);
  return {
    programs: seats.map((s) => ({ id: s.id, quota: s.left })),
    choicesOf: new Map(choices.map((c) => [c.pupilIdNumber, c.choices])),
  };
}
