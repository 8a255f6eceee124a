// Demand published during the registration window (GET /api/campaigns/:id/demand): how many live registrations list
// each school, and how many list it first, so parents can weigh their choices. Counted by one grouped query over the
// campaign's registrations and kept per process for a short time (config admissionLookup.demandCacheMs): a burst of
// parents refreshing the page costs one query per interval. Shown while the window is open and once results are
// published; before the window opens there is nothing to show.
import type { AppContext } from '../../app-context.js';
import { findCampaign } from '../../db/repositories/admissions.js';
import { campaignSchoolsForDemand, countDemandBySchool, latestPublishedRun } from '../../db/repositories/admission-lookup.js';
import { AppError } from '../../errors.js';
import { CHOICE_FIELDS } from '../intake/admissions.js';
import { TtlCache } from './cache.js';

export interface CampaignDemand {
  schools: Array<{ unitId: string; name: string; quota: number; applicants: number; firstChoice: number }>;
}

interface DemandSnapshot {
  window: { opensAt: number; closesAt: number } | null;
  published: boolean;
  demand: CampaignDemand;
}

const caches = new WeakMap<AppContext, TtlCache<DemandSnapshot>>();

function demandCache(ctx: AppContext): TtlCache<DemandSnapshot> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new TtlCache(() => ctx.config.admissionLookup.demandCacheMs);
    caches.set(ctx, cache);
  }
  return cache;
}

export function clearCampaignDemandCache(ctx: AppContext): void {
  caches.get(ctx)?.clear();
}

async function loadDemand(ctx: AppContext, campaignId: string): Promise<DemandSnapshot> {
  const campaign = await findCampaign(ctx.db, campaignId);
  if (!campaign) return { window: null, published: false, demand: { schools: [] } };
  const [schools, counts, run] = await Promise.all([
    campaignSchoolsForDemand(ctx.db, campaignId),
    countDemandBySchool(ctx.db, campaignId, CHOICE_FIELDS.slice(0, campaign.choices)),
    latestPublishedRun(ctx.db, campaignId),
  ]);
  return {
    window: { opensAt: campaign.opensAt.getTime(), closesAt: campaign.closesAt.getTime() },
    published: run !== undefined,
    demand: {
      schools: schools.map((s) => ({ ...s, applicants: counts.get(s.unitId)?.applicants ?? 0, firstChoice: counts.get(s.unitId)?.firstChoice ?? 0 })),
    },
  };
}

export async function campaignDemand(ctx: AppContext, campaignId: string, now = Date.now()): Promise<CampaignDemand> {
  const snapshot = await demandCache(ctx).get(campaignId, () => loadDemand(ctx, campaignId), now);
  if (!snapshot.window) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  const open = snapshot.window.opensAt <= now && now < snapshot.window.closesAt;
  if (!open && !snapshot.published) {
    throw new AppError('NOT_FOUND', 'Số liệu đăng ký của kỳ tuyển sinh này chỉ được công bố trong thời gian đăng ký và sau khi công bố kết quả.');
  }
  return snapshot.demand;
}
