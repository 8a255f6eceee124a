// The public admission look-ups on real PostgreSQL + Redis: a pupil's result from the campaign's latest published run
// (rows inserted directly, as the assignment job would write them; the job is tested elsewhere), the same 404 for a
// wrong birth date, an unknown pupil and an unpublished run, 422 on malformed input, a re-run replacing the answer once
// the cache is renewed, the demand per school from live registrations, and the per-client rate limit.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { clearCampaignDemandCache } from '../../src/services/admission-lookup/demand.js';
import { clearAdmissionResultCache } from '../../src/services/admission-lookup/result.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { listenForHttp, type ApiClient } from '../helpers/http.js';
import { uploads } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const RATE_LIMIT = 60;
const CAMPAIGN = 'ts10-tra-cuu';
const SCHOOLS = ['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong'] as const;

let env: TestEnvironment;
let api: ApiClient;
let adminToken: string;
/** Pupil id → dossier id, for the result rows. */
const dossierOf = new Map<string, string>();

const registration = (pupilIdNumber: string, birthDate: string, choices: string[]) => ({
  campaign: CAMPAIGN, grade: '10', pupilName: 'Lê Minh Khôi', pupilIdNumber, pupilBirthDate: birthDate, pupilGender: 'male',
  residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Lê Văn Hùng', parentPhone: '0912000222',
  priority: 'none', ...Object.fromEntries(choices.map((c, i) => [`choice${i + 1}`, c])),
});

const PUPILS = [
  { id: '038311000001', birth: '2011-04-20', choices: ['thpt-lam-son', 'thpt-dao-duy-tu'] },
  { id: '038311000002', birth: '2011-09-02', choices: ['thpt-lam-son', 'thpt-ham-rong'] },
  { id: '038311000003', birth: '2011-01-15', choices: ['thpt-dao-duy-tu', 'thpt-lam-son', 'thpt-ham-rong'] },
];

async function execute(query: ReturnType<typeof sql>) {
  return rowsOf<Record<string, unknown>>(await env.ctx.db.execute(query));
}

/** A done run of the campaign, published now (or not), with its results and cut-offs. */
async function insertRun(opts: {
  published: boolean;
  results: Array<{ pupil: string; birth: string; school: string | null; rank: number | null; total: number }>;
  cutoffs: Array<{ school: string; quota: number; admitted: number; cutoff: number | null }>;
}): Promise<string> {
  const runId = randomUUID();
  await execute(sql`insert into admission_runs (id, campaign_id, status, progress, rule, seed, finished_at, published_at)
    values (${runId}, ${CAMPAIGN}, 'done', 1, 'deferred-acceptance', 'seed-' || ${runId}, now(), ${opts.published ? sql`clock_timestamp()` : sql`null`})`);
  for (const r of opts.results) {
    await execute(sql`insert into admission_results (run_id, campaign_id, pupil_id_number, dossier_id, birth_date, school_unit_id, choice_rank, total)
      values (${runId}, ${CAMPAIGN}, ${r.pupil}, ${dossierOf.get(r.pupil)!}, ${r.birth}, ${r.school}, ${r.rank}, ${r.total})`);
  }
  for (const c of opts.cutoffs) {
    await execute(sql`insert into admission_cutoffs (run_id, school_unit_id, quota, admitted, cutoff)
      values (${runId}, ${c.school}, ${c.quota}, ${c.admitted}, ${c.cutoff})`);
  }
  return runId;
}

const lookup = (pupil: string, birth: string, campaign = CAMPAIGN) =>
  api.json('GET', `/api/admissions/result?campaign=${encodeURIComponent(campaign)}&pupilIdNumber=${encodeURIComponent(pupil)}&birthDate=${encodeURIComponent(birth)}`);

