// Staff account security (issue 10): a deactivated account's bearer token and cookie stop working on their next
// request; a temporary password's session can only change it (API 403, pages redirect, public pages ignore it);
// TOTP two-factor with real codes computed from the secret (wrong, missing, replayed, counted by the sign-in
// throttle, turned off by an administrator); every sign-in, refusal and sign-out is in the audit log with its address.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/accounts/totp.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { createAdministrator } from '../../src/services/accounts/create-administrator.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInPages } from '../helpers/page-session.js';

let env: TestEnvironment;
let admin: string;
beforeAll(async () => {
  env = await startTestEnvironment('production');
  admin = await token('admin');
});
afterAll(async () => { await env?.close(); });

const login = (username: string, password = 'demo', otp?: string, remoteAddress = '127.0.0.9') => env.app.inject({
  method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password, ...(otp === undefined ? {} : { otp }) },
});
async function token(username: string, password = 'demo', otp?: string): Promise<string> {
  const r = await login(username, password, otp);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().token as string;
}
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, bearer: string | null, payload?: object) => env.app.inject({
  method, url, ...(payload ? { payload } : {}), ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}),
});
async function auditRows(action: string, target: string) {
  const result = await env.ctx.db.execute(sql`select actor_name, actor_kind, ip, details from audit_log where action = ${action} and target = ${target} order by id`);
  return rowsOf<{ actor_name: string; actor_kind: string; ip: string | null; details: Record<string, unknown> }>(result);
}
const STEP_MS = 30_000;

describe('deactivation', () => {
  it('stops the existing bearer token and page cookie at once', async () => {
    const bearer = await token('school3');
    const pages = await signInPages(env, 'school3');
    expect((await pages.get('/can-bo')).status).toBe(200);
    expect((await call('PATCH', '/api/admin/staff/school3', admin, { active: false })).statusCode).toBe(200);
    expect((await call('GET', '/api/inbox', bearer)).statusCode).toBe(401);
    const page = await pages.get('/can-bo');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/dang-nhap?next=/can-bo');
    await call('PATCH', '/api/admin/staff/school3', admin, { active: true });
    // Reactivated, the old sessions stay ended.
    expect((await call('GET', '/api/inbox', bearer)).statusCode).toBe(401);
  });
});

describe('a temporary password', () => {
  it('lets the session change it, read /api/auth/me and sign out — nothing else', async () => {
    const { temporaryPassword } = (await call('POST', '/api/admin/staff/school2/password-reset', admin)).json();
    const bearer = await token('school2', temporaryPassword);
    expect((await call('GET', '/api/auth/me', bearer)).statusCode).toBe(200);
    for (const [method, url, body] of [['GET', '/api/inbox'], ['GET', '/api/admin/staff'], ['POST', '/api/auth/totp/setup', { currentPassword: temporaryPassword }], ['GET', '/api/reports/stats']] as const) {
      const r = await call(method, url, bearer, body);
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    }
    const out = await call('POST', '/api/auth/logout', bearer);
    expect(out.statusCode).toBe(204);
    expect((await call('GET', '/api/auth/me', bearer)).statusCode).toBe(401);
    const [entry] = await auditRows('auth.logout', 'school2');
    expect(entry).toMatchObject({ actor_kind: 'staff' });
  });

  it('sends every staff page to the change form, and counts for nothing on public pages', async () => {
    const { temporaryPassword } = (await call('POST', '/api/admin/staff/specialist2/password-reset', admin)).json();
    const pages = await signInPages(env, 'specialist2', temporaryPassword);
    for (const url of ['/can-bo', '/can-bo/phe-duyet', '/quan-tri', '/quan-tri/can-bo', '/tai-khoan', '/tai-khoan/xac-thuc-hai-lop']) {
      const r = await pages.get(url);
      expect(r.status, url).toBe(303);
      expect(r.location).toBe('/tai-khoan/doi-mat-khau');
    }
    const posted = await pages.post('/tai-khoan/xac-thuc-hai-lop/bat-dau', {});
    expect(posted.location).toBe('/tai-khoan/doi-mat-khau');
    const home = await pages.get('/');
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('Đăng xuất');
    const form = await pages.get('/tai-khoan/doi-mat-khau');
    expect(form.status).toBe(200);
    expect(form.body).toContain('mật khẩu tạm');
    const changed = await pages.post('/tai-khoan/doi-mat-khau', { currentPassword: temporaryPassword, newPassword: 'Thanh Hóa quê hương 2026', confirmPassword: 'Thanh Hóa quê hương 2026' });
    expect(changed.status).toBe(303);
    expect((await pages.get('/can-bo')).status).toBe(200);
  });
});

