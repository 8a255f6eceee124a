// /api/admin/staff: create with a temporary password, list and filter, change, deactivate (sessions end at once),
// password reset, the last-administrator rule, and the audit entries of each change.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
let admin: string;
beforeAll(async () => {
  env = await startTestEnvironment('production');
  admin = await token('admin');
});
afterAll(async () => { await env?.close(); });

async function token(username: string, password = 'demo', otp?: string): Promise<string> {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...(otp ? { otp } : {}) } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().token as string;
}
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, bearer: string | null, payload?: object) => env.app.inject({
  method, url, ...(payload ? { payload } : {}), ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}),
});
async function audit(action: string, target: string): Promise<Array<{ actor_name: string; details: Record<string, unknown>; ip: string | null }>> {
  const result = await env.ctx.db.execute(sql`select actor_name, details, ip from audit_log where action = ${action} and target = ${target} order by id`);
  return rowsOf(result);
}

const deputy = {
  username: 'Pho.GiamDoc', fullName: 'Lê Văn Phó', roles: ['leader'], unitId: 'so-gddt', title: 'Phó Giám đốc', email: 'pho@sgd.test',
  authority: { kind: 'KT', for: 'giám đốc' },
};

describe('POST /api/admin/staff', () => {
  it('creates an account with a readable temporary password that must be changed', async () => {
    const r = await call('POST', '/api/admin/staff', admin, deputy);
    expect(r.statusCode, r.body).toBe(201);
    const { username, temporaryPassword } = r.json();
    expect(username).toBe('pho.giamdoc');
    expect(temporaryPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const one = await call('GET', '/api/admin/staff/pho.giamdoc', admin);
    expect(one.json()).toMatchObject({
      username: 'pho.giamdoc', fullName: 'Lê Văn Phó', roles: ['leader'], unitId: 'so-gddt', unitName: expect.any(String),
      authority: { kind: 'KT', for: 'GIÁM ĐỐC' }, active: true, mustChangePassword: true, totpEnabled: false, email: 'pho@sgd.test',
    });
    const [entry] = await audit('staff.created', 'pho.giamdoc');
    expect(entry).toMatchObject({ actor_name: expect.stringContaining('(admin)'), details: { roles: ['leader'], authority: 'KT. GIÁM ĐỐC' } });

    // The temporary password signs in, but the session can do nothing but change it.
    const temp = await token('pho.giamdoc', temporaryPassword);
    const me = await call('GET', '/api/auth/me', temp);
    expect(me.json()).toMatchObject({ username: 'pho.giamdoc', mustChangePassword: true });
    const inbox = await call('GET', '/api/inbox', temp);
    expect(inbox.statusCode).toBe(403);
    expect(inbox.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await call('POST', '/api/auth/password', temp, { currentPassword: temporaryPassword, newPassword: 'Sông Mã mùa nước lớn' });
    expect(changed.statusCode).toBe(204);
    expect((await call('GET', '/api/inbox', temp)).statusCode).toBe(200);
    expect((await call('GET', '/api/auth/me', temp)).json().mustChangePassword).toBe(false);
    const [changedEntry] = await audit('auth.password_changed', 'pho.giamdoc');
    expect(changedEntry!.details).toMatchObject({ wasTemporary: true });
  });

  it('refuses a taken username (409), an unknown unit, bad roles and a half authority (422, Vietnamese fields)', async () => {
    const taken = await call('POST', '/api/admin/staff', admin, { ...deputy, username: 'clerk' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'USERNAME_TAKEN', fields: { username: expect.any(String) } });
    const unit = await call('POST', '/api/admin/staff', admin, { ...deputy, username: 'new1', unitId: 'khong-co' });
    expect(unit.statusCode).toBe(422);
    expect(unit.json().error.fields.unitId).toBe('Đơn vị không tồn tại.');
    const bad = await call('POST', '/api/admin/staff', admin, { ...deputy, username: 'a b', roles: ['boss'], authority: { kind: 'XX', for: '' } });
    expect(bad.statusCode).toBe(422);
    expect(Object.keys(bad.json().error.fields)).toEqual(expect.arrayContaining(['username', 'roles.0', 'authority.kind', 'authority.for']));
    const none = await call('POST', '/api/admin/staff', admin, { ...deputy, username: 'new2', roles: [] });
    expect(none.json().error.fields.roles).toBe('Chọn ít nhất một vai trò.');
  });

  it('is for administrators only: 401 anonymous, 403 other staff', async () => {
    expect((await call('GET', '/api/admin/staff', null)).statusCode).toBe(401);
    const leader = await token('leader');
    for (const [method, url, body] of [
      ['GET', '/api/admin/staff', undefined], ['POST', '/api/admin/staff', { ...deputy, username: 'sneaky' }],
      ['PATCH', '/api/admin/staff/leader', { roles: ['leader', 'admin'] }], ['POST', '/api/admin/staff/clerk/password-reset', undefined],
      ['GET', '/api/admin/staff/clerk', undefined],
    ] as const) {
      const r = await call(method, url, leader, body);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    expect((await call('GET', '/api/admin/staff/leader', admin)).json().roles).toEqual(['leader']);
  });
});

describe('GET /api/admin/staff', () => {
  it('filters by unit, role, active and text', async () => {
    const all = (await call('GET', '/api/admin/staff', admin)).json().items as Array<{ username: string }>;
    expect(all.length).toBeGreaterThan(5);
    const byUnit = (await call('GET', '/api/admin/staff?unit=qlcl', admin)).json().items as Array<{ unitId: string }>;
    expect(byUnit.length).toBeGreaterThan(0);
    expect(byUnit.every((a) => a.unitId === 'qlcl')).toBe(true);
    const leaders = (await call('GET', '/api/admin/staff?role=leader', admin)).json().items as Array<{ roles: string[] }>;
    expect(leaders.every((a) => a.roles.includes('leader'))).toBe(true);
    const found = (await call('GET', `/api/admin/staff?q=${encodeURIComponent('thu hà')}`, admin)).json().items as Array<{ username: string }>;
    expect(found.map((a) => a.username)).toEqual(['clerk']);
    const wrong = await call('GET', '/api/admin/staff?role=boss', admin);
    expect(wrong.statusCode).toBe(422);
  });
});

describe('PATCH /api/admin/staff/:username', () => {
  it('changes fields and records what changed', async () => {
    const r = await call('PATCH', '/api/admin/staff/specialist2', admin, { title: 'Chuyên viên chính', roles: ['specialist', 'clerk'], authority: { kind: 'TL', for: 'Giám đốc' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ title: 'Chuyên viên chính', roles: ['specialist', 'clerk'], authority: { kind: 'TL', for: 'GIÁM ĐỐC' } });
    const [entry] = await audit('staff.updated', 'specialist2');
    expect(entry!.details).toEqual({ changes: {
      title: { from: expect.any(String), to: 'Chuyên viên chính' }, roles: { from: ['specialist'], to: ['specialist', 'clerk'] },
      authority: { from: null, to: 'TL. GIÁM ĐỐC' },
    } });
    const cleared = await call('PATCH', '/api/admin/staff/specialist2', admin, { authority: null, email: null });
    expect(cleared.json().authority).toBeNull();
    expect((await call('PATCH', '/api/admin/staff/nobody', admin, { title: 'x' })).statusCode).toBe(404);
    expect((await call('PATCH', '/api/admin/staff/specialist2', admin, { totp: true })).statusCode).toBe(422);
  });

  it('deactivation ends every session at once and refuses sign-in; reactivation lets the account back in', async () => {
    const bearer = await token('school3');
    expect((await call('GET', '/api/auth/me', bearer)).statusCode).toBe(200);
    const off = await call('PATCH', '/api/admin/staff/school3', admin, { active: false });
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    expect((await call('GET', '/api/auth/me', bearer)).statusCode).toBe(401);
    const count = await env.ctx.db.execute(sql`select count(*)::int as n from sessions s join staff_accounts a on a.id = s.staff_id where a.username = 'school3'`);
    expect(rowsOf<{ n: number }>(count)[0]!.n).toBe(0);
    const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'school3', password: 'demo' } });
    expect(login.statusCode).toBe(401);
    expect(await audit('staff.deactivated', 'school3')).toHaveLength(1);
    const [failed] = await audit('auth.login_failed', 'school3');
    expect(failed).toMatchObject({ actor_name: 'Không xác định', details: { username: 'school3', reason: 'inactive' } });

    const on = await call('PATCH', '/api/admin/staff/school3', admin, { active: true });
    expect(on.json().active).toBe(true);
    expect(await audit('staff.reactivated', 'school3')).toHaveLength(1);
    await token('school3');
  });

  it('never leaves the organisation without an active administrator (409 LAST_ADMIN)', async () => {
    for (const change of [{ active: false }, { roles: ['leader'] }]) {
      const r = await call('PATCH', '/api/admin/staff/admin', admin, change);
      expect(r.statusCode, JSON.stringify(change)).toBe(409);
      expect(r.json().error.code).toBe('LAST_ADMIN');
    }
    // A second administrator: now either may step down, but not both.
    const created = await call('POST', '/api/admin/staff', admin, { ...deputy, username: 'admin2', roles: ['admin'], authority: null });
    const admin2 = await token('admin2', created.json().temporaryPassword);
    await call('POST', '/api/auth/password', admin2, { currentPassword: created.json().temporaryPassword, newPassword: 'Quản trị thứ hai 2026' });
    const [first, second] = await Promise.all([
      call('PATCH', '/api/admin/staff/admin2', admin2, { roles: ['leader'] }),
      call('PATCH', '/api/admin/staff/admin', admin, { roles: ['leader'] }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const survivor = first.statusCode === 200 ? admin : admin2;
    const admins = (await call('GET', '/api/admin/staff?role=admin&active=true', survivor)).json().items;
    expect(admins).toHaveLength(1);
    // Whichever stepped down is made an administrator again, for the tests after this one.
    expect((await call('PATCH', `/api/admin/staff/${first.statusCode === 200 ? 'admin2' : 'admin'}`, survivor, { roles: ['admin'] })).statusCode).toBe(200);
  });
});

describe('POST /api/admin/staff/:username/password-reset', () => {
  it('gives a new temporary password, ends every session, lifts a sign-in block', async () => {
    const bearer = await token('specialist');
    await env.ctx.db.execute(sql`update staff_accounts set failed_logins = 9, login_blocked_until = now() + interval '10 minutes' where username = 'specialist'`);
    const r = await call('POST', '/api/admin/staff/specialist/password-reset', admin);
    expect(r.statusCode).toBe(200);
    const { temporaryPassword } = r.json();
    expect((await call('GET', '/api/auth/me', bearer)).statusCode).toBe(401);
    const old = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'specialist', password: 'demo' } });
    expect(old.statusCode).toBe(401);
    const fresh = await token('specialist', temporaryPassword);
    expect((await call('GET', '/api/auth/me', fresh)).json().mustChangePassword).toBe(true);
    expect((await call('GET', '/api/inbox', fresh)).statusCode).toBe(403);
    expect(await audit('staff.password_reset', 'specialist')).toHaveLength(1);
    expect((await call('POST', '/api/admin/staff/nobody/password-reset', admin)).statusCode).toBe(404);
  });
});
