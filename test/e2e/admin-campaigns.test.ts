// Admission campaigns set up by an administrator (API and pages): a campaign created this way is offered by the
// registration form while its window is open and takes registrations; quotas never fall under the places given,
// a school with registrations stays; bad input is 422 with fields; only administrators get in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findCampaign, listCampaignSchools } from '../../src/db/repositories/admissions.js';
import { signInPages } from '../helpers/page-session.js';
import { startHarness, step, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
let h: Harness;

const campaign = (overrides: Record<string, unknown> = {}) => ({
  id: 'ts6-thu', name: 'Tuyển sinh lớp 6 (thử)', grade: 6, schoolYear: '2026-2027', choices: 2,
  windows: {
    registration: { opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 30 * 24 * HOUR).toISOString() },
    adjustment: { opensAt: '2035-07-01T07:00:00+07:00', closesAt: '2035-07-05T17:00:00+07:00' },
  },
  schools: [{ unitId: 'thpt-lam-son', quota: 3 }, { unitId: 'thpt-dao-duy-tu', quota: 5 }],
  rule: 'deferred-acceptance', tieBreak: ['priorityPoints', 'score'],
  ...overrides,
});

const registration = (pupilIdNumber: string, overrides: Record<string, unknown> = {}) => ({
  campaign: 'ts6-thu', grade: '6', pupilName: 'Lê Minh Khôi', pupilIdNumber, pupilBirthDate: '2015-04-20', pupilGender: 'male',
  residence: 'Phường Điện Biên, TP Thanh Hóa', previousSchool: 'Tiểu học Điện Biên', parentName: 'Lê Văn Hùng', parentPhone: '0912000222',
  choice1: 'thpt-lam-son', priority: 'none', ...overrides,
});

const admin = (method: string, path: string, json?: unknown, who = 'admin') => h.api.json(method, path, { token: h.tokens[who], json });

beforeAll(async () => { h = await startHarness('production', ['admin', 'clerk', 'school', 'principal']); });
afterAll(async () => { await h?.env.close(); });

