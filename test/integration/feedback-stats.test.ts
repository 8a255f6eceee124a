// The dashboard's satisfaction group with feedback and complaints (PostgreSQL + BullMQ): a dossier complained about is
// not a satisfied one (Decision 766: not rated unsatisfied, not complained about, not late / decided), and the
// complaints filed in the period are counted — received, answered, answered on time, overdue — for the agency that
// answers them (the Department's leader; a school's principal; an admin: all), on GET /api/stats and the dashboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { trackingTokenFor } from '../../src/services/access.js';
import { answerFeedback } from '../../src/services/feedback/answer-feedback.js';
import { fileFeedback } from '../../src/services/feedback/file-feedback.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitSurvey } from '../../src/services/reporting/survey.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller, submitSchoolTransfer } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

/** A diploma copy returned to the citizen and rated "Rất hài lòng"; its tracking token. */
async function returnedAndRated(): Promise<{ code: string; token: string }> {
  const { code, version } = await dossierAwaitingApproval(env.ctx);
  await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version });
  const ready = await eventually(async () => {
    const row = await findDossierByCode(env.ctx.db, code);
    return row?.status === 'result_ready' ? row : undefined;
  }, 60_000);
  await performAction(env.ctx, { code, action: 'return_result', caller: await staffCaller(env.ctx, 'clerk'), version: ready.version });
  const token = trackingTokenFor(env.ctx.secret, ready.id);
  await submitSurvey(env.ctx, code, { kind: 'public', bearer: token }, { rating: 'very_satisfied' });
  return { code, token };
}

const anonymous = (title: string) => fileFeedback(env.ctx, { kind: 'public', bearer: null }, {
  kind: 'feedback', procedureId: 'diploma-copy', title, body: `${title}: nội dung phản ánh.`, contactName: 'Người Gửi', contactPhone: '0912000555',
});

async function stats(username: string) {
  const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  const today = vnDay(new Date());
  const r = await env.app.inject({ method: 'GET', url: `/api/stats?from=${today}&to=${today}`, headers: { authorization: `Bearer ${login.json().token}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

describe('complaints in the satisfaction group', () => {
  it('a complaint makes its dossier not satisfied, and complaints are counted received / answered / on time / overdue per agency', async () => {
    await returnedAndRated();
    const complainedAbout = await returnedAndRated();
    const clerk = await staffCaller(env.ctx, 'clerk');

    const before = await stats('leader');
    expect(before.totals).toMatchObject({ completed: 2, satisfactory: 2, complained: 0, satisfactionRate: 1 });
    expect(before.complaints).toEqual({ received: 0, answered: 0, answeredOnTime: 0, overdue: 0 });

    // 1. About the dossier, by its tracking token's holder; answered in time.
    const complaint = await fileFeedback(env.ctx, { kind: 'public', bearer: complainedAbout.token }, {
      kind: 'petition', dossierCode: complainedAbout.code, title: 'Trả kết quả chậm', body: 'Phải đến hai lần mới nhận được bản sao.',
    });
    await answerFeedback(env.ctx, complaint.code, clerk, { answer: 'Xin lỗi ông (bà), đơn vị đã chấn chỉnh việc trả kết quả.' });
    // 2. Answered after its due time.
    const late = await anonymous('Trả lời muộn');
    await env.ctx.database.query(`update feedback_items set due_at = now() - interval '1 hour' where code = $1`, [late.code]);
    await answerFeedback(env.ctx, late.code, clerk, { answer: 'Trả lời sau hạn cho phản ánh này.' });
    // 3. Open past its due time; 4. open, not due yet.
    const overdue = await anonymous('Chưa ai trả lời');
    await env.ctx.database.query(`update feedback_items set due_at = now() - interval '1 hour' where code = $1`, [overdue.code]);
    await anonymous('Mới gửi');
    // 5. About a school's dossier: the school answers it, not the Department.
    const transfer = await submitSchoolTransfer(env.ctx);
    await fileFeedback(env.ctx, { kind: 'public', bearer: transfer.trackingToken }, {
      kind: 'feedback', dossierCode: transfer.code, title: 'Trường chưa xác nhận', body: 'Trường chưa xác nhận cho chuyển đi.',
    });

    const leader = await stats('leader');
    // Decided 2, one of them complained about: 1 satisfied of 2.
    expect(leader.totals).toMatchObject({ completed: 2, onTime: 2, unsatisfied: 0, complained: 1, satisfactory: 1, satisfactionRate: 0.5 });
    expect(leader.byProcedure.find((p: { procedure: { id: string } }) => p.procedure.id === 'diploma-copy')).toMatchObject({ complained: 1, satisfactionRate: 0.5 });
    expect(leader.complaints).toEqual({ received: 4, answered: 2, answeredOnTime: 1, overdue: 1 });
    expect((await stats('principal')).complaints).toEqual({ received: 1, answered: 0, answeredOnTime: 0, overdue: 0 });
    expect((await stats('admin')).complaints).toEqual({ received: 5, answered: 2, answeredOnTime: 1, overdue: 1 });

    // The leader's dashboard shows the same figures.
    const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: 'demo' } });
    const page = await env.app.inject({ method: 'GET', url: '/can-bo/chi-so', headers: { authorization: `Bearer ${login.json().token}` } });
    expect(page.statusCode).toBe(200);
    const figure = (id: string) => new RegExp(`data-testid="complaints-${id}">(\\d+)<`).exec(page.body)?.[1];
    expect([figure('received'), figure('answered'), figure('on-time'), figure('overdue')]).toEqual(['4', '2', '1', '1']);
  });
});
