// The bad-input corpus (corpus.ts) against the whole application in production mode (PostgreSQL + Redis): every case
// gets exactly the status and stable code it names, and nothing answers 5xx. A summary of the cases run per endpoint
// is printed at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually, listenForHttp } from '../helpers/http.js';
import { uploadPaidDiplomaCopy } from '../helpers/paid-procedure.js';
import { recordDeskPayment } from '../../src/services/payments/desk-payment.js';
import { administrationState, admissionState, paymentState } from './administration-state.js';
import { corpus, DIPLOMA, PAYMENT_PLATFORM_ENV } from './corpus.js';
import { mismatches, observe, summary, toInject, type Fixtures, type HttpCase } from './corpus-runner.js';

const STAFF = ['clerk', 'specialist', 'specialist2', 'leader', 'admin', 'school3'];
const cases = corpus();
const byEndpoint = new Map<string, HttpCase[]>();
for (const c of cases) byEndpoint.set(c.endpoint, [...(byEndpoint.get(c.endpoint) ?? []), c]);
const ran = new Map<string, number>();

let env: TestEnvironment;
let fx: Fixtures;
let administration: Record<string, unknown>;
let payments: Record<string, unknown>;
let admissions: Record<string, unknown>;

beforeAll(async () => {
  // Intake limits off: the corpus files many requests from one address on purpose.
  env = await startTestEnvironment('production', {
    env: { INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0', LOGIN_RATE_LIMIT: '100000', ...PAYMENT_PLATFORM_ENV },
  });
  const pdf = await makePdf();
  const sessions: Record<string, string> = {};
  await Promise.all(STAFF.map(async (username) => {
    const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
    sessions[username] = r.json().token;
  }));
  const file = [{ fieldName: 'identity', fileName: 'cccd.pdf', data: pdf }];
  const first = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Đinh Thị Một'), files: file });
  const second = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Đinh Văn Hai'), files: file });
  const idemKey = 'corpus-idempotency-0001';
  await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: DIPLOMA, files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: pdf }], idempotencyKey: idemKey });
  const view = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(first.code)}`, headers: { authorization: `Bearer ${first.trackingToken}` } });
  // The fee cases: a dossier of the paid version (filed after the dossiers above, which stay free), paid at the desk.
  await uploadPaidDiplomaCopy(await listenForHttp(env), sessions.admin!, env.config.workflowsDir);
  const paid = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Đinh Thị Nộp Phí'), files: file });
  const { reference } = await recordDeskPayment(env.ctx, paid.code, await staffCaller(env.ctx, 'clerk'), { amount: 150_000, reference: undefined, note: undefined });
  await eventually(async () => {
    const r = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(paid.code)}/payments/${reference}/receipt`, headers: { authorization: `Bearer ${paid.trackingToken}` } });
    return r.statusCode === 200 ? true : undefined;
  });
  administration = await administrationState(env.ctx.db);
  payments = await paymentState(env.ctx.db);
  admissions = await admissionState(env.ctx.db);
  const loginPage = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
  fx = {
    values: {
      code: first.code, token: first.trackingToken, doc: view.json().documents[0].id,
      code2: second.code, token2: second.trackingToken, idemKey, paidCode: paid.code, paidToken: paid.trackingToken, reference,
    },
    sessions,
    csrf: { secret: loginPage.cookies.find((c) => c.name === 'motcua_csrf')!.value, token: /name="_csrf" value="([^"]+)"/.exec(loginPage.body)![1]! },
    files: { pdf },
  };
});

afterAll(async () => {
  if (ran.size > 0) console.log(summary('Bad-input corpus', ran));
  await env?.close();
});

describe.each([...byEndpoint.keys()])('%s', (endpoint) => {
  it.each(byEndpoint.get(endpoint)!.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await env.app.inject(toInject(c, fx));
    ran.set(c.endpoint, (ran.get(c.endpoint) ?? 0) + 1);
    const seen = observe(response);
    expect(mismatches(c.expect, seen), `${c.method} ${c.path.slice(0, 120)} → ${response.body.slice(0, 300).replace(/\s+/g, " ")}`).toEqual([]);
  });
});

describe('the corpus itself', () => {
  it('has at least 250 inputs over every public endpoint', () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
    expect(byEndpoint.size).toBeGreaterThanOrEqual(50);
  });

  it('left the dossier every action mutation aimed at untouched', async () => {
    const second = await findDossierByCode(env.ctx.db, fx.values.code2!);
    expect(second).toMatchObject({ status: 'submitted', version: 1 });
  });

  it('left the payments as they were (no payment made or confirmed, no refund recorded)', async () => {
    expect(await paymentState(env.ctx.db)).toEqual(payments);
  });

  it('left the admission season as it was (no score imported, no run started or published)', async () => {
    expect(await admissionState(env.ctx.db)).toEqual(admissions);
  });

  it('left the administration as it was', async () => {
    expect(await administrationState(env.ctx.db)).toEqual(administration);
  });
});
