// The end of an admission season through the API, on PostgreSQL + Redis with the job really running in the worker: a
// main run published, online confirmation of enrolment by the registration's owner (tracking token, and a citizen
// signed in with VNeID) inside and outside the window, a pupil not admitted (409), a repeat (200, same), the schools'
// desks recording confirmations for parents, admitted vs confirmed per school; then the supplementary round: seats
// left (quota − confirmed), supplementary choices validated, the run refused while confirmation is open, then run and
// checked to assign only its pupils and never more than the seats left, the look-up answering the supplementary result
// (and the main one for everyone else), and a supplementary place confirmed.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { registrationAdmission } from '../../src/services/admissions/registration-admission.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { clearAdmissionResultCache } from '../../src/services/admission-lookup/result.js';
import { signInCitizen } from '../helpers/citizen-session.js';
import { signInPages } from '../helpers/page-session.js';
import { eventually } from '../helpers/http.js';
import { startHarness, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-nhap-hoc';
const [A, B, S3] = ['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong'];
let h: Harness;
let parentCookie = '';

const pid = (n: number) => `03832000${String(n).padStart(4, '0')}`;
const birth = (n: number) => `2011-0${n}-1${n}`;
/** Quotas A 2, B 2, S3 1. Main run: 1 → A, 2 → A, 3 → B, 4 → B, 5 → nowhere, 6 → S3. */
const PUPILS = [
  { n: 1, choices: [A], score: '40' },
  { n: 2, choices: [A, B], score: '39' },
  { n: 3, choices: [A, B], score: '38' },
  { n: 4, choices: [B], score: '37' },
  { n: 5, choices: [A, B], score: '30' },
  { n: 6, choices: [S3], score: '20' },
];
const tokenOf = new Map<number, string>();
const codeOf = new Map<number, string>();

const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const registrationWindow = { opensAt: at(-HOUR), closesAt: at(30 * 24 * HOUR) };
const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? (h.tokens[who] ?? who) : undefined, json });
const confirm = (n: number, token = tokenOf.get(n)) => as(token, 'POST', '/api/admissions/enrolment', { campaign: C, pupilIdNumber: pid(n) });
const choose = (n: number, choices: unknown) => as(tokenOf.get(n), 'PUT', '/api/admissions/supplementary', { campaign: C, pupilIdNumber: pid(n), choices });
const lookup = (n: number) => h.api.json('GET', `/api/admissions/result?campaign=${C}&pupilIdNumber=${pid(n)}&birthDate=${birth(n)}`);

async function execute(query: ReturnType<typeof sql>) {
  return rowsOf<Record<string, unknown>>(await h.env.ctx.db.execute(query));
}

