// A small admission season through the API, on PostgreSQL + Redis with the BullMQ driver (the job really runs in the
// worker): a campaign of 3 schools with small quotas, 12 registrations filed within the window, scores imported (a bad
// file refused line by line with nothing imported), an assignment run followed to the end and checked against the
// engine run directly on the same rows, results for the administrator and a principal, cut-offs before and after
// publication, a re-marking and a re-run whose changes are exactly the pupils who moved.
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign } from '../../src/admissions/assignment.js';
import { lotteryKey } from '../../src/admissions/lottery.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { admissionResults, admissionRuns, admissionScores } from '../../src/db/schema/admissions.js';
import { dossiers } from '../../src/db/schema/dossiers.js';
import { runAssignment } from '../../src/services/admissions/assignment-runs.js';
import { parseCsv } from '../helpers/csv.js';
import { eventually } from '../helpers/http.js';
import { startHarness, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-xet';
const [A, B, S3] = ['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong'];
let h: Harness;

const pid = (n: number) => `03831000${String(n).padStart(4, '0')}`;
/** 12 pupils: choices, and (but for pupil 12) score and priority points. Pupils 3 and 4 tie exactly (the lottery decides). */
const PUPILS: Array<{ n: number; choices: string[]; score?: string; priority?: string }> = [
  { n: 1, choices: [A, B, S3], score: '45.5', priority: '0' },
  { n: 2, choices: [A, B], score: '44,75', priority: '1' },
  { n: 3, choices: [A, S3], score: '40', priority: '0' },
  { n: 4, choices: [A, S3], score: '40.00', priority: '0' },
  { n: 5, choices: [B, A], score: '47', priority: '0' },
  { n: 6, choices: [B], score: '30.25', priority: '0.5' },
  { n: 7, choices: [S3, B], score: '35', priority: '0' },
  { n: 8, choices: [A, B, S3], score: '33', priority: '0' },
  { n: 9, choices: [B, S3], score: '38', priority: '0' },
  { n: 10, choices: [S3], score: '28', priority: '0' },
  { n: 11, choices: [B, A], score: '29.5', priority: '0' },
  { n: 12, choices: [A, B, S3] },
];

const campaign = {
  id: C, name: 'Tuyển sinh lớp 10 (xét tuyển thử)', grade: 10, schoolYear: '2026-2027', choices: 3,
  windows: { registration: { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() } },
  schools: [{ unitId: A, quota: 2 }, { unitId: B, quota: 3 }, { unitId: S3, quota: 2 }],
  rule: 'deferred-acceptance', tieBreak: ['priorityPoints', 'grade9Average', 'lottery'],
};

const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? h.tokens[who] : undefined, json });

async function importScores(text: string, who = 'admin') {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)], { type: 'text/csv' }), 'diem.csv');
  return h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens[who], form });
}

const scoresFile = (override: Record<number, string> = {}) => ['pupilIdNumber,score,priorityPoints,grade9Average',
  ...PUPILS.filter((p) => p.score).map((p) => `${pid(p.n)},"${override[p.n] ?? p.score}",${p.priority},8.5`)].join('\n');

