// Online confirmation of enrolment (xác nhận nhập học): the owner of a pupil's registration — the citizen signed in
// with VNeID whom the dossier concerns, or the holder of its tracking token, exactly as for the dossier's other citizen
// actions (access.ts) — confirms the place the pupil was admitted to, within the campaign's confirmation window; the
// admitted school's desk (role school or leader at that school) or an administrator may record it for a parent. One
// transaction: the enrolment row, its audit entry and a history event on the registration dossier. A repeat answers
// the enrolment already there.
//
// Which result counts (decided here, documented in services/admissions/README.md): the pupil's row in the latest
// published supplementary run, else in the latest published main run — as the public look-up answers. Once a
// supplementary run is published only ITS places can be confirmed: a main-round place left unconfirmed at the deadline
// went back to the seats the supplementary round gave out, so confirming it later could exceed the quota. The
// confirmation window may be moved (PATCH the campaign) to let the supplementary round's pupils confirm.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findRun, lockCampaign, type ResultRow, type RunRow } from '../../db/repositories/admission-assignment.js';
import {
  countAdmittedBySchool, countEnrolmentsOfSchool, findEnrolment, findResult, hasSupplementaryRun, insertEnrolment, latestPublishedRunOfRound,
  listAdmitted, lockCampaignSchool, type EnrolmentRow,
} from '../../db/repositories/admission-enrolments.js';
import { campaignSchoolsForDemand } from '../../db/repositories/admission-lookup.js';
import { findCampaign, findLiveRegistration, type CampaignRow } from '../../db/repositories/admissions.js';
import { findDossierById, insertEvent, type DossierRow } from '../../db/repositories/dossiers.js';
import { AppError, dossierNotFound, validationFailed } from '../../errors.js';
import { CAMPAIGN_ID } from '../admission-lookup/result.js';
import { actorForDossier, can, type Caller } from '../access.js';
import { anonymousActor, citizenActor, recordAudit, staffActor, type AuditActor } from '../audit/audit.js';
import type { AdmissionEvent } from '../history-events.js';
import { REGISTRATION_PROCEDURE } from './assignment-runs.js';
import { seatsLeft } from './seats.js';
import { requireWindowOpen } from './windows.js';

/** Staff roles of the admitted school that may record a confirmation at its desk. */
const SCHOOL_DESK_ROLES = ['school', 'leader'];
/** The role that makes a staff account of a campaign's school its principal (results.ts). */
const PRINCIPAL_ROLE = 'leader';

export const pupilOfCampaign = z.object({
  campaign: z.string({ error: 'Chưa chọn kỳ tuyển sinh.' }).regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh không hợp lệ.'),
  pupilIdNumber: z.string({ error: 'Chưa nhập số định danh cá nhân của học sinh.' }).regex(/^\d{12}$/, 'Số định danh cá nhân gồm đúng 12 chữ số.'),
});
export const deskEnrolmentInput = pupilOfCampaign.pick({ pupilIdNumber: true });

export interface EnrolmentView {
  campaign: string;
  pupilIdNumber: string;
  school: { unitId: string; name: string };
  category: string;
  round: 'main' | 'supplementary';
  runId: string;
  confirmedAt: string;
  /** Who confirmed: the family online, or a school's desk / an administrator for them. */
  by: 'citizen' | 'school';
}

export interface PupilOutcome {
  run: RunRow;
  result: ResultRow;
  /** Whether this result's place may be confirmed (see the header). */
  confirmable: boolean;
}

/** The pupil's current published result: the supplementary run's row, else the main run's. */
export async function currentOutcome(db: Db, campaignId: string, pupilIdNumber: string): Promise<PupilOutcome | undefined> {
  const supplementary = await latestPublishedRunOfRound(db, campaignId, 'supplementary');
  const inSupplementary = supplementary ? await findResult(db, supplementary.id, pupilIdNumber) : undefined;
  if (supplementary && inSupplementary) return { run: supplementary, result: inSupplementary, confirmable: inSupplementary.schoolUnitId !== null };
  const main = await latestPublishedRunOfRound(db, campaignId, 'main');
  const result = main ? await findResult(db, main.id, pupilIdNumber) : undefined;
  return main && result ? { run: main, result, confirmable: result.schoolUnitId !== null && !supplementary } : undefined;
}

