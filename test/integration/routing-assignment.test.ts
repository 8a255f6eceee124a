// Routing inside and between units over HTTP: claim, assign, reassign, hand to another unit (a control-slip row in
// the same transaction as the change), and who may do what — a school officer never sees another school's dossiers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHandovers } from '../../src/db/repositories/routing.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { startHarness, step, uploads, view, type Harness } from '../e2e/procedures-common.js';

let h: Harness;
beforeAll(async () => { h = await startHarness('production', ['clerk', 'specialist', 'specialist2', 'leader', 'school', 'school2', 'school3']); });
afterAll(async () => { await h?.env.close(); });

const licence = {
  organiserType: 'individual', organiserName: 'Hồ Văn Nam', idNumber: '038079001133', phone: '0904111333', address: 'Thanh Hóa',
  premisesAddress: 'Thanh Hóa', subjects: 'Toán', grades: 'Lớp 9', schedule: 'Tối thứ Hai', teacherCount: 1, maxLearners: 20,
};
const assignment = (code: string) => `/api/dossiers/${encodeURIComponent(code)}/assignment`;

describe('claim, assign, reassign and hand over', () => {
  it('claims inside the unit, lets a leader reassign, and records a unit hand-over as a control-slip entry', async () => {
    const { code } = (await h.api.submit('extra-tutoring-licence', licence, await uploads(['application', 'organiserList', 'qualifications', 'healthCertificates', 'premisesPlan']))).body;
    let v = await step(h, code, 'receive', 'clerk', 1, 'reviewing');
    const specialist2 = (await findStaffByUsername(h.env.ctx.db, 'specialist2'))!;
    const specialist = (await findStaffByUsername(h.env.ctx.db, 'specialist'))!;

    // Outside the unit: no claim.
    expect((await h.api.json('POST', assignment(code), { token: h.tokens.school!, json: { version: v } })).body.error.code).toBe('UNIT_FORBIDDEN');
    const claimed = await h.api.json('POST', assignment(code), { token: h.tokens.specialist2!, json: { version: v } });
    expect(claimed).toMatchObject({ status: 200, body: { unitId: 'gdtrh', assignee: { id: specialist2.id, name: 'Mai Thị Ngọc' } } });
    v = claimed.body.version;
    expect((await h.api.json('POST', assignment(code), { token: h.tokens.specialist2!, json: { version: v - 1 } })).status).toBe(409);
    // A specialist cannot hand it to someone else; the assignee must belong to the unit holding it.
    expect((await h.api.json('POST', assignment(code), { token: h.tokens.specialist2!, json: { version: v, staffId: specialist.id } })).status).toBe(403);
    const wrongUnit = await h.api.json('POST', assignment(code), { token: h.tokens.leader!, json: { version: v, staffId: specialist.id } });
    expect(wrongUnit).toMatchObject({ status: 422, body: { error: { fields: { staffId: expect.any(String) } } } });

    // The leader moves it to the quality division and assigns its specialist: one hand-over row.
    const moved = await h.api.json('POST', assignment(code), { token: h.tokens.leader!, json: { version: v, unitId: 'qlcl', staffId: specialist.id, comment: 'Phối hợp kiểm tra văn bằng giáo viên' } });
    expect(moved).toMatchObject({ status: 200, body: { unitId: 'qlcl', assignee: { id: specialist.id } } });
    v = moved.body.version;
    const dossier = (await findDossierByCode(h.env.ctx.db, code))!;
    expect(dossier).toMatchObject({ unitId: 'qlcl', assigneeId: specialist.id, version: v });
    const slip = await listHandovers(h.env.ctx.db, dossier.id);
    expect(slip.map((r) => [r.action, r.fromUnitId, r.toUnitId, r.byName, r.dossierVersion])).toEqual([
      ['receive', 'mot-cua', 'gdtrh', 'Lê Thị Thu Hà', 2],
      ['transfer_unit', 'gdtrh', 'qlcl', 'Nguyễn Đức Thắng', v],
    ]);
    expect(slip[1]!.result).toBe('Chuyển đơn vị xử lý: Phối hợp kiểm tra văn bằng giáo viên');
    // The division it left keeps sight of it but can no longer act.
    expect((await view(h, code, h.tokens.specialist2!)).body.actions).toEqual([]);
    expect((await h.api.act(code, 'propose', h.tokens.specialist2!, { version: v, data: { validFrom: '2026-03-01', validUntil: '2027-03-01' } })).status).toBe(403);
    const history = (await view(h, code, h.tokens.specialist!)).body.history.map((e: { action: string }) => e.action);
    expect(history).toEqual(['submit', 'receive', 'claim', 'transfer_unit']);
    // Unassign: back to the unit's queue.
    const released = await h.api.json('POST', assignment(code), { token: h.tokens.specialist!, json: { version: v, staffId: null } });
    expect(released.body.assignee).toBeNull();
  });

  it('keeps school dossiers between the schools concerned', async () => {
    const transfer = {
      parentName: 'Đinh Thị Yến', parentIdNumber: '038185004000', parentPhone: '0987000111', parentAddress: 'Thanh Hóa',
      pupilName: 'Đinh Công Minh', pupilBirthDate: '2011-01-01', grade: '9', scope: 'within', currentSchool: 'thpt-dao-duy-tu',
      targetSchool: 'thpt-lam-son', reason: 'Chuyển nơi ở',
    };
    const { code } = (await h.api.submit('school-transfer', transfer, await uploads(['application', 'schoolRecord']))).body;
    const inbox = async (who: string) => (await h.api.json('GET', '/api/inbox', { token: h.tokens[who]! })).body.map((d: { code: string }) => d.code);
    expect(await inbox('school2')).toContain(code);
    for (const other of ['school', 'school3']) {
      expect(await inbox(other)).not.toContain(code);
      expect((await view(h, code, h.tokens[other]!)).status).toBe(403);
      expect((await h.api.act(code, 'release', h.tokens[other]!, { version: 1 })).status).toBe(403);
      expect((await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/handovers`, { token: h.tokens[other]! })).status).toBe(403);
    }
    await step(h, code, 'release', 'school2', 1, 'receiving_review');
    expect(await inbox('school')).toContain(code);
    expect((await view(h, code, h.tokens.school3!)).status).toBe(403);
    expect((await view(h, code, h.tokens.school2!)).status).toBe(200);
  });
});
