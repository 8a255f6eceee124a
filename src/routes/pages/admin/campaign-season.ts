// The admission season's pages of one campaign (/quan-tri/tuyen-sinh/:id/...): the exam scores import (/diem) and the
// assignment runs (/xet-tuyen: start, list, one run with its progress, stats, changes, cut-offs, publication, results
// CSV). They call the services the API calls (routes/api/admin/campaign-assignment.ts), never the API itself.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError, isAppError } from '../../../errors.js';
import { readMultipart } from '../../../plugins/multipart.js';
import { getCampaign, type CampaignView } from '../../../services/administration/campaigns.js';
import { readRun, startAssignment } from '../../../services/admissions/assignment-runs.js';
import { listRunItems, readScoresState, type RunListItem } from '../../../services/admissions/overview.js';
import { publishResults, readChanges, readCutoffs, readResults, resultsCsv } from '../../../services/admissions/results.js';
import { SEASON_MAX_BYTES, seasonFileLimits, seasonTooLargeMessage } from '../../../services/admissions/import-file.js';
import { extraColumns, importScores } from '../../../services/admissions/scores.js';
import { readPageForm, render } from '../common.js';
import { sendDownload } from '../downloads.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';

const BASE = '/quan-tri/tuyen-sinh';
/** A running run's page reloads itself this often (a meta refresh: the page works without JavaScript). */
const REFRESH_SECONDS = 3;
const RUN_ID = /^[0-9a-f-]{36}$/i;
const STATUS_LABELS = { running: 'Đang chạy', done: 'Hoàn tất', failed: 'Lỗi' } as const;
const RULE_LABELS = { 'choice-priority': 'Ưu tiên nguyện vọng', 'deferred-acceptance': 'Chấp nhận trì hoãn' } as const;
const ROUND_LABELS = { main: 'Xét tuyển chính thức', supplementary: 'Tuyển bổ sung' } as const;
/** A problem the page shows next to its form instead of an error page: the caller's fault, not a refusal of access. */
const shownOnPage = (error: unknown): error is AppError =>
  isAppError(error) && error.statusCode < 500 && error.code !== 'FORBIDDEN' && error.code !== 'UNAUTHENTICATED' && error.code !== 'NOT_FOUND';

const campaignIdOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** The run id of the URL; anything that is not one is the same 404 as a run of another campaign. */
function runIdOf(request: FastifyRequest): string {
  const runId = (request.params as { runId: string }).runId;
  if (!RUN_ID.test(runId)) throw new AppError('NOT_FOUND', 'Không có lượt xét tuyển này.');
  return runId;
}

/** School unit ids as the names the campaign knows them by. */
function schoolNamer(campaign: CampaignView): (unitId: string | null) => string {
  const names = new Map(campaign.schools.map((s) => [s.unitId, s.name]));
  return (unitId) => (unitId === null ? 'Không trúng tuyển' : names.get(unitId) ?? unitId);
}

function runRow(campaignId: string, r: RunListItem) {
  return {
    ...r, url: `${BASE}/${enc(campaignId)}/xet-tuyen/${r.runId}`, statusLabel: STATUS_LABELS[r.status], ruleLabel: RULE_LABELS[r.rule],
    roundLabel: ROUND_LABELS[r.round], percent: Math.round(r.progress * 100),
  };
}

async function cutoffRows(ctx: AppContext, request: FastifyRequest, campaign: CampaignView, runId?: string) {
  const name = schoolNamer(campaign);
  return (await readCutoffs(ctx, request.caller, campaign.id, runId)).map((c) => ({
    ...c, name: name(c.school), cutoffText: vnPoints(c.cutoff),
  }));
}

