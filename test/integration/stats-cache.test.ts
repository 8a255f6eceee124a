// The service-quality figures served again from memory for STATS_CACHE_MS (the tests' environments turn it off):
// one key per period, procedure and reach, recomputed once the time is up, shared by concurrent requests, and
// `generatedAt` says when they were computed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceStats } from '../../src/services/reporting/stats.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

describe('service-quality figures cache', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  const file = async () => submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });

  beforeAll(async () => {
    env = await startTestEnvironment('production', { env: { STATS_CACHE_MS: '60000' } });
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  it('answers from memory within STATS_CACHE_MS, per period and reach, and computes again after it', async () => {
    const leader = await api.login('leader');
    await file();
    const first = await api.json('GET', '/api/stats', { token: leader });
    expect(first.status).toBe(200);
    const filed = first.body.totals.dossiers as number;
    expect(filed).toBeGreaterThan(0);

    await file();
    const again = await api.json('GET', '/api/stats', { token: leader });
    expect(again.body).toEqual(first.body); // the same figures, the same generatedAt
    // Another period is another key: computed now, with the new dossier.
    const other = await api.json('GET', `/api/stats?from=${first.body.from}&to=${first.body.to}&procedure=diploma-copy`, { token: leader });
    expect(other.body.totals.dossiers).toBe(filed + 1);
    expect(other.body.generatedAt).not.toBe(first.body.generatedAt);
    // Another reach (an admin sees every unit) is another key too.
    const admin = await api.json('GET', '/api/stats', { token: await api.login('admin') });
    expect(admin.body.totals.dossiers).toBeGreaterThanOrEqual(filed + 1);

    // The page says when its figures were computed (they may be a minute old).
    const page = await api.request('GET', '/can-bo/chi-so', { token: leader });
    expect(await page.text()).toMatch(/Số liệu tính lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);

    // Past STATS_CACHE_MS the figures are computed again.
    const caller = await staffCaller(env.ctx, 'leader');
    const later = new Date(Date.parse(first.body.generatedAt) + 60_001);
    const recomputed = await serviceStats(env.ctx, caller.staff, {}, later);
    expect(recomputed.totals.dossiers).toBe(filed + 1);
    expect(recomputed.generatedAt).toBe(later.toISOString());
  });

  it('shares one computation between concurrent requests for the same figures', async () => {
    const caller = await staffCaller(env.ctx, 'leader');
    const at = new Date(Date.now() + 3_600_000); // a key of its own: nothing cached for it yet
    const filter = { from: '2020-01-01', to: '2020-12-31' };
    const [a, b] = await Promise.all([serviceStats(env.ctx, caller.staff, filter, at), serviceStats(env.ctx, caller.staff, filter, at)]);
    expect(a).toBe(b);
    expect(a.generatedAt).toBe(at.toISOString());
  });
});