beforeAll(async () => {
  env = await startTestEnvironment('production', { env: { ADMISSION_LOOKUP_RATE_LIMIT: String(RATE_LIMIT) } });
  api = await listenForHttp(env);
  adminToken = await api.login('admin');
  const created = await api.json('POST', '/api/admin/campaigns', {
    token: adminToken,
    json: {
      id: CAMPAIGN, name: 'Tuyển sinh lớp 10 (tra cứu)', grade: 10, schoolYear: '2026-2027', choices: 3,
      windows: { registration: { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() } },
      schools: [{ unitId: 'thpt-lam-son', quota: 1 }, { unitId: 'thpt-dao-duy-tu', quota: 2 }, { unitId: 'thpt-ham-rong', quota: 3 }],
      rule: 'deferred-acceptance', tieBreak: ['priorityPoints'],
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const files = await uploads(DOCS);
  for (const p of PUPILS) {
    const filed = await api.submit('admission-registration', registration(p.id, p.birth, p.choices), files);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const [row] = await execute(sql`select id from dossiers where code = ${filed.body.code}`);
    dossierOf.set(p.id, String(row!.id));
  }
});
afterAll(async () => { await env?.close(); });

describe('GET /api/campaigns/:id/demand', () => {
  it('counts live registrations per school and first choices while the window is open', async () => {
    const res = await api.json('GET', `/api/campaigns/${CAMPAIGN}/demand`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bySchool = Object.fromEntries(res.body.schools.map((s: { unitId: string }) => [s.unitId, s]));
    expect(bySchool['thpt-lam-son']).toMatchObject({ quota: 1, applicants: 3, firstChoice: 2, name: expect.stringContaining('Lam Sơn') });
    expect(bySchool['thpt-dao-duy-tu']).toMatchObject({ quota: 2, applicants: 2, firstChoice: 1 });
    expect(bySchool['thpt-ham-rong']).toMatchObject({ quota: 3, applicants: 2, firstChoice: 0 });
    expect(res.body.schools).toHaveLength(3);
  });

  it('leaves out a refused registration (once the cached counts are renewed)', async () => {
    await execute(sql`update dossiers set status = 'refused' where id = ${dossierOf.get('038311000002')!}`);
    const cached = await api.json('GET', `/api/campaigns/${CAMPAIGN}/demand`);
    expect(cached.body.schools.find((s: { unitId: string }) => s.unitId === 'thpt-lam-son')).toMatchObject({ applicants: 3 });
    clearCampaignDemandCache(env.ctx);
    const fresh = await api.json('GET', `/api/campaigns/${CAMPAIGN}/demand`);
    expect(fresh.body.schools.find((s: { unitId: string }) => s.unitId === 'thpt-lam-son')).toMatchObject({ applicants: 2, firstChoice: 1 });
    expect(fresh.body.schools.find((s: { unitId: string }) => s.unitId === 'thpt-ham-rong')).toMatchObject({ applicants: 1 });
    await execute(sql`update dossiers set status = 'submitted' where id = ${dossierOf.get('038311000002')!}`);
    clearCampaignDemandCache(env.ctx);
  });

  it('is not shown for an unknown campaign or outside the window before publication; 422 on a malformed id', async () => {
    expect((await api.json('GET', '/api/campaigns/khong-co-ky-nay/demand')).status).toBe(404);
    const past = await api.json('POST', '/api/admin/campaigns', {
      token: adminToken,
      json: {
        id: 'ts10-da-dong', name: 'Tuyển sinh lớp 10 (đã đóng)', grade: 10, schoolYear: '2026-2027', choices: 2,
        windows: { registration: { opensAt: '2024-05-01T00:00:00+07:00', closesAt: '2024-06-01T17:00:00+07:00' } },
        schools: [{ unitId: 'thpt-lam-son', quota: 1 }], rule: 'deferred-acceptance', tieBreak: [],
      },
    });
    expect(past.status).toBe(201);
    const closed = await api.json('GET', '/api/campaigns/ts10-da-dong/demand');
    expect(closed.status).toBe(404);
    expect(closed.body.error.code).toBe('NOT_FOUND');
    const malformed = await api.json('GET', '/api/campaigns/KHONG_HOP_LE/demand');
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/admissions/result', () => {
  let firstRun: string;

  it('answers the same 404 while the campaign has no published run', async () => {
    await insertRun({
      published: false,
      results: [{ pupil: PUPILS[0]!.id, birth: PUPILS[0]!.birth, school: 'thpt-lam-son', rank: 1, total: 2800 }],
      cutoffs: [{ school: 'thpt-lam-son', quota: 1, admitted: 1, cutoff: 2800 }],
    });
    const res = await lookup(PUPILS[0]!.id, PUPILS[0]!.birth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ADMISSION_RESULT_NOT_FOUND');
  });

  it('answers the school, the choice rank, the total and the cut-off from the published run', async () => {
    clearAdmissionResultCache(env.ctx);
    firstRun = await insertRun({
      published: true,
      results: [
        { pupil: PUPILS[0]!.id, birth: PUPILS[0]!.birth, school: 'thpt-lam-son', rank: 1, total: 2825 },
        { pupil: PUPILS[1]!.id, birth: PUPILS[1]!.birth, school: 'thpt-ham-rong', rank: 2, total: 2350 },
        { pupil: PUPILS[2]!.id, birth: PUPILS[2]!.birth, school: null, rank: null, total: 1275 },
      ],
      cutoffs: [
        { school: 'thpt-lam-son', quota: 1, admitted: 1, cutoff: 2825 },
        { school: 'thpt-dao-duy-tu', quota: 2, admitted: 0, cutoff: null },
        { school: 'thpt-ham-rong', quota: 3, admitted: 1, cutoff: 2350 },
      ],
    });
    const admitted = await lookup(PUPILS[0]!.id, PUPILS[0]!.birth);
    expect(admitted.status, JSON.stringify(admitted.body)).toBe(200);
    expect(admitted.body).toEqual({
      school: { unitId: 'thpt-lam-son', name: expect.stringContaining('Lam Sơn') }, category: null, choiceRank: 1, total: 28.25, cutoff: 28.25,
    });
    expect((await lookup(PUPILS[1]!.id, PUPILS[1]!.birth)).body).toMatchObject({ school: { unitId: 'thpt-ham-rong' }, choiceRank: 2, total: 23.5, cutoff: 23.5 });
    expect((await lookup(PUPILS[2]!.id, PUPILS[2]!.birth)).body).toEqual({ school: null, category: null, choiceRank: null, total: 12.75, cutoff: null });
  });

  it('a wrong birth date, an unknown pupil, an unknown campaign and an unpublished one all answer the same 404', async () => {
    const wrongDate = await lookup(PUPILS[0]!.id, '2011-04-21');
    const unknownPupil = await lookup('038311999999', PUPILS[0]!.birth);
    const unknownCampaign = await lookup(PUPILS[0]!.id, PUPILS[0]!.birth, 'ts10-khong-co');
    const unpublished = await lookup(PUPILS[0]!.id, PUPILS[0]!.birth, 'ts10-da-dong');
    for (const res of [wrongDate, unknownPupil, unknownCampaign, unpublished]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(wrongDate.body);
    }
    expect(wrongDate.body.error.code).toBe('ADMISSION_RESULT_NOT_FOUND');
  });

  it('refuses malformed input with 422 and the field at fault', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['03831100001', PUPILS[0]!.birth, CAMPAIGN, 'pupilIdNumber'],
      ['03831100000a', PUPILS[0]!.birth, CAMPAIGN, 'pupilIdNumber'],
      [PUPILS[0]!.id, '20/04/2011', CAMPAIGN, 'birthDate'],
      [PUPILS[0]!.id, '2011-02-30', CAMPAIGN, 'birthDate'],
      [PUPILS[0]!.id, PUPILS[0]!.birth, 'TS10 2026', 'campaign'],
    ];
    for (const [pupil, birth, campaign, field] of cases) {
      const res = await lookup(pupil, birth, campaign);
      expect(res.status, `${pupil} ${birth} ${campaign}`).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.error.fields)).toContain(field);
    }
    const missing = await api.json('GET', '/api/admissions/result?campaign=ts10-tra-cuu');
    expect(missing.status).toBe(422);
  });

  it('a newer published run (a re-run) replaces the answer once the cached run is renewed', async () => {
    const rerun = await insertRun({
      published: true,
      results: [
        { pupil: PUPILS[0]!.id, birth: PUPILS[0]!.birth, school: 'thpt-dao-duy-tu', rank: 2, total: 2825 },
        { pupil: PUPILS[2]!.id, birth: PUPILS[2]!.birth, school: 'thpt-lam-son', rank: 2, total: 2900 },
      ],
      cutoffs: [
        { school: 'thpt-lam-son', quota: 1, admitted: 1, cutoff: 2900 },
        { school: 'thpt-dao-duy-tu', quota: 2, admitted: 1, cutoff: 2825 },
      ],
    });
    expect(rerun).not.toBe(firstRun);
    // Within the cache time the first run still answers (the published run is cached, 30 s by default).
    expect((await lookup(PUPILS[0]!.id, PUPILS[0]!.birth)).body).toMatchObject({ school: { unitId: 'thpt-lam-son' } });
    clearAdmissionResultCache(env.ctx);
    expect((await lookup(PUPILS[0]!.id, PUPILS[0]!.birth)).body).toMatchObject({
      school: { unitId: 'thpt-dao-duy-tu' }, choiceRank: 2, total: 28.25, cutoff: 28.25,
    });
    expect((await lookup(PUPILS[2]!.id, PUPILS[2]!.birth)).body).toMatchObject({ school: { unitId: 'thpt-lam-son' }, total: 29, cutoff: 29 });
    // Not in the re-run: not found, even though the earlier run had the pupil.
    expect((await lookup(PUPILS[1]!.id, PUPILS[1]!.birth)).status).toBe(404);
  });

  it('a session cookie riding along is not looked up and changes nothing', async () => {
    const res = await api.json('GET', `/api/admissions/result?campaign=${CAMPAIGN}&pupilIdNumber=${PUPILS[0]!.id}&birthDate=${PUPILS[0]!.birth}`, { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body.school.unitId).toBe('thpt-dao-duy-tu');
  });

  it('limits each client to ADMISSION_LOOKUP_RATE_LIMIT look-ups a minute with 429 RATE_LIMITED', async () => {
    let limited: { status: number; body: any } | undefined;
    for (let i = 0; i <= RATE_LIMIT && !limited; i++) {
      const res = await lookup(PUPILS[0]!.id, PUPILS[0]!.birth);
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited, 'no 429 within the limit + 1 requests').toBeDefined();
    expect(limited!.body.error.code).toBe('RATE_LIMITED');
  });
});
