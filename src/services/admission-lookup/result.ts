// The public admission result look-up (GET /api/admissions/result), built for result day, when a whole province asks
// within minutes: the answer is precomputed by the assignment job (admission_results), the campaign's published run
// and its schools' names and cut-offs are kept in memory for a short time (config admissionLookup.cacheMs; a newer
// publication shows within that), and a request costs one primary-key read with the birth date compared in the same
// statement. A wrong birth date, an unknown pupil and a campaign not yet published answer the same 404: the look-up
// must not tell anyone which pupil IDs took part.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { findPupilResult, hasConfirmedEnrolment, latestPublishedRuns, runSchools } from '../../db/repositories/admission-lookup.js';
import { AppError } from '../../errors.js';
import { TtlCache } from './cache.js';

/** Campaign ids as administrators create them (services/administration/campaigns.ts). */
import { CAMPAIGN_ID } from '../admissions/campaign-id.js';

export { CAMPAIGN_ID };

const isCalendarDate = (value: string) => {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
};

export const admissionResultQuery = z.object({
  campaign: z.string({ error: 'Chưa chọn kỳ tuyển sinh.' }).regex(CAMPAIGN_ID, 'Mã kỳ tuyển sinh không hợp lệ.'),
  pupilIdNumber: z.string({ error: 'Chưa nhập số định danh cá nhân của học sinh.' }).regex(/^\d{12}$/, 'Số định danh cá nhân gồm đúng 12 chữ số.'),
  birthDate: z.string({ error: 'Chưa nhập ngày sinh.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày sinh dạng yyyy-mm-dd, ví dụ 2011-04-20.')
    .refine(isCalendarDate, 'Ngày sinh không có thật.'),
});
export type AdmissionResultQuery = z.output<typeof admissionResultQuery>;

export const admissionResultResponse = z.object({
  /** null: not admitted to any of the pupil's choices. */
  school: z.object({ unitId: z.string(), name: z.string() }).nullable(),
  /** The admitted choice's category; null when not admitted or the campaign has no categories. */
  category: z.string().nullable(),
  choiceRank: z.number().int().nullable(),
  /** Score plus priority points, in points (27.25). */
  total: z.number(),
  /** The school's cut-off (the lowest admitted total) in points; null when not admitted. */
  cutoff: z.number().nullable(),
});
export type AdmissionResult = z.output<typeof admissionResultResponse>;

interface PublishedRun {
  runId: string;
  /** By `${unitId}:${category}` (category '' without categories): cut-offs are per school and category. */
  schools: Map<string, { name: string; cutoff: number | null }>;
}

/**
 * A campaign's latest published main run and, once there is one, its latest published supplementary run: a pupil in
 * the supplementary run is answered from it, anyone else from the main run (at most two primary-key reads).
 */
interface PublishedRuns { main?: PublishedRun; supplementary?: PublishedRun }

/** Every campaign's latest published runs, under one key: unknown campaigns cost no query and cannot grow the cache. */
const ALL = 'published';
const caches = new WeakMap<AppContext, TtlCache<Map<string, PublishedRuns>>>();

function runCache(ctx: AppContext): TtlCache<Map<string, PublishedRuns>> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new TtlCache(() => ctx.config.admissionLookup.cacheMs);
    caches.set(ctx, cache);
  }
  return cache;
}

/** Forget the cached runs at once (tests; an operator's tool could call it after a correction). */
export function clearAdmissionResultCache(ctx: AppContext): void {
  caches.get(ctx)?.clear();
}

async function loadPublishedRuns(ctx: AppContext): Promise<Map<string, PublishedRuns>> {
  const runs = await latestPublishedRuns(ctx.db);
  const byRun = new Map<string, PublishedRun>(runs.map((r) => [r.runId, { runId: r.runId, schools: new Map() }]));
  for (const s of await runSchools(ctx.db, runs.map((r) => r.runId))) byRun.get(s.runId)?.schools.set(`${s.unitId}:${s.category}`, { name: s.name, cutoff: s.cutoff });
  const byCampaign = new Map<string, PublishedRuns>();
  for (const r of runs) {
    const entry = byCampaign.get(r.campaignId) ?? {};
    entry[r.round] = byRun.get(r.runId)!;
    byCampaign.set(r.campaignId, entry);
  }
  return byCampaign;
}

function notFound(): AppError {
  return new AppError('ADMISSION_RESULT_NOT_FOUND',
    'Không tìm thấy kết quả tuyển sinh cho số định danh và ngày sinh đã nhập, hoặc kỳ tuyển sinh chưa công bố kết quả. Vui lòng kiểm tra lại.');
}

const points = (hundredths: number) => hundredths / 100;

export async function lookupAdmissionResult(ctx: AppContext, query: AdmissionResultQuery): Promise<AdmissionResult> {
  const runs = (await runCache(ctx).get(ALL, () => loadPublishedRuns(ctx))).get(query.campaign);
  let run = runs?.supplementary;
  let row = run ? await findPupilResult(ctx.database, run.runId, query.pupilIdNumber, query.birthDate) : undefined;
  if (!row) {
    run = runs?.main;
    row = run ? await findPupilResult(ctx.database, run.runId, query.pupilIdNumber, query.birthDate) : undefined;
  }
  if (!run || !row) throw notFound();
  // Once a supplementary run is published, a main-round place not confirmed in time went back to the seats that run
  // gave out: the pupil is no longer admitted there. One more primary-key read, only for such a pupil.
  if (runs?.supplementary && run === runs.main && row.school_unit_id !== null
    && !(await hasConfirmedEnrolment(ctx.database, query.campaign, query.pupilIdNumber))) {
    return { school: null, category: null, choiceRank: null, total: points(Number(row.total)), cutoff: null };
  }
  const school = row.school_unit_id === null ? undefined : run.schools.get(`${row.school_unit_id}:${row.category}`);
  return {
    school: row.school_unit_id === null ? null : { unitId: row.school_unit_id, name: school?.name ?? row.school_unit_id },
    category: row.school_unit_id === null || row.category === '' ? null : row.category,
    choiceRank: row.choice_rank === null ? null : Number(row.choice_rank),
    total: points(Number(row.total)),
    cutoff: school?.cutoff == null ? null : points(school.cutoff),
  };
}
