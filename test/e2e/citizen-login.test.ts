// Citizens sign in with VNeID: the whole Authorization Code + PKCE flow against a real OpenID Provider (the demo
// provider, oidc-provider, on a free loopback port), driven by fetch like a browser that follows redirects and posts
// the provider's form; the portal answers through app.inject at its PUBLIC_URL (http://motcua.test). Then /api/me,
// the header, tampering, a provider that sends an invalid ID number, a cancelled login, logout, an unreachable provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoOidcProvider, loadDemoCitizens, type DemoOidcProvider } from '../../src/identity/demo-provider.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL } from '../helpers/databases.js';
import { startServerApp } from '../helpers/server-app.js';

const PORTAL = 'http://motcua.test';
const CLIENT_ID = 'motcua-test';
const CLIENT_SECRET = 'a-test-client-secret-of-some-length';

/** A demo citizen whose provider record holds an 11-digit ID number and a date that does not exist. */
const JUNK_CITIZEN = {
  account: 'junk', description: 'Dữ liệu hỏng', acr: '2',
  claims: { so_dinh_danh: '03808200123', ho_va_ten: 'Người Dữ Liệu Hỏng', ngay_sinh: '31/02/1990', gioi_tinh: 'Nam' },
};

type InjectResponse = Awaited<ReturnType<TestEnvironment['app']['inject']>>;

