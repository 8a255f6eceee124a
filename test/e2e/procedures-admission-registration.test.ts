// Admission registration over HTTP: open campaigns and schools listed as options, filing outside the window refused
// (CAMPAIGN_CLOSED), distinct choices without gaps, the first-choice school verifies and its principal admits within
// the quota (QUOTA_FULL beyond it) and signs the admission notice.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossiers } from '../../src/db/schema/dossiers.js';
import { signInCitizen } from '../helpers/citizen-session.js';
import type { Mode } from '../helpers/context.js';
import { inboxCodes, signedResult, startHarness, step, uploads, view, type Harness, expectSignedAndSealed } from './procedures-common.js';

const STAFF = ['school', 'principal', 'school2', 'principal2', 'school3'];
const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];

// One live registration per pupil per campaign: every filing here is another pupil.
let pupilSeq = 0;
const nextPupilId = () => `0383100${String(++pupilSeq).padStart(5, '0')}`;
const request = (overrides: Record<string, unknown> = {}) => ({
  campaign: 'ts10-demo', grade: '10', pupilName: 'Trần Khánh Linh', pupilIdNumber: nextPupilId(), pupilBirthDate: '2011-04-20',
  pupilGender: 'female', residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: 'Trần Văn Hòa',
  parentPhone: '0912000111', choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none', ...overrides,
});

async function admit(h: Harness, code: string, v: number): Promise<number> {
  return step(h, code, 'verify', 'school', v, 'awaiting_decision', { data: { residenceChecked: true, score: '42,5' } });
}

describe.each<Mode>(['production', 'embedded'])('admission-registration (%s)', (mode) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(mode, STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('lists open campaigns and schools, goes to the first-choice school and ends with a signed admission notice', async () => {
    const detail = await h.api.json('GET', '/api/procedures/admission-registration');
    const campaign = detail.body.fields.find((f: { name: string }) => f.name === 'campaign');
    expect(campaign.options).toEqual([{ value: 'ts10-demo', label: 'Tuyển sinh lớp 10 THPT (kỳ thử nghiệm)' }]);
    expect(detail.body.fields.find((f: { name: string }) => f.name === 'choice3').options.map((o: { value: string }) => o.value))
      .toEqual(expect.arrayContaining(['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong']));
    const campaigns = await h.api.json('GET', '/api/campaigns');
    expect(campaigns.body[0]).toMatchObject({ id: 'ts10-demo', open: true, grade: 10 });
    expect(campaigns.body[0].schools).toContainEqual({ unitId: 'thpt-lam-son', name: 'Văn phòng Trường THPT chuyên Lam Sơn', quota: 2, admitted: 0 });

    const filed = await h.api.submit('admission-registration', request(), await uploads(DOCS));
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body;
    expect(await inboxCodes(h, 'school')).toContain(code);
    expect(await inboxCodes(h, 'school2')).not.toContain(code);
    expect((await view(h, code, h.tokens.school2!)).status).toBe(403);
    let v = await admit(h, code, 1);
    expect((await h.api.act(code, 'admit', h.tokens.principal2!, { version: v })).status).toBe(403);
    v = await step(h, code, 'admit', 'principal', v, 'signing');
    const result = await signedResult(h, code, trackingToken);
    expect(result.text).toContain('THÔNG BÁO TRÚNG TUYỂN');
    // A notice in the admitting school's register.
    expect(result.text).toMatch(/Số: \d{2}\/TB-THPTCLS/);
    expect(result.text).toContain('TRẦN KHÁNH LINH');
    expect(result.text).toContain('TRÚNG TUYỂN');
    expect(result.text).toContain('Trường THPT chuyên Lam Sơn');
    expect(result.text.replace(/\s+/g, ' ')).toContain('(nguyện vọng 1)');
    expectSignedAndSealed(result.signature, 'Đỗ Văn Sơn', 'Trường THPT chuyên Lam Sơn');
    await step(h, code, 'return_result', 'school', result.version, 'returned');
    expect((await h.api.json('GET', '/api/campaigns')).body[0].schools).toContainEqual(expect.objectContaining({ unitId: 'thpt-lam-son', admitted: 1 }));
  });
});

