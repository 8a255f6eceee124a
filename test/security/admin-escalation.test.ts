// Escalation through the administration (issue 10), over HTTP on real PostgreSQL and Redis: an account the
// administrator creates cannot make itself an administrator (API or page, before or after changing its temporary
// password), a clerk cannot reset an administrator's password, and an administrator who is deactivated or demoted
// loses the administration on its very next request, whatever session it holds. (A two-factor account without its
// code cannot sign in: account-security.test.ts.)
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInPages } from '../helpers/page-session.js';

let env: TestEnvironment;
let admin: string;
beforeAll(async () => {
  env = await startTestEnvironment('production');
  admin = await token('admin', 'demo');
});
afterAll(async () => { await env?.close(); });

async function token(username: string, password: string): Promise<string> {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().token as string;
}
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, bearer: string, payload?: object) => env.app.inject({
  method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload ? { payload } : {}),
});
async function account(username: string) {
  const [row] = rowsOf<{ roles: string[]; active: boolean; password_hash: string; must_change_password: boolean }>(await env.ctx.db.execute(
    sql`select roles, active, password_hash, must_change_password from staff_accounts where username = ${username}`,
  ));
  return row!;
}
async function auditCount(action: string, target: string): Promise<number> {
  return rowsOf(await env.ctx.db.execute(sql`select id from audit_log where action = ${action} and target = ${target}`)).length;
}

/**
 * An account made by the administrator, signed in and its temporary password changed (`whileTemporary` runs with
 * the temporary password's session first): its new password and its bearer token.
 */
async function createdAccount(username: string, roles: string[], unitId: string, whileTemporary?: (bearer: string) => Promise<void>) {
  const created = await call('POST', '/api/admin/staff', admin, { username, fullName: 'Cán Bộ Thử', roles, unitId, title: 'Cán bộ' });
  expect(created.statusCode, created.body).toBe(201);
  const { temporaryPassword } = created.json();
  const bearer = await token(username, temporaryPassword);
  await whileTemporary?.(bearer);
  const password = 'Đồi thông hai mộ 1930';
  expect((await call('POST', '/api/auth/password', bearer, { currentPassword: temporaryPassword, newPassword: password })).statusCode).toBe(204);
  return { password, bearer };
}

