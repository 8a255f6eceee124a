// Finding 1 (brute force): X-Forwarded-For no longer lets a client pick its IP (TRUST_PROXY is off by default);
// wrong passwords are counted per account in PostgreSQL, and past five the account is blocked for a growing, short
// while during which even the right password is refused unchecked (429 LOGIN_THROTTLED + Retry-After); the per-IP
// limit is generous enough for a whole office behind one NAT. Also: old password hashes are re-hashed at the new cost.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_SCRYPT } from '../../src/accounts/passwords.js';
import { LOGIN_MAX_BLOCK_SECONDS } from '../../src/accounts/throttle.js';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

// Each test signs in from its own address, so the per-IP guard of one does not spill into another.
const login = (username: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers, remoteAddress });

async function throttleState(username: string) {
  const result = await env.ctx.db.execute(sql`select failed_logins, login_blocked_until > now() as blocked,
    extract(epoch from login_blocked_until - now()) as seconds_left from staff_accounts where username = ${username}`);
  const [row] = rowsOf<{ failed_logins: number; blocked: boolean | null; seconds_left: string | null }>(result);
  return { failures: Number(row!.failed_logins), blocked: row!.blocked === true, secondsLeft: row!.seconds_left === null ? null : Number(row!.seconds_left) };
}

const unblock = (username: string) => env.ctx.db.execute(sql`update staff_accounts set login_blocked_until = now() - interval '1 second' where username = ${username}`);

