// The adjustment window (điều chỉnh nguyện vọng): the registration's owner changes the choices, and only the choices,
// while the campaign's `adjustment` window is open. The same choice rules as intake (admissions/choices.ts), one
// transaction: the form's choice fields replaced (with their school names), a history event with before/after, the
// audit entry. Who may: the citizen the dossier belongs to, exactly as for the other citizen actions (access.ts:
// signed in and concerned by it, or holding its tracking token); staff may not change a family's choices.
//
// The dossier's unit: the first choice's school receives a registration. While the dossier is still `submitted`
// (nobody has verified it yet) a new choice 1 moves it to the new school (a handover on the control slip, any claim
// dropped); once a school has verified it, it stays there — the assignment job decides admission from the choices,
// not from which school holds the dossier.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { choiceSlots, CHOICE_FIELDS, type ChoiceField } from '../../admissions/choices.js';
import { findCampaign, listCampaignSchools } from '../../db/repositories/admissions.js';
import { findUnitsByIds, insertHandover } from '../../db/repositories/routing.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { AppError, dossierNotFound, staleVersion, validationFailed } from '../../errors.js';
import { loadDossierFor, type Caller } from '../access.js';
import { dossierCitizenActor, recordAudit } from '../audit/audit.js';
import type { ChoicesEvent } from '../history-events.js';
import { checkChoices, REGISTRATION_PROCEDURE_ID } from '../intake/admissions.js';
import { EXCLUDED_STATUSES } from './assignment-runs.js';
import { isWindowOpen, requireWindowOpen, windowOf } from './windows.js';

const choiceValue = z.string({ error: 'Nguyện vọng là mã trường.' }).max(64, 'Mã trường quá dài.').nullish();

/** PUT /api/dossiers/:code/choices and the dossier page's form: choice1 … choiceN, nothing else (422). */
export const choicesInput = z.strictObject(
  Object.fromEntries(CHOICE_FIELDS.map((f) => [f, choiceValue])) as Record<ChoiceField, typeof choiceValue>,
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'Chỉ được điều chỉnh nguyện vọng (choice1 … choice8).' : undefined) },
);

export interface AdjustedChoices { code: string; version: number; unitId: string; choices: Partial<Record<ChoiceField, string>> }

