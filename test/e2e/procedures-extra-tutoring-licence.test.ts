// Extra-tutoring licence over HTTP: the one-stop desk receives and hands the dossier to the division, the specialist
// reviews with the optional site inspection (its own report form), the leader signs a licence with a validity
// period, the signed licence comes back to the desk. Also the supplement round and a refusal on the merits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../helpers/context.js';
import { inboxCodes, signedResult, startHarness, step, uploads, view, type Harness, expectSignedAndSealed } from './procedures-common.js';

const STAFF = ['clerk', 'specialist', 'specialist2', 'leader', 'school'];
const DOCS = ['application', 'organiserList', 'qualifications', 'healthCertificates', 'premisesPlan'];

const request = (overrides: Record<string, unknown> = {}) => ({
  organiserType: 'individual', organiserName: 'Lê Minh Đức', idNumber: '038079001122', phone: '0904111222',
  email: 'duc@example.vn', address: 'Số 12 Trường Thi, TP Thanh Hóa', premisesAddress: 'Số 12 Trường Thi, TP Thanh Hóa',
  subjects: 'Toán, Vật lý', grades: 'Lớp 10, 11, 12', schedule: 'Tối thứ Ba, thứ Năm 18:00-20:00', teacherCount: 2,
  maxLearners: 25, feePerSession: 40000, ...overrides,
});

describe.each<Mode>(['production', 'embedded'])('extra-tutoring-licence (%s)', (mode) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(mode, STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('receives, inspects the premises, approves and signs a licence with its validity period', async () => {
    const detail = await h.api.json('GET', '/api/procedures/extra-tutoring-licence');
    expect(detail.body.legalBasis.join(' ')).toContain('29/2024/TT-BGDĐT');
    expect(detail.body.sla.workingDays).toBe(15);
    const filed = await h.api.submit('extra-tutoring-licence', request(), await uploads(DOCS));
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body;
    expect(await inboxCodes(h, 'clerk')).toContain(code);
    expect(await inboxCodes(h, 'specialist2')).not.toContain(code);
    expect((await view(h, code, h.tokens.school!)).status).toBe(403);

    let v = await step(h, code, 'receive', 'clerk', 1, 'reviewing');
    const received = await view(h, code, h.tokens.specialist2!);
    expect(received.body.unit.id).toBe('gdtrh');
    expect(received.body.actions.map((a: { name: string }) => a.name)).toEqual(['schedule_inspection', 'propose', 'request_supplement', 'refuse']);
    // The quality division's specialist is not the one handling licences.
    expect((await h.api.act(code, 'schedule_inspection', h.tokens.specialist!, { version: v })).status).toBe(403);

    v = await step(h, code, 'schedule_inspection', 'specialist2', v, 'inspecting');
    const badReport = await h.api.act(code, 'record_inspection', h.tokens.specialist2!, { version: v, data: { inspectionDate: '2026-01-10' } });
    expect(badReport.status).toBe(422);
    expect(Object.keys(badReport.body.error.fields)).toEqual(expect.arrayContaining(['members', 'premisesOk', 'findings', 'conclusion']));
    v = await step(h, code, 'record_inspection', 'specialist2', v, 'reviewing', {
      data: { inspectionDate: '2026-01-10', members: 'Mai Thị Ngọc; Trần Văn Minh', premisesOk: 'meets', findings: 'Phòng học 30 m², đủ ánh sáng', conclusion: 'meets' },
    });
    v = await step(h, code, 'propose', 'specialist2', v, 'awaiting_approval', { data: { validFrom: '2026-03-01', validUntil: '2027-02-28', conditions: 'Không dạy thêm học sinh đang học chính khóa do mình dạy' } });
    v = await step(h, code, 'approve', 'leader', v, 'signing');
    const result = await signedResult(h, code, trackingToken);
    expect(result.text).toContain('GIẤY PHÉP TỔ CHỨC HOẠT ĐỘNG DẠY THÊM, HỌC THÊM');
    // A licence, numbered in the Department's outgoing register (shared with its forms), signed for the director.
    expect(result.text).toMatch(/Số: \d{2}\/GP-SGDĐT/);
    expect(result.text).toMatch(/KT\. GIÁM ĐỐC\s+PHÓ GIÁM ĐỐC/);
    expect(result.text).toContain('LÊ MINH ĐỨC');
    expect(result.text).toMatch(/từ ngày 01\/03\/2026 đến ngày 28\/02\/2027/);
    expect(result.text).toContain('10/01/2026');
    expectSignedAndSealed(result.signature, 'Nguyễn Đức Thắng', 'Sở Giáo dục và Đào tạo Thanh Hóa');
    await step(h, code, 'return_result', 'clerk', result.version, 'returned');

    const slip = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/handovers`, { token: h.tokens.clerk! });
    expect(slip.body.map((r: { action: string; from: { id: string }; to: { id: string } }) => `${r.action}:${r.from.id}>${r.to.id}`))
      .toEqual(['receive:mot-cua>gdtrh', 'result_issued:gdtrh>mot-cua']);
  });
});

describe('extra-tutoring-licence supplement and refusal (production)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('production', STAFF); });
  afterAll(async () => { await h?.env.close(); });

  it('pauses for a supplement at the desk and after receipt, then refuses on the merits', async () => {
    const filed = await h.api.submit('extra-tutoring-licence', request({ organiserType: 'organisation', representativeName: 'Nguyễn Văn An', organiserName: 'Trung tâm Ánh Dương' }), await uploads(DOCS));
    const { code, trackingToken } = filed.body;
    let v = await step(h, code, 'request_supplement', 'clerk', 1, 'awaiting_supplement', { comment: 'Thiếu giấy khám sức khỏe của một giáo viên' });
    expect((await view(h, code, trackingToken)).body.clockState).toBe('not_started');
    v = await step(h, code, 'resubmit', trackingToken, v, 'submitted');
    v = await step(h, code, 'receive', 'clerk', v, 'reviewing');
    v = await step(h, code, 'request_supplement', 'specialist2', v, 'awaiting_supplement', { comment: 'Bổ sung bản mô tả phòng học' });
    expect((await view(h, code, trackingToken)).body.clockState).toBe('paused');
    v = await step(h, code, 'resubmit', trackingToken, v, 'submitted');
    expect((await view(h, code, trackingToken)).body.clockState).toBe('running');
    v = await step(h, code, 'receive', 'clerk', v, 'reviewing');
    await step(h, code, 'refuse', 'specialist2', v, 'rejected', { comment: 'Địa điểm không bảo đảm diện tích tối thiểu' });
    const final = await view(h, code, trackingToken);
    expect(final.body.clockState).toBe('stopped');
    expect(final.body.history.map((e: { action: string }) => e.action))
      .toEqual(['submit', 'request_supplement', 'resubmit', 'receive', 'request_supplement', 'resubmit', 'receive', 'refuse']);
  });

  it('refuses at the desk', async () => {
    const { code } = (await h.api.submit('extra-tutoring-licence', request(), await uploads(DOCS))).body;
    await step(h, code, 'refuse', 'clerk', 1, 'refused', { comment: 'Nội dung không thuộc thẩm quyền cấp phép của Sở' });
  });
});
