// /quan-tri/tuyen-sinh/:id/thong-bao: the admission notices of a campaign's latest published run — the start button
// (with a confirmation box) and the progress, reloading itself while the batches and signatures run. The services are
// the API's (services/admissions/notices.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { latestDoneRun } from '../../../db/repositories/admission-assignment.js';
import { isAppError, type AppError } from '../../../errors.js';
import { getCampaign } from '../../../services/administration/campaigns.js';
import { readNotices, startNotices } from '../../../services/admissions/notices.js';
import { readPageForm, render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText } from './shared.js';

const BASE = '/quan-tri/tuyen-sinh';
/** The page reloads itself this often while notices are being applied and signed (works without JavaScript). */
const REFRESH_SECONDS = 3;
const shownOnPage = (error: unknown): error is AppError =>
  isAppError(error) && error.statusCode < 500 && !['FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND'].includes(error.code);

export function campaignNoticePages(app: FastifyInstance, ctx: AppContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, outcome: { message?: string; confirmError?: string } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, (request.params as { id: string }).id);
    const run = await latestDoneRun(ctx.db, campaign.id, { published: true });
    const progress = run ? await readNotices(ctx, request.caller, campaign.id, run.id) : null;
    // Still moving: batches not all applied, or admitted dossiers whose notice is not signed (nor failed) yet.
    const busy = progress?.queuedAt != null
      && (progress.applied + progress.decided + progress.failed < progress.total || progress.signed + progress.failed < progress.admitted - progress.decided);
    return render(request, reply, 'admin-campaign-notices', {
      title: `Thông báo trúng tuyển — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, run, progress, busy, ...outcome,
      percent: progress && progress.total > 0 ? Math.round(((progress.applied + progress.decided) / progress.total) * 100) : 0,
      action: `${BASE}/${enc(campaign.id)}/thong-bao`, refreshSeconds: busy ? REFRESH_SECONDS : undefined,
      flash: flashText(request, { 'da-gui': 'Đã bắt đầu đưa kết quả vào hồ sơ đăng ký; thông báo trúng tuyển đang được ký số.' }),
    }, status);
  };

  app.get(`${BASE}/:id/thong-bao`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return show(request, reply);
  });

  app.post(`${BASE}/:id/thong-bao`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    const campaignId = (request.params as { id: string }).id;
    if (fields['xac-nhan'] !== 'co') {
      return show(request, reply, { message: 'Chưa gửi thông báo.', confirmError: 'Đánh dấu ô xác nhận để gửi thông báo trúng tuyển.' }, 422);
    }
    try {
      const run = await latestDoneRun(ctx.db, campaignId, { published: true });
      const runId = fields.run ?? '';
      // The run the page showed: if another was published meanwhile, the service refuses it (NOTICES_NOT_ALLOWED).
      await startNotices(ctx, request.caller, campaignId, /^[0-9a-f-]{36}$/i.test(runId) ? runId : (run?.id ?? '-'));
      return reply.redirect(`${BASE}/${enc(campaignId)}/thong-bao?tb=da-gui`, 303);
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      return show(request, reply, { message: error.message }, error.statusCode);
    }
  });
}
