// The assignment of a campaign as a job: an administrator starts a run (admission_runs row + outbox row, one
// transaction), the job `assign-admissions` reads the registrations, choices and scores, runs the engine
// (admissions/assignment.ts) and writes every registered pupil's outcome and each school's cut-off in ONE transaction
// with the run marked done. The job is idempotent: a run already done or failed is left alone, and the outcome of an
// interrupted try is deleted and written again inside that transaction.
//
// What counts (decided here, documented in README.md):
// - A registration is a dossier of admission-registration naming the campaign whose status is not one of
//   EXCLUDED_STATUSES ('refused': the dossier was found invalid; 'withdrawn' if a workflow adds it). Every other status
//   counts, including the old per-dossier decisions ('rejected', 'returned'): the season's assignment replaces them.
// - A pupil ID with two registrations counts once, the latest filed (the intake keeps one live registration per pupil).
// - A registered pupil without a score takes part in nothing: they get a result row with no school, total 0, and are
//   named in the run's stats (`withoutScore`), so the list of unassigned pupils says why.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { AssignmentInputError, type AssignmentPupil, type AssignmentResult, type KeyValue, type TieBreakKey } from '../../admissions/assignment.js';
import { assignInThread } from '../../admissions/assign-thread.js';
import { filledChoices } from '../../admissions/choices.js';
import { lotteryKey } from '../../admissions/lottery.js';
import {
  countOutcome, findRun, findRunningRun, finishRun, insertRun, listRegistrations, listScores, lockCampaign, replaceRunOutcome, setRunProgress,
} from '../../db/repositories/admission-assignment.js';
import { findCampaign, listCampaignSchools } from '../../db/repositories/admissions.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { programId, programsOf, splitProgramId, supplementaryRound } from './seats.js';
import { vnDateTime } from './vn-date-time.js';
import { windowOf } from './windows.js';

export const ASSIGN_ADMISSIONS_JOB = 'assign-admissions';
export const REGISTRATION_PROCEDURE = 'admission-registration';
export const EXCLUDED_STATUSES = ['refused', 'withdrawn'] as const;
/** Progress is written at most this often (the engine reports every 5 %). */
const PROGRESS_EVERY_MS = 250;
/**
 * A run still 'running' this long after it started was lost (its job gave up after its retries, or the worker died
 * with it): a new start marks it failed instead of refusing forever. The assignment of a province takes seconds.
 */
export const STALE_RUN_MS = 30 * 60_000;
/** At most this many pupil IDs are kept in the run's stats per reason. */
const MAX_LISTED = 1000;

export interface RunView {
  runId: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  admitted: number;
  unassigned: number;
  startedAt: string;
  finishedAt: string | null;
  seed: string;
  publishedAt: string | null;
  stats: Record<string, unknown> | null;
  error: string | null;
}

/**
 * `round` 'supplementary' (the supplementary round: supplementary.ts) is refused until the confirmation window has
 * closed: the seats left are only known once every confirmation is in.
 */
export async function startAssignment(ctx: AppContext, caller: Caller, campaignId: string, round: 'main' | 'supplementary' = 'main'): Promise<{ runId: string }> {
  const { staff, actor } = administratorOf(caller);
  const runId = await ctx.db.transaction(async (tx) => {
    // The campaign row locked: two starts at once see each other's run, so only one runs.
    if (!(await lockCampaign(tx, campaignId))) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
    const campaign = (await findCampaign(tx, campaignId))!;
    if (round === 'supplementary') {
      const confirmation = windowOf(campaign, 'confirmation');
      if (!confirmation || Date.now() < confirmation.closesAt.getTime()) {
        throw new AppError('ADMISSION_WINDOW_CLOSED', confirmation
          ? `Chỉ chạy tuyển bổ sung sau khi hết hạn xác nhận nhập học (${vnDateTime(confirmation.closesAt)}).`
          : 'Kỳ tuyển sinh chưa có thời gian xác nhận nhập học: chưa tính được chỉ tiêu còn lại để tuyển bổ sung.');
      }
    }
    const running = await findRunningRun(tx, campaignId);
    if (running && Date.now() - running.startedAt.getTime() > STALE_RUN_MS) {
      await finishRun(tx, running.id, { status: 'failed', error: 'Lượt xét tuyển bị gián đoạn (quá thời gian chạy); đã được thay bằng lượt mới.', finishedAt: new Date() });
    } else if (running) {
      throw new AppError('ASSIGNMENT_RUNNING', `Kỳ tuyển sinh đang được xét tuyển (lượt bắt đầu lúc ${running.startedAt.toISOString()}); chờ lượt đó xong rồi chạy lại.`);
    }
    // A fresh seed per run, published with its results so anyone can recompute the lottery keys (admissions/lottery.ts).
    const run = await insertRun(tx, { campaignId, round, rule: campaign.rule, seed: randomBytes(16).toString('hex'), requestedBy: staff.id });
    await insertOutbox(tx, [{ job: ASSIGN_ADMISSIONS_JOB, payload: { runId: run.id } }]);
    await recordAudit(tx, actor, 'campaign.assignment_started', campaignId, { runId: run.id, round, rule: run.rule, seed: run.seed });
    return run.id;
  });
  ctx.jobs.wake();
  return { runId };
}

