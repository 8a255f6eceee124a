// Issue 14, registration with N choices in categories, over HTTP on PostgreSQL + Redis (the assignment job runs in the
// worker): a campaign of 8 choices in 4 categories with per-category quotas, the intake's choice checks, one live
// registration per pupil (two filings racing included), the assignment per school × category with per-category
// cut-offs, and the adjustment window (PUT /api/dossiers/:code/choices and the dossier page's form).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { dossierEvents, dossiers } from '../../src/db/schema/dossiers.js';
import { eventually } from '../helpers/http.js';
import { startHarness, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
const C = 'ts10-nhom';
const [A, B, S3] = ['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong'];
const open = { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() };
const later = { opensAt: new Date(Date.now() + 40 * 24 * HOUR).toISOString(), closesAt: new Date(Date.now() + 41 * 24 * HOUR).toISOString() };
const categories = [
  { id: 'chuyen', label: 'Chuyên', choices: 2 }, { id: 'tich-hop', label: 'Tích hợp', choices: 2 },
  { id: 'song-ngu', label: 'Song ngữ', choices: 2 }, { id: 'thuong', label: 'Thường', choices: 2 },
];
const campaign = {
  id: C, name: 'Tuyển sinh lớp 10 (nhóm nguyện vọng)', grade: 10, schoolYear: '2026-2027', choices: 8, categories,
  windows: { registration: open, adjustment: open },
  schools: [
    { unitId: A, quotas: { chuyen: 1, 'tich-hop': 1, 'song-ngu': 1, thuong: 1 } },
    { unitId: B, quota: 5, quotas: { chuyen: 1, 'tich-hop': 1, 'song-ngu': 1, thuong: 2 } },
    { unitId: S3, quotas: { thuong: 1 } },
  ],
  rule: 'deferred-acceptance', tieBreak: ['priorityPoints'],
};
const pid = (n: number) => `03831077${String(n).padStart(4, '0')}`;
let h: Harness;
const as = (who: string | undefined, method: string, path: string, json?: unknown) => h.api.json(method, path, { token: who ? h.tokens[who] : undefined, json });
const registration = (n: number, choices: Record<string, string>) => ({
  campaign: C, grade: '10', pupilName: `Học sinh ${n}`, pupilIdNumber: pid(n), pupilBirthDate: '2011-05-01', pupilGender: 'male',
  residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Lê Văn Cha', parentPhone: `09120077${String(n).padStart(2, '0')}`,
  priority: 'none', ...choices,
});
const file = async (n: number, choices: Record<string, string>) => h.api.submit('admission-registration', registration(n, choices), await uploads(DOCS));
const filed: Record<number, { code: string; trackingToken: string }> = {};

beforeAll(async () => { h = await startHarness('production', ['admin', 'school']); });
afterAll(async () => { await h?.env.close(); });

describe('a campaign with 8 choices in categories', () => {
  it('is created with categories and per-category quotas (the school quota is their sum), refused when they disagree', async () => {
    const bad = await as('admin', 'POST', '/api/admin/campaigns', {
      ...campaign, id: 'ts10-sai', categories: [...categories.slice(0, 3), { id: 'thuong', label: 'Thường', choices: 1 }],
      schools: [{ unitId: A, quota: 3, quotas: { chuyen: 1, thuong: 1 } }, { unitId: B, quotas: { 'khong-co': 2 } }, { unitId: S3, quota: 2 }],
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['categories', 'schools.0.quota', 'schools.1.quotas.khong-co', 'schools.2.quotas'].sort());
    expect(bad.body.error.fields.categories).toBe('Tổng số nguyện vọng của các nhóm (7) phải bằng số nguyện vọng của kỳ tuyển sinh (8).');
    const dupIds = await as('admin', 'POST', '/api/admin/campaigns', { ...campaign, id: 'ts10-sai', categories: [...categories.slice(0, 3), categories[0]] });
    expect(dupIds.body.error.fields).toMatchObject({ 'categories.3.id': 'Mã nhóm này đã có.' });
    const plainWithQuotas = await as('admin', 'POST', '/api/admin/campaigns', { ...campaign, id: 'ts10-sai', categories: undefined, choices: 3 });
    expect(plainWithQuotas.body.error.fields).toMatchObject({ 'schools.0.quotas': expect.any(String), 'schools.0.quota': 'Chưa nhập chỉ tiêu.' });

    const created = await as('admin', 'POST', '/api/admin/campaigns', campaign);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ choices: 8, categories });
    expect(created.body.schools).toEqual(expect.arrayContaining([
      expect.objectContaining({ unitId: A, quota: 4, quotas: { chuyen: 1, 'tich-hop': 1, 'song-ngu': 1, thuong: 1 } }),
      expect.objectContaining({ unitId: B, quota: 5 }), expect.objectContaining({ unitId: S3, quota: 1, quotas: { thuong: 1 } }),
    ]));
    // Changing the categories without the schools' quotas per category would leave them meaningless.
    const partial = await as('admin', 'PATCH', `/api/admin/campaigns/${C}`, { categories: [{ id: 'thuong', label: 'Thường', choices: 8 }] });
    expect(partial.body.error.fields).toEqual({ schools: expect.stringContaining('chỉ tiêu từng nhóm') });
  });

  it('takes 8 choices and checks them per category: offered, no gap, no school twice in a category, none beyond N', async () => {
    const eight = await file(4, { choice1: A, choice2: B, choice3: A, choice4: B, choice5: A, choice6: B, choice7: A, choice8: B });
    expect(eight.status, JSON.stringify(eight.body)).toBe(201);
    filed[4] = eight.body;
    const row = (await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.code, eight.body.code)))[0]!;
    expect(row.formData).toMatchObject({ choice8: B, choice8Label: 'Trường THPT Đào Duy Từ' });

    const wrong = await file(90, { choice1: S3, choice2: A, choice4: A, choice7: B, choice8: B });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields).toEqual({
      choice1: 'Trường này không tuyển sinh nhóm "Chuyên".',
      choice4: 'Cần chọn nguyện vọng 3 trước nguyện vọng 4.',
      choice8: 'Các nguyện vọng trong nhóm "Thường" phải là các trường khác nhau.',
    });
  });

  it('keeps one live registration per pupil: 409 DUPLICATE_REGISTRATION, also when two filings race', async () => {
    const again = await file(4, { choice1: A });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DUPLICATE_REGISTRATION');
    // Filed without an account: whoever files again is not told the existing dossier's code.
    expect(again.body.error.message).not.toContain(filed[4]!.code);
    expect(again.body.error.fields).toEqual({ pupilIdNumber: 'Học sinh này đã có hồ sơ đăng ký trong kỳ tuyển sinh.' });

    const race = await Promise.all([file(9, { choice1: A }), file(9, { choice1: B })]);
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(race.find((r) => r.status === 409)!.body.error.code).toBe('DUPLICATE_REGISTRATION');
    const rows = await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.applicantIdNumber, pid(9)));
    expect(rows).toHaveLength(1);
  });

  it('assigns per school and category: per-category quotas, results and cut-offs carry the category', async () => {
    for (const [n, choices] of [
      [1, { choice1: A, choice2: B, choice7: A }],
      [2, { choice1: A, choice2: B }],
      [3, { choice1: A, choice7: A, choice8: B }],
      [5, { choice1: A, choice7: S3 }],
    ] as const) {
      const res = await file(n, choices);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      filed[n] = res.body;
    }
    // Pupil 9 (the race) has no score: no result but the row saying so.
    const scores = ['pupilIdNumber,score,priorityPoints', `${pid(1)},45,0`, `${pid(2)},44,0`, `${pid(3)},43,0`, `${pid(4)},30,0`, `${pid(5)},20,0`].join('\n');
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(scores)], { type: 'text/csv' }), 'diem.csv');
    expect((await h.api.json('POST', `/api/admin/campaigns/${C}/scores`, { token: h.tokens.admin, form })).status).toBe(200);

    const started = await as('admin', 'POST', `/api/admin/campaigns/${C}/assignment`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await eventually(async () => {
      const res = await as('admin', 'GET', `/api/admin/campaigns/${C}/assignment/${started.body.runId}`);
      return res.body.status === 'running' ? undefined : res.body;
    });
    expect(run.status, JSON.stringify(run)).toBe('done');

    const results = (await as('admin', 'GET', `/api/admin/campaigns/${C}/results?run=${started.body.runId}`)).body;
    const outcome = (n: number) => results.items?.find((r: { pupilIdNumber: string }) => r.pupilIdNumber === pid(n)) ?? results.find?.((r: { pupilIdNumber: string }) => r.pupilIdNumber === pid(n));
    expect(outcome(1)).toMatchObject({ school: A, category: 'chuyen', choiceRank: 1 });
    expect(outcome(2)).toMatchObject({ school: B, category: 'chuyen', choiceRank: 2 });
    expect(outcome(3)).toMatchObject({ school: A, category: 'thuong', choiceRank: 7 });
    expect(outcome(4)).toMatchObject({ school: A, category: 'tich-hop', choiceRank: 3 });
    expect(outcome(5)).toMatchObject({ school: S3, category: 'thuong', choiceRank: 7 });
    expect(outcome(9)).toMatchObject({ school: null, category: null });

    const cutoffs = (await as('admin', 'GET', `/api/admin/campaigns/${C}/cutoffs?run=${started.body.runId}`)).body;
    const list: Array<{ school: string; category: string; quota: number; admitted: number; cutoff: number | null }> = cutoffs.items ?? cutoffs;
    const cut = (school: string, category: string) => list.find((c) => c.school === school && c.category === category);
    expect(cut(A, 'chuyen')).toMatchObject({ quota: 1, admitted: 1, cutoff: 45 });
    expect(cut(B, 'chuyen')).toMatchObject({ quota: 1, admitted: 1, cutoff: 44 });
    expect(cut(A, 'thuong')).toMatchObject({ quota: 1, admitted: 1, cutoff: 43 });
    expect(cut(A, 'tich-hop')).toMatchObject({ quota: 1, admitted: 1, cutoff: 30 });
    expect(cut(S3, 'thuong')).toMatchObject({ quota: 1, admitted: 1, cutoff: 20 });
    expect(cut(B, 'thuong')).toMatchObject({ quota: 2, admitted: 0, cutoff: null });
    for (const c of list) expect(c.admitted).toBeLessThanOrEqual(c.quota);
  });
});