export function campaignSeasonPages(app: FastifyInstance, ctx: AppContext): void {
  // ------------------------------------------------------------ scores
  const showScores = async (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; lines?: Array<{ line: string; message: string }> } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, campaignIdOf(request));
    const state = await readScoresState(ctx, request.caller, campaign.id);
    return render(request, reply, 'admin-campaign-scores', {
      title: `Điểm thi — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, state, ...outcome,
      extras: extraColumns(campaign.tieBreak), fileLimits: seasonFileLimits(),
      action: `${BASE}/${enc(campaign.id)}/diem`,
      flash: flashText(request, { 'da-nhap': 'Đã nhập tệp điểm; điểm cũ của kỳ tuyển sinh đã được thay bằng tệp này.' }),
    }, status);
  };

  app.get(`${BASE}/:id/diem`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showScores(request, reply);
  });

  // Multipart: the CSRF token rides in the query string (routes/pages/index.ts getToken).
  app.post(`${BASE}/:id/diem`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const campaignId = campaignIdOf(request);
    try {
      if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Biểu mẫu phải gửi tệp (multipart/form-data).');
      const body = await readMultipart(request, { limits: { fileSize: SEASON_MAX_BYTES, files: 1 }, reply }).catch((error: unknown) => {
        throw isAppError(error) && error.code === 'FILE_TOO_LARGE' ? new AppError('FILE_TOO_LARGE', seasonTooLargeMessage()) : error;
      });
      const file = body.files.find((f) => f.fieldName === 'file' && f.data.length > 0);
      if (!file) throw new AppError('VALIDATION_FAILED', 'Chưa chọn tệp.', { file: 'Chọn tệp CSV hoặc XLSX.' });
      await importScores(ctx, request.caller, campaignId, { fileName: file.fileName, data: file.data });
      return reply.redirect(`${BASE}/${enc(campaignId)}/diem?tb=da-nhap`, 303);
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      const lines = Object.entries(error.fields ?? {}).map(([line, message]) => ({ line: line.replace(/^line /, 'Dòng ').replace(/^file$/, 'Tệp'), message }));
      return showScores(request, reply, { message: error.message, lines }, error.statusCode);
    }
  });

  // ------------------------------------------------------------ runs
  const showRuns = async (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; confirmError?: string } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, campaignIdOf(request));
    const runs = (await listRunItems(ctx, request.caller, campaign.id)).map((r) => runRow(campaign.id, r));
    const latestDone = runs.find((r) => r.status === 'done');
    const scores = await readScoresState(ctx, request.caller, campaign.id);
    return render(request, reply, 'admin-campaign-runs', {
      title: `Xét tuyển — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, runs, scores, ...outcome,
      running: runs.some((r) => r.status === 'running'), ruleLabel: RULE_LABELS[campaign.rule],
      latestDone, cutoffs: latestDone ? await cutoffRows(ctx, request, campaign, latestDone.runId) : [],
      action: `${BASE}/${enc(campaign.id)}/xet-tuyen`,
    }, status);
  };

  app.get(`${BASE}/:id/xet-tuyen`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showRuns(request, reply);
  });

  app.post(`${BASE}/:id/xet-tuyen`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    // A run replaces nothing published, but it takes the job worker's time: the box says the operator meant it.
    if (fields['xac-nhan'] !== 'co') {
      return showRuns(request, reply, { message: 'Chưa chạy xét tuyển.', confirmError: 'Đánh dấu ô xác nhận để chạy xét tuyển.' }, 422);
    }
    try {
      const { runId } = await startAssignment(ctx, request.caller, campaignIdOf(request));
      return reply.redirect(`${BASE}/${enc(campaignIdOf(request))}/xet-tuyen/${runId}`, 303);
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      return showRuns(request, reply, { message: error.message }, error.statusCode);
    }
  });

  const showRun = async (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; confirmError?: string } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, campaignIdOf(request));
    const run = await readRun(ctx, request.caller, campaign.id, runIdOf(request));
    const name = schoolNamer(campaign);
    const runs = await listRunItems(ctx, request.caller, campaign.id);
    const row = runRow(campaign.id, runs.find((r) => r.runId === run.runId)!);
    // The previous done run: the one a re-run (after re-marking) is compared with.
    const previous = runs.find((r) => r.status === 'done' && r.runId !== run.runId && r.startedAt < run.startedAt);
    const done = run.status === 'done';
    const outcomeText = (o: { school: string | null; choiceRank: number | null } | null) =>
      (o === null ? 'Không có trong lượt này' : o.school === null ? 'Không trúng tuyển' : `${name(o.school)} (NV${o.choiceRank ?? '?'})`);
    const changes = done && previous ? (await readChanges(ctx, request.caller, campaign.id, run.runId, previous.runId)).map((c) => ({
      pupilIdNumber: c.pupilIdNumber, before: outcomeText(c.before), after: outcomeText(c.after),
    })) : [];
    const stats = run.stats as { registered?: number; withoutScore?: string[]; withoutSeat?: string[]; unassigned?: { noScore?: number; noSeat?: number } } | null;
    return render(request, reply, 'admin-campaign-run', {
      title: `Lượt xét tuyển ${run.startedAt.slice(0, 10)} — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, ...outcome,
      run: { ...row, ...run, statusLabel: STATUS_LABELS[run.status], percent: Math.round(run.progress * 100) },
      running: run.status === 'running', done, refreshSeconds: run.status === 'running' ? REFRESH_SECONDS : undefined,
      stats: stats && {
        registered: stats.registered ?? 0, noScore: stats.unassigned?.noScore ?? 0, noSeat: stats.unassigned?.noSeat ?? 0,
        withoutScore: stats.withoutScore ?? [], withoutSeat: stats.withoutSeat ?? [],
      },
      previous, changes, cutoffs: done ? await cutoffRows(ctx, request, campaign, run.runId) : [],
      runsUrl: `${BASE}/${enc(campaign.id)}/xet-tuyen`, publishAction: `${row.url}/cong-bo`, csvUrl: `${row.url}/ket-qua.csv`,
      flash: flashText(request, { 'da-cong-bo': 'Đã công bố kết quả của lượt xét tuyển này: điểm chuẩn công khai và phụ huynh tra cứu được kết quả.' }),
    }, status);
  };

  app.get(`${BASE}/:id/xet-tuyen/:runId`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showRun(request, reply);
  });

  app.post(`${BASE}/:id/xet-tuyen/:runId/cong-bo`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    const runId = runIdOf(request);
    if (fields['xac-nhan'] !== 'co') {
      return showRun(request, reply, { message: 'Chưa công bố kết quả.', confirmError: 'Đánh dấu ô xác nhận để công bố kết quả.' }, 422);
    }
    try {
      await publishResults(ctx, request.caller, campaignIdOf(request), runId);
      return reply.redirect(`${BASE}/${enc(campaignIdOf(request))}/xet-tuyen/${runId}?tb=da-cong-bo`, 303);
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      return showRun(request, reply, { message: error.message }, error.statusCode);
    }
  });

  app.get(`${BASE}/:id/xet-tuyen/:runId/ket-qua.csv`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const campaignId = campaignIdOf(request);
    const items = await readResults(ctx, request.caller, campaignId, runIdOf(request));
    return sendDownload(reply, 'text/csv; charset=utf-8', `ket-qua-${campaignId}.csv`, Buffer.from(resultsCsv(items), 'utf8'), false);
  });
}