describe('a temporary password’s expiry', () => {
  const HOUR_MS = 3600_000;
  const expiryOf = async (username: string) => rowsOf<{ at: Date | null }>(await env.ctx.db.execute(
    sql`select temporary_password_expires_at as at from staff_accounts where username = ${username}`))[0]!.at;

  it('lasts 72 hours from a reset, is shown on the change form, and then refuses sign-in with a clear message', async () => {
    const before = Date.now();
    const { temporaryPassword } = (await call('POST', '/api/admin/staff/specialist2/password-reset', admin)).json();
    const expiry = new Date((await expiryOf('specialist2'))!).getTime();
    expect(expiry).toBeGreaterThanOrEqual(before + 72 * HOUR_MS);
    expect(expiry).toBeLessThan(Date.now() + 72 * HOUR_MS + 1000);
    const bearer = await token('specialist2', temporaryPassword);
    expect((await call('GET', '/api/auth/me', bearer)).json().temporaryPasswordExpiresAt).toBe(new Date(expiry).toISOString());
    const pages = await signInPages(env, 'specialist2', temporaryPassword);
    expect((await pages.get('/tai-khoan/doi-mat-khau')).body).toMatch(/Mật khẩu tạm hết hạn lúc <strong data-testid="temporary-password-expiry">[^<]*\d{4}/);

    await env.ctx.db.execute(sql`update staff_accounts set temporary_password_expires_at = now() - interval '1 minute' where username = 'specialist2'`);
    const refused = await login('specialist2', temporaryPassword, undefined, '127.0.0.13');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toMatchObject({ code: 'TEMPORARY_PASSWORD_EXPIRED', message: 'Mật khẩu tạm đã hết hạn. Vui lòng liên hệ quản trị hệ thống để được cấp mật khẩu tạm mới.' });
    expect((await auditRows('auth.login_failed', 'specialist2')).at(-1)).toMatchObject({ ip: '127.0.0.13', details: { reason: 'temporary_password_expired' } });
    // A wrong password still says only that the credentials are wrong.
    expect((await login('specialist2', 'sai-mat-khau')).json().error.code).toBe('INVALID_CREDENTIALS');

    const again = (await call('POST', '/api/admin/staff/specialist2/password-reset', admin)).json();
    const fresh = await token('specialist2', again.temporaryPassword);
    expect((await call('POST', '/api/auth/password', fresh, { currentPassword: again.temporaryPassword, newPassword: 'Sông Mã chảy về biển 2026' })).statusCode).toBe(204);
    expect(await expiryOf('specialist2')).toBeNull();
    expect((await call('GET', '/api/auth/me', fresh)).json().temporaryPasswordExpiresAt).toBeNull();
  });

  it('is set when an administrator creates an account, and absent for one made with admin:create (it chose its own)', async () => {
    const created = await call('POST', '/api/admin/staff', admin, { username: 'tam-thoi', fullName: 'Lê Văn Tạm', title: 'Chuyên viên', roles: ['specialist'], unitId: 'qlcl' });
    expect(created.statusCode, created.body).toBe(201);
    expect(new Date((await expiryOf('tam-thoi'))!).getTime()).toBeGreaterThan(Date.now() + 71 * HOUR_MS);
    await createAdministrator(env.ctx.db, { username: 'quantri2', fullName: 'Quản Trị Hai', password: 'Một mật khẩu thật dài 2026' });
    expect(await expiryOf('quantri2')).toBeNull();
  });
});