async function setWindows(windows: Record<string, { opensAt: string; closesAt: string }>) {
  const res = await as('admin', 'PATCH', `/api/admin/campaigns/${C}`, { windows: { registration: registrationWindow, ...windows } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function runToEnd(round?: 'supplementary'): Promise<string> {
  const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`, round ? { round } : undefined);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const { runId } = started.body;
  const body = await eventually(async () => {
    const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}`);
    return res.body.status === 'running' ? undefined : res.body;
  });
  expect(body.status, JSON.stringify(body)).toBe('done');
  expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/publish`)).status).toBe(200);
  clearAdmissionResultCache(h.env.ctx);
  return runId;
}

beforeAll(async () => {
  h = await startHarness('production', ['admin', 'school', 'school2', 'principal', 'principal2', 'clerk']);
  const created = await as('admin', 'POST', '/api/admin/campaigns', {
    id: C, name: 'Tuyển sinh lớp 10 (nhập học)', grade: 10, schoolYear: '2026-2027', choices: 2,
    windows: { registration: registrationWindow, confirmation: { opensAt: at(-HOUR), closesAt: at(24 * HOUR) } },
    schools: [{ unitId: A, quota: 2 }, { unitId: B, quota: 2 }, { unitId: S3, quota: 1 }],
    rule: 'deferred-acceptance', tieBreak: ['priorityPoints', 'lottery'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const files = await uploads(DOCS);
  for (const p of PUPILS) {
    const filed = await h.api.submit('admission-registration', {
      campaign: C, grade: '10', pupilName: `Học sinh ${p.n}`, pupilIdNumber: pid(p.n), pupilBirthDate: birth(p.n), pupilGender: 'female',
      residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Lê Văn Hùng', parentPhone: '0912000222',
      priority: 'none', ...Object.fromEntries(p.choices.map((c, i) => [`choice${i + 1}`, c])),
    }, files);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    tokenOf.set(p.n, filed.body.trackingToken);
    codeOf.set(p.n, filed.body.code);
  }
  const form = new FormData();
  form.append('file', new Blob([['pupilIdNumber,score,priorityPoints', ...PUPILS.map((p) => `${pid(p.n)},${p.score},0`)].join('\n')], { type: 'text/csv' }), 'diem.csv');
  expect((await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form })).status).toBe(200);
  await runToEnd();
  // One app for the whole file: the main run really goes through the job queue, which a loaded machine slows down.
}, 300_000);
afterAll(async () => { await h?.env.close(); });

describe('confirmation of enrolment', () => {
  it('confirms an admitted pupil once (201, then 200 the same), with a history event and an audit entry', async () => {
    const first = await confirm(1);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ campaign: C, pupilIdNumber: pid(1), school: { unitId: A, name: expect.stringContaining('Lam Sơn') }, round: 'main', by: 'citizen' });
    const again = await confirm(1);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const view = await h.api.json('GET', `/api/dossiers/${codeOf.get(1)}`, { token: tokenOf.get(1) });
    expect(view.body.history.filter((e: { action: string }) => e.action === 'enrolment_confirmed')).toHaveLength(1);
    const audit = await listAuditEntries(h.env.ctx.db, { action: 'admission.enrolment_confirmed', limit: 100 });
    expect(audit.filter((e: { target: string | null }) => e.target === codeOf.get(1))).toHaveLength(1);
  });

  it('answers a stranger 404 (another dossier\'s token, no token) and a pupil not admitted 409', async () => {
    expect((await confirm(2, tokenOf.get(1))).status).toBe(404);
    expect((await confirm(2, '')).status).toBe(404);
    const notAdmitted = await confirm(5);
    expect(notAdmitted.status).toBe(409);
    expect(notAdmitted.body.error.code).toBe('ADMISSION_NOT_ADMITTED');
    expect((await as(tokenOf.get(1), 'POST', '/api/admissions/enrolment', { campaign: C, pupilIdNumber: '123' })).status).toBe(422);
  });

  it('lets a citizen signed in with VNeID confirm their child (cookie, same origin)', async () => {
    const parent = await signInCitizen(h.env.ctx.db, {
      fullName: 'Trần Văn Cha', family: [
        { relation: 'child', personalId: pid(3), fullName: 'Học sinh 3', birthDate: birth(3) },
        { relation: 'child', personalId: pid(5), fullName: 'Học sinh 5', birthDate: birth(5) },
      ],
    });
    parentCookie = parent.cookie;
    // The registrations were filed at the desk: they concern the pupil whose ID they name (as a VNeID filing records it).
    for (const n of [3, 5]) await execute(sql`update dossiers set subject_personal_id = ${pid(n)} where code = ${codeOf.get(n)!}`);
    const res = await h.api.json('POST', '/api/admissions/enrolment', {
      json: { campaign: C, pupilIdNumber: pid(3) }, headers: { cookie: parent.cookie, origin: new URL(h.env.ctx.config.publicUrl).origin },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ school: { unitId: B }, by: 'citizen' });
  });

  it('lets the admitted school\'s desk record it for a parent, and nobody else', async () => {
    expect((await as('school2', 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: pid(2) })).status).toBe(403);
    expect((await as('clerk', 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: pid(2) })).status).toBe(403);
    expect((await as(undefined, 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: pid(2) })).status).toBe(401);
    const desk = await as('school', 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: pid(2) });
    expect(desk.status, JSON.stringify(desk.body)).toBe(201);
    expect(desk.body).toMatchObject({ school: { unitId: A }, by: 'school' });
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: pid(5) })).body.error.code).toBe('ADMISSION_NOT_ADMITTED');
    // A desk learns nothing of pupils not admitted to its school: not admitted, unknown and elsewhere are one 403.
    const probes = await Promise.all([pid(5), '999999999999', pid(4)].map((p) => as('school', 'POST', `/api/admin/campaigns/${C}/enrolments`, { pupilIdNumber: p })));
    expect(probes.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(new Set(probes.map((r) => r.body.error.message)).size).toBe(1);
  });

  it('never confirms past a school\'s quota: two at once for the last seat (one wins), and a full school 409 QUOTA_FULL', async () => {
    // B: quota 2, pupil 3 confirmed. Pupil 6 moved from S3 to B in the main run for this test: 4 and 6 race for one seat.
    const [main] = await execute(sql`select id from admission_runs where campaign_id = ${C} and round = 'main' and published_at is not null`);
    const mainId = String(main!.id);
    await execute(sql`update admission_results set school_unit_id = ${B} where run_id = ${mainId} and pupil_id_number = ${pid(6)}`);
    try {
      const race = await Promise.all([confirm(4), confirm(6)]);
      expect(race.map((r) => r.status).sort(), JSON.stringify(race.map((r) => r.body))).toEqual([201, 409]);
      expect(race.find((r) => r.status === 409)!.body.error.code).toBe('QUOTA_FULL');
      const [count] = await execute(sql`select count(*)::int as n from admission_enrolments where campaign_id = ${C} and school_unit_id = ${B}`);
      expect(count!.n).toBe(2);
      await execute(sql`delete from admission_enrolments where campaign_id = ${C} and pupil_id_number in (${pid(4)}, ${pid(6)})`);
      // The quota lowered under the confirmed ones (as an operator may): nobody else confirms there.
      await execute(sql`update campaign_schools set quota = 1 where campaign_id = ${C} and school_unit_id = ${B}`);
      const full = await confirm(4);
      expect(full.status).toBe(409);
      expect(full.body.error.code).toBe('QUOTA_FULL');
    } finally {
      await execute(sql`update campaign_schools set quota = 2 where campaign_id = ${C} and school_unit_id = ${B}`);
      await execute(sql`update admission_results set school_unit_id = ${S3} where run_id = ${mainId} and pupil_id_number = ${pid(6)}`);
      await execute(sql`delete from admission_enrolments where campaign_id = ${C} and pupil_id_number in (${pid(4)}, ${pid(6)})`);
    }
  });

  it('loses a main-round place as soon as a supplementary run exists, even running and unpublished (a failed one does not count)', async () => {
    const [failed] = await execute(sql`insert into admission_runs (campaign_id, status, round, rule, seed) values (${C}, 'failed', 'supplementary', 'deferred-acceptance', 'x') returning id`);
    const [running] = await execute(sql`insert into admission_runs (campaign_id, status, round, rule, seed) values (${C}, 'running', 'supplementary', 'deferred-acceptance', 'y') returning id`);
    try {
      const res = await confirm(4);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.code).toBe('ADMISSION_NOT_ADMITTED');
      await execute(sql`delete from admission_runs where id = ${String(running!.id)}`);
      expect((await confirm(4)).status).toBe(201);
    } finally {
      await execute(sql`delete from admission_runs where id in (${String(failed!.id)}, ${String(running!.id)})`);
      await execute(sql`delete from admission_enrolments where campaign_id = ${C} and pupil_id_number = ${pid(4)}`);
    }
  });

  it('lists admitted vs confirmed per school: the administrator all, a principal their school', async () => {
    const all = await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments`);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const bySchool = Object.fromEntries(all.body.schools.map((s: { unitId: string }) => [s.unitId, s]));
    expect(bySchool[A]).toMatchObject({ quota: 2, admitted: 2, confirmed: 2, seatsLeft: 0 });
    expect(bySchool[B]).toMatchObject({ quota: 2, admitted: 2, confirmed: 1, seatsLeft: 1 });
    expect(bySchool[S3]).toMatchObject({ quota: 1, admitted: 1, confirmed: 0, seatsLeft: 1 });
    expect(all.body.items.map((i: { pupilIdNumber: string; confirmed: boolean }) => [i.pupilIdNumber, i.confirmed]).sort())
      .toEqual([[pid(1), true], [pid(2), true], [pid(3), true], [pid(4), false], [pid(6), false]]);
    expect(all.body.total).toBe(5);
    // One page at a time, by school ID (B, S3, A) then pupil ID; the counts stay whole.
    const page2 = await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments?limit=2&offset=2`);
    expect(page2.body.items.map((i: { pupilIdNumber: string }) => i.pupilIdNumber)).toEqual([pid(6), pid(1)]);
    expect(page2.body).toMatchObject({ total: 5, schools: all.body.schools });
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments?limit=0`)).status).toBe(422);
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments?limit=100000`)).status).toBe(422);
    const screen = await signInPages(h.env, 'admin');
    const first = await screen.get(`/quan-tri/tuyen-sinh/${C}/nhap-hoc`);
    expect(first.status).toBe(200);
    expect(first.body).toContain(pid(4));
    expect(first.body).not.toContain('Trang sau');
    expect((await screen.get(`/quan-tri/tuyen-sinh/${C}/nhap-hoc?page=0`)).status).toBe(422);
    const principal = await as('principal', 'GET', `/api/admin/campaigns/${C}/enrolments`);
    expect(principal.body.schools.map((s: { unitId: string }) => s.unitId)).toEqual([A]);
    expect(principal.body.items.map((i: { pupilIdNumber: string }) => i.pupilIdNumber)).toEqual([pid(1), pid(2)]);
    expect((await as('principal', 'GET', `/api/admin/campaigns/${C}/enrolments?school=${B}`)).status).toBe(403);
    expect((await as('clerk', 'GET', `/api/admin/campaigns/${C}/enrolments`)).status).toBe(403);
  });

  it('refuses the supplementary run and its offer while confirmation is open', async () => {
    const early = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`, { round: 'supplementary' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    expect((await h.api.json('GET', `/api/campaigns/${C}/supplementary`)).status).toBe(404);
    expect((await choose(5, [B])).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
  });
});