describe('sign-in brute force', () => {
  it('TRUST_PROXY: off by default, accepts what fastify accepts, lists a bad value', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'loopback']);
    const hops = loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy as (address: string, hop: number) => boolean;
    expect([hops('1.2.3.4', 0), hops('1.2.3.4', 1), hops('1.2.3.4', 2)]).toEqual([true, true, false]);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/99,proxy.example' })).toThrow(ConfigError);
    try { loadConfig({ ...base, TRUST_PROXY: 'nonsense' }); } catch (error) { expect((error as ConfigError).problems.join()).toMatch(/TRUST_PROXY/); }
  });

  it('ignores X-Forwarded-For unless the proxy is trusted: the per-IP budget follows the real peer', async () => {
    // A second app on the same context with a tiny budget, so the per-IP guard shows after a few calls.
    const tight = await buildApp({ ...env.ctx, config: { ...env.ctx.config, loginRateLimit: 3 } } as typeof env.ctx);
    const trusting = await buildApp({ ...env.ctx, config: { ...env.ctx.config, loginRateLimit: 3, trustProxy: ['10.9.9.9'] } } as typeof env.ctx);
    try {
      const spoofed = [];
      for (let i = 0; i < 5; i++) {
        spoofed.push((await tight.inject({
          method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': `203.0.113.${i}` },
        })).statusCode);
      }
      expect(spoofed).toEqual([401, 401, 401, 429, 429]);
      // Behind a configured proxy, each forwarded client has its own budget.
      const forwarded = [];
      for (let i = 0; i < 5; i++) {
        forwarded.push((await trusting.inject({
          method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': `198.51.100.${i}` },
        })).statusCode);
      }
      expect(forwarded).toEqual([401, 401, 401, 401, 401]);
    } finally {
      await tight.close();
      await trusting.close();
    }
  });

  it('the audit\'s attack: 40 wrong passwords from "different IPs", then the right one — blocked, unchecked', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await login('leader', `doan-sai-${i}`, '192.0.2.1', { 'x-forwarded-for': `198.18.0.${i}` });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(r.json().error.code).toBe('LOGIN_THROTTLED');
    }
    // Five free tries, then at most one checked guess per (doubling) block: a handful of 401s, the rest refused unchecked.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(checked).toBeLessThanOrEqual(12);
    expect(statuses.filter((s) => s === 429).length).toBe(40 - checked);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);

    const state = await throttleState('leader');
    expect(state.failures).toBe(checked);
    expect(state.blocked).toBe(true);
    const right = await login('leader', 'demo', '192.0.2.1');
    expect(right.statusCode).toBe(429);
    expect(right.json().error).toMatchObject({ code: 'LOGIN_THROTTLED', message: expect.stringMatching(/thử lại lúc \d\d:\d\d:\d\d/) });
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(LOGIN_MAX_BLOCK_SECONDS);
    // Not counted either: a refused attempt does not lengthen the block.
    expect((await throttleState('leader')).failures).toBe(checked);

    // Once the block is over the right password works, and the count starts again from zero.
    await unblock('leader');
    expect((await login('leader', 'demo', '192.0.2.1')).statusCode).toBe(200);
    expect(await throttleState('leader')).toMatchObject({ failures: 0, blocked: false });
  });

  it('counts concurrent guesses too: a burst cannot slip more than the free tries past the block', async () => {
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => login('principal', `song-song-${i}`, '192.0.2.2')));
    const statuses = burst.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    await unblock('principal');
    expect((await login('principal', 'demo', '192.0.2.2')).statusCode).toBe(200);
  });

  it('an outsider can only delay a victim, never lock them out: each block is at most 15 minutes', async () => {
    await env.ctx.db.execute(sql`update staff_accounts set failed_logins = 200, login_blocked_until = null where username = 'school3'`);
    expect((await login('school3', 'sai', '192.0.2.3')).statusCode).toBe(401);
    const state = await throttleState('school3');
    expect(state.blocked).toBe(true);
    expect(state.secondsLeft).toBeGreaterThan(LOGIN_MAX_BLOCK_SECONDS - 60);
    expect(state.secondsLeft).toBeLessThanOrEqual(LOGIN_MAX_BLOCK_SECONDS);
    const refused = await login('school3', 'demo', '192.0.2.3');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(LOGIN_MAX_BLOCK_SECONDS);
  });

  it('does not lock out an office behind one NAT: 30 sign-ins (a few wrong) in a minute from one IP all get answered', async () => {
    const people = ['clerk', 'specialist', 'school', 'school2', 'admin', 'specialist2'];
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const who of people) {
        const wrong = round === 3 && (who === 'clerk' || who === 'school');
        statuses.push((await login(who, wrong ? 'go-nham' : 'demo', '192.0.2.4')).statusCode);
      }
    }
    expect(statuses).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(statuses.filter((s) => s === 401)).toHaveLength(2);
  });

  it('the page sign-in shares the protection: a blocked account gets the sign-in form again with 429, without a password check', async () => {
    await env.ctx.db.execute(sql`update staff_accounts set failed_logins = 7, login_blocked_until = now() + interval '5 minutes' where username = 'principal2'`);
    const form = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
    const csrfCookie = form.cookies.find((c) => c.name === 'motcua_csrf')!;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const posted = await env.app.inject({
      method: 'POST', url: '/dang-nhap', remoteAddress: '192.0.2.6', cookies: { motcua_csrf: csrfCookie.value },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, username: 'principal2', password: 'demo', next: '/can-bo' }).toString(),
    });
    expect(posted.statusCode).toBe(429);
    expect(posted.headers['content-type']).toMatch(/text\/html/);
    expect(posted.body).toContain('tạm thời bị chặn đăng nhập');
    expect(posted.body).toContain('name="password"'); // the form itself, to try again later
    expect(Number(posted.headers['retry-after'])).toBeGreaterThan(200);
    expect(posted.cookies.find((c) => c.name === 'motcua_session')).toBeUndefined();
    expect((await throttleState('principal2')).failures).toBe(7);
  });

  it('re-hashes a password stored at the old cost (N = 2^14) on a successful sign-in', async () => {
    const old = await hashPassword('demo', { ...PASSWORD_SCRYPT, N: 1 << 14 });
    await env.ctx.db.execute(sql`update staff_accounts set password_hash = ${old} where username = 'specialist2'`);
    expect((await login('specialist2', 'demo', '192.0.2.5')).statusCode).toBe(200);
    const stored = (await findStaffByUsername(env.ctx.db, 'specialist2'))!.passwordHash;
    expect(stored).not.toBe(old);
    expect(stored.startsWith(`scrypt$${PASSWORD_SCRYPT.N}$8$1$`)).toBe(true);
    expect((await login('specialist2', 'demo', '192.0.2.5')).statusCode).toBe(200);
  });
});
