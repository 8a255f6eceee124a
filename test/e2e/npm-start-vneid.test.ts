// `npm start` (src/main.ts, the embedded default) as a real child process with an empty DATA_DIR and no provider
// configured: its pages offer "Đăng nhập bằng VNeID", and the login completes against the demo OpenID Provider it
// starts in-process — followed here with fetch as a browser would (redirects, cookies, the pick-a-citizen form).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/http.js';
import { freePort } from '../helpers/own-services.js';

/**
 * A browser's cookies, reduced to what this flow needs: the portal and the demo provider share the host 127.0.0.1
 * (cookies ignore ports, as in a browser), so one jar by name; a cookie set expired is dropped.
 */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(at + 1).trim());
    }
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** Requests `url` and follows redirects by hand (a POST answered 302/303 goes on as a GET), keeping cookies. */
async function follow(jar: CookieJar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ url: string; response: Response; body: string }> {
  let current = url;
  let method = init.method ?? 'GET';
  let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
  for (let hop = 0; hop < 12; hop += 1) {
    const headers: Record<string, string> = { cookie: jar.header(), accept: 'text/html' };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(current, { method, headers, body, redirect: 'manual' });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current).toString();
      if (response.status !== 307 && response.status !== 308) { method = 'GET'; body = undefined; }
      continue;
    }
    return { url: current, response, body: await response.text() };
  }
  throw new Error(`too many redirects from ${url}`);
}

describe('npm start: "Đăng nhập bằng VNeID" against the demo identity provider', () => {
  let child: ChildProcess;
  let dataDir: string;
  let base: string;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-npm-start-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The embedded default as an operator starts it: no database, queue or identity provider configured.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|REDIS_URL|OIDC_|QUEUE_PREFIX|APP_SECRET|NODE_ENV)/.test(name)));
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...inherited, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => { output += String(chunk); });
    child.stderr!.on('data', (chunk) => { output += String(chunk); });
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${output.slice(-2000)}`);
      return output.includes('motcua is ready') ? true : undefined;
    }, 120_000, 200).catch((error: unknown) => { throw new Error(`${String(error)}\n${output.slice(-2000)}`); });
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('offers the sign-in on its pages, completes it through the demo provider, and knows the citizen', async () => {
    const jar = new CookieJar();
    const home = await follow(jar, `${base}/`);
    expect(home.response.status).toBe(200);
    expect(home.body).toMatch(/<a[^>]+href="\/auth\/citizen\/login"[^>]*>Đăng nhập bằng VNeID<\/a>/);

    // The portal sends the browser to the provider it started, which shows its pick-a-citizen page.
    const picker = await follow(jar, `${base}/auth/citizen/login`);
    expect(picker.response.status).toBe(200);
    const providerUrl = new URL(picker.url);
    expect(providerUrl.origin).not.toBe(base);
    expect(providerUrl.hostname).toBe('127.0.0.1');
    expect(picker.body).toContain('Máy chủ định danh thử nghiệm — không phải VNeID thật');
    expect(picker.body).toContain('Nguyễn Văn An');
    const action = /<form method="post" action="(\/interaction\/[^"]+\/login)"/.exec(picker.body)?.[1];
    expect(action).toBeDefined();

    // Picking the parent: back to the portal's callback, signed in, in "Hồ sơ của tôi".
    const signedIn = await follow(jar, new URL(action!, providerUrl).toString(), { method: 'POST', form: { account: 'nguyen-van-an' } });
    expect(signedIn.url).toBe(`${base}/ho-so-cua-toi`);
    expect(signedIn.response.status).toBe(200);
    expect(signedIn.body).toContain('Hồ sơ của tôi');
    expect(jar.has('motcua_citizen')).toBe(true);

    const me = await fetch(`${base}/api/me`, { headers: { cookie: jar.header() } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ personalId: '038082001234', fullName: 'Nguyễn Văn An', loa: '2' });
  });
});
