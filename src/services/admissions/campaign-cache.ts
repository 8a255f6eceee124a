// The campaign and its schools as admission intake reads them, kept per process for a few seconds: on the first
// morning of a season every registration would otherwise read the same campaign row and school list (twice, with
// the routing label), at hundreds of filings a second. A save through the administration service clears the entry in
// this process at once; another process (a second server copy) sees it within CAMPAIGN_CACHE_MS. Concurrent misses
// share one load, a failed load is not kept, and unknown ids are bounded (they come from anonymous requests).
import type { Db } from '../../db/client.js';
import { findCampaign, listCampaignSchools, type CampaignRow } from '../../db/repositories/admissions.js';
import { TtlCache } from '../admission-lookup/cache.js';
import { CAMPAIGN_ID } from './campaign-id.js';

/** How long a campaign read at intake may be reused: a window edge or a school added counts within this. */
export const CAMPAIGN_CACHE_MS = 5_000;

export type CampaignSchool = Awaited<ReturnType<typeof listCampaignSchools>>[number];

export interface IntakeCampaign {
  campaign: CampaignRow;
  schools: CampaignSchool[];
}

// One cache per database handle: several apps (tests, tools) can live in one process on different databases.
const caches = new WeakMap<Db, TtlCache<IntakeCampaign | undefined>>();

function cacheFor(db: Db): TtlCache<IntakeCampaign | undefined> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new TtlCache(() => CAMPAIGN_CACHE_MS);
    caches.set(db, cache);
  }
  return cache;
}

/** The campaign and its schools (undefined for an unknown id), read at most once per CAMPAIGN_CACHE_MS per process. */
export function intakeCampaign(db: Db, campaignId: string): Promise<IntakeCampaign | undefined> {
  // An id no campaign can have is answered without a read, and an unknown one is not kept: a flood of made-up ids
  // from anonymous filings can neither fill the cache (which empties itself when full) nor push the real campaign out.
  if (!CAMPAIGN_ID.test(campaignId)) return Promise.resolve(undefined);
  return cacheFor(db).get(campaignId, async () => {
    const campaign = await findCampaign(db, campaignId);
    return campaign ? { campaign, schools: await listCampaignSchools(db, campaign.id) } : undefined;
  }, Date.now(), (found) => found !== undefined);
}

/** Forget what this process read (after a campaign or its schools were saved, and in tests that edit rows directly). */
export function forgetIntakeCampaigns(db: Db): void {
  caches.get(db)?.clear();
}
