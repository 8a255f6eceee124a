// Feedback and complaints send an acknowledgement to the contact given, so an e-mail or phone may be used for at most
// INTAKE_CONTACT_HOURLY_LIMIT / _DAILY_LIMIT items (counted over every item with that contact). Anonymous filers are
// held to it, and so is a citizen signed in with VNeID who types an e-mail or phone other than their claims' — only
// the state's own contacts for them are free. The counting rules are the intake's (services/intake/contact-limit.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCitizen, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

const ORIGIN = 'http://motcua.test';
const HOURLY = 2;
let env: TestEnvironment;
let citizen: SignedInCitizen;

const item = (extra: Record<string, string> = {}) => ({ kind: 'feedback', title: 'Thủ tục khó hiểu', body: 'Hướng dẫn nộp hồ sơ trên cổng khó hiểu.', ...extra });
const anonymous = (extra: Record<string, string>) => env.app.inject({ method: 'POST', url: '/api/feedback', payload: item({ contactName: 'Người Gửi', ...extra }) });
const signedIn = (extra: Record<string, string> = {}) => env.app.inject({
  method: 'POST', url: '/api/feedback', headers: { cookie: citizen.cookie, origin: ORIGIN }, payload: item(extra),
});

beforeAll(async () => {
  env = await startTestEnvironment('production', { env: { INTAKE_CONTACT_HOURLY_LIMIT: String(HOURLY), INTAKE_CONTACT_DAILY_LIMIT: '0' } });
  citizen = await signInCitizen(env.ctx.db, { fullName: 'Đặng Văn Phản', email: 'dang.phan@example.test', phone: '0912000555' });
});
afterAll(async () => { await env?.close(); });

describe('per-contact limit on feedback', () => {
  it('holds an anonymous filer to the limit (429 RATE_LIMITED, Retry-After, the field marked)', async () => {
    for (let i = 0; i < HOURLY; i++) expect((await anonymous({ contactEmail: 'an.danh@example.test' })).statusCode).toBe(201);
    const refused = await anonymous({ contactEmail: 'An.Danh+x@example.test' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED', fields: { contactEmail: expect.any(String) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('holds a signed-in citizen to it for an e-mail they typed that is not theirs', async () => {
    for (let i = 0; i < HOURLY; i++) expect((await signedIn({ contactEmail: 'nan.nhan@example.test' })).statusCode).toBe(201);
    const refused = await signedIn({ contactEmail: 'nan.nhan@example.test' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED', fields: { contactEmail: expect.any(String) } });
    // An address anonymous filings used up is used up for a signed-in filer too.
    expect((await signedIn({ contactEmail: 'an.danh@example.test' })).statusCode).toBe(429);
  });

  it('and for a phone they typed that is not theirs', async () => {
    for (let i = 0; i < HOURLY; i++) expect((await signedIn({ contactPhone: '0987111222' })).statusCode).toBe(201);
    const refused = await signedIn({ contactPhone: '+84987111222' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.fields).toMatchObject({ contactPhone: expect.any(String) });
  });

  it("leaves the citizen's own contacts free, however they are typed", async () => {
    for (let i = 0; i < HOURLY + 2; i++) expect((await signedIn()).statusCode).toBe(201);
    expect((await signedIn({ contactEmail: 'Dang.Phan@example.test', contactPhone: '+84912000555' })).statusCode).toBe(201);
  });
});
