// Findings 4 and 5, what a browser may be made to do: an unsafe /api request that only the session COOKIE
// authenticates must carry the pages' CSRF token or come from our own origin (403 CSRF_REJECTED otherwise; Bearer
// and anonymous calls are unaffected); and every response carries nosniff, a referrer policy and a CSP that forbids
// framing (pages keep their own), HSTS over https, and uploaded files come back sandboxed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

const PUBLIC_ORIGIN = 'http://motcua.test'; // PUBLIC_URL of the test environment
let env: TestEnvironment;
let clerkToken: string;
let sessionCookie: { motcua_session: string };

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'clerk', password: 'demo' } });
  clerkToken = r.json().token;
  sessionCookie = { motcua_session: r.cookies.find((c) => c.name === 'motcua_session')!.value };
});
afterAll(async () => { await env?.close(); });

async function newDossier(): Promise<string> {
  const { code } = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest('Phan Thị Cúc'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  return code;
}

const receiveUrl = (code: string) => `/api/dossiers/${encodeURIComponent(code)}/actions/receive`;

/** The audit's request: a multipart form another site's page posts, the browser adding the session cookie. */
function multipartReceive(version: number) {
  const boundary = '----cross-site';
  return {
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('CSRF on the JSON API', () => {
  it('refuses a cross-site multipart POST riding on the session cookie (the audit\'s `receive`)', async () => {
    const code = await newDossier();
    const form = multipartReceive(1);
    for (const extra of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, {}, { origin: 'null' }, { 'sec-fetch-site': 'same-site', origin: 'http://sub.motcua.test' }]) {
      const r = await env.app.inject({ method: 'POST', url: receiveUrl(code), cookies: sessionCookie, payload: form.payload, headers: { ...form.headers, ...extra } });
      expect(r.statusCode, JSON.stringify(extra)).toBe(403);
      expect(r.json().error.code).toBe('CSRF_REJECTED');
    }
    expect((await findDossierByCode(env.ctx.db, code))).toMatchObject({ status: 'submitted', version: 1 });
    // Also JSON bodies, and other unsafe verbs: logout, password change.
    const json = await env.app.inject({ method: 'POST', url: receiveUrl(code), cookies: sessionCookie, payload: { version: 1 }, headers: { origin: 'https://evil.example' } });
    expect(json.json().error.code).toBe('CSRF_REJECTED');
    const logout = await env.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: sessionCookie, headers: { origin: 'https://evil.example' } });
    expect(logout.statusCode).toBe(403);
    const password = await env.app.inject({ method: 'POST', url: '/api/auth/password', cookies: sessionCookie, payload: { currentPassword: 'demo', newPassword: 'x'.repeat(12) } });
    expect(password.json().error.code).toBe('CSRF_REJECTED');
    // Reading stays possible (GET is safe; the browser's same-origin policy keeps the answer from other sites).
    expect((await env.app.inject({ method: 'GET', url: '/api/inbox', cookies: sessionCookie, headers: { origin: 'https://evil.example' } })).statusCode).toBe(200);
  });

  it('accepts the cookie from our own origin: Origin = PUBLIC_URL, or Sec-Fetch-Site: same-origin', async () => {
    const code = await newDossier();
    const byOrigin = await env.app.inject({ method: 'POST', url: receiveUrl(code), cookies: sessionCookie, payload: { version: 1 }, headers: { origin: PUBLIC_ORIGIN } });
    expect(byOrigin.statusCode).toBe(200);
    const other = await newDossier();
    const form = multipartReceive(1);
    const byFetchMetadata = await env.app.inject({
      method: 'POST', url: receiveUrl(other), cookies: sessionCookie, payload: form.payload, headers: { ...form.headers, 'sec-fetch-site': 'same-origin' },
    });
    expect(byFetchMetadata.statusCode).toBe(200);
  });

  it('accepts the pages\' CSRF token in x-csrf-token (secret in the motcua_csrf cookie), and only a valid one', async () => {
    const page = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
    const secret = page.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const code = await newDossier();
    const forged = await env.app.inject({
      method: 'POST', url: receiveUrl(code), cookies: { ...sessionCookie, motcua_csrf: secret }, payload: { version: 1 }, headers: { 'x-csrf-token': `${csrfToken}x` },
    });
    expect(forged.json().error.code).toBe('CSRF_REJECTED');
    const otherSecret = await env.app.inject({
      method: 'POST', url: receiveUrl(code), cookies: { ...sessionCookie, motcua_csrf: 'another-secret-entirely' }, payload: { version: 1 }, headers: { 'x-csrf-token': csrfToken },
    });
    expect(otherSecret.json().error.code).toBe('CSRF_REJECTED');
    const ok = await env.app.inject({
      method: 'POST', url: receiveUrl(code), cookies: { ...sessionCookie, motcua_csrf: secret }, payload: { version: 1 }, headers: { 'x-csrf-token': csrfToken },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('leaves Bearer-token and anonymous calls alone, whatever Origin they carry', async () => {
    const code = await newDossier();
    const bearer = await env.app.inject({
      method: 'POST', url: receiveUrl(code), payload: { version: 1 }, headers: { authorization: `Bearer ${clerkToken}`, origin: 'https://portal.example' },
    });
    expect(bearer.statusCode).toBe(200);
    // A kiosk posting a new dossier cross-origin, no session at all.
    const boundary = '----kiosk';
    const pdf = await makePdf();
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="procedure"\r\n\r\ndiploma-copy\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${JSON.stringify(diplomaRequest('Võ Thị Sáu'))}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="identity"; filename="cccd.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const anonymous = await env.app.inject({
      method: 'POST', url: '/api/dossiers', payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: 'https://kiosk.example' },
    });
    expect(anonymous.statusCode).toBe(201);
    // Signing in needs no session, so a stale cookie riding along does not matter.
    const relogin = await env.app.inject({ method: 'POST', url: '/api/auth/login', cookies: sessionCookie, payload: { username: 'clerk', password: 'demo' } });
    expect(relogin.statusCode).toBe(200);
  });
});

describe('security headers', () => {
  const expectBaseline = (headers: Record<string, unknown>) => {
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(String(headers['content-security-policy'])).toMatch(/frame-ancestors '(none|self)'/);
    expect(headers['strict-transport-security']).toBeUndefined(); // PUBLIC_URL is http here
  };

  it('JSON answers, errors and the OpenAPI document forbid framing and sniffing', async () => {
    for (const url of ['/api/procedures', '/api/khong-co', '/healthz', '/docs/json']) {
      const r = await env.app.inject({ method: 'GET', url });
      expectBaseline(r.headers);
      expect(r.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      // (/docs/json answers under the docs UI's policy, which is no looser about framing.)
      if (!url.startsWith('/docs')) expect(r.headers['content-security-policy'], url).toContain("default-src 'none'");
    }
  });

  it('the /verify page and the /docs UI get their own workable policy; the portal pages keep theirs', async () => {
    const verify = await env.app.inject({ method: 'GET', url: '/verify/KHONG-CO' });
    expect(verify.headers['content-type']).toMatch(/text\/html/);
    expectBaseline(verify.headers);
    expect(verify.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(verify.headers['content-security-policy']).toContain("script-src 'self'");

    const docs = await env.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expectBaseline(docs.headers);
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');

    const home = await env.app.inject({ method: 'GET', url: '/' });
    expectBaseline(home.headers);
    // The pages' own, stricter-in-scripts policy is left as it was (framing by our own origin only).
    expect(home.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(home.headers['content-security-policy']).toContain("form-action 'self'");
  });

  it('serves uploaded files sandboxed, from the API and from the pages', async () => {
    const code = await newDossier();
    const view = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: { authorization: `Bearer ${clerkToken}` } });
    const [document] = view.json().documents as Array<{ id: string; url: string }>;
    const fromApi = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}/documents/${document!.id}`, headers: { authorization: `Bearer ${clerkToken}` } });
    expect(fromApi.statusCode).toBe(200);
    expect(fromApi.headers['content-type']).toBe('application/pdf');
    expectBaseline(fromApi.headers);
    expect(fromApi.headers['content-security-policy']).toMatch(/^sandbox\b/);
    const fromPage = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}/tep/${document!.id}`, cookies: sessionCookie });
    expect(fromPage.statusCode).toBe(200);
    expectBaseline(fromPage.headers);
    expect(fromPage.headers['content-security-policy']).toMatch(/^sandbox\b/);
  });

  it('adds HSTS when PUBLIC_URL is https', async () => {
    const https = await buildApp({ ...env.ctx, config: { ...env.ctx.config, publicUrl: 'https://motcua.example.gov.vn' } } as typeof env.ctx);
    try {
      for (const url of ['/api/procedures', '/', '/verify/KHONG-CO']) {
        const r = await https.inject({ method: 'GET', url });
        expect(r.headers['strict-transport-security'], url).toBe('max-age=31536000');
      }
    } finally {
      await https.close();
    }
  });
});
