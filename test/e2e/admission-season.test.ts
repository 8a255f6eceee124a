// Issue 14's whole small season through the HTTP API, in one production-mode app (PostgreSQL + Redis, the jobs really
// run in the worker), as the real actors would: the administrator creates a campaign with all its windows and moves
// them between steps (PATCH), imports the roster; a parent signed in with VNeID confirms one child and corrects another,
// the deadline sweep confirms the rest; 12 pupils register (a duplicate refused), one adjusts choices; scores, a run,
// publication; results, cut-offs and the public look-up checked against an independent computation (distinct totals and
// one shared score order: the stable matching is the serial dictatorship by total); notices applied and signed;
// a re-marking answered 'changed', a re-run and its changes report; confirmation of enrolment (some parents don't);
// the supplementary round on the seats left. The look-up and demand caches are set to 0 ms so each answer is fresh.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionEnrolments, admissionRoster } from '../../src/db/schema/admissions.js';
import { dossiers } from '../../src/db/schema/dossiers.js';
import { autoConfirmRosters } from '../../src/services/admissions/roster.js';
import { signInCitizen, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment } from '../helpers/context.js';
import { eventually, listenForHttp } from '../helpers/http.js';
import { uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-mua-tuyen-sinh';
const [A, B, S3] = ['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong'] as const;
const QUOTA: Record<string, number> = { [A]: 3, [B]: 2, [S3]: 2 };
const GUARDIAN = '038080007777';
let h: Harness;
let parent: SignedInCitizen;
let origin = '';

const pid = (n: number) => `03832900${String(n).padStart(4, '0')}`;
/** The roster's birth date; pupil 2's is wrong there and corrected by the parent to 2011-02-02. */
const rosterBirth = (n: number) => (n === 2 ? '2011-02-12' : `2011-03-${String(n).padStart(2, '0')}`);
const birth = (n: number) => (n === 2 ? '2011-02-02' : rosterBirth(n));
/** Distinct totals (no tie-break needed). Pupil 7 files [A] and adjusts to [A, S3]; pupil 10 is re-marked 33 → 45.5. */
const PUPILS: Array<{ n: number; choices: string[]; score: number }> = [
  { n: 1, choices: [A, B], score: 48 }, { n: 2, choices: [A, S3], score: 46 }, { n: 3, choices: [B, A], score: 45 },
  { n: 4, choices: [A, B, S3], score: 44 }, { n: 5, choices: [A, B], score: 42 }, { n: 6, choices: [B, S3], score: 40 },
  { n: 7, choices: [A], score: 38 }, { n: 8, choices: [S3, B], score: 36 }, { n: 9, choices: [B, A, S3], score: 34 },
  { n: 10, choices: [A, B], score: 33 }, { n: 11, choices: [S3], score: 30 }, { n: 12, choices: [A], score: 29 },
];
const pupil = (n: number) => PUPILS.find((p) => p.n === n)!;
const filed = new Map<number, { code: string; trackingToken: string }>();

const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const OPEN = () => ({ opensAt: at(-HOUR), closesAt: at(24 * HOUR) });
const CLOSED = () => ({ opensAt: at(-3 * HOUR), closesAt: at(-2 * HOUR) });
const LATER = () => ({ opensAt: at(10 * 24 * HOUR), closesAt: at(11 * 24 * HOUR) });
type Win = { opensAt: string; closesAt: string };
const WINDOW_NAMES = ['registration', 'preVerification', 'adjustment', 'results', 'remarking', 'confirmation', 'supplementary'] as const;
let windows: Record<(typeof WINDOW_NAMES)[number], Win>;

const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? (h.tokens[who] ?? who) : undefined, json });
const asParent = (method: string, path: string, json?: unknown) => h.api.json(method, path, { json, headers: { cookie: parent.cookie, origin } });
const tokenOf = (n: number) => filed.get(n)!.trackingToken;
const lookup = (n: number) => h.api.json('GET', `/api/admissions/result?campaign=${C}&pupilIdNumber=${pid(n)}&birthDate=${birth(n)}`);

/** The administrator moves the season on: the windows named change, the others stay as they are. */
async function moveWindows(changes: Partial<Record<(typeof WINDOW_NAMES)[number], Win>>) {
  windows = { ...windows, ...changes };
  const res = await as('admin', 'PATCH', `/api/admin/campaigns/${C}`, { windows });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.windows).toEqual(Object.fromEntries(Object.entries(windows).map(([k, w]) => [k, { opensAt: new Date(w.opensAt).toISOString(), closesAt: new Date(w.closesAt).toISOString() }])));
}

