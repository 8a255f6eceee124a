// The public admission pages: /tuyen-sinh (the campaigns with an open window or published results) and
// /tuyen-sinh/:campaignId (its timetable, live demand per school while registration is open, the cut-offs once results
// are published, and the result look-up form). The look-up is the service and rate limit of GET /api/admissions/result,
// posted (CSRF-checked) so a pupil ID never sits in a URL, and answers the same single message whatever was wrong.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError, isAppError } from '../../../errors.js';
import { campaignDemand } from '../../../services/admission-lookup/demand.js';
import { listPublicCampaigns, publicWindowOpen, readPublicCampaign } from '../../../services/admission-lookup/public-campaigns.js';
import { admissionResultQuery, CAMPAIGN_ID, lookupAdmissionResult, type AdmissionResult } from '../../../services/admission-lookup/result.js';
import { lookupRateLimit } from '../../admission-lookup-limit.js';
import { readPageForm, render } from '../common.js';
import { vnPoints } from '../../../services/admissions/points.js';

const BASE = '/tuyen-sinh';
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

interface LookupState {
  values?: { pupilIdNumber: string; birthDate: string };
  errors?: Record<string, string>;
  message?: string;
  result?: AdmissionResult & { totalText: string; cutoffText: string };
}

function campaignIdOf(request: FastifyRequest): string {
  const id = (request.params as { campaignId: string }).campaignId;
  if (!CAMPAIGN_ID.test(id)) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  return id;
}

export function admissionPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(BASE, async (request, reply) => {
    const now = Date.now();
    const campaigns = (await listPublicCampaigns(ctx, now)).map((c) => ({
      ...c, url: `${BASE}/${c.id}`, registrationOpen: publicWindowOpen(c, 'registration', now), published: c.cutoffs !== null,
    }));
    return render(request, reply, 'admissions', { title: 'Tuyển sinh đầu cấp', campaigns });
  });

  const showCampaign = async (request: FastifyRequest, reply: FastifyReply, lookup: LookupState = {}, status = 200) => {
    const now = Date.now();
    const campaign = await readPublicCampaign(ctx, campaignIdOf(request), now);
    const registrationOpen = publicWindowOpen(campaign, 'registration', now);
    // Demand is the demand service's (cached); shown while registration is open, as the issue asks.
    const demand = registrationOpen ? (await campaignDemand(ctx, campaign.id, now)).schools : undefined;
    return render(request, reply, 'admission', {
      title: campaign.name, campaign, registrationOpen, demand,
      windows: campaign.windows.map((w) => ({ ...w, label: capitalised(w.label), open: publicWindowOpen(campaign, w.name, now) })),
      cutoffs: campaign.cutoffs?.map((c) => ({ ...c, cutoffText: vnPoints(c.cutoff) })),
      hasCategories: campaign.cutoffs?.some((c) => c.category !== '') ?? false,
      lookupAction: `${BASE}/${campaign.id}/tra-cuu`, lookup, values: lookup.values ?? { pupilIdNumber: '', birthDate: '' }, errors: lookup.errors ?? {},
    }, status);
  };

  app.get(`${BASE}/:campaignId`, async (request, reply) => showCampaign(request, reply));

  const rateLimit = lookupRateLimit(ctx);
  app.post(`${BASE}/:campaignId/tra-cuu`, { preHandler: app.csrfProtection, config: rateLimit ? { rateLimit } : {} }, async (request, reply) => {
    const { fields } = await readPageForm(request);
    const values = { pupilIdNumber: (fields.pupilIdNumber ?? '').trim().slice(0, 40), birthDate: (fields.birthDate ?? '').trim().slice(0, 20) };
    const parsed = admissionResultQuery.safeParse({ campaign: campaignIdOf(request), ...values });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return showCampaign(request, reply, { values, errors, message: 'Vui lòng kiểm tra lại thông tin tra cứu.' }, 422);
    }
    try {
      const result = await lookupAdmissionResult(ctx, parsed.data);
      return showCampaign(request, reply, {
        values, result: { ...result, totalText: vnPoints(result.total), cutoffText: vnPoints(result.cutoff) },
      });
    } catch (error) {
      if (!isAppError(error) || error.code !== 'ADMISSION_RESULT_NOT_FOUND') throw error;
      return showCampaign(request, reply, { values, message: error.message }, 404);
    }
  });
}
