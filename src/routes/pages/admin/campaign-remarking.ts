// Phúc khảo (/quan-tri/tuyen-sinh/:id/phuc-khao): the campaign's re-marking requests filterable by status, a page at a
// time, each request still waiting with its answer form (outcome, new score for a change, the note to the parent).
// The same services as the API (routes/api/admin/campaign-remarking.ts); after answering, the administrator starts a
// re-run from the "Xét tuyển" tab and its changes report names the re-marked pupils.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { isAppError, validationFailed } from '../../../errors.js';
import { getCampaign } from '../../../services/administration/campaigns.js';
import {
  decideCampaignRemarking, listCampaignRemarkings, MAX_NOTE_LENGTH, OUTCOME_LABELS, STATUS_LABELS,
} from '../../../services/admissions/remarking.js';
import { readPageForm, render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';

const BASE = '/quan-tri/tuyen-sinh';
const STATUSES = Object.keys(STATUS_LABELS) as Array<keyof typeof STATUS_LABELS>;
const pageQuery = z.object({
  status: z.enum(STATUSES as [keyof typeof STATUS_LABELS, ...Array<keyof typeof STATUS_LABELS>]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

interface DecideForm { requestId: string; values: Record<string, string>; errors: Record<string, string>; message: string }

export function campaignRemarkingPages(app: FastifyInstance, ctx: AppContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, form?: DecideForm, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, (request.params as { id: string }).id);
    const raw = request.query as Record<string, unknown>;
    const parsed = pageQuery.safeParse({ status: raw.status || undefined, page: raw.page || undefined });
    if (!parsed.success) throw validationFailed(parsed.error, 'Đường dẫn trang không hợp lệ.');
    const query = parsed.data;
    const list = await listCampaignRemarkings(ctx, request.caller, campaign.id, query);
    const path = `${BASE}/${enc(campaign.id)}/phuc-khao`;
    const link = (page: number) => `${path}?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), page: String(page) })}`;
    return render(request, reply, 'admin-campaign-remarking', {
      title: `Phúc khảo — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, action: path,
      window: campaign.windows.remarking ?? null, total: list.total, maxNote: MAX_NOTE_LENGTH,
      statuses: STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], selected: s === query.status })),
      items: list.items.map((item) => {
        const mine = form?.requestId === item.id ? form : undefined;
        const id = item.id.slice(0, 8);
        return {
          ...item, currentScoreText: vnPoints(item.currentScore, ''), scoreBeforeText: vnPoints(item.scoreBefore, ''), scoreAfterText: vnPoints(item.scoreAfter, ''),
          subjectsText: item.subjects.join(', '), dossierUrl: `/can-bo/ho-so/${enc(item.dossierCode)}`, open: item.status === 'requested',
          decideUrl: `${path}/${enc(item.id)}`, formId: id, message: mine?.message,
          outcomes: Object.entries(OUTCOME_LABELS).map(([value, label]) => ({ value, label, selected: mine?.values.outcome === value })),
          values: { newScore: mine?.values.newScore ?? '', note: mine?.values.note ?? '' }, errors: mine?.errors ?? {},
        };
      }),
      prevUrl: query.page > 1 ? link(query.page - 1) : null,
      nextUrl: query.page * list.pageSize < list.total ? link(query.page + 1) : null,
      flash: flashText(request, { 'da-tra-loi': 'Đã trả lời đơn phúc khảo và gửi thông báo cho phụ huynh. Chạy lại xét tuyển ở mục "Xét tuyển" khi đã trả lời xong các đơn.' }),
    }, status);
  };

  app.get(`${BASE}/:id/phuc-khao`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return show(request, reply);
  });

  app.post(`${BASE}/:id/phuc-khao/:requestId`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { id, requestId } = request.params as { id: string; requestId: string };
    const { fields } = await readPageForm(request);
    try {
      await decideCampaignRemarking(ctx, request.caller, id, requestId, { outcome: fields.outcome || undefined, newScore: fields.newScore ?? '', note: fields.note ?? '' });
      return reply.redirect(`${BASE}/${enc(id)}/phuc-khao?tb=da-tra-loi`, 303);
    } catch (error) {
      // The administrator's mistakes are shown next to the request's form; access refusals and faults are the error page's.
      if (!isAppError(error) || !['VALIDATION_FAILED', 'REMARKING_DECIDED', 'REMARKING_NO_SCORE'].includes(error.code)) throw error;
      return show(request, reply, { requestId, values: fields, errors: error.fields ?? {}, message: error.message }, error.statusCode);
    }
  });
}
