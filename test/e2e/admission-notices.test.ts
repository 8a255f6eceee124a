// A published assignment run applied to the registration dossiers through the API, on PostgreSQL + Redis with the
// BullMQ driver (the batches and the signing jobs really run in the worker): 8 registrations, one already decided by
// a principal before the notices go out; every admitted dossier ends result_ready with a signed and sealed notice
// naming its school, choice, total and cut-off; the others end rejected; a repeated start queues nothing; a later
// re-run, once published, is the only run notices may be sent for and overwrites nothing already decided.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNoticeIssues } from '../../src/db/repositories/admission-notices.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { applyRunBatch } from '../../src/services/admissions/notices.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { eventually } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';
import { expectSignedAndSealed, signedResult, startHarness, step, uploads, view, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-thong-bao';
const [A, B] = ['thpt-lam-son', 'thpt-dao-duy-tu'];
const SCHOOL_NAME: Record<string, string> = { [A]: 'Lam Sơn', [B]: 'Đào Duy Từ' };
let h: Harness;

const pid = (n: number) => `03832000${String(n).padStart(4, '0')}`;
/** Quotas 2 + 2: pupils 1, 2 to A; 3 (A full) and 4 to B; 5..7 nowhere; 8 decided by A's principal beforehand. */
const PUPILS = [
  { n: 1, choices: [A, B], score: '45' }, { n: 2, choices: [A], score: '44' }, { n: 3, choices: [A, B], score: '43' },
  { n: 4, choices: [B], score: '42' }, { n: 5, choices: [A, B], score: '20' }, { n: 6, choices: [B], score: '19' },
  { n: 7, choices: [A], score: '18' }, { n: 8, choices: [A, B], score: '17' },
];
const filed = new Map<number, { code: string; trackingToken: string }>();

const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? h.tokens[who] : undefined, json });

