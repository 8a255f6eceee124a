// Procedures are province-independent (DESIGN rule 13): a workflow names unit roles (desk, office, leadership) and
// the units playing them are administration data (procedure_units). Reassigning a role moves where dossiers land and
// which agency heads their codes; an unassigned role refuses cleanly; a dossier pinned to a version stored before
// roles existed (with `agency` and literal unit ids) is still processed to a sealed result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearUnitRole, EVERY_PROCEDURE, setUnitRole } from '../../src/db/repositories/administration.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { ProcedureCatalog } from '../../src/services/procedures/catalog.js';
import type { WorkflowDefinition } from '../../src/workflow/types.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { expectSignedAndSealed, signedResult, startHarness, step, uploads, view, type Harness } from './procedures-common.js';

const TUTORING = 'extra-tutoring-licence';
const TUTORING_DOCS = ['application', 'organiserList', 'qualifications', 'healthCertificates', 'premisesPlan'];
const tutoringRequest = () => ({
  organiserType: 'individual', organiserName: 'Lê Minh Đức', idNumber: '038079001122', phone: '0904111222',
  email: 'duc@example.vn', address: 'Số 12 Trường Thi, TP Thanh Hóa', premisesAddress: 'Số 12 Trường Thi, TP Thanh Hóa',
  subjects: 'Toán, Vật lý', grades: 'Lớp 10, 11, 12', schedule: 'Tối thứ Ba, thứ Năm 18:00-20:00', teacherCount: 2,
  maxLearners: 25, feePerSession: 40000,
});