async function campaignOrNotFound(db: Db, campaignId: string): Promise<CampaignRow> {
  const campaign = await findCampaign(db, campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return campaign;
}

export interface RegistrationOwner { campaign: CampaignRow; dossier: DossierRow; actor: AuditActor; filedBy: string; eventActor: { kind: 'citizen'; id: string | null; name: string } }

/**
 * The pupil's live registration and the caller as its owner (the citizen it concerns, or the tracking token's holder);
 * anyone else gets the same 404 as for a pupil with no registration, and staff are sent to the desk's endpoint.
 */
export async function registrationOwner(ctx: AppContext, caller: Caller, input: unknown): Promise<RegistrationOwner & { pupilIdNumber: string }> {
  const parsed = pupilOfCampaign.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error);
  const { campaign: campaignId, pupilIdNumber } = parsed.data;
  const campaign = await campaignOrNotFound(ctx.db, campaignId);
  const dossier = await findLiveRegistration(ctx.db, REGISTRATION_PROCEDURE, campaign.id, pupilIdNumber);
  if (!dossier) throw dossierNotFound();
  const actor = await actorForDossier(ctx, dossier, caller, 'view');
  if (actor.kind !== 'citizen') {
    throw new AppError('FORBIDDEN', 'Chỉ cha mẹ (người nộp hồ sơ đăng ký) thực hiện việc này trực tuyến; nhà trường ghi nhận tại trường qua chức năng của cán bộ.');
  }
  const ip = caller.kind === 'citizen' ? caller.ip : undefined;
  const signedIn = caller.kind === 'citizen' && actor.id === caller.citizen.id;
  return {
    campaign, dossier, pupilIdNumber,
    actor: signedIn ? citizenActor(caller.citizen, ip) : anonymousActor(ip, `${dossier.applicantName} (mã tra cứu hồ sơ ${dossier.code})`),
    filedBy: signedIn ? caller.citizen.personalId : 'tracking-token',
    eventActor: { kind: 'citizen', id: actor.id, name: actor.name },
  };
}

async function schoolName(db: Db, campaignId: string, unitId: string): Promise<string> {
  return (await campaignSchoolsForDemand(db, campaignId)).find((s) => s.unitId === unitId)?.name ?? unitId;
}

async function viewOf(db: Db, row: EnrolmentRow, round: 'main' | 'supplementary'): Promise<EnrolmentView> {
  return {
    campaign: row.campaignId, pupilIdNumber: row.pupilIdNumber, school: { unitId: row.schoolUnitId, name: await schoolName(db, row.campaignId, row.schoolUnitId) },
    category: row.category, round, runId: row.runId, confirmedAt: row.confirmedAt.toISOString(), by: row.confirmedBy.startsWith('staff:') ? 'school' : 'citizen',
  };
}

async function roundOf(db: Db, runId: string): Promise<'main' | 'supplementary'> {
  return (await findRun(db, runId))?.round ?? 'main';
}

/** The one refusal a school's desk gets for a pupil who is not theirs, whatever the reason, so it reveals nothing. */
const NOT_YOUR_PUPIL = 'Chỉ trường nơi học sinh trúng tuyển (hoặc quản trị hệ thống) ghi nhận xác nhận nhập học cho học sinh này.';

function notConfirmable(outcome: PupilOutcome | undefined): AppError {
  return new AppError('ADMISSION_NOT_ADMITTED', outcome?.result.schoolUnitId
    ? 'Chỉ tiêu trúng tuyển vòng chính không được xác nhận đúng hạn đã chuyển sang tuyển bổ sung; học sinh không còn suất để xác nhận nhập học.'
    : 'Học sinh không có kết quả trúng tuyển đã công bố để xác nhận nhập học.');
}

/**
 * The confirmation itself, after the caller was allowed. `allowed` (the desk) is told the admitted school before any
 * other check. Everything that decides is read again inside the transaction, under the campaign row's lock (as run
 * starts and score imports take it), so two confirmations of one campaign go one at a time: the window, the place
 * (a main-round place is lost once ANY supplementary run exists, running or done: that run counted its seat as free),
 * and the school's confirmed enrolments against its quota (its campaign_schools row locked too, as a quota change
 * locks it), so a seat is never confirmed twice. Returns whether it was new (201) or already there (200).
 */