describe('TOTP two-factor', () => {
  // Codes are made for the moment enrolment was confirmed (t0), so a test that crosses a 30-second step still knows
  // which codes are spent.
  async function enrol(bearer: string): Promise<{ secret: string; t0: number }> {
    const setup = await call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'demo' });
    expect(setup.statusCode, setup.body).toBe(200);
    const { secret, uri } = setup.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\/.+secret=/);
    const stored = rowsOf<{ totp_secret: string }>(await env.ctx.db.execute(sql`select totp_secret from staff_accounts where totp_secret is not null`));
    expect(stored.every((r) => !r.totp_secret.includes(secret))).toBe(true);
    const wrong = await call('POST', '/api/auth/totp/confirm', bearer, { otp: '000000' === totpCode(secret) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.fields.otp).toMatch(/Mã không đúng/);
    const t0 = Date.now();
    expect((await call('POST', '/api/auth/totp/confirm', bearer, { otp: totpCode(secret, t0) })).statusCode).toBe(204);
    return { secret, t0 };
  }

  it('begins only with the current password (a stolen session alone cannot enrol), counted like a sign-in', async () => {
    const bearer = await token('clerk');
    expect((await call('POST', '/api/auth/totp/setup', bearer)).statusCode).toBe(422);
    const wrong = await call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'sai-mat-khau' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error).toMatchObject({ code: 'PASSWORD_WRONG', fields: { currentPassword: 'Không đúng.' } });
    expect((await call('GET', '/api/auth/totp', bearer)).json().pending).toBeNull();
    let last = wrong;
    for (let i = 0; i < 10 && last.statusCode !== 429; i += 1) last = await call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'sai-mat-khau' });
    expect(last.json().error.code).toBe('LOGIN_THROTTLED');
    expect((await login('clerk')).json().error.code).toBe('LOGIN_THROTTLED');
    await env.ctx.db.execute(sql`update staff_accounts set failed_logins = 0, login_blocked_until = null where username = 'clerk'`);
  });

  it('refuses to confirm a code from a secret a newer enrolment (another tab) replaced', async () => {
    const bearer = await token('specialist');
    for (let round = 0; round < 5; round += 1) {
      const first = (await call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'demo' })).json();
      const [confirmed, second] = await Promise.all([
        call('POST', '/api/auth/totp/confirm', bearer, { otp: totpCode(first.secret) }),
        call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'demo' }),
      ]);
      const status = (await call('GET', '/api/auth/totp', bearer)).json();
      if (second.statusCode === 200) {
        // The newer enrolment won: the first code cannot have turned two-factor on with a secret no longer shown.
        expect([409, 422]).toContain(confirmed.statusCode);
        expect(status).toMatchObject({ enabled: false, pending: { secret: second.json().secret } });
      } else {
        expect(second.json().error.code).toBe('TOTP_ALREADY_ENABLED');
        expect(confirmed.statusCode).toBe(204);
        expect(status.enabled).toBe(true);
        await env.ctx.db.execute(sql`update staff_accounts set totp_secret = null, totp_enabled_at = null where username = 'specialist'`);
      }
    }
  });

  it('asks for the code, refuses a wrong or replayed one, accepts a right one', async () => {
    const bearer = await token('leader');
    const { secret, t0 } = await enrol(bearer);
    expect((await call('GET', '/api/auth/me', bearer)).json().totpEnabled).toBe(true);
    expect(await auditRows('auth.totp_enabled', 'leader')).toHaveLength(1);

    const missing = await login('leader');
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe('TOTP_REQUIRED');
    const wrongPassword = await login('leader', 'sai-mat-khau', totpCode(secret, t0));
    expect(wrongPassword.json().error.code).toBe('INVALID_CREDENTIALS');
    const wrong = await login('leader', 'demo', String((Number(totpCode(secret, t0)) + 1) % 1_000_000).padStart(6, '0'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('TOTP_INVALID');
    // The code used to confirm enrolment is spent: the next step's code (accepted one step early) signs in.
    expect((await login('leader', 'demo', totpCode(secret, t0))).json().error.code).toBe('TOTP_INVALID');
    const next = totpCode(secret, t0 + STEP_MS);
    expect((await login('leader', 'demo', next)).statusCode).toBe(200);
    const replay = await login('leader', 'demo', next);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('TOTP_INVALID');

    const reasons = (await auditRows('auth.login_failed', 'leader')).map((r) => r.details.reason);
    expect(reasons).toEqual(['totp_required', 'wrong_password', 'totp_invalid', 'totp_invalid', 'totp_invalid']);
    const [signedIn] = (await auditRows('auth.login', 'leader')).slice(-1);
    expect(signedIn).toMatchObject({ actor_kind: 'staff', ip: '127.0.0.9', details: { twoFactor: true } });

    // Lost phone: an administrator turns it off, audited; the password alone signs in again.
    const off = await call('PATCH', '/api/admin/staff/leader', admin, { totp: false });
    expect(off.json().totpEnabled).toBe(false);
    expect((await auditRows('auth.totp_disabled', 'leader'))[0]).toMatchObject({ details: { by: 'admin', wasEnabled: true } });
    expect((await login('leader')).statusCode).toBe(200);
  });

  it('counts wrong codes towards the per-account sign-in throttle', async () => {
    const bearer = await token('principal');
    const { secret, t0 } = await enrol(bearer);
    const right = totpCode(secret, t0 + STEP_MS);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await login('principal', 'demo', wrong, '127.0.0.10')).json().error.code);
    expect(codes).toEqual(Array(5).fill('TOTP_INVALID'));
    // The fifth wrong code blocked the account for 1 s, each further one for twice as long: keep guessing until the
    // block holds a guess back. (Asking for the sixth at once made the test depend on a sign-in taking under 1 s,
    // which a loaded machine does not promise.) Counted guesses are TOTP_INVALID; a blocked one is refused untried.
    const more: string[] = [];
    while (more.length < 6 && more.at(-1) !== 'LOGIN_THROTTLED') more.push((await login('principal', 'demo', wrong, '127.0.0.10')).json().error.code);
    expect(more.at(-1)).toBe('LOGIN_THROTTLED');
    expect(more.slice(0, -1).every((c) => c === 'TOTP_INVALID')).toBe(true);
    // Even the right code waits out the block (set one that outlasts any machine's slowness, as more guesses would).
    await env.ctx.db.execute(sql`update staff_accounts set login_blocked_until = now() + interval '1 minute' where username = 'principal'`);
    expect((await login('principal', 'demo', right, '127.0.0.10')).statusCode).toBe(429);
  });

  it('is turned off by its owner only with a current code; enrolment twice is refused', async () => {
    const bearer = await token('principal3');
    const { secret, t0 } = await enrol(bearer);
    expect((await call('POST', '/api/auth/totp/setup', bearer, { currentPassword: 'demo' })).statusCode).toBe(409);
    const wrong = await call('POST', '/api/auth/totp/disable', bearer, { otp: totpCode(secret, t0) }); // spent at enrolment
    expect(wrong.statusCode).toBe(422);
    expect((await auditRows('auth.totp_failed', 'principal3')).map((r) => r.details.during)).toEqual(['enrolment', 'disable']);
    expect((await call('POST', '/api/auth/totp/disable', bearer, { otp: totpCode(secret, t0 + STEP_MS) })).statusCode).toBe(204);
    expect((await auditRows('auth.totp_disabled', 'principal3'))[0]).toMatchObject({ details: { by: 'self' } });
    expect((await login('principal3')).statusCode).toBe(200);
  });
});

describe('sign-in audit', () => {
  it('records only a hint of an unknown username (it may be a password typed there), as an anonymous actor with the address', async () => {
    await login('Matkhau-Bi-Mat-2026', 'x', undefined, '127.0.0.11');
    const [row] = await auditRows('auth.login_failed', 'mat…');
    expect(row).toMatchObject({ actor_kind: 'anonymous', ip: '127.0.0.11', details: { username: 'mat…', length: 19, reason: 'unknown_username' } });
    const leaked = await env.ctx.db.execute(sql`select count(*)::int as n from audit_log where target ilike '%bi-mat%' or details::text ilike '%bi-mat%'`);
    expect(rowsOf<{ n: number }>(leaked)[0]!.n).toBe(0);
  });

  it('keeps the whole username when it names an account', async () => {
    await login('specialist', 'sai-mat-khau', undefined, '127.0.0.12');
    const rows = await auditRows('auth.login_failed', 'specialist');
    expect(rows.at(-1)).toMatchObject({ ip: '127.0.0.12', details: { username: 'specialist', reason: 'wrong_password' } });
  });
});