export async function readRun(ctx: AppContext, caller: Caller, campaignId: string, runId: string): Promise<RunView> {
  administratorOf(caller);
  const run = await findRunOf(ctx, campaignId, runId);
  const counts = await countOutcome(ctx.db, run.id);
  return {
    runId: run.id, status: run.status, progress: run.progress, ...counts,
    startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, seed: run.seed,
    publishedAt: run.publishedAt?.toISOString() ?? null, stats: run.stats ?? null, error: run.error ?? null,
  };
}

export async function findRunOf(ctx: Pick<AppContext, 'db'>, campaignId: string, runId: string) {
  const run = /^[0-9a-f-]{36}$/i.test(runId) ? await findRun(ctx.db, runId) : undefined;
  if (!run || run.campaignId !== campaignId) throw new AppError('NOT_FOUND', 'Không có lượt xét tuyển này.');
  return run;
}

/** "2725" hundredths → "27.25": the engine's exact decimal form. */
function decimal(h: number): string {
  return `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;
}

interface Registered { dossierId: string; pupilIdNumber: string; birthDate: string; choices: string[]; choiceFields: number[] }

/** The job: see the header. */
export async function runAssignment(ctx: AppContext, runId: string): Promise<void> {
  const run = await findRun(ctx.db, runId);
  if (!run || run.status !== 'running') return; // done or failed already: a re-delivered job does nothing
  const campaign = await findCampaign(ctx.db, run.campaignId);
  if (!campaign) return;
  const [schools, registrations, scores] = await Promise.all([
    listCampaignSchools(ctx.db, campaign.id),
    listRegistrations(ctx.db, REGISTRATION_PROCEDURE, campaign.id, EXCLUDED_STATUSES),
    listScores(ctx.db, campaign.id),
  ]);
  await setRunProgress(ctx.db, runId, 0.05);

  const byPupil = new Map<string, Registered>();
  for (const r of registrations) {
    const form = r.formData as Record<string, unknown>;
    const pupilIdNumber = String(form.pupilIdNumber ?? '');
    if (pupilIdNumber === '') continue;
    // Each choice is the program of its field's category (admissions/choices.ts): the school alone without categories.
    const filled = filledChoices(campaign, form);
    const choices = filled.map((c) => programId(c.unitId, c.category));
    const choiceFields = filled.map((c) => c.rank);
    // Latest filed wins (listRegistrations is earliest first).
    byPupil.set(pupilIdNumber, { dossierId: r.id, pupilIdNumber, birthDate: String(form.pupilBirthDate ?? ''), choices, choiceFields });
  }
  // The supplementary round: only pupils with supplementary choices and no confirmed enrolment, choosing among the
  // seats left (seats.ts); everything else (scores, tie-break, engine) as in the main round.
  let programs = programsOf(campaign, schools.map((s) => ({ unitId: s.schoolUnitId, quota: s.quota, categoryQuotas: s.categoryQuotas })))
    .map((p) => ({ id: p.id, quota: p.quota }));
  if (run.round === 'supplementary') {
    const round = await supplementaryRound(ctx.db, campaign);
    programs = round.programs;
    for (const [id, p] of byPupil) {
      const choices = round.choicesOf.get(id);
      if (!choices) byPupil.delete(id);
      else byPupil.set(id, { ...p, choices, choiceFields: choices.map((_, i) => i + 1) });
    }
  }
  const scoreOf = new Map(scores.map((s) => [s.pupilIdNumber, s]));
  const tieBreak: TieBreakKey[] = campaign.tieBreak.map((name) => ({ name, order: name === 'lottery' ? 'asc' : 'desc' }));
  const pupils: AssignmentPupil[] = [];
  const withoutScore: string[] = [];
  for (const p of byPupil.values()) {
    const s = scoreOf.get(p.pupilIdNumber);
    if (!s) { withoutScore.push(p.pupilIdNumber); continue; }
    const keys: KeyValue[] = campaign.tieBreak.map((name) => {
      if (name === 'score') return s.score;
      if (name === 'priorityPoints') return s.priorityPoints;
      if (name === 'lottery') return lotteryKey(run.seed, p.pupilIdNumber);
      // A value the file left out ranks as 0 (lowest) on that key.
      return s.extra[name] ?? 0;
    });
    pupils.push({ id: p.pupilIdNumber, total: decimal(s.score + s.priorityPoints), keys, choices: p.choices });
  }

  // The engine runs in a worker thread (admissions/assign-thread.ts): its progress arrives while it runs, and the writes
  // queue up in order and are awaited before the outcome is written.
  let writes = Promise.resolve();
  let lastWrite = 0;
  const onProgress = (fraction: number) => {
    const now = Date.now();
    if (fraction < 1 && now - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = now;
    const progress = 0.1 + 0.8 * fraction;
    writes = writes.then(() => setRunProgress(ctx.db, runId, progress));
  };
  let outcome: AssignmentResult;
  try {
    outcome = await assignInThread({
      rule: run.rule, maxChoices: campaign.choices, tieBreak,
      programs, pupils,
    }, onProgress);
  } catch (error) {
    await writes;
    // The input cannot be assigned (e.g. a choice of a school no longer in the campaign): a retry cannot mend it.
    if (error instanceof AssignmentInputError) {
      await finishRun(ctx.db, runId, { status: 'failed', error: error.message, finishedAt: new Date() });
      return;
    }
    throw error;
  }
  await writes;

  const placementOf = new Map(outcome.placements.map((p) => [p.pupilId, p]));
  const results = [...byPupil.values()].map((p) => {
    const placement = placementOf.get(p.pupilIdNumber);
    const s = scoreOf.get(p.pupilIdNumber);
    const program = placement?.programId ? splitProgramId(placement.programId) : null;
    return {
      runId, campaignId: campaign.id, pupilIdNumber: p.pupilIdNumber, dossierId: p.dossierId, birthDate: p.birthDate,
      // A program id is the school, or school + ':' + category (seats.ts).
      schoolUnitId: program?.unitId ?? null, category: program?.category ?? '',
      // The form's choice number (choice1..N), not the position among the non-empty choices.
      choiceRank: placement?.choiceRank ? p.choiceFields[placement.choiceRank - 1]! : null,
      total: s ? s.score + s.priorityPoints : 0,
    };
  });
  const cutoffs = outcome.cutoffs.map((c) => ({
    runId, schoolUnitId: splitProgramId(c.programId).unitId, category: splitProgramId(c.programId).category, quota: c.quota, admitted: c.admitted, cutoff: c.cutoff === null ? null : Math.round(c.cutoff * 100),
  }));
  const noSeat = outcome.placements.filter((p) => p.programId === null).map((p) => p.pupilId);
  const stats = {
    ...outcome.stats, registered: byPupil.size, admitted: outcome.stats.placed,
    unassigned: { noScore: withoutScore.length, noSeat: noSeat.length },
    withoutScore: withoutScore.sort().slice(0, MAX_LISTED), withoutSeat: noSeat.sort().slice(0, MAX_LISTED),
  };
  await ctx.db.transaction(async (tx) => {
    const current = await findRun(tx, runId, { lock: true });
    if (current?.status !== 'running') return; // another try finished it meanwhile
    await replaceRunOutcome(tx, runId, results, cutoffs);
    await finishRun(tx, runId, { status: 'done', stats, finishedAt: new Date() });
  });
}
