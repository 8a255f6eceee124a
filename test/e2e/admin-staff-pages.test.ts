// The staff-account pages: /quan-tri/can-bo (list, filters, create, edit, deactivate, password reset, two-factor off),
// the sign-in page's landing and two-factor field, and the account pages every signed-in member has (/tai-khoan,
// password change with Vietnamese errors, two-factor enrolment with a QR code and a real code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/accounts/totp.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInPages, type PageSession } from '../helpers/page-session.js';

let env: TestEnvironment;
let admin: PageSession;
beforeAll(async () => {
  env = await startTestEnvironment('production');
  admin = await signInPages(env, 'admin');
});
afterAll(async () => { await env?.close(); });

/** Signs in through the form; returns the answer and the session cookies when it worked. */
async function signInForm(fields: Record<string, string>) {
  const page = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
  const cookies: Record<string, string> = { motcua_csrf: page.cookies.find((c) => c.name === 'motcua_csrf')!.value };
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const r = await env.app.inject({
    method: 'POST', url: '/dang-nhap', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  const session = r.cookies.find((c) => c.name === 'motcua_session');
  return { status: r.statusCode, body: r.body, location: r.headers.location as string | undefined, session: session?.value };
}

const temporaryPasswordIn = (body: string) => /data-testid="temporary-password">([^<]+)</.exec(body)?.[1];

describe('/quan-tri/can-bo', () => {
  it('sends the public to sign in and refuses other staff', async () => {
    const anonymous = await env.app.inject({ method: 'GET', url: '/quan-tri/can-bo' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/dang-nhap?next=%2Fquan-tri%2Fcan-bo');
    const leader = await signInPages(env, 'leader');
    for (const url of ['/quan-tri/can-bo', '/quan-tri/can-bo/tao-moi', '/quan-tri/can-bo/tai-khoan/clerk']) {
      expect((await leader.get(url)).status, url).toBe(403);
    }
    const post = await leader.post('/quan-tri/can-bo/tai-khoan/leader/cap-lai-mat-khau', {});
    expect(post.status).toBe(403);
  });

  it('lists accounts with filters', async () => {
    const all = await admin.get('/quan-tri/can-bo');
    expect(all.status).toBe(200);
    expect(all.body).toContain('data-username="clerk"');
    expect(all.body).toContain('Lê Thị Thu Hà');
    const leaders = await admin.get('/quan-tri/can-bo?role=leader&active=true');
    expect(leaders.body).toContain('data-username="leader"');
    expect(leaders.body).not.toContain('data-username="clerk"');
    const unit = await admin.get('/quan-tri/can-bo?unit=qlcl');
    expect(unit.body).toContain('data-username="specialist"');
    expect(unit.body).not.toContain('data-username="leader"');
    const text = await admin.get(`/quan-tri/can-bo?q=${encodeURIComponent('Thắng')}`);
    expect(text.body).toContain('data-username="leader"');
    expect(text.body).not.toContain('data-username="admin"');
  });

  it('creates an account (roles, unit from the tree, authority) and shows its temporary password once', async () => {
    const form = await admin.get('/quan-tri/can-bo/tao-moi');
    expect(form.status).toBe(200);
    expect(form.body).toMatch(/<option value="qlcl">— [^<]+<\/option>/);
    expect(form.body).toContain('name="roles" value="leader"');
    expect(form.body).toContain('<option value="KT">KT. (ký thay)</option>');

    const invalid = await admin.post('/quan-tri/can-bo/tao-moi', { username: 'x', fullName: '', title: 'Phó Giám đốc', unitId: 'so-gddt', authorityKind: 'KT' });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toContain('Vui lòng nhập họ và tên.');
    expect(invalid.body).toContain('Chọn ít nhất một vai trò.');
    expect(invalid.body).toContain('Tên đăng nhập: 3–50 ký tự');
    expect(invalid.body).toContain('Ghi chức danh của người được ký thay');

    const created = await admin.post('/quan-tri/can-bo/tao-moi', [
      ['username', 'phogiamdoc'], ['fullName', 'Trịnh Thị Lan'], ['title', 'Phó Giám đốc'], ['unitId', 'so-gddt'], ['email', ''],
      ['roles', 'leader'], ['roles', 'specialist'], ['authorityKind', 'KT'], ['authorityFor', 'giám đốc'],
    ]);
    expect(created.status).toBe(200);
    const password = temporaryPasswordIn(created.body);
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(created.body).toContain('Đã tạo tài khoản phogiamdoc.');
    const again = await admin.get('/quan-tri/can-bo/tai-khoan/phogiamdoc');
    expect(temporaryPasswordIn(again.body)).toBeUndefined();
    expect(again.body).toContain('Mật khẩu tạm, chưa đổi');
    expect(again.body).toMatch(/name="roles" value="leader" checked/);
    expect(again.body).toMatch(/name="roles" value="specialist" checked/);
    expect(again.body).toContain('value="GIÁM ĐỐC"');
    const taken = await admin.post('/quan-tri/can-bo/tao-moi', { username: 'phogiamdoc', fullName: 'X', title: 'Y', unitId: 'so-gddt', roles: 'clerk' });
    expect(taken.status).toBe(409);
    expect(taken.body).toContain('Đã có tài khoản với tên đăng nhập này.');

    // First sign-in: straight to the change form, which speaks Vietnamese about every mistake.
    const first = await signInForm({ username: 'phogiamdoc', password: password! });
    expect(first.location).toBe('/tai-khoan/doi-mat-khau');
    const session = await signInPages(env, 'phogiamdoc', password);
    const mismatch = await session.post('/tai-khoan/doi-mat-khau', { currentPassword: password!, newPassword: 'Hoa phượng đỏ 2026', confirmPassword: 'khác' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toContain('Không khớp với mật khẩu mới.');
    const wrong = await session.post('/tai-khoan/doi-mat-khau', { currentPassword: 'sai', newPassword: 'Hoa phượng đỏ 2026', confirmPassword: 'Hoa phượng đỏ 2026' });
    expect(wrong.body).toContain('Mật khẩu hiện tại không đúng.');
    const weak = await session.post('/tai-khoan/doi-mat-khau', { currentPassword: password!, newPassword: 'ngan', confirmPassword: 'ngan' });
    expect(weak.body).toContain('Mật khẩu mới phải có ít nhất 10 ký tự.');
    const done = await session.post('/tai-khoan/doi-mat-khau', { currentPassword: password!, newPassword: 'Hoa phượng đỏ 2026', confirmPassword: 'Hoa phượng đỏ 2026' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/tai-khoan?tb=doi-mat-khau');
    expect((await session.get(done.location!)).body).toContain('role="status">Đã đổi mật khẩu.');
    const mine = await session.get('/tai-khoan');
    expect(mine.status).toBe(200);
    for (const text of ['Trịnh Thị Lan', 'phogiamdoc', 'KT. GIÁM ĐỐC', 'Lãnh đạo (phê duyệt, ký số)', 'Chuyên viên thụ lý', 'Chưa bật']) expect(mine.body).toContain(text);
  });

  it('edits, deactivates, reactivates, resets the password and keeps the last administrator', async () => {
    const saved = await admin.post('/quan-tri/can-bo/tai-khoan/school', [
      ['fullName', 'Hoàng Thị Mai'], ['title', 'Thư ký trường'], ['unitId', 'thpt-lam-son'], ['roles', 'school'], ['email', 'khong-hop-le'],
    ]);
    expect(saved.status).toBe(422);
    expect(saved.body).toContain('Địa chỉ thư điện tử không hợp lệ.');
    const ok = await admin.post('/quan-tri/can-bo/tai-khoan/school', [
      ['fullName', 'Hoàng Thị Mai'], ['title', 'Thư ký trường'], ['unitId', 'thpt-lam-son'], ['roles', 'school'], ['email', 'mai@lamson.test'],
    ]);
    expect(ok.status).toBe(303);
    expect((await admin.get(ok.location!)).body).toContain('Đã lưu thay đổi.');

    const school = await signInPages(env, 'school');
    const locked = await admin.post('/quan-tri/can-bo/tai-khoan/school/khoa', {});
    expect(locked.status).toBe(303);
    const lockedPage = await admin.get(locked.location!);
    expect(lockedPage.body).toMatch(/data-testid="account-status"><strong class="error">Đã khóa/);
    expect((await school.get('/can-bo')).status).toBe(303);
    expect((await signInForm({ username: 'school', password: 'demo' })).status).toBe(401);
    await admin.post('/quan-tri/can-bo/tai-khoan/school/mo-khoa', {});
    expect((await signInForm({ username: 'school', password: 'demo' })).status).toBe(303);

    const reset = await admin.post('/quan-tri/can-bo/tai-khoan/school/cap-lai-mat-khau', {});
    expect(reset.status).toBe(200);
    const temporary = temporaryPasswordIn(reset.body);
    expect(temporary).toBeDefined();
    expect((await signInForm({ username: 'school', password: temporary! })).location).toBe('/tai-khoan/doi-mat-khau');

    // A refusal is an error on the page (role="alert"), not a success notice after a redirect.
    const self = await admin.post('/quan-tri/can-bo/tai-khoan/admin/khoa', {});
    expect(self.status).toBe(409);
    expect(self.body).toMatch(/role="alert">[^<]*tài khoản quản trị hệ thống cuối cùng/);
    expect(self.body).not.toContain('role="status"');
    const crafted = await admin.get('/quan-tri/can-bo/tai-khoan/school?tb=T%C3%A0i%20kho%E1%BA%A3n%20b%E1%BB%8B%20x%C3%B3a');
    // One "current page" link: the section is aria-current="true" on its sub-page, "page" on itself.
    expect(crafted.body).toContain('<a href="/quan-tri/can-bo" aria-current="true">');
    expect(crafted.body).not.toContain('aria-current="page"');
    const list = await admin.get('/quan-tri/can-bo');
    expect(list.body.match(/aria-current="page"/g)).toHaveLength(1);
    expect(list.body.indexOf('<nav class="admin-menu"')).toBeLessThan(list.body.indexOf('<h1>'));
    // Notices are fixed texts named by the link: a crafted one shows nothing.
    expect(crafted.body).not.toContain('Tài khoản bị xóa');
    expect(crafted.body).not.toContain('role="status"');
    const demote = await admin.post('/quan-tri/can-bo/tai-khoan/admin', [['fullName', 'Phạm Quốc Huy'], ['title', 'Quản trị'], ['unitId', 'so-gddt'], ['roles', 'leader']]);
    expect(demote.status).toBe(409);
    expect(demote.body).toContain('tài khoản quản trị hệ thống cuối cùng');
    expect((await admin.get('/quan-tri/can-bo')).status).toBe(200);
  });
});

describe('sign-in page', () => {
  it('sends an administrator to /quan-tri (unless next is given) and others to their inbox', async () => {
    expect((await signInForm({ username: 'admin', password: 'demo' })).location).toBe('/quan-tri');
    expect((await signInForm({ username: 'admin', password: 'demo', next: '/quan-tri/lich' })).location).toBe('/quan-tri/lich');
    expect((await signInForm({ username: 'clerk', password: 'demo' })).location).toBe('/can-bo');
    expect((await signInForm({ username: 'admin', password: 'demo', next: '//evil.example' })).location).toBe('/quan-tri');
  });

  it('enrols two-factor on the account page and then asks for the code at sign-in', async () => {
    const principal = await signInPages(env, 'principal2');
    const start = await principal.get('/tai-khoan/xac-thuc-hai-lop');
    expect(start.body).toContain('Bắt đầu thiết lập');
    expect(start.body).toMatch(/<input id="currentPassword" name="currentPassword" type="password"[^>]* required/);
    const noPassword = await principal.post('/tai-khoan/xac-thuc-hai-lop/bat-dau', {});
    expect(noPassword.status).toBe(422);
    expect(noPassword.body).toContain('Vui lòng nhập mật khẩu hiện tại.');
    const wrongPassword = await principal.post('/tai-khoan/xac-thuc-hai-lop/bat-dau', { currentPassword: 'sai-mat-khau' });
    expect(wrongPassword.status).toBe(422);
    expect(wrongPassword.body).toContain('Mật khẩu hiện tại không đúng.');
    expect(wrongPassword.body).not.toContain('data-testid="totp-secret"');
    expect((await principal.post('/tai-khoan/xac-thuc-hai-lop/bat-dau', { currentPassword: 'demo' })).location).toBe('/tai-khoan/xac-thuc-hai-lop');
    const enrol = await principal.get('/tai-khoan/xac-thuc-hai-lop');
    // (handlebars writes the base64 padding '=' as &#x3D;, which the browser reads back as '=')
    expect(enrol.body).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/]+(&#x3D;)*"/);
    const secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)![1]!.replaceAll(' ', '');
    const wrong = await principal.post('/tai-khoan/xac-thuc-hai-lop/xac-nhan', { otp: '12345' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Mã không đúng');
    const t0 = Date.now();
    const confirmed = await principal.post('/tai-khoan/xac-thuc-hai-lop/xac-nhan', { otp: totpCode(secret, t0) });
    expect(confirmed.status).toBe(303);
    expect((await principal.get(confirmed.location!)).body).toContain('đang bật');

    const asked = await signInForm({ username: 'principal2', password: 'demo' });
    expect(asked.status).toBe(401);
    expect(asked.body).toContain('name="otp"');
    expect(asked.body).toContain('xác thực hai lớp');
    const bad = await signInForm({ username: 'principal2', password: 'demo', otp: totpCode(secret, t0) });
    expect(bad.status).toBe(401);
    expect(bad.body).toContain('Mã xác thực không đúng hoặc đã được dùng');
    const good = await signInForm({ username: 'principal2', password: 'demo', otp: totpCode(secret, t0 + 30_000) });
    expect(good.status).toBe(303);
    expect(good.location).toBe('/can-bo');

    // An administrator turns it off from the account's page (lost phone).
    expect((await admin.get('/quan-tri/can-bo/tai-khoan/principal2')).body).toContain('Tắt xác thực hai lớp (mất điện thoại)');
    const off = await admin.post('/quan-tri/can-bo/tai-khoan/principal2/tat-xac-thuc-hai-lop', {});
    expect((await admin.get(off.location!)).body).toContain('Đã tắt xác thực hai lớp của tài khoản.');
    expect((await signInForm({ username: 'principal2', password: 'demo' })).status).toBe(303);
  });
});
