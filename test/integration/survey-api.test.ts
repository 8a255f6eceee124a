// POST /api/dossiers/:code/survey over real HTTP (PostgreSQL + BullMQ): only the citizen holding the tracking token
// rates, only once the dossier is closed, a reason is required for "Không hài lòng", and a second answer is a 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { trackingTokenFor } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

describe('satisfaction survey API', () => {
  let env: TestEnvironment;
  let api: ApiClient;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  async function tokenOf(code: string): Promise<string> {
    const row = await findDossierByCode(env.ctx.db, code);
    return trackingTokenFor(env.ctx.secret, row!.id);
  }

  /** A diploma-copy dossier taken to "returned" through the services, the result signed by the job. */
  async function returnedDossier(): Promise<{ code: string; token: string }> {
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version });
    const ready = await eventually(async () => {
      const row = await findDossierByCode(env.ctx.db, code);
      return row?.status === 'result_ready' ? row : undefined;
    });
    await performAction(env.ctx, { code, action: 'return_result', caller: await staffCaller(env.ctx, 'clerk'), version: ready.version });
    return { code, token: await tokenOf(code) };
  }

  const url = (code: string) => `/api/dossiers/${encodeURIComponent(code)}/survey`;

  it('refuses a rating before the dossier is closed (422 SURVEY_NOT_OPEN)', async () => {
    const { code } = await dossierAwaitingApproval(env.ctx);
    const early = await api.json('POST', url(code), { token: await tokenOf(code), json: { rating: 'satisfied' } });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('SURVEY_NOT_OPEN');
  });

  it('takes one rating per dossier: 422 without a reason when unsatisfied, 201, then 409', async () => {
    const { code, token } = await returnedDossier();

    const noReason = await api.json('POST', url(code), { token, json: { rating: 'unsatisfied', reason: '   ' } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { reason: expect.stringContaining('Không hài lòng') } });

    const badCriterion = await api.json('POST', url(code), { token, json: { rating: 'satisfied', criteria: { timeliness: 'whenever' } } });
    expect(badCriterion.status).toBe(422);
    expect(Object.keys(badCriterion.body.error.fields)).toEqual(['criteria.timeliness']);
    const badRating = await api.json('POST', url(code), { token, json: { rating: 'so-so' } });
    expect(badRating.status).toBe(422);
    expect(badRating.body.error.fields.rating).toBe('Vui lòng chọn mức độ hài lòng.');

    // Nobody but the token holder: a wrong token looks like an unknown dossier, staff may not rate for the citizen.
    expect((await api.json('POST', url(code), { token: 'not-the-token', json: { rating: 'very_satisfied' } })).status).toBe(404);
    const clerk = await api.login('clerk');
    const byStaff = await api.json('POST', url(code), { token: clerk, json: { rating: 'very_satisfied' } });
    expect(byStaff.status).toBe(403);

    const rated = await api.json('POST', url(code), {
      token, json: { rating: 'unsatisfied', reason: 'Phải gọi điện hỏi hai lần mới biết kết quả.', criteria: { timeliness: 'on_time', contacts: '2' } },
    });
    expect(rated.status).toBe(201);
    expect(rated.body).toMatchObject({ code, rating: 'unsatisfied' });
    const again = await api.json('POST', url(code), { token, json: { rating: 'very_satisfied' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SURVEY_ALREADY_SUBMITTED');

    const rows = await env.ctx.database.query<{ rating: string; reason: string; criteria: unknown }>(
      'select s.rating, s.reason, s.criteria from survey_answers s join dossiers d on d.id = s.dossier_id where d.code = $1', [code]);
    expect(rows).toEqual([{ rating: 'unsatisfied', reason: 'Phải gọi điện hỏi hai lần mới biết kết quả.', criteria: { timeliness: 'on_time', contacts: '2' } }]);
  });
});
