// GET /api/stats over real HTTP (PostgreSQL + BullMQ): the Decision 766 indicators computed from dossiers taken
// through the services, by procedure and by month, and who may see them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { trackingTokenFor } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { submitSurvey } from '../../src/services/reporting/survey.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

describe('service-quality statistics API', () => {
  let env: TestEnvironment;
  let api: ApiClient;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  async function returned(rating: 'very_satisfied' | 'unsatisfied'): Promise<string> {
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version });
    const ready = await eventually(async () => {
      const row = await findDossierByCode(env.ctx.db, code);
      return row?.status === 'result_ready' ? row : undefined;
    });
    await performAction(env.ctx, { code, action: 'return_result', caller: await staffCaller(env.ctx, 'clerk'), version: ready.version });
    await submitSurvey(env.ctx, code, { kind: 'public', bearer: trackingTokenFor(env.ctx.secret, ready.id) },
      { rating, reason: rating === 'unsatisfied' ? 'Chờ lâu.' : undefined });
    return code;
  }

  it('counts online, on-time, late open and satisfied dossiers by procedure and month', async () => {
    await returned('unsatisfied');
    await returned('very_satisfied');
    // Received, then its due time passed with the clock running: late and still open.
    const late = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Phạm Văn Muộn'), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }] });
    await performAction(env.ctx, { code: late.code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
    await env.ctx.database.query(`update dossiers set due_at = now() - interval '2 hours' where code = $1`, [late.code]);
    // Filed at the desk, last month.
    const desk = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Đỗ Thị Quầy'), files: [{ fieldName: 'identity', fileName: 'b.pdf', data: await makePdf() }], channel: 'desk' });
    await env.ctx.database.query(`update dossiers set submitted_at = submitted_at - interval '35 days' where code = $1`, [desk.code]);

    const leader = await api.login('leader');
    const today = vnDay(new Date());
    const from = vnDay(new Date(Date.now() - 60 * 86_400_000));
    const { status, body } = await api.json('GET', `/api/stats?from=${from}&to=${today}`, { token: leader });
    expect(status).toBe(200);
    expect(body.totals).toMatchObject({
      dossiers: 4, online: 3, onlineRate: 0.75, completed: 2, onTime: 2, onTimeRate: 1, lateOpen: 1, rated: 2, unsatisfied: 1, satisfactionRate: 0.5,
    });
    const diploma = body.byProcedure.find((p: { procedure: { id: string } }) => p.procedure.id === 'diploma-copy');
    expect(diploma).toMatchObject({ procedure: { title: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc' }, dossiers: 4, satisfactionRate: 0.5 });
    // Every month of the period is listed (empty ones with zeros); the desk dossier sits in its own month.
    const months = body.byMonth.map((m: { month: string }) => m.month);
    expect(months.at(-1)).toBe(today.slice(0, 7));
    expect(body.byMonth.reduce((n: number, m: { dossiers: number }) => n + m.dossiers, 0)).toBe(4);
    const deskMonth = vnDay(new Date(Date.now() - 35 * 86_400_000)).slice(0, 7);
    if (deskMonth !== today.slice(0, 7)) {
      expect(body.byMonth.find((m: { month: string }) => m.month === deskMonth)).toMatchObject({ dossiers: 1, online: 0, onlineRate: 0 });
    }
    expect(body.byStatus).toContainEqual({ procedure: 'diploma-copy', status: 'returned', statusLabel: 'Đã trả kết quả', count: 2 });

    // A period that ends before today's dossiers leaves them out.
    const earlier = await api.json('GET', `/api/stats?from=${from}&to=${vnDay(new Date(Date.now() - 30 * 86_400_000))}`, { token: leader });
    expect(earlier.body.totals.dossiers).toBe(1);
    const none = await api.json('GET', `/api/stats?from=${from}&to=${today}&procedure=school-transfer-none`, { token: leader });
    expect(none.body.totals.dossiers).toBe(0);
    expect(none.body.totals.onTimeRate).toBeNull();
  });

  it('is for leaders and admins only, and checks the period', async () => {
    expect((await api.json('GET', '/api/stats')).status).toBe(401);
    expect((await api.json('GET', '/api/stats', { token: await api.login('clerk') })).status).toBe(403);
    const admin = await api.login('admin');
    expect((await api.json('GET', '/api/stats', { token: admin })).status).toBe(200);
    const bad = await api.json('GET', '/api/stats?from=2026-02-30&to=2026-01-01', { token: admin });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.from).toBeDefined();
  });
});