describe('admission-registration rules (production)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('production', STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('shows the campaign and school names, not their ids, under "Thông tin đã khai" on the citizen dossier page', async () => {
    const { code, trackingToken } = (await h.api.submit('admission-registration', request({ pupilName: 'Học sinh Trang' }), await uploads(DOCS))).body;
    const facts = (html: string) => html.slice(html.indexOf('id="data-h"'), html.indexOf('</section>', html.indexOf('id="data-h"')));
    const expectNames = (html: string) => {
      expect(facts(html)).toContain('Tuyển sinh lớp 10 THPT (kỳ thử nghiệm)');
      expect(facts(html)).toContain('Trường THPT chuyên Lam Sơn');
      expect(facts(html)).toContain('Trường THPT Đào Duy Từ');
      expect(facts(html)).not.toMatch(/ts10-demo|thpt-lam-son|thpt-dao-duy-tu/);
    };
    // The holder of the tracking token, without an account.
    const remembered = Buffer.from(JSON.stringify([{ code, token: trackingToken }])).toString('base64url');
    const byToken = await h.env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, cookies: { motcua_track: remembered } });
    expect(byToken.statusCode).toBe(200);
    expectNames(byToken.body);
    // A citizen signed in with VNeID whose dossier it is.
    const parent = await signInCitizen(h.env.ctx.db, { fullName: 'Trần Văn Hòa' });
    await h.env.ctx.db.update(dossiers).set({ citizenId: parent.citizen.id }).where(eq(dossiers.code, code));
    const signedIn = await h.env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, headers: { cookie: parent.cookie } });
    expect(signedIn.statusCode).toBe(200);
    expectNames(signedIn.body);
  });

  it('refuses filing outside the window with CAMPAIGN_CLOSED and a clear message', async () => {
    const closed = await h.api.submit('admission-registration', request({ campaign: 'ts10-2025' }), await uploads(DOCS));
    expect(closed.status).toBe(422);
    expect(closed.body.error.code).toBe('CAMPAIGN_CLOSED');
    expect(closed.body.error.message).toMatch(/đã kết thúc: chỉ nhận đăng ký từ 00:00 ngày 01\/05\/2025 đến trước 17:00 ngày 01\/06\/2025/);
    const unknown = await h.api.submit('admission-registration', request({ campaign: 'ts99' }), await uploads(DOCS));
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { campaign: expect.any(String) } });
  });

  it('checks the grade and that choices are distinct schools of the campaign', async () => {
    const res = await h.api.submit('admission-registration', request({ grade: '6', choice2: 'thpt-lam-son', choice3: 'no-such-school' }), await uploads(DOCS));
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toMatchObject({ choice3: expect.any(String) });
    const dup = await h.api.submit('admission-registration', request({ grade: '6', choice2: 'thpt-lam-son' }), await uploads(DOCS));
    expect(dup.body.error.fields).toEqual({ grade: 'Kỳ tuyển sinh này dành cho lớp 10.', choice2: 'Các nguyện vọng phải là các trường khác nhau.' });
    const gap = await h.api.submit('admission-registration', request({ choice2: undefined, choice3: 'thpt-ham-rong' }), await uploads(DOCS));
    expect(gap.body.error.fields).toEqual({ choice3: 'Cần chọn nguyện vọng 2 trước nguyện vọng 3.' });
  });

  it('gives places up to the quota, then QUOTA_FULL; supplement and refusal paths', async () => {
    const codes: Array<{ code: string; token: string; v: number }> = [];
    for (const name of ['Một', 'Hai', 'Ba']) {
      const { code, trackingToken } = (await h.api.submit('admission-registration', request({ pupilName: `Học sinh ${name}` }), await uploads(DOCS))).body;
      codes.push({ code, token: trackingToken, v: await admit(h, code, 1) });
    }
    await step(h, codes[0]!.code, 'admit', 'principal', codes[0]!.v, 'signing');
    await step(h, codes[1]!.code, 'admit', 'principal', codes[1]!.v, 'signing');
    const full = await h.api.act(codes[2]!.code, 'admit', h.tokens.principal!, { version: codes[2]!.v });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('QUOTA_FULL');
    expect((await view(h, codes[2]!.code, codes[2]!.token)).body.status).toBe('awaiting_decision');
    // Full: the dossier goes on to the second choice, whose principal admits it.
    expect((await h.api.act(codes[2]!.code, 'refer_next', h.tokens.principal!, { version: codes[2]!.v })).body.error.code).toBe('COMMENT_REQUIRED');
    let v2 = await step(h, codes[2]!.code, 'refer_next', 'principal', codes[2]!.v, 'second_choice', { comment: 'Trường đã đủ chỉ tiêu' });
    expect((await view(h, codes[2]!.code, h.tokens.school2!)).body.unit.id).toBe('thpt-dao-duy-tu');
    expect((await h.api.act(codes[2]!.code, 'admit', h.tokens.principal!, { version: v2 })).body.error.code).toBe('UNIT_FORBIDDEN');
    v2 = await step(h, codes[2]!.code, 'admit', 'principal2', v2, 'signing');
    const second = await signedResult(h, codes[2]!.code, codes[2]!.token);
    expect(second.text).toContain('TRƯỜNG THPT ĐÀO DUY TỪ');
    expect(second.text.replace(/\s+/g, ' ')).toContain('(nguyện vọng 2)');
    expect(second.signature).toContain('Ngô Quang Trung');

    // Full and no other choice: not admitted, with a reason.
    const only = (await h.api.submit('admission-registration', request({ pupilName: 'Học sinh Năm', choice2: undefined }), await uploads(DOCS))).body;
    const vOnly = await admit(h, only.code, 1);
    expect((await h.api.act(only.code, 'admit', h.tokens.principal!, { version: vOnly })).body.error.code).toBe('QUOTA_FULL');
    const noNext = await h.api.act(only.code, 'refer_next', h.tokens.principal!, { version: vOnly, comment: 'Đủ chỉ tiêu' });
    expect(noNext.body.error).toMatchObject({ code: 'GUARD_FAILED', message: 'Học sinh không đăng ký nguyện vọng 2.' });
    await step(h, only.code, 'not_admit', 'principal', vOnly, 'rejected', { comment: 'Trường đã đủ chỉ tiêu, không có nguyện vọng khác' });

    // Supplement round, send-back, and a refusal by the school.
    const { code, trackingToken } = (await h.api.submit('admission-registration', request({ pupilName: 'Học sinh Bốn' }), await uploads(DOCS))).body;
    let v = await step(h, code, 'request_supplement', 'school', 1, 'awaiting_supplement', { comment: 'Giấy khai sinh không rõ' });
    v = await step(h, code, 'resubmit', trackingToken, v, 'submitted');
    v = await admit(h, code, v);
    v = await step(h, code, 'send_back', 'principal', v, 'submitted', { comment: 'Kiểm tra lại nơi cư trú' });
    await step(h, code, 'refuse', 'school', v, 'refused', { comment: 'Không cư trú trên địa bàn tuyển sinh' });
  });
});