describe('campaigns API', () => {
  it('creates a campaign the registration form offers and that takes registrations', async () => {
    const created = await admin('POST', '/api/admin/campaigns', campaign());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'ts6-thu', grade: 6, choices: 2, rule: 'deferred-acceptance', tieBreak: ['priorityPoints', 'score'], open: true,
      windows: { adjustment: { opensAt: '2035-07-01T00:00:00.000Z', closesAt: '2035-07-05T10:00:00.000Z' } },
      schools: expect.arrayContaining([
        { unitId: 'thpt-lam-son', name: 'Văn phòng Trường THPT chuyên Lam Sơn', quota: 3, quotas: {}, places: 0, registrations: 0 },
        expect.objectContaining({ unitId: 'thpt-dao-duy-tu', quota: 5 }),
      ]),
    });
    expect(created.body.windows.confirmation).toBeUndefined();
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.saved', target: 'ts6-thu', limit: 5 });
    expect(audit).toMatchObject({ actorName: 'Phạm Quốc Huy (admin)', details: { created: true, after: expect.objectContaining({ id: 'ts6-thu' }) } });

    const form = await h.api.json('GET', '/api/procedures/admission-registration');
    const options = form.body.fields.find((f: { name: string }) => f.name === 'campaign').options;
    expect(options).toContainEqual({ value: 'ts6-thu', label: 'Tuyển sinh lớp 6 (thử)' });

    const filed = await h.api.submit('admission-registration', registration('038315000001'), await uploads(DOCS));
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const wrongSchool = await h.api.submit('admission-registration', registration('038315000002', { choice1: 'thpt-ham-rong' }), await uploads(DOCS));
    expect(wrongSchool.body.error.fields).toMatchObject({ choice1: 'Trường này không tuyển sinh trong kỳ đã chọn.' });
    const listed = await admin('GET', '/api/admin/campaigns/ts6-thu');
    expect(listed.body.schools.find((s: { unitId: string }) => s.unitId === 'thpt-lam-son')).toMatchObject({ registrations: 1, places: 0 });
    expect((await admin('GET', '/api/admin/campaigns')).body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['ts6-thu', 'ts10-demo']));
  });

  it('a campaign whose window is over is not offered', async () => {
    const past = await admin('POST', '/api/admin/campaigns', campaign({
      id: 'ts6-cu', windows: { registration: { opensAt: '2024-05-01T00:00:00+07:00', closesAt: '2024-06-01T17:00:00+07:00' } },
    }));
    expect(past.status).toBe(201);
    expect(past.body.open).toBe(false);
    const form = await h.api.json('GET', '/api/procedures/admission-registration');
    expect(form.body.fields.find((f: { name: string }) => f.name === 'campaign').options.map((o: { value: string }) => o.value)).not.toContain('ts6-cu');
  });

  it('refuses a quota under the places given and taking out a school with registrations; changes what it may', async () => {
    const second = await h.api.submit('admission-registration', registration('038315000003', { pupilName: 'Phạm Thu Trang' }), await uploads(DOCS));
    expect(second.status).toBe(201);
    const first = (await h.api.json('GET', '/api/inbox', { token: h.tokens.school })).body.map((d: { code: string }) => d.code);
    expect(first).toContain(second.body.code);
    for (const code of first) {
      const v = await step(h, code, 'verify', 'school', 1, 'awaiting_decision', { data: { residenceChecked: true } });
      await step(h, code, 'admit', 'principal', v, 'signing');
    }
    const given = (await admin('GET', '/api/admin/campaigns/ts6-thu')).body.schools.find((s: { unitId: string }) => s.unitId === 'thpt-lam-son');
    expect(given).toMatchObject({ places: 2, registrations: 2 });

    const tooLow = await admin('PATCH', '/api/admin/campaigns/ts6-thu', { schools: [{ unitId: 'thpt-dao-duy-tu', quota: 5 }, { unitId: 'thpt-lam-son', quota: 1 }] });
    expect(tooLow.status).toBe(422);
    expect(tooLow.body.error.fields).toEqual({ 'schools.1.quota': 'Trường đã trúng tuyển 2 học sinh; chỉ tiêu không thể thấp hơn 2.' });
    const removing = await admin('PATCH', '/api/admin/campaigns/ts6-thu', { schools: [{ unitId: 'thpt-dao-duy-tu', quota: 5 }] });
    expect(removing.status).toBe(422);
    expect(removing.body.error.fields.schools).toMatch(/Không thể bỏ trường đã có học sinh đăng ký: Trường THPT chuyên Lam Sơn \(2 hồ sơ\)/);
    expect((await listCampaignSchools(h.env.ctx.db, 'ts6-thu')).map((s) => [s.schoolUnitId, s.quota]).sort()).toEqual([['thpt-dao-duy-tu', 5], ['thpt-lam-son', 3]]);

    // Two places given: quota 2 is the floor. Lowered to 2 it holds, and a third admission finds the school full.
    const third = await h.api.submit('admission-registration', registration('038315000004', { pupilName: 'Đỗ Hà My' }), await uploads(DOCS));
    const v3 = await step(h, third.body.code, 'verify', 'school', 1, 'awaiting_decision', { data: { residenceChecked: true } });
    const lowered = await admin('PATCH', '/api/admin/campaigns/ts6-thu', {
      name: 'Tuyển sinh lớp 6 (thử, đã sửa)', schools: [{ unitId: 'thpt-lam-son', quota: 2 }, { unitId: 'thpt-ham-rong', quota: 7 }],
    });
    expect(lowered.status, JSON.stringify(lowered.body)).toBe(200);
    expect(lowered.body.name).toBe('Tuyển sinh lớp 6 (thử, đã sửa)');
    expect(lowered.body.schools.map((s: { unitId: string; quota: number }) => [s.unitId, s.quota]).sort())
      .toEqual([['thpt-ham-rong', 7], ['thpt-lam-son', 2]]);
    expect(lowered.body.rule).toBe('deferred-acceptance'); // untouched by the patch
    const full = await h.api.act(third.body.code, 'admit', h.tokens.principal!, { version: v3 });
    expect(full.body.error.code).toBe('QUOTA_FULL');
    const [audit] = await listAuditEntries(h.env.ctx.db, { action: 'campaign.saved', target: 'ts6-thu', limit: 1 });
    expect(audit!.details).toMatchObject({ created: false, before: { schools: expect.arrayContaining([{ unitId: 'thpt-lam-son', quota: 3 }]) }, after: { schools: [{ unitId: 'thpt-lam-son', quota: 2 }, { unitId: 'thpt-ham-rong', quota: 7 }] } });
  });

  it('refuses bad campaigns with 422 and a message per field', async () => {
    const bad = await admin('POST', '/api/admin/campaigns', campaign({
      id: 'Bad Id', grade: 7, schoolYear: '2026-2028', choices: 9,
      windows: { registration: { opensAt: '2026-06-02T00:00:00+07:00', closesAt: '2026-06-01T00:00:00+07:00' } },
      schools: [{ unitId: 'thpt-lam-son', quota: 0 }],
    }));
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['choices', 'grade', 'id', 'schoolYear', 'schools.0.quota', 'windows.registration.closesAt'].sort());
    const units = await admin('POST', '/api/admin/campaigns', campaign({
      id: 'ts6-khac', schools: [{ unitId: 'mot-cua', quota: 1 }, { unitId: 'khong-co', quota: 1 }, { unitId: 'thpt-lam-son', quota: 1 }, { unitId: 'thpt-lam-son', quota: 2 }],
    }));
    expect(units.status).toBe(422);
    expect(units.body.error.fields).toMatchObject({ 'schools.3.unitId': 'Trường này đã có trong danh sách.' });
    const units2 = await admin('POST', '/api/admin/campaigns', campaign({ id: 'ts6-khac', schools: [{ unitId: 'mot-cua', quota: 1 }, { unitId: 'khong-co', quota: 1 }] }));
    expect(units2.body.error.fields).toEqual({
      'schools.0.unitId': '"Bộ phận Tiếp nhận và Trả kết quả" không phải một trường.', 'schools.1.unitId': 'Không có đơn vị "khong-co".',
    });
    const taken = await admin('POST', '/api/admin/campaigns', campaign());
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CAMPAIGN_EXISTS');
    expect(taken.body.error.fields.id).toContain('Đã có kỳ tuyển sinh mã "ts6-thu"');
    // Two creates of one new id at the same moment: one is made, the other is told the id is taken (not a 500).
    const racing = await Promise.all([admin('POST', '/api/admin/campaigns', campaign({ id: 'ts6-dua' })), admin('POST', '/api/admin/campaigns', campaign({ id: 'ts6-dua' }))]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await admin('PATCH', '/api/admin/campaigns/khong-co', { name: 'Không có kỳ này' })).status).toBe(404);
    expect((await admin('PATCH', '/api/admin/campaigns/ts6-thu', { id: 'doi-ma' })).status).toBe(422);
    expect(await findCampaign(h.env.ctx.db, 'ts6-khac')).toBeUndefined();
  });

  it('is for administrators only: 403 for other staff, 401 anonymous', async () => {
    expect((await admin('GET', '/api/admin/campaigns', undefined, 'clerk')).status).toBe(403);
    expect((await admin('POST', '/api/admin/campaigns', campaign({ id: 'ts6-clerk' }), 'clerk')).status).toBe(403);
    expect((await admin('PATCH', '/api/admin/campaigns/ts6-thu', { name: 'Do cán bộ sửa' }, 'clerk')).status).toBe(403);
    expect((await h.api.json('POST', '/api/admin/campaigns', { json: campaign({ id: 'ts6-anon' }) })).status).toBe(401);
    expect((await h.api.json('GET', '/api/admin/campaigns/ts6-thu')).status).toBe(401);
    expect(await findCampaign(h.env.ctx.db, 'ts6-clerk')).toBeUndefined();
    expect((await findCampaign(h.env.ctx.db, 'ts6-thu'))!.name).toBe('Tuyển sinh lớp 6 (thử, đã sửa)');
  });
});

