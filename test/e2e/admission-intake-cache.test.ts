// Admission intake reads the campaign and its schools from a per-process cache (services/admissions/campaign-cache.ts):
// one read serves every filing for a few seconds, and a campaign saved by an administrator in this process is seen by
// the next filing at once — a registration window closed through the API refuses the very next registration.
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