async function csv(path: string, text: string) {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)], { type: 'text/csv' }), 'tep.csv');
  return h.api.json('POST', path, { token: h.tokens.admin, form });
}

async function runAndPublish(round?: 'supplementary'): Promise<string> {
  const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`, round ? { round } : {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const { runId } = started.body;
  const run = await eventually(async () => {
    const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}`);
    return res.body.status === 'running' ? undefined : res.body;
  }, 120_000);
  expect(run.status, JSON.stringify(run)).toBe('done');
  expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/publish`)).status).toBe(200);
  return runId;
}

type Outcome = { school: string | null; choiceRank: number | null };
/**
 * The independent check: every school ranks pupils by the same total and the totals differ, so the one stable matching
 * is the serial dictatorship — pupils by total, best first, each taking their highest choice with a seat left.
 */
function serialDictatorship(pupils: Array<{ id: string; choices: string[]; total: number }>, seats: Record<string, number>): Map<string, Outcome> {
  const left = { ...seats };
  const out = new Map<string, Outcome>();
  for (const p of [...pupils].sort((x, y) => y.total - x.total)) {
    const i = p.choices.findIndex((s) => (left[s] ?? 0) > 0);
    if (i >= 0) left[p.choices[i]!]! -= 1;
    out.set(p.id, i >= 0 ? { school: p.choices[i]!, choiceRank: i + 1 } : { school: null, choiceRank: null });
  }
  return out;
}

/** Results, cut-offs and the public look-up of a published main run agree with each other and with the brute force. */
async function checkMainRun(runId: string, scores: Record<number, number>) {
  const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`)).body as Array<Outcome & { pupilIdNumber: string; total: number }>;
  const cutoffs = (await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs?run=${runId}`)).body as Array<{ school: string; quota: number; admitted: number; cutoff: number | null }>;
  expect(results).toHaveLength(12);
  const expected = serialDictatorship(PUPILS.map((p) => ({ id: pid(p.n), choices: p.choices, total: scores[p.n]! })), QUOTA);
  const cut = Object.fromEntries(cutoffs.map((c) => [c.school, c]));
  for (const p of PUPILS) {
    const r = results.find((x) => x.pupilIdNumber === pid(p.n))!;
    expect({ school: r.school, choiceRank: r.choiceRank }, `pupil ${p.n}`).toEqual(expected.get(pid(p.n)));
    expect(r.total).toBe(scores[p.n]);
    // Stability: every admitted pupil reaches their school's cut-off; every choice above theirs is full of better totals.
    if (r.school) expect(r.total).toBeGreaterThanOrEqual(cut[r.school]!.cutoff!);
    const reached = r.choiceRank ?? p.choices.length + 1;
    for (const better of p.choices.slice(0, reached - 1)) {
      expect(cut[better]!.admitted, `pupil ${p.n} at ${better}`).toBe(cut[better]!.quota);
      expect(cut[better]!.cutoff!, `pupil ${p.n} at ${better}`).toBeGreaterThan(r.total);
    }
    const seen = await lookup(p.n);
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body).toMatchObject({ school: r.school ? { unitId: r.school } : null, choiceRank: r.choiceRank, total: r.total });
    if (r.school) expect(seen.body.cutoff).toBe(cut[r.school]!.cutoff);
  }
  for (const s of [A, B, S3]) {
    const admitted = results.filter((r) => r.school === s);
    expect(cut[s]).toMatchObject({ quota: QUOTA[s], admitted: admitted.length });
    expect(admitted.length).toBeLessThanOrEqual(QUOTA[s]!);
    expect(cut[s]!.cutoff).toBe(Math.min(...admitted.map((r) => r.total)));
  }
  // Published: the public cut-offs are this run's.
  expect((await as(undefined, 'GET', `/api/admin/campaigns/${C}/cutoffs`)).body).toEqual(cutoffs);
  return { results, expected };
}

beforeAll(async () => {
  const env = await startTestEnvironment('production', { env: { ADMISSION_LOOKUP_CACHE_MS: '0', ADMISSION_DEMAND_CACHE_MS: '0' } });
  const api = await listenForHttp(env);
  h = { env, api, tokens: { admin: await api.login('admin'), principal: await api.login('principal') } };
  origin = new URL(env.ctx.config.publicUrl).origin;
  parent = await signInCitizen(env.ctx.db, {
    personalId: GUARDIAN, fullName: 'Nguyễn Văn Phụ Huynh', email: 'phuhuynh.mua@example.vn', phone: '0912002900',
    permanentAddress: 'Phường Điện Biên, TP Thanh Hóa',
    family: [
      { relation: 'child', personalId: pid(1), fullName: 'Học sinh 1', birthDate: birth(1), gender: 'female' },
      { relation: 'child', personalId: pid(2), fullName: 'Học sinh 2', birthDate: birth(2), gender: 'female' },
    ],
  });
}, 120_000);
afterAll(async () => { await h?.env.close(); });

describe('a whole small admission season through the API', () => {
  let mainRun = '';
  let reRun = '';

  it('the administrator creates the campaign with all its windows and imports the roster', async () => {
    windows = {
      registration: LATER(), preVerification: OPEN(), adjustment: LATER(), results: LATER(), remarking: LATER(),
      confirmation: LATER(), supplementary: LATER(),
    };
    const created = await as('admin', 'POST', '/api/admin/campaigns', {
      id: C, name: 'Tuyển sinh lớp 10 (cả mùa)', grade: 10, schoolYear: '2026-2027', choices: 3, windows,
      schools: [A, B, S3].map((unitId) => ({ unitId, quota: QUOTA[unitId] })), rule: 'deferred-acceptance', tieBreak: ['priorityPoints', 'lottery'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body.windows).sort()).toEqual([...WINDOW_NAMES].sort());

    const imported = await csv(`/api/admin/campaigns/${C}/roster`, ['pupilIdNumber,fullName,birthDate,gender,currentSchool,residence,guardianIdNumber',
      ...PUPILS.map((p) => `${pid(p.n)},Học sinh ${p.n},${rosterBirth(p.n)},Nữ,THCS Điện Biên,"Phường Điện Biên, TP Thanh Hóa",${p.n === 1 ? GUARDIAN : ''}`)].join('\n'));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toEqual({ imported: 12, kept: 0, removed: 0 });
  });

  it('pre-verification: a VNeID parent confirms one child and corrects the other, the deadline sweep confirms the rest', async () => {
    const mine = await asParent('GET', '/api/admissions/roster');
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.items.map((r: { pupilIdNumber: string }) => r.pupilIdNumber).sort()).toEqual([pid(1), pid(2)]);
    expect((await asParent('POST', `/api/admissions/roster/${C}/${pid(1)}`, { confirm: true })).body).toMatchObject({ status: 'confirmed', confirmedBy: GUARDIAN });
    const corrected = await asParent('POST', `/api/admissions/roster/${C}/${pid(2)}`, { corrections: { birthDate: birth(2) } });
    expect(corrected.body).toMatchObject({ status: 'corrected', birthDate: birth(2), corrections: { birthDate: { from: rosterBirth(2), to: birth(2) } } });

    // The deadline passes; registration opens. The sweep (run by the periodic sla-sweep job) confirms the 10 unanswered.
    await moveWindows({ preVerification: CLOSED(), registration: OPEN() });
    expect((await asParent('POST', `/api/admissions/roster/${C}/${pid(1)}`, { confirm: true })).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    expect(await autoConfirmRosters(h.env.ctx)).toEqual({ [C]: 10 });
    const roster = await as('admin', 'GET', `/api/admin/campaigns/${C}/roster`);
    expect(roster.body).toMatchObject({ total: 12, counts: { pending: 0, confirmed: 1, corrected: 1, auto_confirmed: 10 } });
  });

  it('registration: 12 pupils (one by the VNeID parent), a duplicate refused 409, the demand published', async () => {
    for (const p of PUPILS) {
      const rest = { campaign: C, previousSchool: 'THCS Điện Biên', priority: 'none', ...Object.fromEntries(p.choices.map((c, i) => [`choice${i + 1}`, c])) };
      if (p.n === 1) {
        // The signed-in parent files for their child: the pupil's identity comes from VNeID's family claims.
        const form = h.api.submitForm('admission-registration', rest, await uploads(DOCS));
        form.append('filedFor', 'child');
        form.append('childPersonalId', pid(1));
        const res = await h.api.json('POST', '/api/dossiers', { form, headers: { cookie: parent.cookie, origin } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        filed.set(1, res.body);
        continue;
      }
      const res = await h.api.submit('admission-registration', {
        ...rest, grade: '10', pupilName: `Học sinh ${p.n}`, pupilIdNumber: pid(p.n), pupilBirthDate: birth(p.n), pupilGender: 'female',
        residence: 'Phường Điện Biên, TP Thanh Hóa', parentName: `Phụ huynh ${p.n}`, parentPhone: `09120029${String(p.n).padStart(2, '0')}`,
      }, await uploads(DOCS));
      expect(res.status, `pupil ${p.n}: ${JSON.stringify(res.body)}`).toBe(201);
      filed.set(p.n, res.body);
    }
    const again = await h.api.submit('admission-registration', {
      campaign: C, grade: '10', pupilName: 'Học sinh 5', pupilIdNumber: pid(5), pupilBirthDate: birth(5), pupilGender: 'female',
      residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Người khác', parentPhone: '0912002999',
      priority: 'none', choice1: B,
    }, await uploads(DOCS));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DUPLICATE_REGISTRATION');
    const live = await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.procedureId, 'admission-registration'));
    expect(live.filter((d) => (d.formData as Record<string, string>).campaign === C)).toHaveLength(12);

    const demand = await h.api.json('GET', `/api/campaigns/${C}/demand`);
    expect(demand.status, JSON.stringify(demand.body)).toBe(200);
    const bySchool = Object.fromEntries(demand.body.schools.map((s: { unitId: string }) => [s.unitId, s]));
    for (const s of [A, B, S3]) {
      expect(bySchool[s], s).toMatchObject({
        quota: QUOTA[s], applicants: PUPILS.filter((p) => p.choices.includes(s)).length, firstChoice: PUPILS.filter((p) => p.choices[0] === s).length,
      });
    }
  });

  it('adjustment: refused before its window (409), then a parent changes choices only, and the dossier says so', async () => {
    const put = (json: unknown) => h.api.json('PUT', `/api/dossiers/${filed.get(7)!.code}/choices`, { token: tokenOf(7), json });
    expect((await put({ choice1: A, choice2: S3 })).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    await moveWindows({ registration: CLOSED(), adjustment: OPEN() });
    expect((await put({ choice1: A, choice2: S3, pupilName: 'Tên khác' })).status).toBe(422);
    const ok = await put({ choice1: A, choice2: S3 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    pupil(7).choices = [A, S3];
    const [row] = await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.code, filed.get(7)!.code));
    expect(row!.formData).toMatchObject({ choice1: A, choice2: S3, pupilName: 'Học sinh 7' });
    await moveWindows({ adjustment: CLOSED() });
    expect((await put({ choice1: S3 })).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
  });

  it('scores, the assignment run, publication: results, cut-offs and the look-up agree with the brute force', async () => {
    const scores = await csv(`/api/admin/campaigns/${C}/scores`, ['pupilIdNumber,score,priorityPoints', ...PUPILS.map((p) => `${pid(p.n)},${p.score},0`)].join('\n'));
    expect(scores.status, JSON.stringify(scores.body)).toBe(200);
    expect(scores.body).toMatchObject({ imported: 12, replaced: 0 });
    // Before publication the look-up knows nothing (the same 404 as an unknown pupil).
    expect((await lookup(1)).status).toBe(404);
    await moveWindows({ results: OPEN() });
    mainRun = await runAndPublish();
    const { expected } = await checkMainRun(mainRun, Object.fromEntries(PUPILS.map((p) => [p.n, p.score])));
    // The story the data was made for: pupil 7's adjustment placed them at S3 (ahead of pupil 8); 5 unplaced.
    expect(expected.get(pid(7))).toEqual({ school: S3, choiceRank: 2 });
    expect([...expected.values()].filter((o) => !o.school)).toHaveLength(5);
    // A principal sees their school's list only.
    const mine = (await as('principal', 'GET', `/api/admin/campaigns/${C}/results`)).body as Array<{ school: string }>;
    expect(mine.map((r) => r.school)).toEqual([A, A, A]);
  });

  it('re-marking: pupil 10 files, the administrator answers changed, a re-run published reports who moved', async () => {
    const early = await as(tokenOf(10), 'POST', '/api/admissions/remarking', { campaign: C, pupilIdNumber: pid(10), subjects: ['Toán'] });
    expect(early.body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    await moveWindows({ remarking: OPEN() });
    // No signed notice before re-marking is over: it could name a school the re-run takes away.
    const tooEarly = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${mainRun}/notices`);
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error.code).toBe('NOTICES_NOT_ALLOWED');
    const filedRequest = await as(tokenOf(10), 'POST', '/api/admissions/remarking', { campaign: C, pupilIdNumber: pid(10), subjects: ['Toán'], reason: 'Điểm thấp bất thường.' });
    expect(filedRequest.status, JSON.stringify(filedRequest.body)).toBe(201);
    const list = await as('admin', 'GET', `/api/admin/campaigns/${C}/remarking?status=requested`);
    expect(list.body.total).toBe(1);
    const answered = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${list.body.items[0].id}`, { outcome: 'changed', newScore: '45,5', note: 'Chấm lại môn Toán.' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ status: 'changed', scoreBefore: 33, scoreAfter: 45.5 });
    await moveWindows({ remarking: CLOSED() });

    reRun = await runAndPublish();
    const scores = { ...Object.fromEntries(PUPILS.map((p) => [p.n, p.score])), 10: 45.5 };
    await checkMainRun(reRun, scores);
    const changes = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${reRun}/changes?since=${mainRun}`);
    expect(changes.status).toBe(200);
    // 10 enters A; 4 (44) drops from A to B; 5 (42) loses B.
    expect(changes.body).toMatchObject([
      { pupilIdNumber: pid(4), before: { school: A, choiceRank: 1 }, after: { school: B, choiceRank: 2 } },
      { pupilIdNumber: pid(5), before: { school: B, choiceRank: 2 }, after: { school: null, choiceRank: null } },
      { pupilIdNumber: pid(10), before: { school: null, choiceRank: null }, after: { school: A, choiceRank: 1 }, remarked: { before: 33, after: 45.5 } },
    ]);
    expect(changes.body.filter((c: object) => 'remarked' in c)).toHaveLength(1);
  });

  it('notices after re-marking: the re-run applied to the dossiers, admitted ones signed (result_ready, a PDF), the others rejected', async () => {
    const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${reRun}/notices`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const progress = await eventually(async () => {
      const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${reRun}/notices`);
      return res.body.applied === 12 && res.body.signed === 7 ? res.body : undefined;
    }, 120_000);
    expect(progress).toMatchObject({ total: 12, admitted: 7, applied: 12, signed: 7, failed: 0, decided: 0 });
    const one = await h.api.json('GET', `/api/dossiers/${filed.get(1)!.code}`, { token: tokenOf(1) });
    expect(one.body.status).toBe('result_ready');
    const pdf = await h.api.request('GET', `/api/dossiers/${filed.get(1)!.code}/result`, { token: tokenOf(1) });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    // Pupil 10, admitted after re-marking, holds a notice of school A; pupil 5, who lost B, is rejected.
    expect((await h.api.json('GET', `/api/dossiers/${filed.get(10)!.code}`, { token: tokenOf(10) })).body.status).toBe('result_ready');
    expect((await h.api.json('GET', `/api/dossiers/${filed.get(5)!.code}`, { token: tokenOf(5) })).body.status).toBe('rejected');
  });

  it('confirmation of enrolment: some parents confirm (one with VNeID), others do not; admitted vs confirmed per school', async () => {
    const confirm = (n: number) => as(tokenOf(n), 'POST', '/api/admissions/enrolment', { campaign: C, pupilIdNumber: pid(n) });
    expect((await confirm(2)).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    await moveWindows({ confirmation: OPEN() });
    const byParent = await asParent('POST', '/api/admissions/enrolment', { campaign: C, pupilIdNumber: pid(1) });
    expect(byParent.status, JSON.stringify(byParent.body)).toBe(201);
    expect(byParent.body).toMatchObject({ school: { unitId: A }, round: 'main', by: 'citizen', runId: reRun });
    for (const n of [2, 3, 6, 10]) expect((await confirm(n)).status, `pupil ${n}`).toBe(201);
    // Pupil 5 lost their place in the re-run; pupils 4 (B) and 7 (S3) never confirm.
    expect((await confirm(5)).body.error.code).toBe('ADMISSION_NOT_ADMITTED');
    const all = await as('admin', 'GET', `/api/admin/campaigns/${C}/enrolments`);
    const bySchool = Object.fromEntries(all.body.schools.map((s: { unitId: string }) => [s.unitId, s]));
    expect(bySchool[A]).toMatchObject({ quota: 3, admitted: 3, confirmed: 3, seatsLeft: 0 });
    expect(bySchool[B]).toMatchObject({ quota: 2, admitted: 2, confirmed: 1, seatsLeft: 1 });
    expect(bySchool[S3]).toMatchObject({ quota: 2, admitted: 2, confirmed: 1, seatsLeft: 1 });
    const rows = await h.env.ctx.db.select().from(admissionEnrolments).where(eq(admissionEnrolments.campaignId, C));
    expect(rows.map((r) => r.pupilIdNumber).sort()).toEqual([1, 2, 3, 6, 10].map(pid).sort());
  });

  it('the supplementary round: seats left = quota − confirmed, unplaced pupils choose, a run within the seats, the look-up answers', async () => {
    await moveWindows({ confirmation: CLOSED(), supplementary: OPEN() });
    expect((await as(tokenOf(4), 'POST', '/api/admissions/enrolment', { campaign: C, pupilIdNumber: pid(4) })).body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    const offer = await h.api.json('GET', `/api/campaigns/${C}/supplementary`);
    expect(offer.status, JSON.stringify(offer.body)).toBe(200);
    const seatsLeft: Record<string, number> = Object.fromEntries(offer.body.programs.map((p: { program: string; seatsLeft: number }) => [p.program, p.seatsLeft]));
    expect(seatsLeft).toEqual({ [B]: 1, [S3]: 1 });

    const SUPPLEMENTARY: Record<number, string[]> = { 5: [B], 8: [B, S3], 11: [S3] };
    for (const [n, choices] of Object.entries(SUPPLEMENTARY)) {
      const res = await as(tokenOf(Number(n)), 'PUT', '/api/admissions/supplementary', { campaign: C, pupilIdNumber: pid(Number(n)), choices });
      expect(res.status, `pupil ${n}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    expect((await as(tokenOf(1), 'PUT', '/api/admissions/supplementary', { campaign: C, pupilIdNumber: pid(1), choices: [B] })).body.error.code).toBe('ADMISSION_ALREADY_ENROLLED');
    expect((await as(tokenOf(9), 'PUT', '/api/admissions/supplementary', { campaign: C, pupilIdNumber: pid(9), choices: [A] })).status).toBe(422);

    const supplementaryRun = await runAndPublish('supplementary');
    const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${supplementaryRun}`)).body as Array<Outcome & { pupilIdNumber: string }>;
    const totals: Record<number, number> = { 5: 42, 8: 36, 11: 30 };
    const expected = serialDictatorship(Object.entries(SUPPLEMENTARY).map(([n, choices]) => ({ id: pid(Number(n)), choices, total: totals[Number(n)]! })), seatsLeft);
    expect(results.map((r) => r.pupilIdNumber).sort()).toEqual([5, 8, 11].map(pid).sort());
    for (const r of results) expect({ school: r.school, choiceRank: r.choiceRank }, r.pupilIdNumber).toEqual(expected.get(r.pupilIdNumber));
    expect(expected.get(pid(8))).toEqual({ school: S3, choiceRank: 2 });
    for (const s of [B, S3]) expect(results.filter((r) => r.school === s).length).toBeLessThanOrEqual(seatsLeft[s]!);

    expect((await lookup(5)).body).toMatchObject({ school: { unitId: B }, choiceRank: 1, total: 42 });
    expect((await lookup(8)).body).toMatchObject({ school: { unitId: S3 }, choiceRank: 2, total: 36 });
    expect((await lookup(11)).body).toMatchObject({ school: null, choiceRank: null });
    expect((await lookup(10)).body).toMatchObject({ school: { unitId: A }, choiceRank: 1, total: 45.5 }); // the main (re-)run's answer
    const [roster] = await h.env.ctx.db.select().from(admissionRoster).where(and(eq(admissionRoster.campaignId, C), eq(admissionRoster.pupilIdNumber, pid(2))));
    expect(roster).toMatchObject({ status: 'corrected', birthDate: birth(2) });
  });
});