async function runToEnd(): Promise<{ runId: string; body: any }> {
  const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const { runId } = started.body;
  const body = await eventually(async () => {
    const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}`);
    expect(res.status).toBe(200);
    return res.body.status === 'running' ? undefined : res.body;
  });
  return { runId, body };
}

/** The engine run directly on the database's rows: the registrations, the scores and the run's seed. */
async function expectedOutcome(runId: string) {
  const db = h.env.ctx.db;
  const [run] = await db.select().from(admissionRuns).where(eq(admissionRuns.id, runId));
  const regs = await db.select().from(dossiers).where(sql`${dossiers.formData} ->> 'campaign' = ${C}`);
  const scores = new Map((await db.select().from(admissionScores).where(eq(admissionScores.campaignId, C))).map((s) => [s.pupilIdNumber, s]));
  const pupils = regs.flatMap((d) => {
    const f = d.formData as Record<string, string>;
    const s = scores.get(f.pupilIdNumber!);
    if (!s) return [];
    const choices = ['choice1', 'choice2', 'choice3'].map((k) => f[k]).filter((v): v is string => !!v);
    return [{ id: f.pupilIdNumber!, total: (s.score + s.priorityPoints) / 100, keys: [s.priorityPoints, s.extra.grade9Average ?? 0, lotteryKey(run!.seed, f.pupilIdNumber!)], choices }];
  });
  return assign({
    rule: 'deferred-acceptance', maxChoices: 3, pupils,
    tieBreak: [{ name: 'priorityPoints' }, { name: 'grade9Average' }, { name: 'lottery', order: 'asc' }],
    programs: campaign.schools.map((s) => ({ id: s.unitId, quota: s.quota })),
  });
}

beforeAll(async () => { h = await startHarness('production', ['admin', 'school', 'principal', 'principal2']); });
afterAll(async () => { await h?.env.close(); });

describe('an admission season: scores, assignment, results, re-run', () => {
  let firstRun = '';

  it('files 12 registrations and imports the scores, all or nothing', async () => {
    expect((await as('admin', 'POST', '/api/admin/campaigns', campaign)).status).toBe(201);
    for (const p of PUPILS) {
      const [choice1, choice2, choice3] = p.choices;
      const filed = await h.api.submit('admission-registration', {
        campaign: C, grade: '10', pupilName: `Học sinh ${p.n}`, pupilIdNumber: pid(p.n), pupilBirthDate: `2011-04-${String(p.n).padStart(2, '0')}`,
        pupilGender: 'female', residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: 'Trần Văn Hòa',
        parentPhone: '0912000111', choice1, choice2, choice3, priority: 'none',
      }, await uploads(DOCS));
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    }

    const bad = await importScores(['pupilIdNumber,score,priorityPoints', `${pid(1)},45.5,0`, '12345,40,0', `${pid(3)},4x,0`, `${pid(1)},39,0`, `${pid(5)},47.125,0`].join('\n'));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(bad.body.error.fields)).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(bad.body.error.fields['line 5']).toContain('dòng 2');
    const unknown = await importScores(['pupilIdNumber,score,priorityPoints,mathScore', `${pid(1)},45.5,0,9`].join('\n'));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields['line 1']).toContain('mathScore');
    expect((await importScores(scoresFile(), 'school')).status).toBe(403);
    expect(await h.env.ctx.db.select().from(admissionScores).where(eq(admissionScores.campaignId, C))).toHaveLength(0);

    const ok = await importScores(scoresFile());
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ imported: 11, replaced: 0, remarkedKept: [] });
    const [two] = await h.env.ctx.db.select().from(admissionScores).where(eq(admissionScores.pupilIdNumber, pid(2)));
    expect(two).toMatchObject({ score: 4475, priorityPoints: 100, extra: { grade9Average: 850 } });
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.scores_imported', target: C, limit: 1 });
    expect(audit).toMatchObject({ details: { imported: 11, replaced: 0 } });
  });

  it('refuses a second run while one is running (409 ASSIGNMENT_RUNNING)', async () => {
    // A run held in 'running' by hand, so the refusal does not depend on how fast the worker is.
    const [held] = await h.env.ctx.db.insert(admissionRuns).values({ campaignId: C, rule: 'deferred-acceptance', seed: 'held' }).returning();
    const second = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ASSIGNMENT_RUNNING');
    await h.env.ctx.db.update(admissionRuns).set({ status: 'failed', error: 'test' }).where(eq(admissionRuns.id, held!.id));
    // A run lost long ago (its job gave up) no longer blocks: the next start marks it failed.
    const [lost] = await h.env.ctx.db.insert(admissionRuns).values({ campaignId: C, rule: 'deferred-acceptance', seed: 'lost', startedAt: new Date(Date.now() - 2 * HOUR) }).returning();
    const { body } = await runToEnd();
    expect(body.status).toBe('done');
    const [after] = await h.env.ctx.db.select().from(admissionRuns).where(eq(admissionRuns.id, lost!.id));
    expect(after).toMatchObject({ status: 'failed', error: expect.stringContaining('gián đoạn') });
  });

  it('ends a run whose input the engine refuses as failed, with the Vietnamese message (not retried)', async () => {
    const db = h.env.ctx.db;
    const [one] = await db.select().from(dossiers).where(sql`${dossiers.formData} ->> 'pupilIdNumber' = ${pid(1)}`);
    // A choice of a school outside the campaign: the intake refuses it, so it is put in the row by hand.
    await db.update(dossiers).set({ formData: { ...one!.formData, choice3: 'thcs-khong-co' } }).where(eq(dossiers.id, one!.id));
    try {
      const { body } = await runToEnd();
      expect(body).toMatchObject({ status: 'failed', admitted: 0, unassigned: 0 });
      expect(body.error).toMatch(/[à-ỹ]/);
      expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${body.runId}`)).body.error.code).toBe('RUN_NOT_DONE');
    } finally {
      await db.update(dossiers).set({ formData: one!.formData }).where(eq(dossiers.id, one!.id));
    }
  });

  it('runs the assignment as a job: done, progress 1, quotas kept, the engine\'s outcome on the same rows', async () => {
    const { runId, body } = await runToEnd();
    firstRun = runId;
    expect(body).toMatchObject({ status: 'done', progress: 1, admitted: 7, unassigned: 5, error: null, publishedAt: null });
    expect(body.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(body.stats).toMatchObject({ registered: 12, unassigned: { noScore: 1, noSeat: 4 }, withoutScore: [pid(12)] });

    const expected = await expectedOutcome(runId);
    const results = await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`);
    expect(results.status).toBe(200);
    expect(results.body).toHaveLength(12);
    const byPupil = new Map(results.body.map((r: any) => [r.pupilIdNumber, r]));
    for (const p of expected.placements) {
      expect(byPupil.get(p.pupilId), p.pupilId).toEqual({ pupilIdNumber: p.pupilId, school: p.programId, category: null, choiceRank: p.choiceRank, total: p.total });
    }
    expect(byPupil.get(pid(12))).toEqual({ pupilIdNumber: pid(12), school: null, category: null, choiceRank: null, total: 0 });
    expect(byPupil.get(pid(2))).toMatchObject({ total: 45.75 });
    for (const s of campaign.schools) {
      expect(results.body.filter((r: any) => r.school === s.unitId).length).toBeLessThanOrEqual(s.quota);
    }

    const cutoffs = await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs`);
    expect(cutoffs.body).toEqual(expected.cutoffs.map((c) => ({ school: c.programId, category: null, quota: c.quota, admitted: c.admitted, cutoff: c.cutoff })).sort((x, y) => x.school.localeCompare(y.school)));
    // Not published yet: nobody but administrators sees the cut-offs.
    expect((await as(undefined, 'GET', `/api/admin/campaigns/${C}/cutoffs`)).status).toBe(404);
  });

  it('writes each row once when the job is delivered again, even after a crash before it finished', async () => {
    const before = await h.env.ctx.db.select().from(admissionResults).where(eq(admissionResults.runId, firstRun));
    await runAssignment(h.env.ctx, firstRun); // done: nothing to do
    await h.env.ctx.db.update(admissionRuns).set({ status: 'running' }).where(eq(admissionRuns.id, firstRun));
    await runAssignment(h.env.ctx, firstRun); // as if the first try died before its last transaction
    const after = await h.env.ctx.db.select().from(admissionResults).where(eq(admissionResults.runId, firstRun));
    expect(after).toHaveLength(12);
    const key = (rows: typeof before) => rows.map((r) => `${r.pupilIdNumber}:${r.schoolUnitId}:${r.choiceRank}:${r.total}`).sort();
    expect(key(after)).toEqual(key(before));
  });

  it('shows the administrator every pupil (JSON and CSV) and a principal only their school; other staff 403', async () => {
    const csv = await h.api.request('GET', `/api/admin/campaigns/${C}/results?format=csv`, { token: h.tokens.admin });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM (Response.text() would drop it)
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual(['pupilIdNumber', 'school', 'choiceRank', 'total']);
    expect(rows).toHaveLength(13);
    expect(rows).toContainEqual([pid(12), '', '', '0.00']);

    const all = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results`)).body;
    const principal = await as('principal', 'GET', `/api/admin/campaigns/${C}/results`);
    expect(principal.status).toBe(200);
    expect(principal.body).toEqual(all.filter((r: any) => r.school === A));
    expect(principal.body.length).toBeGreaterThan(0);
    const principal2 = await as('principal2', 'GET', `/api/admin/campaigns/${C}/results`);
    expect(principal2.body).toEqual(all.filter((r: any) => r.school === B));
    expect((await as('school', 'GET', `/api/admin/campaigns/${C}/results`)).status).toBe(403);
    expect((await as(undefined, 'GET', `/api/admin/campaigns/${C}/results`)).status).toBe(401);
  });

  it('publishes a done run: the cut-offs are then public', async () => {
    expect((await as('principal', 'POST', `/api/admin/campaigns/${C}/assignment/${firstRun}/publish`)).status).toBe(403);
    const published = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${firstRun}/publish`);
    expect(published.status).toBe(200);
    const open = await as(undefined, 'GET', `/api/admin/campaigns/${C}/cutoffs`);
    expect(open.status).toBe(200);
    expect(open.body).toEqual((await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs`)).body);
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.results_published', target: C, limit: 1 });
    expect(audit).toMatchObject({ details: { runId: firstRun } });
  });

  it('re-marking: updated scores, a re-run, and the changes are exactly the pupils whose outcome moved', async () => {
    const first = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${firstRun}`)).body as any[];
    // Pupil 10 (28 points, unplaced or last at their only choice) is re-marked to the top.
    const remarked = await importScores(scoresFile({ 10: '49,5' }));
    expect(remarked.body).toEqual({ imported: 11, replaced: 11, remarkedKept: [] });
    const { runId, body } = await runToEnd();
    expect(body.status).toBe('done');
    const second = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`)).body as any[];
    const expected = await expectedOutcome(runId);
    for (const p of expected.placements) expect(second.find((r) => r.pupilIdNumber === p.pupilId)).toMatchObject({ school: p.programId, choiceRank: p.choiceRank });

    const changes = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/changes?since=${firstRun}`);
    expect(changes.status).toBe(200);
    const moved = first.filter((r) => {
      const now = second.find((x) => x.pupilIdNumber === r.pupilIdNumber);
      return now.school !== r.school || now.choiceRank !== r.choiceRank;
    }).map((r) => r.pupilIdNumber);
    expect(moved).toContain(pid(10));
    expect(changes.body.map((c: any) => c.pupilIdNumber)).toEqual(moved);
    const ten = changes.body.find((c: any) => c.pupilIdNumber === pid(10));
    expect(ten.after).toEqual({ school: S3, category: null, choiceRank: 1 });
    // The earlier run stays published until this one is.
    expect((await as(undefined, 'GET', `/api/admin/campaigns/${C}/cutoffs`)).body).toEqual((await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs?run=${firstRun}`)).body);
  });
  it('imports a province-sized scores file (12,000 rows, past the organisation import\'s 5,000) in one go; 413 past 40 MB', async () => {
    const N = 12_000;
    const file = ['pupilIdNumber,score,priorityPoints,grade9Average',
      ...Array.from({ length: N }, (_, i) => `${600_000_000_000 + i},${20 + (i % 30)}.25,${i % 3},8.5`)].join('\n');
    const ok = await importScores(file);
    expect(ok.status, JSON.stringify(ok.body).slice(0, 500)).toBe(200);
    expect(ok.body).toMatchObject({ imported: N, replaced: 11 });
    const [stored] = await h.env.ctx.db.select({ n: count() }).from(admissionScores).where(eq(admissionScores.campaignId, C));
    expect(stored!.n).toBe(N);
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(40 * 1024 * 1024 + 1, 0x41)], { type: 'text/csv' }), 'diem.csv');
    const tooLarge = await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.message).toContain('toàn bộ danh sách');
  });
});
