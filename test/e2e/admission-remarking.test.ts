// Re-marking (phúc khảo) through the API on PostgreSQL + Redis with the BullMQ driver: a campaign of 2 schools with one
// seat each and 4 registered pupils, a first run, requests refused outside the window, by strangers, twice and for a
// pupil without a score, then filed by the tracking token's holder and by a signed-in parent; the administrator answers
// changed (the score row updated), unchanged and refused, once each; a re-run's changes report names the re-marked
// pupil with the score before and after; the answer is a history event and an e-mail queued (and sent) to the parent.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { admissionCampaigns, admissionRemarkingRequests, admissionScores } from '../../src/db/schema/admissions.js';
import { dossierEvents, dossiers } from '../../src/db/schema/dossiers.js';
import { citizenNotifications } from '../../src/db/schema/notifications.js';
import { outbox } from '../../src/db/schema/index.js';
import { signInCitizen, type SignedInCitizen } from '../helpers/citizen-session.js';
import { signInPages } from '../helpers/page-session.js';
import { eventually } from '../helpers/http.js';
import { startHarness, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-phuc-khao';
const [A, B] = ['thpt-lam-son', 'thpt-dao-duy-tu'];
const pid = (n: number) => `03832000${String(n).padStart(4, '0')}`;
let h: Harness;
let parent: SignedInCitizen;
let stranger: SignedInCitizen;
/** Pupil number → { code, trackingToken } of the registration. */
const filed = new Map<number, { code: string; trackingToken: string }>();
let firstRun = '';

const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? (h.tokens[who] ?? who) : undefined, json });
const asCitizen = (who: SignedInCitizen, method: string, path: string, json?: unknown) =>
  h.api.json(method, path, { json, headers: { cookie: who.cookie, origin: new URL(h.env.ctx.config.publicUrl).origin } });
const request = (n: number, extra: Record<string, unknown> = {}) => ({ campaign: C, pupilIdNumber: pid(n), subjects: ['Toán'], ...extra });

async function setRemarkingWindow(opensIn: number, closesIn: number) {
  const [row] = await h.env.ctx.db.select().from(admissionCampaigns).where(eq(admissionCampaigns.id, C));
  const windows = { ...row!.windows, remarking: { opensAt: new Date(Date.now() + opensIn).toISOString(), closesAt: new Date(Date.now() + closesIn).toISOString() } };
  await h.env.ctx.db.update(admissionCampaigns).set({ windows }).where(eq(admissionCampaigns.id, C));
}

