// Admission intake reads the campaign and its schools from a per-process cache (services/admissions/campaign-cache.ts):
// one read serves every filing for a few seconds, and a campaign saved by an administrator in this process is seen by
// the next filing at once — a registration window closed through the API refuses the very next registration. Also:
// the duplicate refusal in the embedded default, and the routing copy (intake/organisation-cache.ts) after a save.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetIntakeCampaigns, intakeCampaign } from '../../src/services/admissions/campaign-cache.js';
import { startHarness, uploads, type Harness } from './procedures-common.js';

const DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
const HOUR = 3_600_000;
let h: Harness;

const registration = (pupilIdNumber: string) => ({
  campaign: 'ts10-demo', grade: '10', pupilName: 'Trần Khánh Linh', pupilIdNumber, pupilBirthDate: '2011-04-20', pupilGender: 'female',
  residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: 'Trần Văn Hòa', parentPhone: '0912000111',
  choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none',
});

beforeAll(async () => { h = await startHarness('production', ['admin']); });
afterAll(async () => { await h?.env.close(); });

describe('the campaign as admission intake reads it', () => {
  it('is read once and reused, a row changed behind its back is seen once forgotten, an unknown id is nothing', async () => {
    const db = h.env.ctx.db;
    const first = await intakeCampaign(db, 'ts10-demo');
    expect(first?.campaign.grade).toBe(10);
    expect(first?.schools.map((s) => s.schoolUnitId)).toEqual(expect.arrayContaining(['thpt-lam-son', 'thpt-dao-duy-tu', 'thpt-ham-rong']));
    expect(await intakeCampaign(db, 'ts10-demo')).toBe(first);
    await db.execute(sql`update admission_campaigns set name = 'Đổi trực tiếp trong cơ sở dữ liệu' where id = 'ts10-demo'`);
    expect((await intakeCampaign(db, 'ts10-demo'))?.campaign.name).toBe(first?.campaign.name);
    forgetIntakeCampaigns(db);
    expect((await intakeCampaign(db, 'ts10-demo'))?.campaign.name).toBe('Đổi trực tiếp trong cơ sở dữ liệu');
    expect(await intakeCampaign(db, 'khong-co')).toBeUndefined();
  });

  it('sees a campaign saved through the API at once: a window closed refuses the next registration', async () => {
    const admin = (method: string, path: string, json?: unknown) => h.api.json(method, path, { token: h.tokens.admin, json });
    const open = await h.api.submit('admission-registration', registration('038311000001'), await uploads(DOCS));
    expect(open.status).toBe(201);
    const renamed = await admin('PATCH', '/api/admin/campaigns/ts10-demo', { name: 'Tuyển sinh lớp 10 (đã đổi tên)' });
    expect(renamed.status).toBe(200);
    expect((await intakeCampaign(h.env.ctx.db, 'ts10-demo'))?.campaign.name).toBe('Tuyển sinh lớp 10 (đã đổi tên)');
    const closed = await admin('PATCH', '/api/admin/campaigns/ts10-demo', {
      windows: { registration: { opensAt: new Date(Date.now() - 48 * HOUR).toISOString(), closesAt: new Date(Date.now() - HOUR).toISOString() } },
    });
    expect(closed.status).toBe(200);
    const late = await h.api.submit('admission-registration', registration('038311000002'), await uploads(DOCS));
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('CAMPAIGN_CLOSED');
  });
});

describe('one live registration per pupil, in the embedded default too', () => {
  let e: Harness;
  beforeAll(async () => { e = await startHarness('embedded', []); });
  afterAll(async () => { await e?.env.close(); });

  it('a second registration of the pupil is 409 DUPLICATE_REGISTRATION from the unique index (PGlite names it otherwise), never a 500', async () => {
    const first = await e.api.submit('admission-registration', registration('038311000101'), await uploads(DOCS));
    expect(first.status).toBe(201);
    const again = await e.api.submit('admission-registration', { ...registration('038311000101'), parentPhone: '0912000999' }, await uploads(DOCS));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DUPLICATE_REGISTRATION');
  });

  it('one request sent twice at once with its Idempotency-Key: both answered with the same dossier', async () => {
    const files = await uploads(DOCS); // the same bytes: the same request
    const send = () => e.api.submit('admission-registration', registration('038311000102'), files, { 'idempotency-key': 'tuyen-sinh-102' });
    const [a, b] = await Promise.all([send(), send()]);
    // The one written is 201, the other the replay of it (200), whichever came first.
    expect([a.status, b.status].sort(), JSON.stringify([a.body, b.body])).toEqual([200, 201]);
    expect(a.body.code).toBe(b.body.code);
  });
});

describe('routing after the unit roles are saved through the administration service', () => {
  it('drops the copy intake routes with, at once in this process, and moves the revision the other processes poll', async () => {
    const { intakeOrganisation } = await import('../../src/services/intake/organisation-cache.js');
    const { saveUnitRoles } = await import('../../src/services/administration/organisation.js');
    const { readRevision } = await import('../../src/db/repositories/administration.js');
    const { staffCaller } = await import('../helpers/dossiers.js');
    const database = h.env.ctx.database;
    const before = await intakeOrganisation(database);
    const revision = await readRevision(h.env.ctx.db);
    expect(before.assignments.some((a) => a.procedureId === 'diploma-copy' && a.role === 'office' && a.unitId === 'gdtrh')).toBe(false);
    await saveUnitRoles(h.env.ctx, await staffCaller(h.env.ctx, 'admin'), { items: [{ procedureId: 'diploma-copy', role: 'office', unitId: 'gdtrh' }] });
    expect(await readRevision(h.env.ctx.db)).toBeGreaterThan(revision);
    const after = await intakeOrganisation(database);
    expect(after).not.toBe(before);
    expect(after.assignments).toContainEqual(expect.objectContaining({ procedureId: 'diploma-copy', role: 'office', unitId: 'gdtrh' }));
  });
});
