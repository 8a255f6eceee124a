// Nhập học và tuyển bổ sung (/quan-tri/tuyen-sinh/:id/nhap-hoc): per school, the pupils admitted in the current
// published results against those who confirmed enrolment, and the seats left; the supplementary run starts here once
// the confirmation window has closed. The same services as the API (routes/api/admin/campaign-enrolments.ts and
// POST /api/admin/campaigns/:id/assignment with round "supplementary").
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { z } from 'zod';
import { isAppError, validationFailed } from '../../../errors.js';
import { getCampaign } from '../../../services/administration/campaigns.js';
import { startAssignment } from '../../../services/admissions/assignment-runs.js';
import { ENROLMENT_PAGE, readEnrolments } from '../../../services/admissions/enrolment.js';
import { readPageForm, render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr } from './shared.js';
import { vnPoints } from '../../../services/admissions/points.js';

const BASE = '/quan-tri/tuyen-sinh';
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) });

export function campaignEnrolmentPages(app: FastifyInstance, ctx: AppContext): void {
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const show = async (request: FastifyRequest, reply: FastifyReply, form: { message?: string; confirmError?: string } = {}, status = 200) => {
    const campaign = await getCampaign(ctx, request.caller, idOf(request));
    const parsed = pageQuery.safeParse({ page: (request.query as Record<string, unknown>).page || undefined });
    if (!parsed.success) throw validationFailed(parsed.error, 'Đường dẫn trang không hợp lệ.');
    const { page } = parsed.data;
    const { schools, items, total } = await readEnrolments(ctx, request.caller, campaign.id, undefined, { limit: ENROLMENT_PAGE, offset: (page - 1) * ENROLMENT_PAGE });
    const link = (n: number) => `${BASE}/${enc(campaign.id)}/nhap-hoc?page=${n}`;
    const confirmation = campaign.windows.confirmation ?? null;
    return render(request, reply, 'admin-campaign-enrolments', {
      title: `Nhập học và tuyển bổ sung — ${campaign.name}`, adminMenu: adminMenu(BASE), campaign, schools,
      items: items.map((i) => ({ ...i, totalText: vnPoints(i.total), roundLabel: i.round === 'supplementary' ? 'Bổ sung' : 'Chính' })),
      totals: {
        admitted: schools.reduce((n, s) => n + s.admitted, 0), confirmed: schools.reduce((n, s) => n + s.confirmed, 0),
        seatsLeft: schools.reduce((n, s) => n + s.seatsLeft, 0),
      },
      confirmation, supplementary: campaign.windows.supplementary ?? null,
      canStart: confirmation !== null && Date.parse(confirmation.closesAt) <= Date.now(),
      action: `${BASE}/${enc(campaign.id)}/nhap-hoc`, ...form,
      prevUrl: page > 1 ? link(page - 1) : null, nextUrl: page * ENROLMENT_PAGE < total ? link(page + 1) : null,
    }, status);
  };

  app.get(`${BASE}/:id/nhap-hoc`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return show(request, reply);
  });

  app.post(`${BASE}/:id/nhap-hoc`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { fields } = await readPageForm(request);
    if (fields['xac-nhan'] !== 'co') {
      return show(request, reply, { message: 'Chưa chạy tuyển bổ sung.', confirmError: 'Đánh dấu ô xác nhận để chạy tuyển bổ sung.' }, 422);
    }
    try {
      const { runId } = await startAssignment(ctx, request.caller, idOf(request), 'supplementary');
      return reply.redirect(`${BASE}/${enc(idOf(request))}/xet-tuyen/${runId}`, 303);
    } catch (error) {
      if (!isAppError(error) || !['ADMISSION_WINDOW_CLOSED', 'ASSIGNMENT_RUNNING'].includes(error.code)) throw error;
      return show(request, reply, { message: error.message }, error.statusCode);
    }
  });
}