describe('unit roles decide where a procedure acts', () => {
  let h: Harness;
  const db = () => h.env.ctx.db;
  const fileDiploma = async () => h.api.submit('diploma-copy', diplomaRequest(), await uploads(['identity']));
  // Rows written straight to the table, then announced as the administration service announces its commits: intake
  // routes with a copy it drops on every administrative change (services/intake/organisation-cache.ts).
  const assign = async (procedureId: string, role: 'desk' | 'office' | 'leadership', unitId: string) => {
    await setUnitRole(db(), procedureId, role, unitId);
    await h.env.ctx.adminData.changed();
  };
  const unassign = async (procedureId: string, role: 'desk' | 'office' | 'leadership') => {
    await clearUnitRole(db(), procedureId, role);
    await h.env.ctx.adminData.changed();
  };
  const summaryOf = async (id: string) => (await h.api.json('GET', '/api/procedures')).body.find((p: { id: string }) => p.id === id);

  beforeAll(async () => { h = await startHarness('production', ['clerk', 'specialist', 'specialist2', 'leader']); });
  afterAll(async () => { await h?.env.close(); });

  it('the office reassigned to a unit of another agency receives the dossier, and that agency heads the code and shows in the catalogue', async () => {
    expect((await summaryOf('diploma-copy')).agency).toEqual({ code: '000.00.12.H56', name: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    await assign('diploma-copy', 'office', 'thpt-lam-son');
    try {
      expect((await summaryOf('diploma-copy')).agency).toEqual({ code: '000.20.12.H56', name: 'Trường THPT chuyên Lam Sơn' });
      expect((await h.api.json('GET', '/api/procedures/diploma-copy')).body.agency.code).toBe('000.20.12.H56');
      const page = await h.env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy' });
      expect(page.body).toContain('Trường THPT chuyên Lam Sơn');

      const filed = await fileDiploma();
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      expect(filed.body.code).toMatch(/^000\.20\.12\.H56-\d{6}-0001$/);
      expect(await findDossierByCode(db(), filed.body.code)).toMatchObject({ unitId: 'thpt-lam-son', agencyCode: '000.20.12.H56' });
    } finally {
      await assign('diploma-copy', 'office', 'qlcl');
    }
    const back = await fileDiploma();
    expect(back.body.code).toMatch(/^000\.00\.12\.H56-/);
    expect((await findDossierByCode(db(), back.body.code))?.unitId).toBe('qlcl');
  });

  it('hand-overs follow the roles: filed with the desk, received into the office (the procedure\'s own assignment)', async () => {
    await assign(TUTORING, 'office', 'qlcl');
    try {
      const filed = await h.api.submit(TUTORING, tutoringRequest(), await uploads(TUTORING_DOCS));
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      const { code } = filed.body;
      expect((await findDossierByCode(db(), code))?.unitId).toBe('mot-cua');
      await step(h, code, 'receive', 'clerk', 1, 'reviewing');
      expect((await view(h, code, h.tokens.specialist!)).body.unit.id).toBe('qlcl');
      const slip = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}/handovers`, { token: h.tokens.clerk! });
      expect(slip.body.map((r: { from: { id: string }; to: { id: string } }) => `${r.from.id}>${r.to.id}`)).toEqual(['mot-cua>qlcl']);
    } finally {
      await unassign(TUTORING, 'office');
    }
  });

  it('a role with no unit refuses intake and the hand-over to it with 422 PROCEDURE_NOT_CONFIGURED, changing nothing', async () => {
    const waiting = await h.api.submit(TUTORING, tutoringRequest(), await uploads(TUTORING_DOCS));
    expect(waiting.status).toBe(201);
    await unassign(EVERY_PROCEDURE, 'office');
    try {
      const refused = await h.api.submit(TUTORING, tutoringRequest(), await uploads(TUTORING_DOCS));
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('PROCEDURE_NOT_CONFIGURED');
      expect(refused.body.error.message).toContain('chưa được phân công đơn vị xử lý');

      const receive = await h.api.act(waiting.body.code, 'receive', h.tokens.clerk!, { version: 1 });
      expect(receive.status).toBe(422);
      expect(receive.body.error.code).toBe('PROCEDURE_NOT_CONFIGURED');
      expect(await findDossierByCode(db(), waiting.body.code)).toMatchObject({ status: 'submitted', version: 1, unitId: 'mot-cua' });

      // A procedure with its own office assignment does not need the default; the catalogue still answers for both.
      expect((await fileDiploma()).status).toBe(201);
      expect((await summaryOf(TUTORING)).agency).toEqual({ code: '000.00.12.H56', name: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    } finally {
      await assign(EVERY_PROCEDURE, 'office', 'gdtrh');
    }
    expect((await h.api.act(waiting.body.code, 'receive', h.tokens.clerk!, { version: 1 })).status).toBe(200);
  });

  it('a dossier pinned to a version stored before unit roles (agency, literal unit ids) is processed to a sealed result', async () => {
    const current = h.env.ctx.catalog.find('diploma-copy')!.definition;
    const legacy = structuredClone(current) as unknown as Record<string, unknown> & WorkflowDefinition;
    Object.assign(legacy, { agency: '000.00.12.H56', unit: 'qlcl' });
    legacy.result.signers = legacy.result.signers.map((s) => (s.kind === 'seal' ? { ...s, unit: 'so-gddt' as never } : s));
    // Published the way a boot of the old release stored it: as JSON in procedure_versions, never through today's loader.
    const legacyCatalog = await ProcedureCatalog.publish(db(), [{ file: 'legacy/diploma-copy.yaml', hash: 'legacy-before-unit-roles', definition: legacy }]);
    const files = [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }];

    // The literal ids are taken as they are: the roles point elsewhere (office) or nowhere (leadership) meanwhile.
    await assign('diploma-copy', 'office', 'gdtrh');
    await unassign(EVERY_PROCEDURE, 'leadership');
    try {
      const filed = await submitDossier({ ...h.env.ctx, catalog: legacyCatalog }, { procedureId: 'diploma-copy', data: diplomaRequest('Phạm Văn Cũ'), files });
      const row = await findDossierByCode(db(), filed.code);
      expect(row?.procedureVersionId).toBe(legacyCatalog.find('diploma-copy')!.versionId);
      expect(row?.unitId).toBe('qlcl');

      const ctx = h.env.ctx;
      await performAction(ctx, { code: filed.code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
      await performAction(ctx, {
        code: filed.code, action: 'verify', caller: await staffCaller(ctx, 'specialist'), version: 2,
        data: { registerBookNumber: 'SG-01', entryNumber: '78/THPT', diplomaNumber: 'B 7654321', issuedDate: '2019-07-01' },
      });
      await step(h, filed.code, 'approve', 'leader', 3, 'signing');
      const result = await signedResult(h, filed.code, filed.trackingToken);
      expect(result.text).toContain('PHẠM VĂN CŨ');
      expectSignedAndSealed(result.signature, 'Nguyễn Đức Thắng', 'Sở Giáo dục và Đào tạo Thanh Hóa');
    } finally {
      await assign('diploma-copy', 'office', 'qlcl');
      await assign(EVERY_PROCEDURE, 'leadership', 'so-gddt');
    }
  });
});