describe('an account the administrator created', () => {
  it('cannot make itself an administrator, with its temporary password or after changing it, by API or page', async () => {
    const { password, bearer } = await createdAccount('can.bo.leo', ['clerk'], 'mot-cua', async (temporary) => {
      const early = await call('PATCH', '/api/admin/staff/can.bo.leo', temporary, { roles: ['clerk', 'admin'] });
      expect(early.statusCode).toBe(403);
      expect(early.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    });
    for (const [method, url, body] of [
      ['PATCH', '/api/admin/staff/can.bo.leo', { roles: ['clerk', 'admin'] }],
      ['PATCH', '/api/admin/staff/can.bo.leo', { roles: ['admin'], unitId: 'so-gddt' }],
      ['POST', '/api/admin/staff', { username: 'can.bo.leo2', fullName: 'Bản Sao', roles: ['admin'], unitId: 'so-gddt', title: 'Quản trị' }],
      ['POST', '/api/admin/setup', { provinceName: 'Nghệ An', department: { code: '000.00.12.H40', name: 'Sở GD', abbreviation: 'SGD' }, board: { name: 'Ban' }, desk: { name: 'Một cửa' }, offices: [{ name: 'Phòng A' }] }],
    ] as const) {
      const r = await call(method, url, bearer, body);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    const pages = await signInPages(env, 'can.bo.leo', password);
    const form = await pages.post('/quan-tri/can-bo/tai-khoan/can.bo.leo', [['fullName', 'Cán Bộ Leo'], ['title', 'Cán bộ'], ['unitId', 'mot-cua'], ['roles', 'clerk'], ['roles', 'admin']]);
    expect(form.status).toBe(403);
    expect((await pages.post('/quan-tri/can-bo/tao-moi', [['username', 'can.bo.leo3'], ['fullName', 'Bản Sao'], ['title', 'Quản trị'], ['unitId', 'so-gddt'], ['roles', 'admin']])).status).toBe(403);

    expect((await account('can.bo.leo')).roles).toEqual(['clerk']);
    expect((await call('GET', '/api/auth/me', bearer)).json().roles).toEqual(['clerk']);
    expect(await auditCount('staff.updated', 'can.bo.leo')).toBe(0);
    expect(rowsOf(await env.ctx.db.execute(sql`select username from staff_accounts where username like 'can.bo.leo_'`))).toEqual([]);
  });
});

describe('a clerk', () => {
  it("cannot reset an administrator's password (API or page): the administrator keeps its password and session", async () => {
    const before = await account('admin');
    const clerk = await token('clerk', 'demo');
    const api = await call('POST', '/api/admin/staff/admin/password-reset', clerk);
    expect(api.statusCode).toBe(403);
    expect(api.json().error.code).toBe('FORBIDDEN');
    expect(api.body).not.toContain('temporaryPassword');
    const pages = await signInPages(env, 'clerk');
    const page = await pages.post('/quan-tri/can-bo/tai-khoan/admin/cap-lai-mat-khau', {});
    expect(page.status).toBe(403);
    expect(page.body).not.toMatch(/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/);

    expect(await account('admin')).toEqual(before);
    expect(await auditCount('staff.password_reset', 'admin')).toBe(0);
    expect((await call('GET', '/api/admin/staff', admin)).statusCode).toBe(200);
    await token('admin', 'demo');
  });
});

describe('an administrator', () => {
  it("deactivated: its bearer token and page session stop at the administration's door on the next request, and it cannot sign in", async () => {
    const second = await createdAccount('quan.tri.hai', ['admin'], 'so-gddt');
    const pages = await signInPages(env, 'quan.tri.hai', second.password);
    expect((await call('GET', '/api/admin/staff', second.bearer)).statusCode).toBe(200);
    expect((await pages.get('/quan-tri')).status).toBe(200);

    expect((await call('PATCH', '/api/admin/staff/quan.tri.hai', admin, { active: false })).statusCode).toBe(200);
    for (const [method, url, body] of [
      ['GET', '/api/admin/staff', undefined],
      ['PATCH', '/api/admin/staff/quan.tri.hai', { active: true }],
      ['PATCH', '/api/admin/staff/admin', { active: false }],
      ['POST', '/api/admin/staff/admin/password-reset', undefined],
      ['GET', '/api/admin/audit?format=csv', undefined],
    ] as const) {
      const r = await call(method, url, second.bearer, body);
      expect(r.statusCode, `${method} ${url}`).toBe(401);
      expect(r.json().error.code).toBe('UNAUTHENTICATED');
    }
    const page = await pages.get('/quan-tri/can-bo');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/dang-nhap/);
    expect((await pages.post('/quan-tri/can-bo/tai-khoan/quan.tri.hai/mo-khoa', {})).location).toMatch(/^\/dang-nhap/);
    const signIn = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'quan.tri.hai', password: second.password } });
    expect(signIn.statusCode).toBe(401);

    expect(await account('quan.tri.hai')).toMatchObject({ active: false, roles: ['admin'] });
    expect(await account('admin')).toMatchObject({ active: true, roles: ['admin'] });
  });

  it('demoted: the session it holds loses the administration on its next request', async () => {
    const third = await createdAccount('quan.tri.ba', ['admin'], 'so-gddt');
    expect((await call('GET', '/api/admin/keys', third.bearer)).statusCode).toBe(200);
    expect((await call('PATCH', '/api/admin/staff/quan.tri.ba', admin, { roles: ['specialist'], unitId: 'qlcl' })).statusCode).toBe(200);
    // The session lives on (a specialist now), read afresh on every request: the roles it had are gone.
    for (const r of [await call('PATCH', '/api/admin/staff/quan.tri.ba', third.bearer, { roles: ['admin'] }), await call('GET', '/api/admin/keys', third.bearer)]) {
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    expect((await call('GET', '/api/inbox', third.bearer)).statusCode).toBe(200);
    expect((await account('quan.tri.ba')).roles).toEqual(['specialist']);
  });
});
