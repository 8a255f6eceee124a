// Re-marking (phúc khảo): the parent asks, within the campaign's `remarking` window, for some exam subjects of their
// child to be marked again; the Department answers each request once — unchanged, changed (the pupil's exam score is
// corrected in admission_scores) or refused — and then starts a re-run, whose changes report says who moved and, for
// the pupils whose score was corrected here, by how much. Who may file is whoever may see the registration dossier as
// its citizen (signed in with VNeID and concerned by it, or holding its tracking token), exactly as for the dossier's
// other citizen actions. Both the request and the answer are history events of the registration dossier (its version
// moves), audited; the answer is announced to the citizen by the same notify-citizen outbox row as a status change.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import {
  decideRemarking, findLiveRegistration, findRemarking, findRemarkingOfPupil, findScore, insertRemarking, listRemarkings, setScore,
  type RemarkingRow, type RemarkingStatus,
} from '../../db/repositories/admission-remarking.js';
import { findCampaign, type CampaignRow } from '../../db/repositories/admissions.js';
import { bumpDossierVersion, findDossierById, insertEvent, type DossierRow } from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import type { Db } from '../../db/client.js';
import { AppError, dossierNotFound, validationFailed } from '../../errors.js';
import { actorForDossier, loadDossierFor, type Actor, type Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { dossierCitizenActor, recordAudit } from '../audit/audit.js';
import type { RemarkingEvent } from '../history-events.js';
import { notifyCitizenRow } from '../notifications/notify-citizen.js';
import { EXCLUDED_STATUSES, REGISTRATION_PROCEDURE } from './assignment-runs.js';
import { hundredths } from './scores.js';
import { isWindowOpen, requireWindowOpen } from './windows.js';

/** The exam subjects of the grade-10 entrance exam a parent may ask to be re-marked (the exam board's names). */
export const REMARKING_SUBJECTS = ['Ngữ văn', 'Toán', 'Ngoại ngữ', 'Môn chuyên'] as const;
export const MAX_REASON_LENGTH = 1000;
export const MAX_NOTE_LENGTH = 1000;
export const REMARKING_PAGE_SIZE = 50;

export const OUTCOME_LABELS: Record<Exclude<RemarkingStatus, 'requested'>, string> = {
  unchanged: 'Giữ nguyên điểm',
  changed: 'Thay đổi điểm',
  refused: 'Không chấp nhận đơn',
};
export const STATUS_LABELS: Record<RemarkingStatus, string> = { requested: 'Đang chờ kết quả', ...OUTCOME_LABELS };

const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{1,48}$/;
const text = (max: number, message: string) => z.string().transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim()).pipe(z.string().max(max, message));

/** Which registration a request is about: the campaign and the pupil's 12-digit ID (the query of GET, part of POST). */
export const remarkingKey = z.object({
  campaign: z.string({ error: 'Chọn kỳ tuyển sinh.' }).regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh không hợp lệ.'),
  pupilIdNumber: z.string({ error: 'Nhập số định danh của học sinh.' }).regex(/^\d{12}$/, 'Số định danh của học sinh gồm đúng 12 chữ số.'),
});

export const remarkingInput = remarkingKey.extend({
  subjects: z.array(z.enum(REMARKING_SUBJECTS, { error: `Môn phúc khảo là một trong: ${REMARKING_SUBJECTS.join(', ')}.` }), { error: 'Chọn ít nhất một môn.' })
    .min(1, 'Chọn ít nhất một môn.').max(REMARKING_SUBJECTS.length)
    .refine((s) => new Set(s).size === s.length, 'Mỗi môn chỉ chọn một lần.'),
  reason: text(MAX_REASON_LENGTH, `Lý do tối đa ${MAX_REASON_LENGTH} ký tự.`).optional(),
}).strict();

export const remarkingDecision = z.object({
  outcome: z.enum(['unchanged', 'changed', 'refused'], { error: 'Chọn kết quả phúc khảo: giữ nguyên, thay đổi điểm hoặc không chấp nhận.' }),
  // Points as the score file has them (27.25 or "27,25"), kept in hundredths; only with 'changed'.
  newScore: z.union([z.number(), z.string()]).optional(),
  note: text(MAX_NOTE_LENGTH, `Ghi chú tối đa ${MAX_NOTE_LENGTH} ký tự.`).pipe(z.string().min(1, 'Nhập ghi chú trả lời cho phụ huynh.')),
}).strict();

