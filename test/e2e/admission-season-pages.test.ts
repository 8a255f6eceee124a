// The admission season's pages, one app for all: the campaign form's seven windows, the scores upload (per-line errors
// next to the form, then the count and who imported it), the runs page (start with confirmation, a run held running
// refused and shown refreshing, a run to the end, stats, cut-offs, changes of a re-run, publication, results CSV), the
// season tabs, who may open them; and the public page (/tuyen-sinh: demand while registration is open, cut-offs once
// published, the result look-up with one 404 message whatever was wrong, 422 next to the fields, CSRF checked).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionRuns } from '../../src/db/schema/admissions.js';
import { clearCampaignDemandCache } from '../../src/services/admission-lookup/demand.js';
import { clearPublicCampaignsCache } from '../../src/services/admission-lookup/public-campaigns.js';
import { clearAdmissionResultCache } from '../../src/services/admission-lookup/result.js';
import { runAssignment } from '../../src/services/admissions/assignment-runs.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { listenForHttp, type ApiClient } from '../helpers/http.js';
import { signInPages, type PageSession } from '../helpers/page-session.js';
import { uploads } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const C = 'ts10-trang';
const BASE = `/quan-tri/tuyen-sinh/${C}`;
const [A, B] = ['thpt-lam-son', 'thpt-dao-duy-tu'];
const HOUR = 3_600_000;
const PUPILS = [
  { id: '038311100001', birth: '2011-04-20', choices: [A, B], score: '40' },
  { id: '038311100002', birth: '2011-05-21', choices: [A, B], score: '35,5' },
  { id: '038311100003', birth: '2011-06-22', choices: [B, A], score: '30' },
  { id: '038311100004', birth: '2011-07-23', choices: [A] },
];

let env: TestEnvironment;
let api: ApiClient;
let admin: PageSession;

/** datetime-local in Vietnam time (UTC+7), as the form's inputs send it. */
const vnLocal = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 16);
const scores = (override: Record<string, string> = {}) => ['pupilIdNumber,score,priorityPoints',
  ...PUPILS.filter((p) => p.score).map((p) => `${p.id},"${override[p.id] ?? p.score}",0`)].join('\n');
const runIdIn = (location: string | undefined) => /xet-tuyen\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1];

async function startAndFinishRun(): Promise<string> {
  const started = await admin.post(`${BASE}/xet-tuyen`, { 'xac-nhan': 'co' });
  expect(started.status, started.body).toBe(303);
  const runId = runIdIn(started.location)!;
  // The job may already be running in this process's worker; the job is idempotent, so finishing it here is safe.
  await runAssignment(env.ctx, runId);
  return runId;
}

/** An anonymous browser on the public page: its CSRF cookie and token. */
async function publicVisit(url: string) {
  const page = await env.app.inject({ method: 'GET', url });
  const cookie = page.cookies.find((c) => c.name === 'motcua_csrf')?.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const post = async (path: string, form: Record<string, string>, token = csrf) => env.app.inject({
    method: 'POST', url: path, cookies: cookie ? { motcua_csrf: cookie } : {}, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...(token ? { _csrf: token } : {}), ...form }).toString(),
  });
  return { page, post };
}

beforeAll(async () => {
  env = await startTestEnvironment('production');
  api = await listenForHttp(env);
  admin = await signInPages(env, 'admin');
});
afterAll(async () => { await env?.close(); });

