// School transfer over HTTP. Within the province: the sending school releases the pupil (the dossier moves to the
// receiving school, a control-slip entry), the receiving school proposes, its principal accepts and signs. Only those
// two schools ever see it. Between provinces: the department checks (with a supplement round) and refers; the
// receiving principal may refuse, in writing and with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../helpers/context.js';
import { inboxCodes, signedResult, startHarness, step, uploads, view, type Harness, expectSignedAndSealed } from './procedures-common.js';

const STAFF = ['school', 'principal', 'school2', 'principal2', 'school3', 'specialist', 'specialist2', 'clerk'];

function request(overrides: Record<string, unknown> = {}) {
  return {
    parentName: 'Phạm Thị Thu', parentIdNumber: '038185004321', parentPhone: '0987654321', parentEmail: 'thu@example.vn',
    parentAddress: 'Phường Đông Thọ, TP Thanh Hóa', pupilName: 'Phạm Gia Bảo', pupilBirthDate: '2010-09-01', grade: '10',
    scope: 'within', currentSchool: 'thpt-lam-son', targetSchool: 'thpt-dao-duy-tu', reason: 'Gia đình chuyển nơi ở', ...overrides,
  };
}

describe.each<Mode>(['production', 'embedded'])('school-transfer within the province (%s)', (mode) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(mode, STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('lists schools as options, routes to the sending school, hands over to the receiving school and signs the letter', async () => {
    const detail = await h.api.json('GET', '/api/procedures/school-transfer');
    const target = detail.body.fields.find((f: { name: string }) => f.name === 'targetSchool');
    expect(target.options).toContainEqual({ value: 'thpt-dao-duy-tu', label: 'Trường THPT Đào Duy Từ' });
    expect(target.rules.optionsFrom).toBe('schools');

    const unknownSchool = await h.api.submit('school-transfer', request({ targetSchool: 'no-such-school' }), await uploads(['application', 'schoolRecord', 'admissionCertificate']));
    expect(unknownSchool.status).toBe(422);
    expect(unknownSchool.body.error.fields).toEqual({ targetSchool: expect.any(String) });

    const filed = await h.api.submit('school-transfer', request(), await uploads(['application', 'schoolRecord', 'admissionCertificate']));
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body;

    // Sending school only.
    expect(await inboxCodes(h, 'school')).toContain(code);
    expect(await inboxCodes(h, 'school2')).not.toContain(code);
    expect(await inboxCodes(h, 'school3')).not.toContain(code);
    expect((await view(h, code, h.tokens.school3!)).body.error.code).toBe('UNIT_FORBIDDEN');
    expect((await view(h, code, h.tokens.school2!)).body.error.code).toBe('UNIT_FORBIDDEN');
    // Nor the department's one-stop desk: a transfer inside the province is the two schools' business.
    expect((await view(h, code, h.tokens.clerk!)).status).toBe(403);
    expect(await inboxCodes(h, 'clerk')).not.toContain(code);
    const early = await h.api.act(code, 'release', h.tokens.school2!, { version: 1 });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('UNIT_FORBIDDEN');
    // The department's route is not this case's.
    expect((await h.api.act(code, 'refer', h.tokens.specialist2!, { version: 1 })).status).toBe(403);

    let v = await step(h, code, 'release', 'school', 1, 'receiving_review', { comment: 'Đồng ý cho chuyển' });
    const moved = await view(h, code, h.tokens.school2!);
    expect(moved.body.unit.id).toBe('thpt-dao-duy-tu');
    expect(moved.body.actions.map((a: { name: string }) => a.name)).toEqual(['propose_accept', 'propose_refusal']);
    expect(moved.body.dueAt).not.toBeNull();
    // The sending school still sees what it released, but can no longer act; a third school sees nothing.
    const sender = await view(h, code, h.tokens.school!);
    expect(sender.status).toBe(200);
    expect(sender.body.actions).toEqual([]);
    expect((await h.api.act(code, 'propose_accept', h.tokens.school!, { version: v })).status).toBe(403);
    expect((await view(h, code, h.tokens.school3!)).status).toBe(403);
    expect(await inboxCodes(h, 'school2')).toContain(code);
    expect(await inboxCodes(h, 'school')).not.toContain(code);

    const slip = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/handovers`, { token: h.tokens.school2! });
    expect(slip.body).toEqual([expect.objectContaining({
      action: 'release', from: { id: 'thpt-lam-son', name: 'Văn phòng Trường THPT chuyên Lam Sơn' },
      to: { id: 'thpt-dao-duy-tu', name: 'Văn phòng Trường THPT Đào Duy Từ' }, byName: 'Hoàng Thị Mai',
      result: 'Xác nhận và giới thiệu chuyển trường: Đồng ý cho chuyển', status: 'receiving_review',
    })]);

    v = await step(h, code, 'propose_accept', 'school2', v, 'awaiting_decision', { data: { className: '10A3', startDate: '2026-12-01' } });
    expect((await h.api.act(code, 'accept', h.tokens.principal!, { version: v })).body.error.code).toBe('UNIT_FORBIDDEN');
    v = await step(h, code, 'accept', 'principal2', v, 'signing');
    const result = await signedResult(h, code, trackingToken);
    expect(result.text).toContain('GIẤY TIẾP NHẬN HỌC SINH CHUYỂN TRƯỜNG');
    // Numbered in the receiving school's own register, with its abbreviation.
    expect(result.text).toMatch(/Số: \d{2}\/GGT-THPTĐDT/);
    expect(result.text).toContain('PHẠM GIA BẢO');
    expect(result.text).toContain('10A3');
    expect(result.text).toContain('Trường THPT chuyên Lam Sơn');
    expect(result.text).toMatch(/HIỆU TRƯỞNG TRƯỜNG THPT ĐÀO DUY TỪ/);
    // Issued by the receiving school: its name heads the letter and its seal follows the principal's signature.
    expect(result.text.replace(/\s+/g, ' ')).toContain('SỞ GIÁO DỤC VÀ ĐÀO TẠO THANH HÓA TRƯỜNG THPT ĐÀO DUY TỪ');
    expectSignedAndSealed(result.signature, 'Ngô Quang Trung', 'Trường THPT Đào Duy Từ');
    await step(h, code, 'return_result', 'school2', result.version, 'returned');
    const final = await view(h, code, trackingToken);
    expect(final.body.history.map((e: { action: string }) => e.action)).toEqual(['submit', 'release', 'propose_accept', 'accept', 'result_issued', 'return_result']);
    expect(final.body.clockState).toBe('stopped');
  });

  it('lets the sending school refuse in writing', async () => {
    const filed = await h.api.submit('school-transfer', request(), await uploads(['application', 'schoolRecord', 'admissionCertificate']));
    const { code, trackingToken } = filed.body;
    expect((await h.api.act(code, 'refuse', h.tokens.school!, { version: 1 })).body.error.code).toBe('COMMENT_REQUIRED');
    await step(h, code, 'refuse', 'school', 1, 'refused', { comment: 'Học sinh đang bị kỷ luật, chưa giải quyết chuyển trường' });
    const seen = await view(h, code, trackingToken);
    expect(seen.body.history.at(-1)).toMatchObject({ action: 'refuse', comment: 'Học sinh đang bị kỷ luật, chưa giải quyết chuyển trường' });
  });
});

describe('school-transfer between provinces (production)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('production', STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('goes to the department, pauses for a supplement, is referred, and is refused by the receiving principal with a reason', async () => {
    const data = request({ scope: 'between', currentSchool: undefined, originSchool: 'THPT Trần Phú', originProvince: 'Nghệ An' });
    const missing = await h.api.submit('school-transfer', data, await uploads(['application', 'schoolRecord', 'admissionCertificate']));
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.error.fields)).toEqual(['originReferral']);
    const filed = await h.api.submit('school-transfer', data, await uploads(['application', 'schoolRecord', 'admissionCertificate', 'originReferral']));
    const { code, trackingToken } = filed.body;
    expect((await view(h, code, h.tokens.specialist2!)).body.unit.id).toBe('gdtrh');
    expect(await inboxCodes(h, 'specialist2')).toContain(code);
    for (const school of ['school', 'school2', 'school3']) expect((await view(h, code, h.tokens[school]!)).status).toBe(403);
    // A within-province action does not apply, whoever tries.
    expect((await h.api.act(code, 'release', h.tokens.specialist2!, { version: 1 })).body.error.code).toBe('ACTION_FORBIDDEN');

    let v = await step(h, code, 'request_supplement', 'specialist2', 1, 'awaiting_supplement', { comment: 'Bổ sung học bạ có xác nhận' });
    v = await step(h, code, 'resubmit', trackingToken, v, 'submitted');
    v = await step(h, code, 'refer', 'specialist2', v, 'receiving_review', { comment: 'Đủ điều kiện, giới thiệu về trường' });
    expect((await view(h, code, h.tokens.school2!)).body.unit.id).toBe('thpt-dao-duy-tu');
    // The department keeps sight of what it referred.
    expect((await view(h, code, h.tokens.specialist2!)).status).toBe(200);
    v = await step(h, code, 'propose_refusal', 'school2', v, 'awaiting_decision', { comment: 'Lớp 10 đã đủ sĩ số' });
    expect((await h.api.act(code, 'refuse', h.tokens.principal2!, { version: v })).body.error.code).toBe('COMMENT_REQUIRED');
    await step(h, code, 'refuse', 'principal2', v, 'rejected', { comment: 'Không tiếp nhận: các lớp 10 đã đủ 45 học sinh theo Điều lệ' });
    const final = await view(h, code, trackingToken);
    expect(final.body.status).toBe('rejected');
    expect(final.body.clockState).toBe('stopped');
    expect(final.body.history.map((e: { action: string }) => e.action)).toEqual(['submit', 'request_supplement', 'resubmit', 'refer', 'propose_refusal', 'refuse']);
    const slip = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/handovers`, { token: h.tokens.school2! });
    expect(slip.body.map((r: { from: { id: string }; to: { id: string } }) => `${r.from.id}>${r.to.id}`)).toEqual(['gdtrh>thpt-dao-duy-tu']);
  });
});
