// The pages' CSRF token is made only when the page draws a form (routes/pages/csrf-token.ts): a page without forms
// sets no motcua_csrf cookie; a page with forms sets it when the browser had none, every form carries the same
// token, the token verifies as @fastify/csrf's own, and the form's POST is accepted with it — refused without it.
import Tokens from '@fastify/csrf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
let filed: { code: string; trackingToken: string };

beforeAll(async () => {
  env = await startTestEnvironment('production');
  filed = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
});
afterAll(async () => {
  await env?.close();
});

const trackCookie = () => `motcua_track=${Buffer.from(JSON.stringify([{ code: filed.code, token: filed.trackingToken }])).toString('base64url')}`;
const page = () => `/ho-so/${encodeURIComponent(filed.code)}`;
const tokensIn = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);

describe('page CSRF token', () => {
  it('a page without forms sets no CSRF cookie', async () => {
    const response = await env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy' });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('_csrf');
    expect(response.cookies.find((c) => c.name === 'motcua_csrf')).toBeUndefined();
  });

  it('the dossier page sets the secret, one token for all its forms, and the message form posts with it', async () => {
    const response = await env.app.inject({ method: 'GET', url: page(), headers: { cookie: trackCookie() } });
    expect(response.statusCode).toBe(200);
    const secret = response.cookies.find((c) => c.name === 'motcua_csrf');
    expect(secret).toMatchObject({ path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(secret!.value).toMatch(/^[A-Za-z0-9_-]{24}$/); // @fastify/csrf's secret: 18 random bytes, base64url
    // Another new browser gets a secret of its own.
    const other = (await env.app.inject({ method: 'GET', url: page(), headers: { cookie: trackCookie() } })).cookies.find((c) => c.name === 'motcua_csrf');
    expect(other?.value).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(other?.value).not.toBe(secret!.value);
    const tokens = tokensIn(response.body);
    expect(tokens.length).toBeGreaterThanOrEqual(2); // the message form and "Đổi mã tra cứu"
    expect(new Set(tokens).size).toBe(1);
    expect(Tokens().verify(secret!.value, tokens[0]!)).toBe(true);

    const post = (token: string | undefined) => env.app.inject({
      method: 'POST', url: `${page()}/tin-nhan`, headers: { cookie: `${trackCookie()}; motcua_csrf=${secret!.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...(token ? { _csrf: token } : {}), body: 'Xin hỏi tiến độ hồ sơ.' }).toString(),
    });
    expect((await post(undefined)).statusCode).toBe(403);
    expect((await post(Tokens().create(Tokens().secretSync()))).statusCode).toBe(403);
    const accepted = await post(tokens[0]);
    expect([accepted.statusCode, accepted.headers.location]).toEqual([303, `${page()}?tb=tin-nhan#tin-nhan`]);
  });

  it('a browser that has the secret keeps it: no new cookie, a fresh token for the same secret', async () => {
    const secret = Tokens().secretSync();
    const response = await env.app.inject({ method: 'GET', url: page(), headers: { cookie: `${trackCookie()}; motcua_csrf=${secret}` } });
    expect(response.statusCode).toBe(200);
    expect(response.cookies.find((c) => c.name === 'motcua_csrf')).toBeUndefined();
    const [token] = tokensIn(response.body);
    expect(Tokens().verify(secret, token!)).toBe(true);
    const again = tokensIn((await env.app.inject({ method: 'GET', url: page(), headers: { cookie: `${trackCookie()}; motcua_csrf=${secret}` } })).body)[0];
    expect(again).not.toBe(token); // salted per page, as @fastify/csrf's tokens are
  });
});