describe('the admission season pages', () => {
  it('creates a campaign with its seven windows from the form (Vietnam time), registration alone required', async () => {
    const form = await admin.get('/quan-tri/tuyen-sinh/moi');
    expect(form.status).toBe(200);
    for (const label of ['Tiền kiểm thông tin học sinh', 'Đăng ký dự tuyển', 'Điều chỉnh nguyện vọng', 'Công bố kết quả', 'Phúc khảo', 'Xác nhận nhập học', 'Tuyển bổ sung']) {
      expect(form.body).toContain(label);
    }
    const now = Date.now();
    const fields = {
      id: C, name: 'Tuyển sinh lớp 10 (trang)', grade: '10', schoolYear: '2026-2027', choices: '3', rule: 'deferred-acceptance', tieBreak: 'lottery',
      'windows.registration.opensAt': vnLocal(now - HOUR), 'windows.registration.closesAt': vnLocal(now + 24 * HOUR),
      'windows.remarking.opensAt': vnLocal(now + 48 * HOUR), 'windows.remarking.closesAt': vnLocal(now + 72 * HOUR),
      [`quota.${A}`]: '1', [`quota.${B}`]: '2',
    };
    const missing = await admin.post('/quan-tri/tuyen-sinh/moi', { ...fields, 'windows.registration.opensAt': '' });
    expect(missing.status).toBe(422);
    const saved = await admin.post('/quan-tri/tuyen-sinh/moi', fields);
    expect(saved.status, saved.body).toBe(303);
    const edit = await admin.get(BASE);
    expect(edit.body).toContain(`name="windows.remarking.opensAt" type="datetime-local" value="${vnLocal(now + 48 * HOUR)}"`);
    // The season's tabs, the campaign form's marked as the current one.
    expect(edit.body).toMatch(new RegExp(`href="${BASE}"\\s+aria-current="page">Thông tin kỳ tuyển sinh`));
    for (const tab of ['tien-kiem', 'diem', 'xet-tuyen', 'thong-bao', 'phuc-khao', 'nhap-hoc']) expect(edit.body).toContain(`href="${BASE}/${tab}"`);

    const files = await uploads(DOCS);
    for (const p of PUPILS) {
      const filed = await api.submit('admission-registration', {
        campaign: C, grade: '10', pupilName: 'Lê Minh Khôi', pupilIdNumber: p.id, pupilBirthDate: p.birth, pupilGender: 'male',
        residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Lê Văn Hùng', parentPhone: '0912000222',
        priority: 'none', ...Object.fromEntries(p.choices.map((c, i) => [`choice${i + 1}`, c])),
      }, files);
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    }
  });

  it('refuses the public and other staff', async () => {
    const anonymous = await env.app.inject({ method: 'GET', url: `${BASE}/diem` });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`${BASE}/diem`)}`);
    const leader = await signInPages(env, 'leader');
    for (const url of [`${BASE}/diem`, `${BASE}/xet-tuyen`]) expect((await leader.get(url)).status, url).toBe(403);
    expect((await leader.post(`${BASE}/xet-tuyen`, { 'xac-nhan': 'co' })).status).toBe(403);
    expect((await admin.get('/quan-tri/tuyen-sinh/khong-co/diem')).status).toBe(404);
    expect((await admin.get(`${BASE}/xet-tuyen/khong-phai-ma`)).status).toBe(404);
  });

  it('uploads scores: every bad line listed next to the form, nothing imported; then the count and who imported them', async () => {
    const page = await admin.get(`${BASE}/diem`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Chưa nhập điểm thi');
    expect(page.body).toMatch(/href="[^"]+\/diem"\s+aria-current="page"/);
    const bad = await admin.upload(`${BASE}/diem`, { field: 'file', fileName: 'diem.csv', data: ['pupilIdNumber,score,priorityPoints', '12345,40,0', `${PUPILS[0]!.id},4x,0`].join('\n') });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('<th scope="row">Dòng 2</th>');
    expect(bad.body).toContain('<th scope="row">Dòng 3</th>');
    expect(bad.body).toContain('mã định danh học sinh gồm đúng 12 chữ số');
    expect((await admin.get(`${BASE}/diem`)).body).toContain('Chưa nhập điểm thi');
    const empty = await admin.upload(`${BASE}/diem`, { field: 'file', fileName: 'diem.csv', data: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('Chọn tệp CSV hoặc XLSX.');

    const ok = await admin.upload(`${BASE}/diem`, { field: 'file', fileName: 'diem.csv', data: scores() });
    expect(ok.status, ok.body).toBe(303);
    const after = await admin.get(ok.location!);
    expect(after.body).toContain('Đã nhập tệp điểm');
    expect(after.body).toMatch(/<strong>3<\/strong> học sinh có điểm, nhập lúc [^<]+ bởi /);
  });

  let firstRun = '';
  it('starts a run only when confirmed, refuses one while another runs, and follows a run to its outcome', async () => {
    const page = await admin.get(`${BASE}/xet-tuyen`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Chưa có lượt xét tuyển nào.');
    const unconfirmed = await admin.post(`${BASE}/xet-tuyen`, {});
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body).toContain('Đánh dấu ô xác nhận để chạy xét tuyển.');

    // A run held 'running' by hand: the page refreshes itself and a second start is refused with the service's message.
    const [held] = await env.ctx.db.insert(admissionRuns).values({ campaignId: C, rule: 'deferred-acceptance', seed: 'held', progress: 0.4 }).returning();
    const heldPage = await admin.get(`${BASE}/xet-tuyen/${held!.id}`);
    expect(heldPage.status).toBe(200);
    expect(heldPage.body).toContain('<meta http-equiv="refresh" content="3">');
    expect(heldPage.body).toContain('value="40"');
    const refused = await admin.post(`${BASE}/xet-tuyen`, { 'xac-nhan': 'co' });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Kỳ tuyển sinh đang được xét tuyển');
    await env.ctx.db.update(admissionRuns).set({ status: 'failed', error: 'Dừng để thử', finishedAt: new Date() }).where(eq(admissionRuns.id, held!.id));

    firstRun = await startAndFinishRun();
    const run = await admin.get(`${BASE}/xet-tuyen/${firstRun}`);
    expect(run.status).toBe(200);
    expect(run.body).not.toContain('http-equiv="refresh"');
    expect(run.body).toContain('<dd id="run-status">Hoàn tất</dd>');
    // A (quota 1) takes pupil 1 (40); B (quota 2) takes pupils 2 and 3; pupil 4 has no score.
    expect(run.body).toContain('<dd>3 / 1</dd>');
    expect(run.body).toContain('Học sinh đăng ký nhưng không có điểm (1)');
    expect(run.body).toContain(PUPILS[3]!.id);
    expect(run.body).toContain('Đây là lượt hoàn tất đầu tiên');
    expect(run.body).toMatch(/<td>[^<]*Lam Sơn[^<]*<\/td><td>1<\/td><td>1<\/td><td>40,00<\/td>/);

    const list = await admin.get(`${BASE}/xet-tuyen`);
    expect(list.body).toMatch(/Hoàn tất<\/td>\s*<td>3<\/td>\s*<td>1<\/td>/);
    expect(list.body).toContain('Lỗi');

    const csv = await env.app.inject({ method: 'GET', url: `${BASE}/xet-tuyen/${firstRun}/ket-qua.csv`, cookies: {} });
    expect(csv.statusCode).toBe(303); // anonymous: sign in first
  });

  it('downloads results, publishes with confirmation and shows what a re-run changed', async () => {
    const unconfirmed = await admin.post(`${BASE}/xet-tuyen/${firstRun}/cong-bo`, {});
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body).toContain('Đánh dấu ô xác nhận để công bố kết quả.');
    const published = await admin.post(`${BASE}/xet-tuyen/${firstRun}/cong-bo`, { 'xac-nhan': 'co' });
    expect(published.status).toBe(303);
    const shown = await admin.get(published.location!);
    expect(shown.body).toContain('Đã công bố kết quả của lượt xét tuyển này');
    expect(shown.body).toContain('Đã công bố lúc');
    expect(shown.body).not.toContain('Công bố kết quả</button>');

    // A re-marking moves pupil 2 above pupil 1 at A: they swap schools, and the re-run's changes list exactly those two.
    expect((await admin.upload(`${BASE}/diem`, { field: 'file', fileName: 'diem.csv', data: scores({ [PUPILS[1]!.id]: '41' }) })).status).toBe(303);
    const second = await startAndFinishRun();
    const rerun = await admin.get(`${BASE}/xet-tuyen/${second}`);
    expect(rerun.body).toContain('2 học sinh có kết quả khác');
    expect(rerun.body).toContain(`<td>${PUPILS[1]!.id}</td>`);
    expect(rerun.body).toContain(`<td>${PUPILS[0]!.id}</td>`);
  });

  it('serves the results CSV to the administrator', async () => {
    const session = await signInPages(env, 'admin');
    const list = await session.get(`${BASE}/xet-tuyen`);
    const url = /href="([^"]+ket-qua\.csv)"/.exec(list.body)![1]!;
    const csv = await session.get(url);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('pupilIdNumber,school,choiceRank,total');
    // The latest done run: the re-run, where pupil 1 went to B, their second choice.
    expect(csv.body).toContain(`${PUPILS[0]!.id},${B},2,40.00`);
  });
});

describe('the public admission page', () => {
  it('is linked from the home page and the registration procedure, and lists the campaign', async () => {
    expect((await env.app.inject({ method: 'GET', url: '/' })).body).toContain('href="/tuyen-sinh"');
    expect((await env.app.inject({ method: 'GET', url: '/thu-tuc/admission-registration' })).body).toContain('href="/tuyen-sinh"');
    clearPublicCampaignsCache(env.ctx);
    const list = await env.app.inject({ method: 'GET', url: '/tuyen-sinh' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/tuyen-sinh/${C}"`);
    expect(list.body).toContain('Đang mở đăng ký');
    expect((await env.app.inject({ method: 'GET', url: '/tuyen-sinh/khong-co' })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: '/tuyen-sinh/%3Cscript%3E' })).statusCode).toBe(404);
  });

  it('shows the demand, the published cut-offs and answers a look-up with one message whatever was wrong', async () => {
    clearPublicCampaignsCache(env.ctx);
    clearCampaignDemandCache(env.ctx);
    clearAdmissionResultCache(env.ctx);
    const { page, post } = await publicVisit(`/tuyen-sinh/${C}`);
    expect(page.statusCode).toBe(200);
    // Demand: A is listed by pupils 1, 2, 3, 4 (first choice of 1, 2, 4); B by 1, 2, 3 (first choice of 3).
    expect(page.body).toMatch(new RegExp(`data-school="${A}"><td>[^<]+</td><td>1</td><td>4</td><td>3</td>`));
    expect(page.body).toMatch(new RegExp(`data-school="${B}"><td>[^<]+</td><td>2</td><td>3</td><td>1</td>`));
    // The cut-offs of the published (first) run, not the re-run's.
    expect(page.body).toMatch(new RegExp(`id="cutoffs"[\\s\\S]*data-school="${A}"><td>[^<]+</td><td>1</td><td>1</td><td>40,00</td>`));

    const found = await post(`/tuyen-sinh/${C}/tra-cuu`, { pupilIdNumber: PUPILS[0]!.id, birthDate: PUPILS[0]!.birth });
    expect(found.statusCode).toBe(200);
    expect(found.body).toMatch(/trúng tuyển [^<]*Lam Sơn[^<]*<\/strong> \(nguyện vọng 1\)/);
    const wrongBirth = await post(`/tuyen-sinh/${C}/tra-cuu`, { pupilIdNumber: PUPILS[0]!.id, birthDate: '2011-01-01' });
    const unknown = await post(`/tuyen-sinh/${C}/tra-cuu`, { pupilIdNumber: '038311199999', birthDate: PUPILS[0]!.birth });
    expect(wrongBirth.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const message = (body: string) => /<p class="notice error" role="alert">([^<]+)<\/p>/.exec(body)?.[1];
    expect(message(wrongBirth.body)).toBeTruthy();
    expect(message(wrongBirth.body)).toBe(message(unknown.body));
    const malformed = await post(`/tuyen-sinh/${C}/tra-cuu`, { pupilIdNumber: '12ab', birthDate: '2011-02-30' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain('Số định danh cá nhân gồm đúng 12 chữ số.');
    expect(malformed.body).toContain('Ngày sinh không có thật.');
    const forged = await post(`/tuyen-sinh/${C}/tra-cuu`, { pupilIdNumber: PUPILS[0]!.id, birthDate: PUPILS[0]!.birth }, 'forged');
    expect(forged.statusCode).toBe(403);
  });
});