async function confirm(
  ctx: AppContext, campaign: CampaignRow, pupilIdNumber: string, by: { actor: AuditActor; confirmedBy: string; event: { kind: 'citizen' | 'staff'; id: string | null; name: string } },
  allowed?: (schoolUnitId: string | null) => void,
): Promise<{ created: boolean; enrolment: EnrolmentView }> {
  const existing = await findEnrolment(ctx.db, campaign.id, pupilIdNumber);
  if (existing) {
    allowed?.(existing.schoolUnitId);
    return { created: false, enrolment: await viewOf(ctx.db, existing, await roundOf(ctx.db, existing.runId)) };
  }
  // Cheap refusals before taking the lock; all repeated under it.
  const before = await currentOutcome(ctx.db, campaign.id, pupilIdNumber);
  allowed?.(before?.result.schoolUnitId ?? null);
  requireWindowOpen(campaign, 'confirmation', new Date());
  if (!before?.confirmable) throw notConfirmable(before);

  const done = await ctx.db.transaction(async (tx) => {
    if (!(await lockCampaign(tx, campaign.id))) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
    const already = await findEnrolment(tx, campaign.id, pupilIdNumber);
    if (already) {
      allowed?.(already.schoolUnitId);
      return { created: false as const, row: already };
    }
    const fresh = (await findCampaign(tx, campaign.id))!;
    const outcome = await currentOutcome(tx, campaign.id, pupilIdNumber);
    allowed?.(outcome?.result.schoolUnitId ?? null);
    requireWindowOpen(fresh, 'confirmation', new Date());
    if (!outcome?.confirmable || (outcome.run.round === 'main' && (await hasSupplementaryRun(tx, campaign.id)))) throw notConfirmable(outcome);
    const { result, run } = outcome;
    const unitId = result.schoolUnitId!;
    const school = await lockCampaignSchool(tx, campaign.id, unitId);
    const byCategory = fresh.categories.length > 0;
    const quota = !school ? 0 : byCategory ? (school.categoryQuotas[result.category] ?? 0) : school.quota;
    if ((await countEnrolmentsOfSchool(tx, campaign.id, unitId, byCategory ? result.category : undefined)) >= quota) {
      throw new AppError('QUOTA_FULL', 'Trường đã đủ chỉ tiêu xác nhận nhập học (chỉ tiêu có thể đã được điều chỉnh); vui lòng liên hệ nhà trường hoặc Sở Giáo dục và Đào tạo.');
    }
    const created = await insertEnrolment(tx, {
      campaignId: campaign.id, pupilIdNumber, runId: run.id, schoolUnitId: unitId, category: result.category,
      dossierId: result.dossierId, confirmedBy: by.confirmedBy,
    });
    // Unreachable under the lock (the repeat was read above); kept as a refusal rather than a silent overwrite.
    if (!created) throw new AppError('ADMISSION_ALREADY_ENROLLED', 'Học sinh đã được xác nhận nhập học.');
    const current = await findDossierById(tx, result.dossierId);
    const action: AdmissionEvent = 'enrolment_confirmed';
    await insertEvent(tx, {
      dossierId: result.dossierId, at: created.confirmedAt, action, fromStatus: current?.status ?? null, toStatus: current?.status ?? 'submitted',
      actorKind: by.event.kind, actorId: by.event.id, actorName: by.event.name, comment: null,
      data: { campaign: campaign.id, school: created.schoolUnitId, category: created.category, runId: run.id, round: run.round }, dossierVersion: current?.version ?? 1,
    });
    await recordAudit(tx, by.actor, 'admission.enrolment_confirmed', current?.code ?? result.dossierId, {
      campaign: campaign.id, pupilIdNumber, school: created.schoolUnitId, category: created.category, runId: run.id, round: run.round,
    });
    return { created: true as const, row: created, round: run.round };
  });
  return { created: done.created, enrolment: await viewOf(ctx.db, done.row, done.created ? done.round : await roundOf(ctx.db, done.row.runId)) };
}

/** POST /api/admissions/enrolment: the registration's owner confirms online. */
export async function confirmEnrolment(ctx: AppContext, caller: Caller, input: unknown): Promise<{ created: boolean; enrolment: EnrolmentView }> {
  const owner = await registrationOwner(ctx, caller, input);
  return confirm(ctx, owner.campaign, owner.pupilIdNumber, { actor: owner.actor, confirmedBy: owner.filedBy, event: owner.eventActor });
}

/** Administrators, or staff with a desk role at one of the campaign's schools; anyone else 401/403. */
function staffOf(caller: Caller) {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return caller.staff;
}

