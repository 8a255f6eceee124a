// Signing keys managed by administrators (/api/admin/keys, /quan-tri/khoa-ky-so), over real HTTP on PostgreSQL +
// BullMQ: PKCS#12 files made here from the demo CA (and self-signed ones whose validity is in the past or the future),
// the list with days left and status, the expiry warning, refusals (expired, not yet valid, wrong password), replacing
// and deactivating a key (the official can no longer sign: the result waits until a new key comes), the signature and
// seal images with their preview, who may do all this, the audit entries, and the page with its multipart forms.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { findStaffByUsername, insertStaff } from '../../src/db/repositories/staff.js';
import { keyExpiryWarnings } from '../../src/services/keys/manage-keys.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { issueResult } from '../../src/services/results/issue-result.js';
import { issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { makePng } from '../helpers/files.js';
import { certificateValid } from '../helpers/signing-tools.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

const DAY_MS = 86_400_000;
const P12_PASSWORD = 'p12-pass';
const ORGANISATION = 'Sở Giáo dục và Đào tạo Thanh Hóa';

/** The smallest JPEG (1×1, progressive). */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64',
);

describe('signing keys managed by administrators', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;
  let ca: CertificateAndKey;

  const p12 = (cert: CertificateAndKey, chain: string[] = [ca.certificatePem]) => createPkcs12(cert.privateKeyPem, cert.certificatePem, chain, P12_PASSWORD);
  const leaf = (commonName: string, validDays = 730) => issueCertificate(ca, { commonName, organisation: ORGANISATION, title: 'Phó Giám đốc', validDays });
  const keyForm = (owner: Record<string, string>, file: Buffer, password = P12_PASSWORD, pin?: string) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(owner)) form.append(k, v);
    form.append('password', password);
    if (pin) form.append('pin', pin);
    form.append('pkcs12', new Blob([file], { type: 'application/x-pkcs12' }), 'key.p12');
    return form;
  };
  const imageForm = (owner: Record<string, string>, image: Buffer, type = 'image/png') => {
    const form = new FormData();
    for (const [k, v] of Object.entries(owner)) form.append(k, v);
    form.append('image', new Blob([image], { type }), 'image.bin');
    return form;
  };
  const listKeys = async () => (await api.json('GET', '/api/admin/keys', { token: admin })).body;
  const activeKeyOf = async (username: string) => (await listKeys()).items.find((k: any) => k.active && k.owner.ref === `staff:${username}`);

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
    for (const username of ['pgd', 'pgd2']) {
      await insertStaff(env.ctx.db, {
        username, fullName: username === 'pgd' ? 'Đỗ Minh Tuấn' : 'Lê Văn Bình', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt',
        passwordHash: await hashPassword('demo'),
      });
    }
    admin = await api.login('admin');
  }, 60_000);
  afterAll(async () => { await env?.close(); });

  it('only administrators see and change keys: 401 for the public, 403 for other staff', async () => {
    const leader = await api.login('leader');
    expect((await api.json('GET', '/api/admin/keys')).status).toBe(401);
    expect((await api.json('GET', '/api/admin/keys', { token: leader })).body.error.code).toBe('FORBIDDEN');
    const form = keyForm({ staff: 'pgd' }, p12(await leaf('Đỗ Minh Tuấn')));
    const anonymous = await api.json('POST', '/api/admin/keys', { form });
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await api.json('POST', '/api/admin/keys', { token: leader, form })).status).toBe(403);
    // Refused before the body is read: an oversized upload from a non-administrator is 403, not 413.
    expect((await api.json('POST', '/api/admin/keys', { token: leader, form: keyForm({ staff: 'pgd' }, Buffer.alloc(2 * 1024 * 1024)) })).status).toBe(403);
    expect((await api.json('POST', '/api/admin/appearances', { token: leader, form: imageForm({ staff: 'leader' }, makePng()) })).status).toBe(403);
    expect((await api.json('GET', '/api/admin/appearances/staff:leader/image', { token: leader })).status).toBe(403);
    const someKey = (await listKeys()).items[0].id;
    expect((await api.json('POST', `/api/admin/keys/${someKey}/deactivate`, { token: leader })).status).toBe(403);
    expect((await api.json('POST', `/api/admin/keys/${someKey}/deactivate`)).status).toBe(401);
    expect((await activeKeyOf('pgd'))).toBeUndefined();
  });

  it('lists every key with its certificate, days left and status, and the signers who have none', async () => {
    const body = await listKeys();
    expect(body.warningDays).toBe(30);
    const leader = body.items.find((k: any) => k.owner.ref === 'staff:leader');
    expect(leader).toMatchObject({
      owner: { kind: 'staff', id: 'leader', name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' }, commonName: 'Nguyễn Đức Thắng',
      organisation: ORGANISATION, status: 'active', active: true, mode: 'server', pinProtected: false, hasAppearance: false,
    });
    expect(leader.issuer).toMatch(/Demo CA/);
    expect(leader.serial).toMatch(/^[0-9A-F]+$/);
    expect(leader.daysLeft).toBeGreaterThanOrEqual(729);
    expect(body.items.find((k: any) => k.owner.ref === 'unit:so-gddt')).toMatchObject({ owner: { kind: 'unit', name: 'Ban Giám đốc Sở Giáo dục và Đào tạo' }, status: 'active' });
    // The two new deputy directors have no key: the administrator sees the gap.
    expect(body.withoutKey.map((g: any) => g.owner.ref).sort()).toEqual(['staff:pgd', 'staff:pgd2']);
    expect(body.signers.staff.map((s: any) => s.owner.ref)).toContain('staff:principal3');
    expect(body.signers.units.map((s: any) => s.owner.ref)).toEqual(expect.arrayContaining(['unit:so-gddt', 'unit:thpt-lam-son']));
    expect(JSON.stringify(body)).not.toMatch(/PRIVATE KEY|v1:|v2:/);
  });

  it('takes a certificate that expires within 30 days with a warning, and flags it on the list and for the admin home', async () => {
    const { status, body } = await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({ staff: 'pgd' }, p12(await leaf('Đỗ Minh Tuấn', 10))) });
    expect(status).toBe(201);
    expect(body).toMatchObject({ mode: 'server', owner: 'staff:pgd', commonName: 'Đỗ Minh Tuấn', status: 'expiring', daysLeft: 10 });
    expect(body.warning).toMatch(/hết hạn sau 10 ngày/);
    expect(await activeKeyOf('pgd')).toMatchObject({ id: body.keyId, status: 'expiring', daysLeft: 10 });
    const warnings = await keyExpiryWarnings(env.ctx);
    expect(warnings).toMatchObject({ expiring: 1, expired: 0, warningDays: 30 });
    expect(warnings.items[0]).toMatchObject({ id: body.keyId, owner: { ref: 'staff:pgd' }, daysLeft: 10, status: 'expiring' });
    expect((await listKeys()).withoutKey.map((g: any) => g.owner.ref)).toEqual(['staff:pgd2']);
  });

  it('refuses an expired certificate, one not valid yet, and a wrong PKCS#12 password (422), keeping the current key', async () => {
    const now = Date.now();
    const expired = await api.json('POST', '/api/admin/keys', {
      token: admin, form: keyForm({ staff: 'pgd' }, p12(certificateValid('Do Minh Tuan', new Date(now - 400 * DAY_MS), new Date(now - 5 * DAY_MS)), [])),
    });
    expect([expired.status, expired.body.error.code]).toEqual([422, 'CERTIFICATE_EXPIRED']);
    const early = await api.json('POST', '/api/admin/keys', {
      token: admin, form: keyForm({ staff: 'pgd' }, p12(certificateValid('Do Minh Tuan', new Date(now + 5 * DAY_MS), new Date(now + 400 * DAY_MS)), [])),
    });
    expect([early.status, early.body.error.code]).toEqual([422, 'CERTIFICATE_NOT_YET_VALID']);
    const wrongPassword = await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({ staff: 'pgd' }, p12(await leaf('Đỗ Minh Tuấn')), 'sai-mat-khau') });
    expect(wrongPassword.status).toBe(422);
    expect(wrongPassword.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { pkcs12: expect.any(String) } });
    const noOwner = await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({}, p12(await leaf('Đỗ Minh Tuấn'))) });
    expect(noOwner.status).toBe(422);
    expect((await activeKeyOf('pgd')).status).toBe('expiring');
  });

  it('a new key replaces the owner\'s active one, which stays listed as inactive', async () => {
    const before = await activeKeyOf('pgd');
    const { status, body } = await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({ staff: 'pgd' }, p12(await leaf('Đỗ Minh Tuấn'))) });
    expect(status).toBe(201);
    expect(body.status).toBe('active');
    expect(body.warning).toBeUndefined();
    const items = (await listKeys()).items.filter((k: any) => k.owner.ref === 'staff:pgd');
    expect(items.map((k: any) => [k.id, k.active, k.status])).toEqual([[body.keyId, true, 'active'], [before.id, false, 'inactive']]);
    expect((await keyExpiryWarnings(env.ctx)).expiring).toBe(0);
  });

  it('deactivating a key stops its owner signing: the result waits until a new key is registered', async () => {
    const key = await activeKeyOf('pgd');
    const deactivated = await api.json('POST', `/api/admin/keys/${key.id}/deactivate`, { token: admin });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: key.id, active: false, status: 'inactive' });
    const again = await api.json('POST', `/api/admin/keys/${key.id}/deactivate`, { token: admin });
    expect([again.status, again.body.error.code]).toEqual([409, 'KEY_ALREADY_INACTIVE']);
    expect((await api.json('POST', '/api/admin/keys/00000000-0000-4000-8000-000000000000/deactivate', { token: admin })).status).toBe(404);
    expect((await listKeys()).withoutKey.map((g: any) => g.owner.ref)).toContain('staff:pgd');

    const waiting = await dossierAwaitingApproval(env.ctx);
    const pgd = (await findStaffByUsername(env.ctx.db, 'pgd'))!;
    await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: await staffCaller(env.ctx, 'pgd'), version: waiting.version });
    const dossier = (await findDossierByCode(env.ctx.db, waiting.code))!;
    // The signing job cannot sign (it is retried), and nothing is issued meanwhile.
    await expect(issueResult(env.ctx, dossier.id, pgd.id)).rejects.toMatchObject({ code: 'SIGNING_KEY_MISSING' });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await findIssuedDocument(env.ctx.db, dossier.id, 'result')).toBeUndefined();
    expect((await findDossierByCode(env.ctx.db, waiting.code))!.status).not.toBe('result_ready');

    // A new key: the next try of the job signs it.
    expect((await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({ staff: 'pgd' }, p12(await leaf('Đỗ Minh Tuấn'))) })).status).toBe(201);
    await eventually(async () => ((await findDossierByCode(env.ctx.db, waiting.code))?.status === 'result_ready' ? true : undefined), 60_000, 250);
  }, 90_000);

  it('stores signature and seal images (PNG or JPEG) and shows them back; other files are refused', async () => {
    expect((await api.json('GET', '/api/admin/appearances/staff:pgd/image', { token: admin })).status).toBe(404);
    const png = makePng();
    const saved = await api.json('POST', '/api/admin/appearances', { token: admin, form: imageForm({ staff: 'pgd' }, png) });
    expect(saved).toMatchObject({ status: 201, body: { owner: 'staff', ref: 'staff:pgd', type: 'image/png', sizeBytes: png.length } });
    const seal = await api.json('POST', '/api/admin/appearances', { token: admin, form: imageForm({ unit: 'so-gddt' }, JPEG, 'image/jpeg') });
    expect(seal).toMatchObject({ status: 201, body: { owner: 'unit', type: 'image/jpeg' } });
    const bad = await api.json('POST', '/api/admin/appearances', { token: admin, form: imageForm({ staff: 'pgd' }, Buffer.from('GIF89a not an image'), 'image/gif') });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.image).toBeTruthy();
    const brokenPng = Buffer.concat([png.subarray(0, 8), Buffer.from('garbage after the signature')]);
    expect((await api.json('POST', '/api/admin/appearances', { token: admin, form: imageForm({ staff: 'pgd' }, brokenPng) })).status).toBe(422);

    const preview = await api.request('GET', '/api/admin/appearances/staff:pgd/image', { token: admin });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await preview.arrayBuffer())).toEqual(png);
    const sealPreview = await api.request('GET', `/api/admin/appearances/${encodeURIComponent('unit:so-gddt')}/image`, { token: admin });
    expect(sealPreview.headers.get('content-type')).toBe('image/jpeg');
    expect((await api.json('GET', '/api/admin/appearances/staff:khong-co/image', { token: admin })).status).toBe(404);
    expect((await activeKeyOf('pgd')).hasAppearance).toBe(true);
  });

  it('a wrong PIN is written to the audit log, as are uploads, deactivations and images (owner, serial, notAfter)', async () => {
    const uploaded = await api.json('POST', '/api/admin/keys', { token: admin, form: keyForm({ staff: 'pgd2' }, p12(await leaf('Lê Văn Bình')), P12_PASSWORD, '246810') });
    expect(uploaded.body.mode).toBe('pin');
    expect((await activeKeyOf('pgd2')).pinProtected).toBe(true);
    const wrong = await api.json('POST', '/api/signatures/batch', { token: await api.login('pgd2'), json: { codes: ['KHONG-CO'], pin: '000000' } });
    expect(wrong.body.error.code).toBe('SIGNING_PIN_INVALID');

    const entries = await listAuditEntries(env.ctx.db, { action: 'key.', limit: 100 });
    const pinFailed = entries.find((e) => e.action === 'key.pin_failed');
    expect(pinFailed).toMatchObject({ target: 'staff:pgd2', actorName: 'Lê Văn Bình (pgd2)', details: { serial: uploaded.body.serial, notAfter: uploaded.body.notAfter, failures: 1 } });
    const byAction = (action: string) => entries.filter((e) => e.action === action);
    // pgd: the 10-day key, its replacement, the key after deactivation; pgd2: this one. Refused uploads leave no entry.
    expect(byAction('key.uploaded').length).toBe(4);
    expect(byAction('key.uploaded')[0]).toMatchObject({
      actorName: 'Phạm Quốc Huy (admin)', target: 'staff:pgd2', details: { owner: 'Lê Văn Bình (pgd2)', serial: uploaded.body.serial, notAfter: uploaded.body.notAfter, mode: 'pin' },
    });
    expect(byAction('key.deactivated')).toHaveLength(1);
    expect(byAction('key.deactivated')[0]!.details).toMatchObject({ serial: expect.stringMatching(/^[0-9A-F]+$/), notAfter: expect.any(String) });
    expect(byAction('key.appearance_uploaded').map((e) => e.target)).toEqual(['unit:so-gddt', 'staff:pgd']);
  });

  describe('the page /quan-tri/khoa-ky-so', () => {
    /** A browser signed in as `username`: the session cookie, the CSRF cookie and the page's token. */
    const browser = async (username: string) => {
      const cookies: Record<string, string> = { motcua_session: await api.login(username) };
      const cookieHeader = () => Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
      const get = async (url: string) => {
        const response = await fetch(`${api.baseUrl}${url}`, { headers: { cookie: cookieHeader() }, redirect: 'manual' });
        for (const c of response.headers.getSetCookie()) { const [pair] = c.split(';'); const at = pair!.indexOf('='); cookies[pair!.slice(0, at)] = pair!.slice(at + 1); }
        return { status: response.status, body: await response.text(), location: response.headers.get('location') };
      };
      const post = async (url: string, body: FormData | URLSearchParams) => {
        const response = await fetch(`${api.baseUrl}${url}`, { method: 'POST', headers: { cookie: cookieHeader() }, body, redirect: 'manual' });
        return { status: response.status, body: await response.text(), location: decodeURIComponent(response.headers.get('location') ?? '') };
      };
      return { get, post };
    };
    const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"|_csrf=([^"&]+)"/.exec(html)!.slice(1).find(Boolean)!;
    const ownerForm = (owner: string, file: Buffer, fileField: string, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('owner', owner);
      for (const [k, v] of Object.entries(extra)) form.append(k, v);
      form.append(fileField, new Blob([file]), fileField === 'pkcs12' ? 'khoa.p12' : 'anh.png');
      return form;
    };

    it('sends the public to sign in and refuses other staff', async () => {
      const anonymous = await fetch(`${api.baseUrl}/quan-tri/khoa-ky-so`, { redirect: 'manual' });
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.get('location')).toMatch(/^\/dang-nhap/);
      expect((await (await browser('leader')).get('/quan-tri/khoa-ky-so')).status).toBe(403);
    });

    it('shows keys with badges, the gaps, and the expiry banner; uploads a key and an image; deactivates after confirming', async () => {
      const page = await browser('admin');
      await insertStaff(env.ctx.db, {
        username: 'pgd3', fullName: 'Trịnh Thu Hằng', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
      });
      let shown = await page.get('/quan-tri/khoa-ky-so');
      expect(shown.status).toBe(200);
      expect(shown.body).toContain('Khóa ký số, chữ ký và con dấu');
      expect(shown.body).toMatch(/data-testid="keys-without"[\s\S]*Trịnh Thu Hằng/);
      expect(shown.body).not.toContain('data-testid="keys-expiring"');
      expect(shown.body).toContain('accept=".p12,.pfx');

      // Without the CSRF token the upload is refused.
      const forged = await page.post('/quan-tri/khoa-ky-so/khoa', ownerForm('staff:pgd3', p12(await leaf('Trịnh Thu Hằng', 12)), 'pkcs12', { password: P12_PASSWORD }));
      expect(forged.status).toBe(403);

      const csrf = csrfOf(shown.body);
      const wrong = await page.post(`/quan-tri/khoa-ky-so/khoa?_csrf=${encodeURIComponent(csrf)}`, ownerForm('staff:pgd3', p12(await leaf('Trịnh Thu Hằng', 12)), 'pkcs12', { password: 'sai' }));
      expect(wrong.status).toBe(422);
      expect(wrong.body).toContain('Không mở được tệp PKCS#12');
      expect(wrong.body).toMatch(/<option value="staff:pgd3" selected>/);

      const uploaded = await page.post(`/quan-tri/khoa-ky-so/khoa?_csrf=${encodeURIComponent(csrf)}`, ownerForm('staff:pgd3', p12(await leaf('Trịnh Thu Hằng', 12)), 'pkcs12', { password: P12_PASSWORD }));
      expect(uploaded.status).toBe(303);
      // The notice is a fixed text named in the link; the key's details are read again from the database.
      expect(uploaded.location).toMatch(/^\/quan-tri\/khoa-ky-so\?tb=nap-khoa&khoa=[0-9a-f-]{36}$/);
      expect((await page.get(uploaded.location!)).body).toMatch(/role="status">Đã nạp khóa ký số cho Trịnh Thu Hằng[\s\S]*hết hạn sau 12 ngày/);
      shown = await page.get('/quan-tri/khoa-ky-so');
      expect(shown.body).toMatch(/data-testid="keys-expiring"[\s\S]*Trịnh Thu Hằng — còn 12 ngày/);
      expect(shown.body).toMatch(/<span class="badge due-soon">Sắp hết hạn/);
      expect(shown.body).not.toMatch(/data-testid="keys-without"[\s\S]*Trịnh Thu Hằng/);

      // The official sees it too, on the approval queue.
      const official = await browser('pgd3');
      expect((await official.get('/can-bo/phe-duyet')).body).toMatch(/data-testid="own-key-notice">Chứng thư số hết hạn sau 12 ngày/);

      const image = await page.post(`/quan-tri/khoa-ky-so/anh?_csrf=${encodeURIComponent(csrf)}`, ownerForm('staff:pgd3', makePng(), 'image'));
      expect(image.status).toBe(303);
      shown = await page.get('/quan-tri/khoa-ky-so');
      expect(shown.body).toContain('src="/api/admin/appearances/staff%3Apgd3/image"');
      const preview = await page.get('/api/admin/appearances/staff%3Apgd3/image');
      expect(preview.status).toBe(200);
      const badImage = await page.post(`/quan-tri/khoa-ky-so/anh?_csrf=${encodeURIComponent(csrf)}`, ownerForm('staff:pgd3', Buffer.from('not an image'), 'image'));
      expect(badImage.status).toBe(422);
      expect(badImage.body).toContain('PNG hoặc JPEG');

      const key = await activeKeyOf('pgd3');
      const confirm = await page.get(`/quan-tri/khoa-ky-so/${key.id}/thu-hoi`);
      expect(confirm.status).toBe(200);
      expect(confirm.body).toContain('không ký được nữa');
      expect(confirm.body).toContain(key.serial);
      const done = await page.post(`/quan-tri/khoa-ky-so/${key.id}/thu-hoi`, new URLSearchParams({ _csrf: csrfOf(confirm.body) }));
      expect(done.status).toBe(303);
      expect((await page.get(done.location!)).body).toContain(`Đã thu hồi khóa ký số có số hiệu ${key.serial} của`);
      // Again: a refusal, shown as an error (role="alert"), never as a success notice.
      const again = await page.post(`/quan-tri/khoa-ky-so/${key.id}/thu-hoi`, new URLSearchParams({ _csrf: csrfOf(confirm.body) }));
      expect(again.status).toBe(409);
      expect(again.body).toMatch(/<p class="notice error" role="alert">[^<]+<\/p>/);
      expect(again.body).not.toContain('role="status"');
      // A crafted link cannot put its own words on the page as a notice.
      expect((await page.get('/quan-tri/khoa-ky-so?tb=Kh%C3%B3a%20b%E1%BB%8B%20l%E1%BB%99')).body).not.toContain('Khóa bị lộ');
      expect(await activeKeyOf('pgd3')).toBeUndefined();
      expect((await official.get('/can-bo/phe-duyet')).body).toContain('Bạn chưa có khóa ký số đang dùng');
      expect((await (await browser('leader')).get('/can-bo/phe-duyet')).body).not.toContain('own-key-notice');
      shown = await page.get('/quan-tri/khoa-ky-so');
      expect(shown.body).toMatch(/Lịch sử[\s\S]*Trịnh Thu Hằng[\s\S]*Đã thu hồi hoặc đã thay/);
      expect((await page.get('/quan-tri/khoa-ky-so/khong-phai-uuid/thu-hoi')).status).toBe(404);
    }, 60_000);
  });
});