async function runToDone(): Promise<string> {
  const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const { runId } = started.body;
  await eventually(async () => ((await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}`)).body.status === 'done' ? true : undefined));
  return runId;
}

beforeAll(async () => { h = await startHarness('production', ['admin', 'school', 'principal']); });
afterAll(async () => { await h?.env.close(); });

describe('admission notices: a published run applied to the dossiers, signed in bulk', () => {
  let runId = '';

  it('files the season and runs the assignment', async () => {
    const campaign = {
      id: C, name: 'Tuyển sinh lớp 10 (thông báo thử)', grade: 10, schoolYear: '2026-2027', choices: 3,
      windows: { registration: { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() } },
      schools: [{ unitId: A, quota: 2 }, { unitId: B, quota: 2 }], rule: 'deferred-acceptance', tieBreak: ['score', 'lottery'],
    };
    expect((await as('admin', 'POST', '/api/admin/campaigns', campaign)).status).toBe(201);
    for (const p of PUPILS) {
      const [choice1, choice2] = p.choices;
      const res = await h.api.submit('admission-registration', {
        campaign: C, grade: '10', pupilName: `Học sinh ${p.n}`, pupilIdNumber: pid(p.n), pupilBirthDate: `2011-05-${String(p.n).padStart(2, '0')}`,
        pupilGender: 'male', residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: 'Lê Văn Bình',
        parentPhone: '0912000222', choice1, choice2, priority: 'none',
      }, await uploads(DOCS));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      filed.set(p.n, { code: res.body.code, trackingToken: res.body.trackingToken });
    }
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(['pupilIdNumber,score,priorityPoints', ...PUPILS.map((p) => `${pid(p.n)},${p.score},0`)].join('\n'))], { type: 'text/csv' }), 'diem.csv');
    expect((await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form })).status).toBe(200);
    runId = await runToDone();
  });

  it('refuses notices of an unpublished run (409 NOTICES_NOT_ALLOWED), to anyone but an administrator, and of an unknown run', async () => {
    const early = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('NOTICES_NOT_ALLOWED');
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/publish`)).status).toBe(200);
    expect((await as('principal', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).status).toBe(403);
    expect((await as(undefined, 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).status).toBe(401);
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/00000000-0000-4000-8000-000000000000/notices`)).status).toBe(404);
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).body).toMatchObject({ total: 8, applied: 0, queuedAt: null });
    // The admin page: the start form, and no start without its confirmation box.
    const admin = await signInPages(h.env, 'admin');
    const page = await admin.get(`/quan-tri/tuyen-sinh/${C}/thong-bao`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Gửi thông báo trúng tuyển');
    const unconfirmed = await admin.post(`/quan-tri/tuyen-sinh/${C}/thong-bao`, { run: runId });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body).toContain('Đánh dấu ô xác nhận');
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).body.queuedAt).toBeNull();
  });

  it('leaves a dossier a principal decided meanwhile alone, and reports it', async () => {
    // Pupil 8 (not admitted by the run) verified by the school and refused by the principal before the notices.
    const { code } = filed.get(8)!;
    const v = await step(h, code, 'verify', 'school', (await view(h, code, h.tokens.school!)).body.version, 'awaiting_decision', { data: { residenceChecked: true } });
    await step(h, code, 'not_admit', 'principal', v, 'rejected', { comment: 'Không đủ điểm xét tuyển.' });
  });

  it('applies the run: admitted dossiers signed and sealed by their school, the others rejected; a second start queues nothing', async () => {
    const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toEqual({ runId, total: 8 });
    const again = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`);
    expect(again.status).toBe(202);
    const queued = await h.env.ctx.db.select().from(outbox).where(and(eq(outbox.job, 'apply-admission-run'), sql`${outbox.payload} ->> 'runId' = ${runId}`));
    expect(queued).toHaveLength(1);
    const audit = await listAuditEntries(h.env.ctx.db, { action: 'campaign.notices_started', target: C, limit: 5 });
    expect(audit).toHaveLength(1);

    const progress = await eventually(async () => {
      const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`);
      return res.body.signed === 4 && res.body.applied === 7 && res.body.decided === 1 ? res.body : undefined;
    }, 60_000);
    expect(progress).toMatchObject({ total: 8, admitted: 4, applied: 7, signed: 4, failed: 0, decided: 1 });
    expect(progress.issues).toEqual([expect.objectContaining({ pupilIdNumber: pid(8), kind: 'decided', status: 'rejected' })]);
    expect(progress.queuedAt).toEqual(expect.any(String));

    const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`)).body as Array<{ pupilIdNumber: string; school: string | null; choiceRank: number | null; total: number }>;
    const cutoffs = (await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs?run=${runId}`)).body as Array<{ school: string; cutoff: number | null }>;
    for (const p of PUPILS.slice(0, 7)) {
      const r = results.find((x) => x.pupilIdNumber === pid(p.n))!;
      const { code, trackingToken } = filed.get(p.n)!;
      if (!r.school) {
        expect((await view(h, code, trackingToken)).body.status, `pupil ${p.n}`).toBe('rejected');
        continue;
      }
      const { text, signature } = await signedResult(h, code, trackingToken);
      const flat = text.replace(/\s+/g, ' ');
      expect(flat).toContain(SCHOOL_NAME[r.school]!);
      expect(flat).toContain(`nguyện vọng ${r.choiceRank}`);
      expect(flat).toContain(r.total.toFixed(2).replace('.', ','));
      const cutoff = cutoffs.find((c) => c.school === r.school)!.cutoff!;
      expect(flat).toContain(cutoff.toFixed(2).replace('.', ','));
      expect(flat).toContain(`HỌC SINH ${p.n}`);
      const principal = r.school === A ? 'Đỗ Văn Sơn' : 'Ngô Quang Trung';
      expectSignedAndSealed(signature, principal, r.school === A ? 'Trường THPT chuyên Lam Sơn' : 'Trường THPT Đào Duy Từ');
    }
    // Pupil 3 was admitted at the second choice: the dossier went to that school.
    expect(results.find((x) => x.pupilIdNumber === pid(3))).toMatchObject({ school: B, choiceRank: 2 });
    const three = (await view(h, filed.get(3)!.code, filed.get(3)!.trackingToken)).body;
    expect(three.status).toBe('result_ready');
    const adminPage = await (await signInPages(h.env, 'admin')).get(`/quan-tri/tuyen-sinh/${C}/thong-bao`);
    expect(adminPage.body).toContain('Thông báo đã ký số</dt><dd>4</dd>');
    expect(adminPage.body).toContain(pid(8));
    expect(adminPage.body).not.toContain('http-equiv="refresh"');
  });

  it('shows a principal the pupils admitted to their school, with the CSV; not to a school officer', async () => {
    const principal = await signInPages(h.env, 'principal');
    const page = await principal.get('/can-bo/tuyen-sinh');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Tuyển sinh lớp 10 (thông báo thử)');
    const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${runId}`)).body as Array<{ pupilIdNumber: string; school: string | null }>;
    for (const r of results) {
      if (r.school === A) expect(page.body).toContain(r.pupilIdNumber);
      else expect(page.body).not.toContain(r.pupilIdNumber);
    }
    const csv = await principal.get(`/can-bo/tuyen-sinh/${C}/ket-qua.csv`);
    expect(csv.status).toBe(200);
    expect(csv.body.startsWith('\uFEFFpupilIdNumber,school,choiceRank,total')).toBe(true);
    expect(csv.body.trim().split('\n')).toHaveLength(1 + results.filter((r) => r.school === A).length);
    const officer = await signInPages(h.env, 'school');
    expect((await officer.get('/can-bo/tuyen-sinh')).status).toBe(403);
    expect((await officer.get(`/can-bo/tuyen-sinh/${C}/ket-qua.csv`)).status).toBe(403);
  });

  it('a re-run published later: the earlier run can no longer send notices, the new one overwrites nothing decided', async () => {
    const rerun = await runToDone();
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${rerun}/publish`)).status).toBe(200);
    const old = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${runId}/notices`);
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe('NOTICES_NOT_ALLOWED');
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment/${rerun}/notices`)).status).toBe(202);
    const progress = await eventually(async () => {
      const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${rerun}/notices`);
      return res.body.decided === 8 ? res.body : undefined;
    }, 30_000);
    expect(progress).toMatchObject({ total: 8, applied: 0, signed: 0, failed: 0, decided: 8, supersededBy: null });

    // A batch of the earlier run delivered late does nothing, and the run's progress names the run that replaced it.
    await applyRunBatch(h.env.ctx, runId, null, null);
    const stopped = (await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).body;
    expect(stopped).toMatchObject({ supersededBy: rerun, decided: 1 });
  });

  it('keeps the counts per kind and only the first 1,000 problems; a retried batch replaces its own figures', async () => {
    const fake = (i: number, kind: 'decided' | 'failed') => ({ pupilIdNumber: `9${String(i).padStart(11, '0')}`, dossierId: '00000000-0000-4000-8000-000000000000', kind, status: '', message: 'x' });
    const many = Array.from({ length: 1200 }, (_, i) => fake(i, 'decided'));
    const pupils = many.map((i) => i.pupilIdNumber);
    await h.env.ctx.db.transaction((tx) => recordNoticeIssues(tx, runId, { after: '9', pupils }, many));
    let body = (await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).body;
    expect(body).toMatchObject({ decided: 1201, failed: 0 });
    expect(body.issues).toHaveLength(1000);
    expect(body.issues[0]).toMatchObject({ pupilIdNumber: pid(8), kind: 'decided' });
    await h.env.ctx.db.transaction((tx) => recordNoticeIssues(tx, runId, { after: '9', pupils }, [fake(7, 'failed')]));
    body = (await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${runId}/notices`)).body;
    expect(body).toMatchObject({ decided: 1, failed: 1 });
    expect(body.issues.map((i: { pupilIdNumber: string }) => i.pupilIdNumber)).toEqual([pid(8), fake(7, 'failed').pupilIdNumber]);
  });
});