/** Cookies by name, as a browser keeps them for one site (paths ignored: every cookie here is sent back). */
class CookieJar {
  readonly cookies = new Map<string, string>();
  take(setCookies: string[]) {
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

const setCookiesOf = (r: InjectResponse): string[] => {
  const raw = r.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
};

describe('citizen login with VNeID (OpenID Connect, demo provider)', () => {
  let provider: DemoOidcProvider;
  let env: TestEnvironment;

  beforeAll(async () => {
    provider = await startDemoOidcProvider({
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      redirectUri: `${PORTAL}/auth/citizen/callback`, postLogoutRedirectUri: `${PORTAL}/`,
      citizens: [...loadDemoCitizens(), JUNK_CITIZEN],
    });
    env = await startTestEnvironment('production', {
      seedStaff: false, organisation: true,
      env: { OIDC_ISSUER: provider.url, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET },
    });
  });
  afterAll(async () => {
    await env?.close();
    await provider?.close();
  });

  /** A browser at the portal: its cookies, and a request through app.inject. */
  function portalBrowser() {
    const jar = new CookieJar();
    return {
      jar,
      async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
        const response = await env.app.inject({
          method, url, headers: {
            ...(jar.cookies.size ? { cookie: jar.header() } : {}),
            ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
        });
        jar.take(setCookiesOf(response));
        return response;
      },
    };
  }

  /**
   * From "Đăng nhập bằng VNeID" to the provider's redirect back to the portal: follows the provider's redirects with
   * its own cookies, picks `account` on the interaction page (or cancels). Returns the portal URL it was sent to.
   */
  async function throughProvider(portal: ReturnType<typeof portalBrowser>, loginUrl: string, choice: { account: string } | 'cancel') {
    const start = await portal.request('GET', loginUrl);
    expect(start.statusCode).toBe(302);
    let location = String(start.headers.location);
    const authorization = new URL(location);
    expect(authorization.origin + authorization.pathname).toBe(`${provider.url}/auth`);
    const providerJar = new CookieJar();
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    for (let hop = 0; hop < 10; hop += 1) {
      if (location.startsWith(PORTAL)) return { authorization, callback: new URL(location) };
      const response = await fetch(new URL(location, provider.url), {
        method, redirect: 'manual', body,
        headers: { cookie: providerJar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      });
      providerJar.take(response.headers.getSetCookie());
      method = 'GET';
      body = undefined;
      if (response.status >= 300 && response.status < 400) { location = response.headers.get('location')!; continue; }
      const html = await response.text();
      expect(response.status, html).toBe(200);
      // The interaction page: the demo citizens, clearly not the real VNeID.
      expect(html).toContain('Máy chủ định danh thử nghiệm — không phải VNeID thật');
      const action = choice === 'cancel' ? /action="(\/interaction\/[^"]+\/abort)"/.exec(html) : /action="(\/interaction\/[^"]+\/login)"/.exec(html);
      location = action![1]!;
      method = 'POST';
      body = choice === 'cancel' ? '' : new URLSearchParams({ account: choice.account }).toString();
    }
    throw new Error('the provider never sent the browser back to the portal');
  }

  async function signIn(account: string, next?: string) {
    const portal = portalBrowser();
    const { authorization, callback } = await throughProvider(portal, `/auth/citizen/login${next ? `?next=${encodeURIComponent(next)}` : ''}`, { account });
    const landing = await portal.request('GET', callback.pathname + callback.search);
    return { portal, authorization, callback, landing };
  }

  it('completes the code flow with PKCE (S256), state and nonce; /api/me is the parent with two children and the LoA', async () => {
    const { portal, authorization, callback, landing } = await signIn('nguyen-van-an');
    // What the portal asked the provider for.
    expect(authorization.searchParams.get('response_type')).toBe('code');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('scope')).toBe('openid citizen');
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${PORTAL}/auth/citizen/callback`);
    expect(callback.searchParams.get('code')).toBeTruthy();

    expect(landing.statusCode).toBe(303);
    expect(landing.headers.location).toBe('/ho-so-cua-toi');
    const sessionCookie = setCookiesOf(landing).find((c) => c.startsWith('motcua_citizen='))!;
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookie).not.toMatch(/Secure/i); // PUBLIC_URL is http here
    expect(portal.jar.cookies.has('motcua_vneid_login')).toBe(false);

    const me = await portal.request('GET', '/api/me');
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body).toMatchObject({
      personalId: '038082001234', fullName: 'Nguyễn Văn An', birthDate: '1982-03-14', gender: 'male', loa: '2',
      email: 'nguyenvanan@example.com', permanentAddress: 'Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa',
    });
    expect(body.family).toEqual([
      { relation: 'child', personalId: '038211004567', fullName: 'Nguyễn Minh Khôi', birthDate: '2011-09-05', gender: 'male' },
      { relation: 'child', personalId: '038315007890', fullName: 'Nguyễn Thu Hà', birthDate: '2015-02-21', gender: 'female' },
      { relation: 'spouse', personalId: '038185002345', fullName: 'Lê Thị Hương', birthDate: '1985-11-10', gender: 'female' },
    ]); // the head of household is An himself: not a relation

    // The header greets the citizen with their space and a sign-out form; the login is audited as the citizen's act.
    const home = await portal.request('GET', '/');
    expect(home.body).toContain('Nguyễn Văn An');
    expect(home.body).toContain('href="/ho-so-cua-toi"');
    expect(home.body).toContain('action="/auth/citizen/logout"');
    expect(home.body).not.toContain('Đăng nhập bằng VNeID');
    // Signing out posts to the portal, which redirects to the provider: the pages' form-action allows it.
    expect(home.headers['content-security-policy']).toContain(`form-action 'self' ${provider.url};`);
    const audit = await env.ctx.database.query<Record<string, unknown>>(
      "SELECT actor_kind, actor_name, target, details FROM audit_log WHERE action = 'citizen.login' AND target = $1", ['038082001234']);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_kind: 'citizen', actor_name: 'Nguyễn Văn An (038082001234)', details: { loa: '2', family: 3 } });
  });

  it('the demo provider requires PKCE: an authorization request without code_challenge is refused', async () => {
    const request = new URL(`${provider.url}/auth`);
    request.search = new URLSearchParams({
      client_id: CLIENT_ID, redirect_uri: `${PORTAL}/auth/citizen/callback`, response_type: 'code', scope: 'openid citizen', state: 's', nonce: 'n',
    }).toString();
    const answer = await fetch(request, { redirect: 'manual' });
    const back = new URL(answer.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${PORTAL}/auth/citizen/callback`);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('offers "Đăng nhập bằng VNeID" to everyone else; /api/me without a citizen session is 401', async () => {
    const home = await env.app.inject({ method: 'GET', url: '/' });
    expect(home.body).toContain('href="/auth/citizen/login"');
    expect(home.body).toContain('Đăng nhập bằng VNeID');
    const me = await env.app.inject({ method: 'GET', url: '/api/me' });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('lands on a local `next` only', async () => {
    expect((await signIn('le-thi-mai', '/tra-cuu')).landing.headers.location).toBe('/tra-cuu');
    const outside = await signIn('le-thi-mai', '//evil.example/x');
    expect(outside.landing.headers.location).toBe('/ho-so-cua-toi');
    expect((await outside.portal.request('GET', '/api/me')).json()).toMatchObject({ fullName: 'Lê Thị Mai', loa: '1' });
  });

  it('refuses a callback whose state was tampered with, or replayed without the login cookie', async () => {
    const portal = portalBrowser();
    const { callback } = await throughProvider(portal, '/auth/citizen/login', { account: 'nguyen-van-an' });
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const refused = await portal.request('GET', tampered.pathname + tampered.search);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(refused.body).toContain('CITIZEN_LOGIN_STATE_INVALID');
    expect(refused.body).toContain('Phiên đăng nhập không hợp lệ');
    expect(refused.body).toContain('href="/auth/citizen/login"');
    expect(setCookiesOf(refused).some((c) => c.startsWith('motcua_citizen='))).toBe(false);
    // The login state is spent: the untouched callback now fails too.
    const replayed = await portal.request('GET', callback.pathname + callback.search);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain('CITIZEN_LOGIN_STATE_INVALID');
    expect(portal.jar.cookies.has('motcua_citizen')).toBe(false);
  });

  it('refuses a provider that sends an invalid ID number with a clear Vietnamese page, writing nothing', async () => {
    const { landing } = await signIn('junk');
    expect(landing.statusCode).toBe(422);
    expect(landing.body).toContain('Thông tin định danh không hợp lệ');
    expect(landing.body).toContain('Số định danh cá nhân phải gồm đúng 12 chữ số.');
    expect(landing.body).toContain('Ngày sinh không hợp lệ');
    expect(landing.body).toContain('CITIZEN_CLAIMS_INVALID');
    expect(setCookiesOf(landing).some((c) => c.startsWith('motcua_citizen='))).toBe(false);
    const rows = await env.ctx.database.query("SELECT 1 FROM citizens WHERE full_name = $1", ['Người Dữ Liệu Hỏng']);
    expect(rows).toHaveLength(0);
  });

  it('says so when the citizen cancels on the provider', async () => {
    const portal = portalBrowser();
    const { callback } = await throughProvider(portal, '/auth/citizen/login', 'cancel');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const page = await portal.request('GET', callback.pathname + callback.search);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Bạn đã hủy đăng nhập');
    expect(page.body).toContain('CITIZEN_LOGIN_DENIED');
  });

  it('logout (CSRF-checked) ends the session and goes through the provider\'s end_session_endpoint', async () => {
    const { portal } = await signIn('tran-van-binh');
    const session = portal.jar.cookies.get('motcua_citizen')!;
    expect((await portal.request('GET', '/api/me')).statusCode).toBe(200);

    const withoutToken = await portal.request('POST', '/auth/citizen/logout', {});
    expect(withoutToken.statusCode).toBe(403);
    expect((await portal.request('GET', '/api/me')).statusCode).toBe(200);

    const home = await portal.request('GET', '/');
    const csrf = /action="\/auth\/citizen\/logout">\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;
    const out = await portal.request('POST', '/auth/citizen/logout', { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    const endSession = new URL(String(out.headers.location));
    expect(endSession.origin + endSession.pathname).toBe(`${provider.url}/session/end`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${PORTAL}/`);
    expect(portal.jar.cookies.has('motcua_citizen')).toBe(false);
    // The provider accepts the ID token it issued as the hint (this fetch has no provider session: it confirms at once).
    const providerPage = await fetch(endSession, { redirect: 'manual' });
    expect(providerPage.status).toBe(200);
    expect(await providerPage.text()).toContain(`action="${provider.url}/session/end/confirm"`);

    const oldCookie = await env.app.inject({ method: 'GET', url: '/api/me', cookies: { motcua_citizen: session } });
    expect(oldCookie.statusCode).toBe(401);
    const audit = await env.ctx.database.query("SELECT actor_kind FROM audit_log WHERE action = 'citizen.logout' AND target = $1", ['038050000321']);
    expect(audit).toEqual([{ actor_kind: 'citizen' }]);
  });

  it('an unreachable provider is a 503 page with Retry-After, not an error', async () => {
    const closed = await startDemoOidcProvider({ clientId: CLIENT_ID, redirectUri: `${PORTAL}/auth/citizen/callback` });
    const issuer = closed.url;
    await closed.close();
    const databaseUrl = env.config.database.kind === 'postgres' ? env.config.database.url : '';
    const server = await startServerApp({
      databaseUrl, redisUrl: REDIS_URL, seedStaff: false,
      env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_TIMEOUT_MS: '2000' },
    });
    try {
      const login = await server.app.inject({ method: 'GET', url: '/auth/citizen/login' });
      expect(login.statusCode).toBe(503);
      expect(login.headers['retry-after']).toBeTruthy();
      expect(login.body).toContain('IDENTITY_PROVIDER_UNAVAILABLE');
      expect(login.body).toContain('Máy chủ định danh (VNeID) hiện không phản hồi');
    } finally {
      await server.close();
    }
  });
});