export interface RemarkingView {
  id: string;
  campaign: string;
  pupilIdNumber: string;
  dossierCode: string;
  subjects: string[];
  reason: string | null;
  status: RemarkingStatus;
  statusLabel: string;
  /** Points (27.25); null until decided. */
  scoreBefore: number | null;
  scoreAfter: number | null;
  note: string | null;
  filedAt: string;
  decidedAt: string | null;
}

const points = (h: number | null) => (h === null ? null : h / 100);

function viewOf(row: RemarkingRow, dossierCode: string): RemarkingView {
  return {
    id: row.id, campaign: row.campaignId, pupilIdNumber: row.pupilIdNumber, dossierCode, subjects: row.subjects, reason: row.reason,
    status: row.status, statusLabel: STATUS_LABELS[row.status], scoreBefore: points(row.scoreBefore), scoreAfter: points(row.scoreAfter),
    note: row.decisionNote, filedAt: row.filedAt.toISOString(), decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

/** The registration and the caller as its citizen; a stranger, an unknown pupil and an unknown campaign are the same 404. */
async function registrationFor(ctx: AppContext, caller: Caller, key: z.infer<typeof remarkingKey>): Promise<{ campaign: CampaignRow; dossier: DossierRow; actor: Actor }> {
  const [campaign, dossier] = await Promise.all([
    findCampaign(ctx.db, key.campaign),
    findLiveRegistration(ctx.db, REGISTRATION_PROCEDURE, key.campaign, key.pupilIdNumber, EXCLUDED_STATUSES),
  ]);
  if (!campaign || !dossier) throw dossierNotFound();
  const actor = await actorForDossier(ctx, dossier, caller);
  // Staff reaching the dossier are no parent: re-marking is the family's request.
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', 'Chỉ phụ huynh (người nộp hồ sơ đăng ký) được nộp và xem đơn phúc khảo.');
  return { campaign, dossier, actor };
}

const remarkingExists = () => new AppError('REMARKING_EXISTS', 'Học sinh này đã có đơn phúc khảo trong kỳ tuyển sinh; mỗi học sinh chỉ nộp một đơn.');

/** Writes a history event on the registration (its version moves) and returns the new version. */
async function recordEvent(tx: Db, dossierId: string, action: RemarkingEvent, actor: Pick<Actor, 'kind' | 'id' | 'name'>, comment: string | null, data: Record<string, unknown>) {
  const updated = await bumpDossierVersion(tx, dossierId);
  if (!updated) throw dossierNotFound();
  await insertEvent(tx, {
    dossierId, at: new Date(), action, fromStatus: updated.status, toStatus: updated.status,
    actorKind: actor.kind, actorId: actor.id, actorName: actor.name, comment, data, dossierVersion: updated.version,
  });
  return updated.version;
}

export async function fileRemarking(ctx: AppContext, caller: Caller, input: unknown, ip: string | null = null): Promise<RemarkingView> {
  const parsed = remarkingInput.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Đơn phúc khảo chưa hợp lệ.');
  const { campaign, dossier, actor } = await registrationFor(ctx, caller, parsed.data);
  requireWindowOpen(campaign, 'remarking', new Date());
  const { pupilIdNumber, subjects } = parsed.data;
  if (!(await findScore(ctx.db, campaign.id, pupilIdNumber))) {
    throw new AppError('VALIDATION_FAILED', 'Học sinh chưa có điểm thi trong kỳ tuyển sinh này nên không thể phúc khảo.', {
      pupilIdNumber: 'Học sinh chưa có điểm thi trong kỳ tuyển sinh này.',
    });
  }
  if (await findRemarkingOfPupil(ctx.db, campaign.id, pupilIdNumber)) throw remarkingExists();
  const reason = parsed.data.reason || null;
  const row = await ctx.db.transaction(async (tx) => {
    // The unique index decides between two filings racing: the second inserts nothing.
    const created = await insertRemarking(tx, {
      campaignId: campaign.id, pupilIdNumber, dossierId: dossier.id, subjects, reason,
      filedBy: caller.kind === 'citizen' && actor.id === caller.citizen.id ? caller.citizen.personalId : 'tracking-token',
    });
    if (!created) throw remarkingExists();
    const action: RemarkingEvent = 'remarking_requested';
    await recordEvent(tx, dossier.id, action, actor, reason, { requestId: created.id, subjects });
    await recordAudit(tx, dossierCitizenActor(caller, actor, ip), 'campaign.remarking_filed', dossier.code, {
      campaign: campaign.id, pupilIdNumber, requestId: created.id, subjects,
    });
    return created;
  });
  return viewOf(row, dossier.code);
}

/** The owner's request (404 when there is none). */
export async function readOwnRemarking(ctx: AppContext, caller: Caller, query: unknown): Promise<RemarkingView> {
  const parsed = remarkingKey.safeParse(query ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Thông tin tra cứu chưa hợp lệ.');
  const { campaign, dossier } = await registrationFor(ctx, caller, parsed.data);
  const row = await findRemarkingOfPupil(ctx.db, campaign.id, parsed.data.pupilIdNumber);
  if (!row) throw new AppError('NOT_FOUND', 'Học sinh này chưa có đơn phúc khảo trong kỳ tuyển sinh.');
  // Filed on another registration dossier (remarkingStateOfDossier): it exists, its content is that dossier's.
  if (row.dossierId !== dossier.id) throw remarkingExists();
  return viewOf(row, dossier.code);
}

/** What the citizen's re-marking page shows for a registration dossier (by its code, the dossier pages' access). */
export interface RemarkingPageState {
  dossierCode: string;
  campaign: { id: string; name: string };
  pupilIdNumber: string;
  pupilName: string;
  /** This registration's request; null when there is none, or when the pupil's request is another dossier's. */
  request: RemarkingView | null;
  /** The pupil has a request filed on another registration dossier (e.g. a refused one): its content is not shown. */
  requestElsewhere: boolean;
  windowOpen: boolean;
  /** The window's times, for the page's sentence; null when the campaign has no re-marking window. */
  window: { opensAt: string; closesAt: string } | null;
  hasScore: boolean;
}

export async function remarkingStateOfDossier(ctx: AppContext, caller: Caller, code: string): Promise<RemarkingPageState> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  const form = dossier.formData as Record<string, unknown>;
  const campaignId = typeof form.campaign === 'string' ? form.campaign : '';
  const pupilIdNumber = typeof form.pupilIdNumber === 'string' ? form.pupilIdNumber : '';
  const campaign = dossier.procedureId === REGISTRATION_PROCEDURE && campaignId ? await findCampaign(ctx.db, campaignId) : undefined;
  if (!campaign) throw new AppError('NOT_FOUND', 'Hồ sơ này không phải hồ sơ đăng ký tuyển sinh của một kỳ tuyển sinh.');
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', 'Chỉ phụ huynh (người nộp hồ sơ đăng ký) được nộp và xem đơn phúc khảo.');
  const [row, score] = await Promise.all([findRemarkingOfPupil(ctx.db, campaign.id, pupilIdNumber), findScore(ctx.db, campaign.id, pupilIdNumber)]);
  return {
    dossierCode: dossier.code, campaign: { id: campaign.id, name: campaign.name }, pupilIdNumber,
    pupilName: typeof form.pupilName === 'string' ? form.pupilName : '',
    // Another registration's request (a refused one filed again) is still the pupil's one request, but its reason, scores
    // and the Department's note belong to that dossier's filer, who may not be this caller: only that it exists is said.
    request: row && row.dossierId === dossier.id ? viewOf(row, dossier.code) : null,
    requestElsewhere: row !== undefined && row.dossierId !== dossier.id,
    windowOpen: isWindowOpen(campaign, 'remarking', new Date()),
    window: campaign.windows.remarking ?? null,
    hasScore: score !== undefined,
  };
}

/** Whether the registration dossier page links to the re-marking page: during the window, or once a request exists. */
export async function remarkingLinkShown(ctx: AppContext, dossier: Pick<DossierRow, 'procedureId' | 'formData'>): Promise<boolean> {
  const form = dossier.formData as Record<string, unknown>;
  if (dossier.procedureId !== REGISTRATION_PROCEDURE || typeof form.campaign !== 'string' || typeof form.pupilIdNumber !== 'string') return false;
  const campaign = await findCampaign(ctx.db, form.campaign);
  if (!campaign?.windows.remarking) return false;
  return isWindowOpen(campaign, 'remarking', new Date()) || (await findRemarkingOfPupil(ctx.db, campaign.id, form.pupilIdNumber)) !== undefined;
}

export interface AdminRemarkingItem extends RemarkingView { pupilName: string | null; currentScore: number | null }

export async function listCampaignRemarkings(
  ctx: AppContext, caller: Caller, campaignId: string, query: { status?: RemarkingStatus; page?: number },
): Promise<{ items: AdminRemarkingItem[]; total: number; page: number; pageSize: number }> {
  administratorOf(caller);
  if (!(await findCampaign(ctx.db, campaignId))) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  const page = query.page ?? 1;
  const { rows, total } = await listRemarkings(ctx.db, campaignId, { status: query.status, limit: REMARKING_PAGE_SIZE, offset: (page - 1) * REMARKING_PAGE_SIZE });
  return {
    items: rows.map((r) => ({ ...viewOf(r.request, r.dossierCode), pupilName: r.pupilName, currentScore: points(r.currentScore) })),
    total, page, pageSize: REMARKING_PAGE_SIZE,
  };
}

/**
 * Answers a request, once: the request decided with the score before and after, for 'changed' the pupil's exam score
 * corrected, the registration's history event, the citizen's notification and the audit entry — one transaction.
 */
export async function decideCampaignRemarking(ctx: AppContext, caller: Caller, campaignId: string, requestId: string, input: unknown): Promise<RemarkingView> {
  const { staff, actor } = administratorOf(caller);
  const known = z.uuid().safeParse(requestId).success ? await findRemarking(ctx.db, requestId) : undefined;
  if (!known || known.campaignId !== campaignId) throw new AppError('NOT_FOUND', 'Không có đơn phúc khảo này trong kỳ tuyển sinh.');
  const parsed = remarkingDecision.safeParse(input ?? {});
  if (!parsed.success) throw validationFailed(parsed.error, 'Kết quả phúc khảo chưa hợp lệ.');
  const { outcome, note } = parsed.data;
  let newScore: number | undefined;
  if (outcome === 'changed') {
    newScore = parsed.data.newScore === undefined ? undefined : hundredths(String(parsed.data.newScore).trim());
    if (newScore === undefined) {
      throw new AppError('VALIDATION_FAILED', 'Kết quả phúc khảo chưa hợp lệ.', {
        newScore: 'Nhập điểm thi mới: số từ 0 đến dưới 1000, tối đa 2 chữ số thập phân (ví dụ 27,25).',
      });
    }
  } else if (parsed.data.newScore !== undefined && parsed.data.newScore !== '') {
    throw new AppError('VALIDATION_FAILED', 'Kết quả phúc khảo chưa hợp lệ.', { newScore: 'Chỉ nhập điểm mới khi kết quả là thay đổi điểm.' });
  }
  const decided = await ctx.db.transaction(async (tx) => {
    const request = (await findRemarking(tx, requestId, { lock: true }))!;
    if (request.status !== 'requested') {
      throw new AppError('REMARKING_DECIDED', `Đơn phúc khảo này đã được trả lời (${STATUS_LABELS[request.status].toLowerCase()}).`);
    }
    const score = await findScore(tx, campaignId, request.pupilIdNumber, { lock: true });
    // A new score file may have been imported since the request was filed, without this pupil: the request's state, not
    // the form's input, so a conflict; it stays 'requested' until the pupil's score is imported again.
    if (!score) {
      throw new AppError('REMARKING_NO_SCORE', `Học sinh ${request.pupilIdNumber} không còn điểm thi trong kỳ tuyển sinh (tệp điểm đã được nhập lại không có học sinh này). Nhập lại tệp điểm có học sinh rồi trả lời đơn.`);
    }
    if (outcome === 'changed' && newScore === score.score) {
      throw new AppError('VALIDATION_FAILED', 'Kết quả phúc khảo chưa hợp lệ.', { newScore: 'Điểm mới bằng điểm hiện tại: chọn "Giữ nguyên điểm".' });
    }
    const scoreAfter = outcome === 'changed' ? newScore! : outcome === 'unchanged' ? score.score : null;
    if (outcome === 'changed') await setScore(tx, campaignId, request.pupilIdNumber, newScore!);
    const at = new Date();
    const row = await decideRemarking(tx, request.id, {
      status: outcome, scoreBefore: score.score, scoreAfter, decisionNote: note, decidedBy: staff.id, decidedAt: at,
    });
    const action: RemarkingEvent = 'remarking_decided';
    // What the e-mail says (templates/emails/remarking-decided.hbs reads it from the event: notify-citizen.ts).
    const mail = {
      requestId: request.id, outcome, outcomeLabel: OUTCOME_LABELS[outcome], subjects: request.subjects.join(', '),
      scoreBefore: (score.score / 100).toFixed(2), scoreAfter: scoreAfter === null ? null : (scoreAfter / 100).toFixed(2), note,
    };
    const version = await recordEvent(tx, request.dossierId, action, { kind: 'staff', id: staff.id, name: staff.fullName }, note, mail);
    await insertOutbox(tx, [notifyCitizenRow(request.dossierId, version)]);
    await recordAudit(tx, actor, 'campaign.remarking_decided', campaignId, {
      requestId: request.id, pupilIdNumber: request.pupilIdNumber, outcome, scoreBefore: score.score, scoreAfter,
    });
    return row;
  });
  ctx.jobs.wake();
  const dossier = await findDossierById(ctx.db, decided.dossierId);
  return viewOf(decided, dossier?.code ?? '');
}
