// Finding 3 (sessions): a staff session ends after 30 idle minutes (sliding) as well as at its absolute expiry; a
// signed-in account changes its own password with POST /api/auth/password, which ends its other sessions.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MINUTES } from '../../src/services/accounts/auth.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

async function login(username: string, password = 'demo') {
  return env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
}
async function token(username: string, password = 'demo'): Promise<string> {
  const r = await login(username, password);
  expect(r.statusCode).toBe(200);
  return r.json().token as string;
}
const me = (bearer: string) => env.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${bearer}` } });
const changePassword = (bearer: string | null, body: object) => env.app.inject({
  method: 'POST', url: '/api/auth/password', payload: body, ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}),
});

async function lastSeenAgeSeconds(username: string): Promise<number[]> {
  const result = await env.ctx.db.execute(sql`select extract(epoch from now() - s.last_seen_at) as age from sessions s
    join staff_accounts a on a.id = s.staff_id where a.username = ${username} order by s.created_at`);
  return rowsOf<{ age: string }>(result).map((r) => Number(r.age));
}
const ageSessions = (username: string, interval: string) => env.ctx.db.execute(sql`update sessions set last_seen_at = now() - ${interval}::interval
  where staff_id = (select id from staff_accounts where username = ${username})`);

describe('sessions', () => {
  it('end after 30 idle minutes', async () => {
    expect(SESSION_IDLE_MINUTES).toBe(30);
    const t = await token('clerk');
    expect((await me(t)).statusCode).toBe(200);
    await ageSessions('clerk', '31 minutes');
    const idle = await me(t);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('slide: each use moves the idle timeout on (written at most once a minute)', async () => {
    const t = await token('specialist2');
    await ageSessions('specialist2', '29 minutes');
    expect((await me(t)).statusCode).toBe(200);
    const [age] = await lastSeenAgeSeconds('specialist2');
    expect(age).toBeLessThan(30);
    // 29 more minutes later it is still alive, because it was used.
    await ageSessions('specialist2', '29 minutes');
    expect((await me(t)).statusCode).toBe(200);
  });

  it('still end at their absolute expiry, however busy', async () => {
    const t = await token('school2');
    await env.ctx.db.execute(sql`update sessions set expires_at = now() - interval '1 second'
      where staff_id = (select id from staff_accounts where username = 'school2')`);
    expect((await me(t)).statusCode).toBe(401);
  });
});

describe('POST /api/auth/password', () => {
  it('needs a signed-in account', async () => {
    const r = await changePassword(null, { currentPassword: 'demo', newPassword: 'Một mật khẩu dài hơn' });
    expect(r.statusCode).toBe(401);
  });

  it('refuses a wrong current password (counted like a wrong sign-in) and a weak new one', async () => {
    const t = await token('school');
    const wrong = await changePassword(t, { currentPassword: 'khong-dung', newPassword: 'Sông Mã chảy về 2026' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error).toMatchObject({ code: 'PASSWORD_WRONG', fields: { currentPassword: expect.any(String) } });
    const counted = await env.ctx.db.execute(sql`select failed_logins from staff_accounts where username = 'school'`);
    expect(Number(rowsOf<{ failed_logins: number }>(counted)[0]!.failed_logins)).toBe(1);

    for (const weak of ['ngan', 'aaaaaaaaaaaa', 'school-2026-abc', '1234567890', 'demo']) {
      const r = await changePassword(t, { currentPassword: 'demo', newPassword: weak });
      expect(r.statusCode, weak).toBe(422);
      expect(r.json().error).toMatchObject({ code: 'PASSWORD_WEAK', fields: { newPassword: expect.any(String) } });
    }
    // Still the old password.
    expect((await login('school')).statusCode).toBe(200);
  });

  it('changes the password, keeps the session that made the change and ends every other one', async () => {
    const here = await token('principal2');
    const elsewhere = await token('principal2');
    const third = await token('principal2');
    const changed = await changePassword(here, { currentPassword: 'demo', newPassword: 'Hàm Rồng sông Mã 2026' });
    expect(changed.statusCode).toBe(204);
    expect(changed.body).toBe('');

    expect((await me(here)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(401);
    expect((await me(third)).statusCode).toBe(401);
    expect((await login('principal2', 'demo')).statusCode).toBe(401);
    expect((await login('principal2', 'Hàm Rồng sông Mã 2026')).statusCode).toBe(200);
  });
});