describe('campaign pages', () => {
  it('lists campaigns, creates one from the form in Vietnam time and shows refusals on the form', async () => {
    const page = await signInPages(h.env, 'admin');
    const list = await page.get('/quan-tri/tuyen-sinh');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Tuyển sinh lớp 6 (thử, đã sửa)');
    const blank = await page.get('/quan-tri/tuyen-sinh/moi');
    expect(blank.body).toContain('name="quota.thpt-ham-rong"');
    expect(blank.body).toContain('type="datetime-local"');

    const form = {
      id: 'ts1-trang', name: 'Tuyển sinh lớp 1 (từ trang quản trị)', grade: '1', schoolYear: '2027-2028', choices: '1', rule: 'choice-priority', tieBreak: '',
      'windows.registration.opensAt': '2027-06-01T07:30', 'windows.registration.closesAt': '2027-06-15T17:00',
      'windows.adjustment.opensAt': '', 'windows.adjustment.closesAt': '', 'windows.confirmation.opensAt': '', 'windows.confirmation.closesAt': '',
      'quota.thpt-lam-son': '', 'quota.thpt-dao-duy-tu': '40', 'quota.thpt-ham-rong': '',
    };
    const refused = await page.post('/quan-tri/tuyen-sinh/moi', { ...form, 'quota.thpt-dao-duy-tu': '0', 'windows.adjustment.opensAt': '2027-07-01T07:00' });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Chỉ tiêu phải lớn hơn 0.');
    expect(refused.body).toContain('Cần ngày giờ hợp lệ');
    expect(refused.body).toContain('value="Tuyển sinh lớp 1 (từ trang quản trị)"');

    const created = await page.post('/quan-tri/tuyen-sinh/moi', form);
    expect(created.status).toBe(303);
    expect(created.location).toBe('/quan-tri/tuyen-sinh?tb=da-luu&ky=ts1-trang');
    expect((await page.get(created.location!)).body).toContain('role="status">Đã lưu kỳ tuyển sinh &quot;Tuyển sinh lớp 1 (từ trang quản trị)&quot;.');
    // A link cannot put its own words on the page.
    expect((await page.get('/quan-tri/tuyen-sinh?tb=Ho%CC%A3p%20kh%E1%BA%A9n')).body).not.toContain('role="status"');
    const row = (await findCampaign(h.env.ctx.db, 'ts1-trang'))!;
    expect(row.opensAt.toISOString()).toBe('2027-06-01T00:30:00.000Z');
    expect(row.closesAt.toISOString()).toBe('2027-06-15T10:00:00.000Z');
    expect(row).toMatchObject({ grade: 1, choices: 1, rule: 'choice-priority', windows: {} });
    expect((await listCampaignSchools(h.env.ctx.db, 'ts1-trang')).map((s) => [s.schoolUnitId, s.quota])).toEqual([['thpt-dao-duy-tu', 40]]);

    const edit = await page.get('/quan-tri/tuyen-sinh/ts1-trang');
    expect(edit.body).toContain('value="2027-06-01T07:30"');
    expect(edit.body).toContain('value="40"');
    const lowered = await page.post('/quan-tri/tuyen-sinh/ts6-thu', {
      name: 'Tuyển sinh lớp 6 (thử, đã sửa)', grade: '6', schoolYear: '2026-2027', choices: '2', rule: 'deferred-acceptance', tieBreak: 'priorityPoints',
      'windows.registration.opensAt': '2026-01-01T00:00', 'windows.registration.closesAt': '2035-12-31T17:00',
      'quota.thpt-lam-son': '1', 'quota.thpt-ham-rong': '7',
    });
    expect(lowered.status).toBe(422);
    expect(lowered.body).toContain('Trường đã trúng tuyển 2 học sinh; chỉ tiêu không thể thấp hơn 2.');
    const dropped = await page.post('/quan-tri/tuyen-sinh/ts6-thu', {
      name: 'Tuyển sinh lớp 6 (thử, đã sửa)', grade: '6', schoolYear: '2026-2027', choices: '2', rule: 'deferred-acceptance', tieBreak: 'priorityPoints',
      'windows.registration.opensAt': '2026-01-01T00:00', 'windows.registration.closesAt': '2035-12-31T17:00', 'quota.thpt-ham-rong': '7',
    });
    expect(dropped.status).toBe(422);
    expect(dropped.body).toContain('Không thể bỏ trường đã có học sinh đăng ký');
    const saved = await page.post('/quan-tri/tuyen-sinh/ts1-trang', { ...form, id: 'ignored', 'quota.thpt-dao-duy-tu': '45', 'quota.thpt-ham-rong': '10' });
    expect(saved.status).toBe(303);
    expect((await listCampaignSchools(h.env.ctx.db, 'ts1-trang')).map((s) => [s.schoolUnitId, s.quota]).sort()).toEqual([['thpt-dao-duy-tu', 45], ['thpt-ham-rong', 10]]);
  });

  it('refuses other staff with a 403 page', async () => {
    const clerk = await signInPages(h.env, 'clerk');
    expect((await clerk.get('/quan-tri/tuyen-sinh')).status).toBe(403);
    expect((await clerk.post('/quan-tri/tuyen-sinh/moi', { id: 'ts-clerk', name: 'Do cán bộ tạo' })).status).toBe(403);
    expect(await findCampaign(h.env.ctx.db, 'ts-clerk')).toBeUndefined();
  });
});