describe('the adjustment window', () => {
  const put = (code: string, token: string | undefined, body: unknown) =>
    h.api.json('PUT', `/api/dossiers/${encodeURIComponent(code)}/choices`, { token, json: body });

  it('lets the owner change the choices only, with the same checks, a history event, the audit and the move to the new first choice', async () => {
    const six = await file(6, { choice1: A });
    expect(six.status).toBe(201);
    const { code, trackingToken } = six.body;
    expect((await put(code, undefined, { choice1: B })).status).toBe(404);
    expect((await put(code, h.tokens.school, { choice1: B })).status).toBe(403);
    const other = await put(code, trackingToken, { choice1: B, pupilName: 'Tên khác' });
    expect(other.status).toBe(422);
    const bad = await put(code, trackingToken, { choice1: S3, choice3: A });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual({ choice1: 'Trường này không tuyển sinh nhóm "Chuyên".' });

    const ok = await put(code, trackingToken, { choice1: B, choice2: A, choice7: S3 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ code, unitId: B, choices: { choice1: B, choice2: A, choice7: S3 } });
    const [row] = await h.env.ctx.db.select().from(dossiers).where(eq(dossiers.code, code));
    expect(row!.formData).toMatchObject({ choice1: B, choice1Label: 'Trường THPT Đào Duy Từ', choice2: A, choice7: S3, pupilName: 'Học sinh 6' });
    expect(row!.unitId).toBe(B);
    const [event] = await h.env.ctx.db.select().from(dossierEvents).where(and(eq(dossierEvents.dossierId, row!.id), eq(dossierEvents.action, 'choices_adjusted')));
    expect(event).toMatchObject({ actorKind: 'citizen', data: { before: { choice1: A }, after: { choice1: B, choice2: A, choice7: S3 } } });
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'admission.choices_adjusted', target: code, limit: 1 });
    expect(audit).toBeDefined();
    // The citizen's history names it.
    const view = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: trackingToken });
    expect(JSON.stringify(view.body)).toContain('Điều chỉnh nguyện vọng');
  });

  it('shows the form on the dossier page while the window is open, and refuses with 409 once it is not', async () => {
    const { code, trackingToken } = filed[5]!;
    const remembered = Buffer.from(JSON.stringify([{ code, token: trackingToken }])).toString('base64url');
    const page = await h.env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, cookies: { motcua_track: remembered } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Điều chỉnh nguyện vọng');
    expect(page.body).toContain('<label for="adj-choice8">Nguyện vọng 8 (Thường)</label>');
    expect(page.body).toMatch(/<option value="thpt-lam-son" selected>/);

    expect((await as('admin', 'PATCH', `/api/admin/campaigns/${C}`, { windows: { registration: open, adjustment: later } })).status).toBe(200);
    const closed = await put(code, trackingToken, { choice1: B });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('ADMISSION_WINDOW_CLOSED');
    const after = await h.env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, cookies: { motcua_track: remembered } });
    expect(after.body).not.toContain('data-testid="adjust-choices"');
  });
});