/** The choice fields of a form, filled ones only. */
export function currentChoices(formData: Record<string, unknown>): Partial<Record<ChoiceField, string>> {
  const out: Partial<Record<ChoiceField, string>> = {};
  for (const f of CHOICE_FIELDS) {
    const v = formData[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  return out;
}

/** Whether the dossier page offers the adjustment form: a live registration whose campaign's adjustment window is open. */
export async function adjustmentOpen(ctx: Pick<AppContext, 'db'>, dossier: Pick<dossiers.DossierRow, 'procedureId' | 'status' | 'formData'>, now = new Date()) {
  if (dossier.procedureId !== REGISTRATION_PROCEDURE_ID || (EXCLUDED_STATUSES as readonly string[]).includes(dossier.status)) return undefined;
  const campaign = await findCampaign(ctx.db, String(dossier.formData.campaign ?? ''));
  return campaign && isWindowOpen(campaign, 'adjustment', now) ? campaign : undefined;
}

export async function adjustChoices(ctx: AppContext, code: string, caller: Caller, raw: unknown, ip: string | null = null): Promise<AdjustedChoices> {
  // Who may is decided before what they sent is looked at: a stranger learns nothing from a 422.
  const { dossier, actor } = await loadDossierFor(ctx, code, caller, 'act');
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', 'Chỉ cha mẹ (người đăng ký) được điều chỉnh nguyện vọng của học sinh.');
  if (dossier.procedureId !== REGISTRATION_PROCEDURE_ID) throw dossierNotFound();
  const campaign = await findCampaign(ctx.db, String(dossier.formData.campaign ?? ''));
  if (!campaign) throw dossierNotFound();
  const now = new Date();
  requireWindowOpen(campaign, 'adjustment', now);
  if ((EXCLUDED_STATUSES as readonly string[]).includes(dossier.status)) {
    throw new AppError('ADMISSION_WINDOW_CLOSED', 'Hồ sơ đăng ký này không còn hiệu lực (đã bị từ chối hoặc rút): không thể điều chỉnh nguyện vọng.');
  }
  const parsed = choicesInput.safeParse(raw ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Nguyện vọng chưa hợp lệ.');
  const wanted: Partial<Record<ChoiceField, string>> = {};
  for (const f of CHOICE_FIELDS) {
    const v = parsed.data[f]?.trim();
    if (v) wanted[f] = v;
  }
  const problems = await checkChoices(ctx.db, campaign, wanted);
  if (!wanted.choice1) problems.choice1 = 'Cần chọn nguyện vọng 1.';
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Nguyện vọng chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);

  const before = currentChoices(dossier.formData);
  // The school names stored with the choices (`<field>Label`, as intake stores them for notices and pages).
  const units = new Map((await findUnitsByIds(ctx.db, Object.values(wanted))).map((u) => [u.id, u.agencyName]));
  const formData: Record<string, unknown> = { ...dossier.formData };
  for (const f of CHOICE_FIELDS) {
    delete formData[f];
    delete formData[`${f}Label`];
    const v = wanted[f];
    if (v) { formData[f] = v; formData[`${f}Label`] = units.get(v) ?? v; }
  }
  const moves = dossier.status === 'submitted' && wanted.choice1 !== dossier.unitId;
  const unitId = moves ? wanted.choice1! : dossier.unitId;
  const auditActor = dossierCitizenActor(caller, actor, ip);
  const action: ChoicesEvent = 'choices_adjusted';
  const updated = await ctx.db.transaction(async (tx) => {
    const row = await dossiers.updateDossierIfVersion(tx, dossier.id, dossier.version, { formData, ...(moves ? { unitId, assigneeId: null } : {}) });
    if (!row) throw staleVersion();
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action, fromStatus: dossier.status, toStatus: dossier.status,
      actorKind: 'citizen', actorId: actor.id, actorName: actor.name, comment: null,
      data: { before, after: wanted, ...(moves ? { unitId, previousUnitId: dossier.unitId } : {}) }, dossierVersion: row.version,
    });
    if (moves) {
      await insertHandover(tx, {
        dossierId: dossier.id, at: now, fromUnitId: dossier.unitId, toUnitId: unitId, action,
        result: 'Điều chỉnh nguyện vọng 1: chuyển hồ sơ sang trường nguyện vọng 1 mới', byStaffId: null, byName: actor.name,
        status: dossier.status, dossierVersion: row.version,
      });
    }
    await recordAudit(tx, auditActor, 'admission.choices_adjusted', dossier.code, { campaignId: campaign.id, before, after: wanted, unitId, previousUnitId: dossier.unitId });
    return row;
  });
  return { code: dossier.code, version: updated.version, unitId: updated.unitId, choices: wanted };
}

export interface AdjustmentSlot {
  field: ChoiceField; rank: number; categoryLabel: string | null; value: string;
  options: Array<{ value: string; label: string }>;
}

/**
 * What the dossier page's "Điều chỉnh nguyện vọng" form shows while the window is open (undefined otherwise): each of
 * the campaign's choice fields with its category and the schools offering that category, and when the window closes.
 */
export async function adjustmentSlots(
  ctx: Pick<AppContext, 'db'>, dossier: Pick<dossiers.DossierRow, 'procedureId' | 'status' | 'formData'>, now = new Date(),
): Promise<{ closesAt: Date; slots: AdjustmentSlot[] } | undefined> {
  const campaign = await adjustmentOpen(ctx, dossier, now);
  if (!campaign) return undefined;
  const schools = await listCampaignSchools(ctx.db, campaign.id);
  const names = new Map((await findUnitsByIds(ctx.db, schools.map((s) => s.schoolUnitId))).map((u) => [u.id, u.agencyName]));
  const labelOf = new Map(campaign.categories.map((c) => [c.id, c.label]));
  const slots = choiceSlots(campaign).map((slot) => ({
    field: slot.field, rank: slot.rank, categoryLabel: labelOf.get(slot.category) ?? null,
    value: typeof dossier.formData[slot.field] === 'string' ? String(dossier.formData[slot.field]) : '',
    options: schools.filter((s) => slot.category === '' || (s.categoryQuotas[slot.category] ?? 0) > 0)
      .map((s) => ({ value: s.schoolUnitId, label: names.get(s.schoolUnitId) ?? s.name })),
  }));
  return { closesAt: windowOf(campaign, 'adjustment')!.closesAt, slots };
}
