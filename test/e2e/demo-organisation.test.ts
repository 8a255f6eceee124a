// The embedded demo is complete (issue 10 item 6): every demo school that can receive a dossier has an office clerk,
// a principal with a key and its own seal, so an admission whose first choice is THPT Hàm Rồng is decided and signed
// there like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF } from '../../src/db/seed/index.js';
import { listUnitsWithAgency } from '../../src/db/repositories/staff.js';
import { expectSignedAndSealed, inboxCodes, signedResult, startHarness, step, uploads, type Harness } from './procedures-common.js';

describe('demo organisation (embedded)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('embedded', ['school3', 'principal3']); });
  afterAll(async () => { await h?.env.close(); });

  it('gives every school office a clerk, a principal with a key, and the school its seal', async () => {
    const schools = await listUnitsWithAgency(h.env.ctx.db, 'school_office');
    expect(schools.length).toBeGreaterThanOrEqual(3);
    for (const { unit } of schools) {
      const staff = DEMO_STAFF.filter((s) => s.unitId === unit.id);
      expect(staff.map((s) => s.roles[0]), unit.id).toEqual(expect.arrayContaining(['school', 'leader']));
      expect(await h.env.ctx.signerKeys.modeFor({ unitId: unit.id }), `${unit.id} seal`).toBeTruthy();
    }
  });

  it('decides an admission whose first choice is THPT Hàm Rồng and signs it with that school\'s seal', async () => {
    const filed = await h.api.submit('admission-registration', {
      campaign: 'ts10-demo', grade: '10', pupilName: 'Lê Minh Quân', pupilIdNumber: '038310009876', pupilBirthDate: '2011-09-02',
      pupilGender: 'male', residence: 'Phường Hàm Rồng, TP Thanh Hóa', previousSchool: 'THCS Điện Biên', parentName: 'Lê Văn Hưng',
      parentPhone: '0912000222', choice1: 'thpt-ham-rong', priority: 'none',
    }, await uploads(['birthCertificate', 'residenceProof', 'schoolRecord']));
    expect(filed.status).toBe(201);
    const { code, trackingToken } = filed.body;
    expect(await inboxCodes(h, 'school3')).toContain(code);
    let v = await step(h, code, 'verify', 'school3', 1, 'awaiting_decision', { data: { residenceChecked: true, score: '40' } });
    v = await step(h, code, 'admit', 'principal3', v, 'signing');
    const result = await signedResult(h, code, trackingToken);
    expect(result.text).toContain('Trường THPT Hàm Rồng');
    expectSignedAndSealed(result.signature, 'Lê Thị Phương', 'Trường THPT Hàm Rồng');
    expect(v).toBeGreaterThan(1);
  });
});