describe('the supplementary round', () => {
  it('closes confirmation (a late confirmation 409) and offers the seats left', async () => {
    await setWindows({ confirmation: { opensAt: at(-2 * HOUR), closesAt: at(-HOUR) }, supplementary: { opensAt: at(-HOUR), closesAt: at(24 * HOUR) } });
    const late = await confirm(4);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    const offer = await h.api.json('GET', `/api/campaigns/${C}/supplementary`);
    expect(offer.status, JSON.stringify(offer.body)).toBe(200);
    expect(offer.body.choices).toBe(2);
    expect(offer.body.programs.map((p: { program: string; seatsLeft: number }) => [p.program, p.seatsLeft]).sort())
      .toEqual([[B, 1], [S3, 1]].sort());
  });

  it('validates supplementary choices: enrolled 409, schools without seats, twice or too many 422; a new list replaces', async () => {
    expect((await choose(1, [B])).body.error.code).toBe('ADMISSION_ALREADY_ENROLLED');
    const full = await choose(5, [A]);
    expect(full.status).toBe(422);
    expect(full.body.error.fields).toHaveProperty(['choices.0']);
    expect((await choose(5, [B, B])).body.error.fields).toHaveProperty(['choices.1']);
    expect((await choose(5, [B, S3, 'thpt-khong-co'])).status).toBe(422);
    expect((await choose(5, [])).status).toBe(422);
    expect((await choose(5, 'B')).status).toBe(422);
    const started = Date.now();
    const huge = await choose(5, Array.from({ length: 10_000 }, (_, i) => `thpt-${i}`));
    expect(huge.status).toBe(422);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await choose(5, [S3])).status).toBe(200);
    const replaced = await choose(5, [B, S3]);
    expect(replaced.status).toBe(200);
    expect(replaced.body.choices).toEqual([B, S3]);
    expect((await choose(4, [B])).status).toBe(200);
    expect((await choose(6, [S3])).status).toBe(200);
    const [row] = await execute(sql`select choices from admission_supplementary_choices where campaign_id = ${C} and pupil_id_number = ${pid(5)}`);
    expect(row!.choices).toEqual([B, S3]);
  });

  it('assigns only the supplementary pupils, within the seats left, and the look-up answers its result', async () => {
    const runId = await runToEnd('supplementary');
    const results = await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`);
    expect(results.body).toMatchObject([
      { pupilIdNumber: pid(4), school: B, choiceRank: 1, total: 37 },
      { pupilIdNumber: pid(5), school: S3, choiceRank: 2, total: 30 },
      { pupilIdNumber: pid(6), school: null, choiceRank: null, total: 20 },
    ]);
    const cutoffs = await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs?run=${runId}`);
    for (const c of cutoffs.body) expect(c.admitted).toBeLessThanOrEqual(c.quota);
    expect(Object.fromEntries(cutoffs.body.map((c: { school: string; quota: number }) => [c.school, c.quota]))).toEqual({ [A]: 0, [B]: 1, [S3]: 1 });

    expect((await lookup(5)).body).toMatchObject({ school: { unitId: S3 }, choiceRank: 2, total: 30, cutoff: 30 });
    expect((await lookup(6)).body).toMatchObject({ school: null, choiceRank: null });
    // Not in the supplementary run: the main run's answer when that place was confirmed ...
    expect((await lookup(1)).body).toMatchObject({ school: { unitId: A }, choiceRank: 1, total: 40 });
    // ... and not admitted when it was not (pupil 6's supplementary row taken away for a moment: S3 in the main run).
    const [kept] = await execute(sql`select row_to_json(r) as row from admission_results r where run_id = ${runId} and pupil_id_number = ${pid(6)}`);
    await execute(sql`delete from admission_results where run_id = ${runId} and pupil_id_number = ${pid(6)}`);
    try {
      const lost = await lookup(6);
      expect(lost.status).toBe(200);
      expect(lost.body).toEqual({ school: null, category: null, choiceRank: null, total: 20, cutoff: null });
      expect((await h.api.json('GET', `/api/admissions/result?campaign=${C}&pupilIdNumber=${pid(6)}&birthDate=2011-01-01`)).status).toBe(404);
    } finally {
      await execute(sql`insert into admission_results select * from json_populate_record(null::admission_results, ${JSON.stringify(kept!.row)}::json)`);
    }
  });

  it('confirms a supplementary place in a reopened confirmation window, and no forfeited main-round place', async () => {
    await setWindows({ confirmation: { opensAt: at(-HOUR), closesAt: at(24 * HOUR) }, supplementary: { opensAt: at(-3 * HOUR), closesAt: at(-2 * HOUR) } });
    const res = await confirm(5);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ school: { unitId: S3 }, round: 'supplementary' });
    // Pupil 6 was admitted to S3 in the main round, did not confirm, and lost the supplementary round.
    expect((await confirm(6)).body.error.code).toBe('ADMISSION_NOT_ADMITTED');
    const all = await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments`);
    const bySchool = Object.fromEntries(all.body.schools.map((s: { unitId: string }) => [s.unitId, s]));
    expect(bySchool[S3]).toMatchObject({ admitted: 1, confirmed: 1, seatsLeft: 0 });
    expect(bySchool[B]).toMatchObject({ admitted: 2, confirmed: 1, seatsLeft: 1 });
  });
});

describe('the citizen pages', () => {
  const page = async (url: string, cookie = parentCookie) => {
    const res = await h.env.app.inject({ method: 'GET', url, headers: { cookie } });
    return { status: res.statusCode, body: res.body };
  };

  it('shows the children\'s results in the citizen space and on the registration\'s pages', async () => {
    const space = await page('/ho-so-cua-toi');
    expect(space.status).toBe(200);
    const summaries = space.body.split('data-testid="admission-summary"').slice(1);
    expect(summaries).toHaveLength(2);
    expect(space.body).toContain('Trúng tuyển: <strong>Trường THPT Hàm Rồng');
    expect(space.body).toMatch(/Đào Duy Từ[^<]*<\/strong> \(nguyện vọng 2, tổng điểm 38,00, điểm chuẩn 37,00\)/);
    expect(space.body.match(/data-testid="confirmed"/g)).toHaveLength(2);

    const dossier = await page(`/ho-so/${codeOf.get(3)}`);
    expect(dossier.body).toContain(`/ho-so/${codeOf.get(3)}/nhap-hoc`);
    const enrolment = await page(`/ho-so/${codeOf.get(5)}/nhap-hoc`);
    expect(enrolment.status).toBe(200);
    expect(enrolment.body).toContain('Tuyển bổ sung');
    expect(enrolment.body).toMatch(/data-testid="admitted-school">[^<]*Hàm Rồng/);
    expect(enrolment.body).toContain('data-testid="enrolment"');
    const supplementary = await page(`/ho-so/${codeOf.get(5)}/tuyen-bo-sung`);
    expect(supplementary.body).toContain('đã xác nhận nhập học');
    // Someone else's registration: the tracking page, never the result.
    const stranger = await page(`/ho-so/${codeOf.get(1)}/nhap-hoc`, '');
    expect(stranger.status).toBe(404);
    expect(stranger.body).not.toContain('admitted-school');
  });

  it('shows nothing of the pupil to a registration that is not the live one (refused, then filed again)', async () => {
    const old = (await findDossierByCode(h.env.ctx.db, codeOf.get(2)!))!;
    expect(await registrationAdmission(h.env.ctx.db, old)).not.toBeNull();
    await execute(sql`update dossiers set status = 'refused' where id = ${old.id}`);
    try {
      expect(await registrationAdmission(h.env.ctx.db, { ...old, status: 'refused' })).toBeNull();
      const files = await uploads(DOCS);
      const again = await h.api.submit('admission-registration', {
        campaign: C, grade: '10', pupilName: 'Học sinh 2', pupilIdNumber: pid(2), pupilBirthDate: birth(2), pupilGender: 'female',
        residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Người khác', parentPhone: '0912000333',
        priority: 'none', choice1: A,
      }, files);
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      // Even a stale copy of the old dossier (status read before the refusal): it is not the live registration.
      expect(await registrationAdmission(h.env.ctx.db, old)).toBeNull();
      const live = (await findDossierByCode(h.env.ctx.db, again.body.code))!;
      expect((await registrationAdmission(h.env.ctx.db, live))?.enrolment).not.toBeNull();
    } finally {
      await execute(sql`update dossiers set status = 'withdrawn' where procedure_id = 'admission-registration' and form_data ->> 'pupilIdNumber' = ${pid(2)} and id <> ${old.id}`);
      await execute(sql`update dossiers set status = ${old.status} where id = ${old.id}`);
    }
  });
});