async function runToEnd(): Promise<string> {
  const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const body = await eventually(async () => {
    const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${started.body.runId}`);
    return res.body.status === 'running' ? undefined : res.body;
  });
  expect(body.status).toBe('done');
  return started.body.runId;
}

const scoreOf = async (n: number) => (await h.env.ctx.db.select().from(admissionScores)
  .where(and(eq(admissionScores.campaignId, C), eq(admissionScores.pupilIdNumber, pid(n)))))[0]?.score;

beforeAll(async () => {
  h = await startHarness('production', ['admin', 'school']);
  parent = await signInCitizen(h.env.ctx.db, {
    fullName: 'Nguyễn Thị Lan', email: 'lan.phuhuynh@example.vn', phone: '0912000333', loa: 'vneid-2', permanentAddress: 'Phường Ba Đình, TP Thanh Hóa',
    family: [{ relation: 'child', personalId: pid(3), fullName: 'Học sinh 3', birthDate: '2011-05-03', gender: 'male' }],
  });
  stranger = await signInCitizen(h.env.ctx.db, { fullName: 'Trần Văn Nam' });
});
afterAll(async () => { await h?.env.close(); });

describe('re-marking requests, updated scores and the re-run report', () => {
  it('sets up a season: 4 registrations (one by a signed-in parent), scores for 3, a first run', async () => {
    const created = await as('admin', 'POST', '/api/admin/campaigns', {
      id: C, name: 'Tuyển sinh lớp 10 (phúc khảo)', grade: 10, schoolYear: '2026-2027', choices: 2,
      windows: { registration: { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() } },
      schools: [{ unitId: A, quota: 1 }, { unitId: B, quota: 1 }], rule: 'deferred-acceptance', tieBreak: ['lottery'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const n of [1, 2, 3, 4]) {
      const rest = { campaign: C, previousSchool: 'THCS Trần Mai Ninh', choice1: A, choice2: B, priority: 'none' };
      // Pupil 3: the signed-in parent files for their child (the pupil's identity comes from VNeID's family claims).
      const form = h.api.submitForm('admission-registration', n === 3 ? rest : {
        ...rest, grade: '10', pupilName: `Học sinh ${n}`, pupilIdNumber: pid(n), pupilBirthDate: `2011-05-0${n}`, pupilGender: 'male',
        residence: 'Phường Ba Đình, TP Thanh Hóa', parentName: 'Nguyễn Thị Lan', parentPhone: '0912000333',
        ...(n === 1 ? { parentEmail: 'lan.phuhuynh@example.vn' } : {}),
      }, await uploads(DOCS));
      if (n === 3) { form.append('filedFor', 'child'); form.append('childPersonalId', pid(3)); }
      const res = await h.api.json('POST', '/api/dossiers', { form, headers: n === 3 ? { cookie: parent.cookie, origin: new URL(h.env.ctx.config.publicUrl).origin } : {} });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      filed.set(n, { code: res.body.code, trackingToken: res.body.trackingToken });
    }
    const form = new FormData();
    form.append('file', new Blob([['pupilIdNumber,score,priorityPoints', `${pid(1)},20,0`, `${pid(2)},30,0`, `${pid(3)},25,0`].join('\n')], { type: 'text/csv' }), 'diem.csv');
    expect((await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form })).status).toBe(200);
    firstRun = await runToEnd();
    const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${firstRun}`)).body;
    expect(results.find((r: any) => r.pupilIdNumber === pid(1))).toMatchObject({ school: null });
    expect(results.find((r: any) => r.pupilIdNumber === pid(2))).toMatchObject({ school: A });
    expect(results.find((r: any) => r.pupilIdNumber === pid(3))).toMatchObject({ school: B });
  });

  it('refuses outside the window: none set, closed, not yet open (409 ADMISSION_WINDOW_CLOSED)', async () => {
    const token = filed.get(1)!.trackingToken;
    const none = await as(token, 'POST', '/api/admissions/remarking', request(1));
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    await setRemarkingWindow(-2 * HOUR, -HOUR);
    const closed = await as(token, 'POST', '/api/admissions/remarking', request(1));
    expect(closed.body.error).toMatchObject({ code: 'ADMISSION_WINDOW_CLOSED', message: expect.stringContaining('đã kết thúc') });
    await setRemarkingWindow(HOUR, 2 * HOUR);
    expect((await as(token, 'POST', '/api/admissions/remarking', request(1))).body.error.message).toContain('chưa bắt đầu');
    await setRemarkingWindow(-HOUR, 24 * HOUR);
  });

  it('refuses whoever is not the registration\'s citizen, malformed input and a pupil without a score', async () => {
    // Another registration's token, no token, a signed-in stranger: the same 404 as an unknown pupil.
    for (const res of [
      await as(filed.get(2)!.trackingToken, 'POST', '/api/admissions/remarking', request(1)),
      await as(undefined, 'POST', '/api/admissions/remarking', request(1)),
      await asCitizen(stranger, 'POST', '/api/admissions/remarking', request(3)),
      await as(filed.get(1)!.trackingToken, 'POST', '/api/admissions/remarking', request(9)),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('DOSSIER_NOT_FOUND');
    }
    // Staff are no parent: a school's clerk who cannot reach the dossier 403, and nobody else files for the family.
    expect((await as('school', 'POST', '/api/admissions/remarking', request(1))).status).toBe(403);
    const bad = await as(filed.get(1)!.trackingToken, 'POST', '/api/admissions/remarking', { campaign: C, pupilIdNumber: pid(1), subjects: ['Toán', 'Hóa học', 'Toán'] });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toContain('subjects.1');
    expect((await as(filed.get(1)!.trackingToken, 'POST', '/api/admissions/remarking', { ...request(1), subjects: [] })).body.error.fields).toHaveProperty('subjects');
    const noScore = await as(filed.get(4)!.trackingToken, 'POST', '/api/admissions/remarking', request(4));
    expect(noScore.status).toBe(422);
    expect(noScore.body.error.fields.pupilIdNumber).toContain('chưa có điểm');
  });

  it('pages: the signed-in parent files on /ho-so/:code/phuc-khao (linked from the dossier page), errors next to the fields', async () => {
    const code = filed.get(3)!.code;
    const [name, value] = parent.cookie.split('=') as [string, string];
    const cookies: Record<string, string> = { [name]: value };
    const page = await h.env.app.inject({ method: 'GET', url: `/ho-so/${code}/phuc-khao`, cookies });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="remarking-form"');
    for (const subject of ['Ngữ văn', 'Toán', 'Ngoại ngữ', 'Môn chuyên']) expect(page.body).toContain(`value="${subject}"`);
    expect((await h.env.app.inject({ method: 'GET', url: `/ho-so/${code}`, cookies })).body).toContain(`href="/ho-so/${code}/phuc-khao"`);
    // Someone else's browser: the dossier is not theirs.
    const [sName, sValue] = stranger.cookie.split('=') as [string, string];
    expect((await h.env.app.inject({ method: 'GET', url: `/ho-so/${code}/phuc-khao`, cookies: { [sName]: sValue } })).statusCode).toBe(404);

    cookies.motcua_csrf = page.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (form: Array<[string, string]>) => h.env.app.inject({
      method: 'POST', url: `/ho-so/${code}/phuc-khao`, cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', csrf], ...form]).toString(),
    });
    const empty = await post([['reason', 'Xin phúc khảo']]);
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="subjects-error">Chọn ít nhất một môn/);
    expect(empty.body).toContain('Xin phúc khảo</textarea>');
    const ok = await post([['subject-3', 'Môn chuyên'], ['reason', '']]);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/ho-so/${code}/phuc-khao?tb=da-nop`);
    const after = await h.env.app.inject({ method: 'GET', url: `/ho-so/${code}/phuc-khao?tb=da-nop`, cookies });
    expect(after.body).toContain('Đã nộp đơn phúc khảo');
    expect(after.body).toMatch(/data-testid="remarking-status">Đang chờ kết quả/);
    expect(after.body).not.toContain('data-testid="remarking-form"');
  });

  it('files by the tracking token and by the signed-in parent; a second request 409 REMARKING_EXISTS', async () => {
    const one = await as(filed.get(1)!.trackingToken, 'POST', '/api/admissions/remarking', request(1, { subjects: ['Toán', 'Ngữ văn'], reason: 'Bài làm đủ ý, điểm thấp bất thường.' }));
    expect(one.status, JSON.stringify(one.body)).toBe(201);
    expect(one.body).toMatchObject({ pupilIdNumber: pid(1), dossierCode: filed.get(1)!.code, status: 'requested', subjects: ['Toán', 'Ngữ văn'], scoreBefore: null });
    const again = await as(filed.get(1)!.trackingToken, 'POST', '/api/admissions/remarking', request(1, { subjects: ['Ngoại ngữ'] }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REMARKING_EXISTS');
    expect((await as(filed.get(2)!.trackingToken, 'POST', '/api/admissions/remarking', request(2))).status).toBe(201);
    // Filed on the page above: the signed-in parent gets past the access check to the one-request rule.
    const three = await asCitizen(parent, 'POST', '/api/admissions/remarking', request(3, { subjects: ['Môn chuyên'] }));
    expect(three.body.error.code).toBe('REMARKING_EXISTS');

    const own = await as(filed.get(1)!.trackingToken, 'GET', `/api/admissions/remarking?campaign=${C}&pupilIdNumber=${pid(1)}`);
    expect(own.body).toMatchObject({ id: one.body.id, status: 'requested' });
    expect((await as(filed.get(2)!.trackingToken, 'GET', `/api/admissions/remarking?campaign=${C}&pupilIdNumber=${pid(1)}`)).status).toBe(404);
    expect((await as(filed.get(1)!.trackingToken, 'GET', `/api/admissions/remarking?campaign=${C}&pupilIdNumber=abc`)).status).toBe(422);

    const [event] = await h.env.ctx.db.select().from(dossierEvents).innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId))
      .where(and(eq(dossiers.code, filed.get(1)!.code), eq(dossierEvents.action, 'remarking_requested')));
    expect(event!.dossier_events).toMatchObject({ actorKind: 'citizen', comment: 'Bài làm đủ ý, điểm thấp bất thường.' });
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.remarking_filed', target: filed.get(3)!.code, limit: 1 });
    expect(audit).toMatchObject({ actorKind: 'citizen', details: { pupilIdNumber: pid(3), subjects: ['Môn chuyên'] } });
  });

  it('lets the administrator list and answer each request once: changed (score updated), unchanged, refused', async () => {
    const list = await as('admin', 'GET', `/api/admin/campaigns/${C}/remarking?status=requested`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 3, page: 1 });
    const idOf = (n: number) => list.body.items.find((i: any) => i.pupilIdNumber === pid(n)).id as string;
    expect(list.body.items.find((i: any) => i.pupilIdNumber === pid(1))).toMatchObject({ currentScore: 20, pupilName: 'Học sinh 1' });
    expect((await as('school', 'GET', `/api/admin/campaigns/${C}/remarking`)).status).toBe(403);
    expect((await as('school', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'refused', note: 'x' })).status).toBe(403);

    const noScore = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'changed', note: 'Chấm lại môn Toán.' });
    expect(noScore.status).toBe(422);
    expect(noScore.body.error.fields).toHaveProperty('newScore');
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'changed', newScore: '35,125', note: 'x' })).status).toBe(422);
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'changed', newScore: 35 })).body.error.fields).toHaveProperty('note');
    expect((await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/00000000-0000-4000-8000-000000000000`, { outcome: 'refused', note: 'x' })).status).toBe(404);
    expect(await scoreOf(1)).toBe(2000);

    const versionBefore = (await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.code, filed.get(1)!.code)))[0]!.version;
    const changed = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'changed', newScore: '35,25', note: 'Chấm lại môn Toán: cộng 15,25 điểm.' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ status: 'changed', scoreBefore: 20, scoreAfter: 35.25 });
    expect(await scoreOf(1)).toBe(3525);
    const twice = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(1)}`, { outcome: 'unchanged', note: 'x' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('REMARKING_DECIDED');
    expect(await scoreOf(1)).toBe(3525);

    // The answer: a history event, the notify-citizen row for its version, the e-mail sent by the worker, the audit entry.
    const dossier = (await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.code, filed.get(1)!.code)))[0]!;
    expect(dossier.version).toBe(versionBefore + 1);
    const queued = await h.env.ctx.db.select().from(outbox).where(sql`${outbox.job} = 'notify-citizen' and ${outbox.payload} ->> 'dossierId' = ${dossier.id}`);
    expect(queued.map((r) => r.payload)).toContainEqual(expect.objectContaining({ dossierId: dossier.id, dossierVersion: dossier.version })); // the relay may have added its batch key
    const sent = await eventually(async () => (await h.env.ctx.db.select().from(citizenNotifications)
      .where(and(eq(citizenNotifications.dossierId, dossier.id), eq(citizenNotifications.dossierVersion, dossier.version))))[0]);
    expect(sent).toMatchObject({ channel: 'email', recipient: 'lan.phuhuynh@example.vn', subject: expect.stringContaining('Kết quả phúc khảo: Thay đổi điểm') });
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.remarking_decided', target: C, limit: 1 });
    expect(audit).toMatchObject({ details: { pupilIdNumber: pid(1), outcome: 'changed', scoreBefore: 2000, scoreAfter: 3525 } });

    const unchanged = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(2)}`, { outcome: 'unchanged', note: 'Giữ nguyên điểm.' });
    expect(unchanged.body).toMatchObject({ status: 'unchanged', scoreBefore: 30, scoreAfter: 30 });
    const refused = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${idOf(3)}`, { outcome: 'refused', newScore: '', note: 'Đơn nộp không đúng môn đã thi.' });
    expect(refused.body).toMatchObject({ status: 'refused', scoreBefore: 25, scoreAfter: null });
    expect([await scoreOf(2), await scoreOf(3)]).toEqual([3000, 2500]);
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/remarking?status=requested`)).body.total).toBe(0);
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/remarking?status=changed`)).body.items.map((i: any) => i.pupilIdNumber)).toEqual([pid(1)]);

    const own = await asCitizen(parent, 'GET', `/api/admissions/remarking?campaign=${C}&pupilIdNumber=${pid(3)}`);
    expect(own.body).toMatchObject({ status: 'refused', note: 'Đơn nộp không đúng môn đã thi.', statusLabel: 'Không chấp nhận đơn' });
    const [name, value] = parent.cookie.split('=') as [string, string];
    const page = await h.env.app.inject({ method: 'GET', url: `/ho-so/${filed.get(3)!.code}/phuc-khao`, cookies: { [name]: value } });
    expect(page.body).toMatch(/data-testid="remarking-status">Không chấp nhận đơn/);
    expect(page.body).toContain('Đơn nộp không đúng môn đã thi.');
  });

  it('admin page: the requests by status, the answer form, its errors next to the fields', async () => {
    const admin = await signInPages(h.env, 'admin');
    const all = await admin.get(`/quan-tri/tuyen-sinh/${C}/phuc-khao`);
    expect(all.status).toBe(200);
    for (const n of [1, 2, 3]) expect(all.body).toContain(`data-pupil="${pid(n)}"`);
    expect(all.body).toContain('20,00 → 35,25');
    expect(all.body).not.toContain('data-decide=');
    const changed = await admin.get(`/quan-tri/tuyen-sinh/${C}/phuc-khao?status=changed`);
    expect(changed.body).toContain(`data-pupil="${pid(1)}"`);
    expect(changed.body).not.toContain(`data-pupil="${pid(2)}"`);
    expect((await admin.get(`/quan-tri/tuyen-sinh/${C}/phuc-khao?status=xyz`)).status).toBe(422);
    const school = await signInPages(h.env, 'school');
    expect((await school.get(`/quan-tri/tuyen-sinh/${C}/phuc-khao`)).status).toBe(403);
    // A request still waiting (pupil 4 gets a score and files): its form, a mistake shown next to the field, then the answer.
    await h.env.ctx.db.insert(admissionScores).values({ campaignId: C, pupilIdNumber: pid(4), score: 1000 });
    const four = await as(filed.get(4)!.trackingToken, 'POST', '/api/admissions/remarking', request(4));
    expect(four.status).toBe(201);
    // A score file imported since without the pupil: the request cannot be answered yet (a conflict, not a form error).
    await h.env.ctx.db.delete(admissionScores).where(and(eq(admissionScores.campaignId, C), eq(admissionScores.pupilIdNumber, pid(4))));
    const gone = await as('admin', 'POST', `/api/admin/campaigns/${C}/remarking/${four.body.id}`, { outcome: 'unchanged', note: 'Giữ nguyên.' });
    expect(gone.status).toBe(409);
    expect(gone.body.error).toMatchObject({ code: 'REMARKING_NO_SCORE', message: expect.stringContaining('không còn điểm thi') });
    await h.env.ctx.db.insert(admissionScores).values({ campaignId: C, pupilIdNumber: pid(4), score: 1000 });
    const waiting = await admin.get(`/quan-tri/tuyen-sinh/${C}/phuc-khao?status=requested`);
    expect(waiting.body).toContain(`data-decide="${pid(4)}"`);
    const action = new RegExp(`action="(/quan-tri/tuyen-sinh/${C}/phuc-khao/[0-9a-f-]+)"`).exec(waiting.body)![1]!;
    const bad = await admin.post(action, { outcome: 'changed', newScore: 'mười', note: 'Chấm lại.' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatch(/-error">Nhập điểm thi mới/);
    const ok = await admin.post(action, { outcome: 'unchanged', newScore: '', note: 'Giữ nguyên.' });
    expect(ok.status).toBe(303);
    expect((await admin.get(ok.location!)).body).toContain('Đã trả lời đơn phúc khảo');
    await h.env.ctx.db.delete(admissionScores).where(and(eq(admissionScores.campaignId, C), eq(admissionScores.pupilIdNumber, pid(4))));
  });

  it('re-runs: the changes report names who moved, and the re-marked pupil with the score before and after', async () => {
    const second = await runToEnd();
    const changes = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${second}/changes?since=${firstRun}`);
    expect(changes.status).toBe(200);
    // (toMatchObject: the outcomes may carry more than school and rank, e.g. the category.)
    expect(changes.body).toMatchObject([
      { pupilIdNumber: pid(1), before: { school: null, choiceRank: null }, after: { school: A, choiceRank: 1 }, remarked: { before: 20, after: 35.25 } },
      { pupilIdNumber: pid(2), before: { school: A, choiceRank: 1 }, after: { school: B, choiceRank: 2 } },
      { pupilIdNumber: pid(3), before: { school: B, choiceRank: 2 }, after: { school: null, choiceRank: null } },
    ]);
    // Pupils 2 and 3 moved because pupil 1 did: their scores are their own (unchanged, refused), so no `remarked`.
    expect(changes.body.filter((c: any) => 'remarked' in c).map((c: any) => c.pupilIdNumber)).toEqual([pid(1)]);
    // A decision made while the later run was running is not in that run (it read the scores when it started).
    const run = (await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${second}`)).body;
    const [started, finished] = [Date.parse(run.startedAt), Date.parse(run.finishedAt)];
    expect(finished - started).toBeGreaterThanOrEqual(2);
    const [decision] = await h.env.ctx.db.select().from(admissionRemarkingRequests).where(and(eq(admissionRemarkingRequests.campaignId, C), eq(admissionRemarkingRequests.pupilIdNumber, pid(1))));
    await h.env.ctx.db.update(admissionRemarkingRequests).set({ decidedAt: new Date(Math.floor((started + finished) / 2)) }).where(eq(admissionRemarkingRequests.id, decision!.id));
    const during = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${second}/changes?since=${firstRun}`);
    expect(during.body.find((c: any) => c.pupilIdNumber === pid(1))).not.toHaveProperty('remarked');
    await h.env.ctx.db.update(admissionRemarkingRequests).set({ decidedAt: decision!.decidedAt }).where(eq(admissionRemarkingRequests.id, decision!.id));
    // Between two runs after the re-marking nothing is told twice.
    const third = await runToEnd();
    expect((await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${third}/changes?since=${second}`)).body).toEqual([]);
  });

  it('importing the scores file again keeps the re-marked score (reported as remarkedKept) and replaces the others', async () => {
    const form = new FormData();
    form.append('file', new Blob([['pupilIdNumber,score,priorityPoints', `${pid(1)},20,0`, `${pid(2)},31,0`, `${pid(3)},25,0`].join('\n')], { type: 'text/csv' }), 'diem-lan-2.csv');
    const res = await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ imported: 3, replaced: 3, remarkedKept: [{ pupilIdNumber: pid(1), fileScore: 20, score: 35.25 }] });
    expect([await scoreOf(1), await scoreOf(2), await scoreOf(3), await scoreOf(4)]).toEqual([3525, 3100, 2500, undefined]);
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.scores_imported', target: C, limit: 1 });
    expect(audit).toMatchObject({ details: { imported: 3, replaced: 3, remarkedKept: [pid(1)] } });
  });

  it('a request filed on another (refused) registration of the pupil: only that one exists, none of its content', async () => {
    // Pupil 4's first registration (which holds the answered request) is refused; someone else files a new one.
    await h.env.ctx.db.update(dossiers).set({ status: 'refused' }).where(eq(dossiers.code, filed.get(4)!.code));
    const form = h.api.submitForm('admission-registration', {
      campaign: C, previousSchool: 'THCS Trần Mai Ninh', choice1: A, choice2: B, priority: 'none', grade: '10',
      pupilName: 'Học sinh 4', pupilIdNumber: pid(4), pupilBirthDate: '2011-05-04', pupilGender: 'male',
      residence: 'Phường Ba Đình, TP Thanh Hóa', parentName: 'Lê Văn Hùng', parentPhone: '0912000444',
    }, await uploads(DOCS));
    const again = await h.api.json('POST', '/api/dossiers', { form });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    const remembered = Buffer.from(JSON.stringify([{ code: again.body.code, token: again.body.trackingToken }])).toString('base64url');
    const page = await h.env.app.inject({ method: 'GET', url: `/ho-so/${again.body.code}/phuc-khao`, cookies: { motcua_track: remembered } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="remarking-elsewhere">Học sinh này đã có đơn phúc khảo.');
    for (const hidden of ['data-testid="remarking-request"', 'data-testid="remarking-form"', 'Giữ nguyên.', filed.get(4)!.code]) expect(page.body).not.toContain(hidden);
    const api = await as(again.body.trackingToken, 'GET', `/api/admissions/remarking?campaign=${C}&pupilIdNumber=${pid(4)}`);
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('REMARKING_EXISTS');
    expect(JSON.stringify(api.body)).not.toContain('Giữ nguyên.');
  });
});
