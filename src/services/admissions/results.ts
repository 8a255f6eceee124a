// An assignment run's outcome as it is read: the results list (administrators: everyone; a principal of a school of
// the campaign: the pupils admitted to their school), cut-offs (administrators any time, anyone once a run is
// published), publication, and what changed between two runs (a re-run after re-marking).
import type { AppContext } from '../../app-context.js';
import {
  findRun, latestDoneRun, listCutoffs, listResults, publishRun, type ResultRow, type RunRow,
} from '../../db/repositories/admission-assignment.js';
import { remarkedScores } from '../../db/repositories/admission-remarking.js';
import { findCampaign, listCampaignSchools } from '../../db/repositories/admissions.js';
import { AppError } from '../../errors.js';
import { can, type Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import { recordAudit } from '../audit/audit.js';
import { CSV_BOM, csvRow } from '../reporting/csv.js';
import { findRunOf } from './assignment-runs.js';

/** The role that makes a staff account of a campaign's school its principal (as in the admission workflow). */
export const PRINCIPAL_ROLE = 'leader';

/** `category`: the admitted choice's category (cut-offs: the row's), null when the campaign has no categories. */
export interface ResultItem { pupilIdNumber: string; school: string | null; category: string | null; choiceRank: number | null; total: number }
export interface CutoffItem { school: string; category: string | null; quota: number; admitted: number; cutoff: number | null }
export interface ChangeItem {
  pupilIdNumber: string;
  before: { school: string | null; category: string | null; choiceRank: number | null } | null;
  after: { school: string | null; category: string | null; choiceRank: number | null } | null;
  /** The pupil's exam score corrected by re-marking between the two runs (points): why they moved. */
  remarked?: { before: number; after: number };
}

const points = (h: number) => h / 100;

async function campaignOrNotFound(ctx: AppContext, campaignId: string) {
  const campaign = await findCampaign(ctx.db, campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return campaign;
}

/** The run asked for (a done one of this campaign), or the latest done run. */
async function doneRun(ctx: AppContext, campaignId: string, runId: string | undefined): Promise<RunRow> {
  const run = runId ? await findRunOf(ctx, campaignId, runId) : await latestDoneRun(ctx.db, campaignId);
  if (!run) throw new AppError('NOT_FOUND', 'Kỳ tuyển sinh chưa có lượt xét tuyển nào hoàn tất.');
  if (run.status !== 'done') throw new AppError('RUN_NOT_DONE', 'Lượt xét tuyển này chưa hoàn tất (đang chạy hoặc lỗi).');
  return run;
}

/** Administrators: every school; a principal of a school in the campaign: that school; anyone else: 403. */
async function schoolsVisibleTo(ctx: AppContext, caller: Caller, campaignId: string): Promise<string[] | 'all'> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  if (can(caller.staff, 'administration')) return 'all';
  const schools = (await listCampaignSchools(ctx.db, campaignId)).map((s) => s.schoolUnitId);
  if (caller.staff.roles.includes(PRINCIPAL_ROLE) && schools.includes(caller.staff.unitId)) return [caller.staff.unitId];
  throw new AppError('FORBIDDEN', 'Chỉ quản trị hệ thống và hiệu trưởng các trường của kỳ tuyển sinh được xem kết quả xét tuyển.');
}

export async function readResults(ctx: AppContext, caller: Caller, campaignId: string, runId?: string): Promise<ResultItem[]> {
  // The gate first: who may not read results does not learn which campaigns exist (an unknown one has no schools).
  const visible = await schoolsVisibleTo(ctx, caller, campaignId);
  await campaignOrNotFound(ctx, campaignId);
  const run = await doneRun(ctx, campaignId, runId);
  const rows = await listResults(ctx.db, run.id, visible === 'all' ? undefined : visible);
  return rows.map((r) => ({ pupilIdNumber: r.pupilIdNumber, school: r.schoolUnitId, category: r.category || null, choiceRank: r.choiceRank, total: points(r.total) }));
}

/** The same list as RFC 4180 CSV with a BOM (reporting/csv.ts). */
export function resultsCsv(items: ResultItem[]): string {
  return CSV_BOM + csvRow(['pupilIdNumber', 'school', 'choiceRank', 'total'])
    + items.map((i) => csvRow([i.pupilIdNumber, i.school ?? '', i.choiceRank ?? '', i.total.toFixed(2)])).join('');
}

/** Administrators: the run asked for or the latest done; anyone else: the latest published run (404 before). */
export async function readCutoffs(ctx: AppContext, caller: Caller, campaignId: string, runId?: string): Promise<CutoffItem[]> {
  await campaignOrNotFound(ctx, campaignId);
  const admin = caller.kind === 'staff' && can(caller.staff, 'administration');
  const run = admin ? await doneRun(ctx, campaignId, runId) : await latestDoneRun(ctx.db, campaignId, { published: true });
  if (!run) throw new AppError('NOT_FOUND', 'Kết quả xét tuyển của kỳ này chưa được công bố.');
  return (await listCutoffs(ctx.db, run.id)).map((c) => ({
    school: c.schoolUnitId, category: c.category || null, quota: c.quota, admitted: c.admitted, cutoff: c.cutoff === null ? null : points(c.cutoff),
  }));
}

export async function publishResults(ctx: AppContext, caller: Caller, campaignId: string, runId: string): Promise<{ runId: string; publishedAt: string }> {
  const { actor } = administratorOf(caller);
  await findRunOf(ctx, campaignId, runId);
  return ctx.db.transaction(async (tx) => {
    const run = (await findRun(tx, runId, { lock: true }))!;
    if (run.status !== 'done') throw new AppError('RUN_NOT_DONE', 'Chỉ công bố được lượt xét tuyển đã hoàn tất.');
    // Publishing twice keeps the first time (the look-up and the audit log agree on when results went out).
    if (run.publishedAt) return { runId, publishedAt: run.publishedAt.toISOString() };
    const at = new Date();
    await publishRun(tx, runId, at);
    await recordAudit(tx, actor, 'campaign.results_published', campaignId, { runId, seed: run.seed });
    return { runId, publishedAt: at.toISOString() };
  });
}

/** Pupils whose school or choice rank differs between run `since` and run `runId` (one present in only one: too). */
export async function readChanges(ctx: AppContext, caller: Caller, campaignId: string, runId: string, since: string): Promise<ChangeItem[]> {
  administratorOf(caller);
  const [after, before] = [await doneRun(ctx, campaignId, runId), await doneRun(ctx, campaignId, since)];
  const [a, b] = await Promise.all([listResults(ctx.db, after.id), listResults(ctx.db, before.id)]);
  const outcome = (r: ResultRow | undefined) => (r ? { school: r.schoolUnitId, category: r.category || null, choiceRank: r.choiceRank } : null);
  const beforeOf = new Map(b.map((r) => [r.pupilIdNumber, r]));
  const afterOf = new Map(a.map((r) => [r.pupilIdNumber, r]));
  const ids = [...new Set([...beforeOf.keys(), ...afterOf.keys()])].sort();
  const changes: ChangeItem[] = ids.flatMap((id) => {
    const x = outcome(beforeOf.get(id));
    const y = outcome(afterOf.get(id));
    return x?.school === y?.school && x?.category === y?.category && x?.choiceRank === y?.choiceRank && (x === null) === (y === null) ? [] : [{ pupilIdNumber: id, before: x, after: y }];
  });
  // Scores corrected by re-marking after the earlier run started and before the later one started: the later run
  // read them, the earlier did not (a run reads the scores when its job starts, so a decision made while the later run
  // was running is not in it — its finishedAt would wrongly credit it).
  const remarked = await remarkedScores(ctx.db, campaignId, changes.map((c) => c.pupilIdNumber), before.startedAt, after.startedAt);
  const remarkOf = new Map(remarked.map((r) => [r.pupilIdNumber, r]));
  return changes.map((c) => {
    const r = remarkOf.get(c.pupilIdNumber);
    return r && r.before !== null && r.after !== null ? { ...c, remarked: { before: points(r.before), after: points(r.after) } } : c;
  });
}
