// The public admission pages (/tuyen-sinh, /tuyen-sinh/:campaignId): which campaigns the public sees, their windows,
// and the cut-offs of the latest published run. A campaign is public while one of its windows is open or once it has
// published results. Everything is read once per interval for all campaigns (config admissionLookup.demandCacheMs,
// as the demand) and kept per process: the page on result day costs no query per visit.
import type { AppContext } from '../../app-context.js';
import { listCutoffs } from '../../db/repositories/admission-assignment.js';
import { campaignSchoolsForDemand, latestPublishedRuns } from '../../db/repositories/admission-lookup.js';
import { listCampaigns } from '../../db/repositories/admissions.js';
import { AppError } from '../../errors.js';
import { CAMPAIGN_WINDOWS, WINDOW_LABELS, windowOf, type CampaignWindowName } from '../admissions/windows.js';
import { TtlCache } from './cache.js';

export interface PublicWindow { name: CampaignWindowName | 'registration'; label: string; opensAt: string; closesAt: string }

export interface PublicCampaign {
  id: string; name: string; grade: number; schoolYear: string;
  /** The campaign's windows in the order the season runs them. */
  windows: PublicWindow[];
  /** The latest published run's cut-offs (points; null: nobody admitted), or null before any publication. */
  cutoffs: Array<{ unitId: string; name: string; category: string; quota: number; admitted: number; cutoff: number | null }> | null;
}

const ORDER: Array<CampaignWindowName | 'registration'> = ['preVerification', 'registration', ...CAMPAIGN_WINDOWS.filter((w) => w !== 'preVerification')];
const ALL = 'all';
const caches = new WeakMap<AppContext, TtlCache<PublicCampaign[]>>();

function cacheOf(ctx: AppContext): TtlCache<PublicCampaign[]> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new TtlCache(() => ctx.config.admissionLookup.demandCacheMs);
    caches.set(ctx, cache);
  }
  return cache;
}

export function clearPublicCampaignsCache(ctx: AppContext): void {
  caches.get(ctx)?.clear();
}

async function load(ctx: AppContext): Promise<PublicCampaign[]> {
  const [campaigns, published] = await Promise.all([listCampaigns(ctx.db), latestPublishedRuns(ctx.db)]);
  // The main round's cut-offs (a supplementary round's seats are few and its cut-offs not comparable).
  const mainRun = new Map(published.filter((r) => r.round === 'main').map((r) => [r.campaignId, r.runId]));
  return Promise.all(campaigns.map(async (c) => {
    const windows = ORDER.flatMap((name) => {
      const w = windowOf(c, name);
      return w ? [{ name, label: WINDOW_LABELS[name], opensAt: w.opensAt.toISOString(), closesAt: w.closesAt.toISOString() }] : [];
    });
    const runId = mainRun.get(c.id);
    let cutoffs: PublicCampaign['cutoffs'] = null;
    if (runId) {
      const [rows, schools] = await Promise.all([listCutoffs(ctx.db, runId), campaignSchoolsForDemand(ctx.db, c.id)]);
      const names = new Map(schools.map((s) => [s.unitId, s.name]));
      const labels = new Map(c.categories.map((k) => [k.id, k.label]));
      cutoffs = rows.map((r) => ({
        unitId: r.schoolUnitId, name: names.get(r.schoolUnitId) ?? r.schoolUnitId, category: labels.get(r.category) ?? r.category,
        quota: r.quota, admitted: r.admitted, cutoff: r.cutoff === null ? null : r.cutoff / 100,
      }));
    }
    return { id: c.id, name: c.name, grade: c.grade, schoolYear: c.schoolYear, windows, cutoffs };
  }));
}

const isPublic = (c: PublicCampaign, now: number) =>
  c.cutoffs !== null || c.windows.some((w) => Date.parse(w.opensAt) <= now && now < Date.parse(w.closesAt));

/** The campaigns the public sees now: one of their windows is open, or their results are published. */
export async function listPublicCampaigns(ctx: AppContext, now = Date.now()): Promise<PublicCampaign[]> {
  return (await cacheOf(ctx).get(ALL, () => load(ctx), now)).filter((c) => isPublic(c, now));
}

export async function readPublicCampaign(ctx: AppContext, campaignId: string, now = Date.now()): Promise<PublicCampaign> {
  const campaign = (await listPublicCampaigns(ctx, now)).find((c) => c.id === campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này, hoặc kỳ tuyển sinh chưa đến thời gian công bố thông tin.');
  return campaign;
}

/** Whether a window of the campaign is open at `now`. */
export function publicWindowOpen(campaign: PublicCampaign, name: PublicWindow['name'], now = Date.now()): boolean {
  const w = campaign.windows.find((x) => x.name === name);
  return w !== undefined && Date.parse(w.opensAt) <= now && now < Date.parse(w.closesAt);
}
