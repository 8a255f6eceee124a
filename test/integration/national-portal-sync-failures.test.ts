// Outbound sync to the national portal when it fails for good, in the embedded default (PGlite, inline jobs): a sync
// effect that used up its tries is listed at /api/admin/effects and on /quan-tri/lien-thong/dong-bo with the portal's
// refusal, and an administrator's retry (the API's, the page's button) sends the steps, audited.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalSimulator, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode, NATIONAL_SYNC_JOB } from '../../src/db/repositories/dossiers.js';
import { listStepsOfDossier } from '../../src/db/repositories/national-sync.js';
import { listForDossier } from '../../src/db/repositories/outbox.js';
import { syncNationalPortalJob } from '../../src/jobs/sync-national-portal.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';

const file = async () => [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }];

describe('national portal sync failing for good (embedded: PGlite + inline jobs)', () => {
  let sim: PortalSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  const secret = randomBytes(32).toString('hex');
  // The production policy keeps trying for hours; here two quick tries, through the same driver code path.
  const policy = syncNationalPortalJob.retry;

  beforeAll(async () => {
    syncNationalPortalJob.retry = { attempts: 2, baseDelayMs: 100, maxDelayMs: 100 };
    sim = await startPortalSimulator({ secret });
    env = await startTestEnvironment('embedded', { env: { NATIONAL_PORTAL_URL: sim.url, NATIONAL_PORTAL_SECRET: secret } });
    api = await listenForHttp(env);
  });
  afterAll(async () => {
    syncNationalPortalJob.retry = policy;
    await env?.close();
    await sim?.close();
  });

  /** The dossier's sync effect once it failed for good. */
  const failedSync = (dossierId: string) => eventually(async () => {
    const rows = (await listForDossier(env.ctx.db, dossierId)).filter((r) => r.job === NATIONAL_SYNC_JOB && r.failedAt !== null);
    return rows.length > 0 ? rows : undefined;
  }, 30_000);

  it('lists a refused sync at /api/admin/effects and on the sync page; the admin retries send it, audited', async () => {
    const ctx = env.ctx;
    sim.sync.refuseWith = '-9';
    const a = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Vũ Thị Một'), files: await file() });
    const b = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Vũ Thị Hai'), files: await file() });
    const dossierA = (await findDossierByCode(ctx.db, a.code))!;
    const dossierB = (await findDossierByCode(ctx.db, b.code))!;
    const [failedA] = await failedSync(dossierA.id);
    await failedSync(dossierB.id);

    // The ledger keeps the tries and the portal's refusal; the portal holds nothing.
    const [stepA] = await listStepsOfDossier(ctx.db, dossierA.id);
    expect(stepA).toMatchObject({ sentAt: null, attempts: 2, lastError: expect.stringContaining('error_code -9') });
    expect(sim.sync.dossiers.size).toBe(0);
    expect(sim.sync.refused.length).toBeGreaterThanOrEqual(4);

    const admin = await api.login('admin');
    const effects = await api.json('GET', '/api/admin/effects', { token: admin });
    expect(effects.body.items).toContainEqual(expect.objectContaining({
      id: failedA!.id, job: NATIONAL_SYNC_JOB, label: 'Đồng bộ hồ sơ và quá trình xử lý lên Cổng Dịch vụ công quốc gia.', dossierCode: a.code,
      lastError: expect.stringContaining('error_code -9'),
    }));
    const overview = await api.json('GET', '/api/admin/national-portal/sync', { token: admin });
    expect(overview.body.unsentSteps).toBe(2);
    expect(overview.body.failingDossiers.map((f: { dossierCode: string }) => f.dossierCode).sort()).toEqual([a.code, b.code].sort());
    expect(overview.body.failedEffects.map((e: { dossierCode: string }) => e.dossierCode).sort()).toEqual([a.code, b.code].sort());

    const page = await signInPages(env, 'admin');
    const shown = await page.get('/quan-tri/lien-thong/dong-bo');
    expect(shown.status).toBe(200);
    expect(shown.body).toContain(a.code);
    expect(shown.body).toContain('error_code -9');
    expect(shown.body).toContain('Chạy lại các tác vụ đồng bộ lỗi');
    const clerkPage = await signInPages(env, 'clerk');
    expect((await clerkPage.get('/quan-tri/lien-thong/dong-bo')).status).toBe(403);

    // The portal accepts again: A through the failed-effects API, B through the sync page's button.
    sim.sync.refuseWith = null;
    expect((await api.json('POST', `/api/admin/effects/${failedA!.id}/retry`, { token: admin })).body).toEqual({ id: failedA!.id, job: NATIONAL_SYNC_JOB });
    await eventually(async () => (sim.sync.dossiers.get(a.code)?.steps.length === 1 ? true : undefined), 15_000);
    expect(sim.sync.dossiers.has(b.code)).toBe(false);
    const button = await page.post('/quan-tri/lien-thong/dong-bo/chay-lai', {});
    expect(button).toMatchObject({ status: 303, location: '/quan-tri/lien-thong/dong-bo?tb=da-chay-lai' });
    await eventually(async () => (sim.sync.dossiers.get(b.code)?.steps.length === 1 ? true : undefined), 15_000);
    expect(sim.sync.dossiers.get(b.code)!.steps[0]).toMatchObject({ MaBuoc: expect.stringMatching(new RegExp(`^${b.code}:\\d+$`)), TrangThai: '1', NoiDungXuLy: 'Nộp hồ sơ' });
    await eventually(async () => ((await listStepsOfDossier(ctx.db, dossierB.id)).every((s) => s.sentAt !== null) ? true : undefined));

    const retried = await listAuditEntries(ctx.db, { action: 'effect.retried', limit: 10 });
    expect(retried.map((e) => e.target).sort()).toEqual([a.code, b.code].sort());
    expect((await api.json('GET', '/api/admin/national-portal/sync', { token: admin })).body).toMatchObject({ unsentSteps: 0, failingDossiers: [], failedEffects: [] });
    expect((await page.post('/quan-tri/lien-thong/dong-bo/chay-lai', {})).location).toBe('/quan-tri/lien-thong/dong-bo?tb=khong-co');
  });
});