/** POST /api/admin/campaigns/:id/enrolments: the admitted school's desk (or an administrator) records it for a parent. */
export async function recordEnrolmentAtDesk(ctx: AppContext, caller: Caller, campaignId: string, input: unknown): Promise<{ created: boolean; enrolment: EnrolmentView }> {
  const staff = staffOf(caller);
  const admin = can(staff, 'administration');
  if (!admin && !staff.roles.some((r) => SCHOOL_DESK_ROLES.includes(r))) throw new AppError('FORBIDDEN', NOT_YOUR_PUPIL);
  const parsed = deskEnrolmentInput.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error);
  const campaign = await campaignOrNotFound(ctx.db, campaignId);
  return confirm(ctx, campaign, parsed.data.pupilIdNumber, {
    actor: staffActor(staff, caller.kind === 'staff' ? caller.ip : null), confirmedBy: `staff:${staff.id}`,
    event: { kind: 'staff', id: staff.id, name: staff.fullName },
  }, (schoolUnitId) => {
    // The desk's own school first, before the window or the place is looked at: a pupil with no result, admitted
    // elsewhere or unknown all get this same 403, so a desk cannot probe other schools' pupils.
    if (!admin && (schoolUnitId === null || schoolUnitId !== staff.unitId)) throw new AppError('FORBIDDEN', NOT_YOUR_PUPIL);
  });
}

export interface EnrolmentSchool { unitId: string; name: string; quota: number; admitted: number; confirmed: number; seatsLeft: number }
export interface EnrolmentItem {
  pupilIdNumber: string; school: string; category: string; round: 'main' | 'supplementary'; choiceRank: number | null; total: number;
  confirmed: boolean; confirmedAt: string | null; by: 'citizen' | 'school' | null;
}

/** Pupils per page of the list (API `limit` at most, the admin page's page size). */
export const ENROLMENT_PAGE = 200;

/**
 * GET /api/admin/campaigns/:id/enrolments: per school, the pupils admitted (current published results, as currentOutcome
 * reads them) against those confirmed, and the seats left; administrators every school (or `school`), a principal of
 * a campaign school their own. The counts are one GROUP BY and the pupils one page (`limit`, `offset`) read by the
 * database: a province's results never come into memory whole.
 */
export async function readEnrolments(
  ctx: AppContext, caller: Caller, campaignId: string, school?: string, page: { limit?: number; offset?: number } = {},
): Promise<{ schools: EnrolmentSchool[]; items: EnrolmentItem[]; total: number }> {
  const staff = staffOf(caller);
  const admin = can(staff, 'administration');
  if (!admin && !staff.roles.includes(PRINCIPAL_ROLE)) throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống và hiệu trưởng các trường của kỳ tuyển sinh được xem.');
  const campaign = await campaignOrNotFound(ctx.db, campaignId);
  const names = await campaignSchoolsForDemand(ctx.db, campaign.id);
  if (!admin && !names.some((s) => s.unitId === staff.unitId)) throw new AppError('FORBIDDEN', 'Trường của bạn không tham gia kỳ tuyển sinh này.');
  if (!admin && school !== undefined && school !== staff.unitId) throw new AppError('FORBIDDEN', 'Hiệu trưởng chỉ xem được trường mình.');
  const visible = admin ? school : staff.unitId;

  const [main, supplementary] = await Promise.all([
    latestPublishedRunOfRound(ctx.db, campaign.id, 'main'), latestPublishedRunOfRound(ctx.db, campaign.id, 'supplementary'),
  ]);
  const runs = { main: main?.id, supplementary: supplementary?.id };
  const [admitted, rows, seats] = await Promise.all([
    countAdmittedBySchool(ctx.db, campaign.id, runs.main, runs.supplementary),
    listAdmitted(ctx.db, campaign.id, runs, { school: visible, limit: Math.min(page.limit ?? ENROLMENT_PAGE, ENROLMENT_PAGE), offset: page.offset ?? 0 }),
    seatsLeft(ctx.db, campaign),
  ]);
  const items: EnrolmentItem[] = rows.map((r) => ({
    pupilIdNumber: r.pupilIdNumber, school: r.school, category: r.category, round: r.round, choiceRank: r.choiceRank, total: r.total / 100,
    confirmed: r.confirmedAt !== null, confirmedAt: r.confirmedAt?.toISOString() ?? null,
    by: r.confirmedBy === null ? null : (r.confirmedBy.startsWith('staff:') ? 'school' : 'citizen'),
  }));
  const schools = names.filter((s) => visible === undefined || s.unitId === visible).map((s) => {
    const mine = seats.filter((p) => p.unitId === s.unitId);
    return {
      unitId: s.unitId, name: s.name, quota: s.quota, admitted: admitted.get(s.unitId) ?? 0,
      confirmed: mine.reduce((n, p) => n + p.confirmed, 0),
      seatsLeft: mine.reduce((n, p) => n + p.left, 0),
    };
  });
  const total = visible === undefined ? [...admitted.values()].reduce((n, v) => n + v, 0) : (admitted.get(visible) ?? 0);
  return { schools, items, total };
}
