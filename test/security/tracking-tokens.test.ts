// Finding 1, tracking tokens: links carry the token in the URL fragment and the tracking page posts it (never in a
// URL the server sees; old `?code=&token=` links still work, with the token kept out of request logs); the citizen
// ("Đổi mã tra cứu") and staff of the unit can replace it, which kills every earlier token; it expires
// TRACKING_TOKEN_DAYS after the dossier closed; the browser remembers dossiers for 30 days and forgets them on
// "Quên thiết bị này"; SMS never contain it.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { createLogger } from '../../src/logger.js';
import { trackingTokenFor } from '../../src/services/access.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { citizenTrackingUrl, notifyCitizen } from '../../src/services/notifications/notify-citizen.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;

beforeAll(async () => { env = await startTestEnvironment('production', { env: { TRACKING_TOKEN_DAYS: '365' } }); });
afterAll(async () => { await env?.close(); });

async function file(data: Record<string, unknown> = diplomaRequest('Đặng Thị Thu')) {
  return submitDossier(env.ctx, { procedureId: 'diploma-copy', data, files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
}

const api = (code: string, token: string) =>
  env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: { authorization: `Bearer ${token}` } });

/** A browser: its cookies, and the CSRF token of the last page it loaded. */
class Browser {
  cookies: Record<string, string> = {};
  csrf = '';
  keep(r: { cookies: Array<{ name: string; value: string; maxAge?: number; expires?: Date }> }) {
    for (const c of r.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '') delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
  }
  async get(url: string) {
    const r = await env.app.inject({ method: 'GET', url, cookies: this.cookies });
    this.keep(r);
    const token = /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1];
    if (token) this.csrf = token;
    return r;
  }
  async post(url: string, form: Record<string, string>, withCsrf = true) {
    const r = await env.app.inject({
      method: 'POST', url, cookies: this.cookies,
      payload: new URLSearchParams(withCsrf ? { _csrf: this.csrf, ...form } : form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.keep(r);
    return r;
  }
}

describe('links and the tracking page', () => {
  it('puts the token in the fragment of e-mailed links; the page carries no token and posts the form, CSRF-checked', async () => {
    const { code, trackingToken } = await file();
    expect(citizenTrackingUrl('http://motcua.test', code, trackingToken)).toBe(`http://motcua.test/tra-cuu?ma=${encodeURIComponent(code)}#t=${trackingToken}`);

    const browser = new Browser();
    const page = await browser.get(`/tra-cuu?ma=${encodeURIComponent(code)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/tra-cuu"');
    expect(page.body).toContain('/assets/track.js');
    expect(page.body).toContain(`value="${code}"`);
    const script = await env.app.inject({ method: 'GET', url: '/assets/track.js' });
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('location.hash');

    // Without the CSRF token: refused, nothing remembered.
    const forged = await browser.post('/tra-cuu', { code, token: trackingToken }, false);
    expect(forged.statusCode).toBe(403);
    expect(browser.cookies.motcua_track).toBeUndefined();

    const wrong = await browser.post('/tra-cuu', { code, token: 'khong-dung' });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain('mã tra cứu không đúng');

    const opened = await browser.post('/tra-cuu', { code, token: trackingToken });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(`/ho-so/${encodeURIComponent(code)}`);
    const remember = opened.cookies.find((c) => c.name === 'motcua_track')!;
    expect(remember.maxAge).toBe(30 * 86_400);
    expect(remember.httpOnly).toBe(true);
    expect((await browser.get(`/ho-so/${encodeURIComponent(code)}`)).statusCode).toBe(200);
  });

  it('still opens a link printed before (?code=&token=), and keeps that token out of the request log', async () => {
    const { code, trackingToken } = await file();
    const lines: string[] = [];
    const capture = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger({ logLevel: 'info' }, 'test', capture);
    const app = await buildApp({ ...env.ctx, log });
    try {
      const r = await app.inject({ method: 'GET', url: `/tra-cuu?code=${encodeURIComponent(code)}&token=${trackingToken}` });
      expect(r.statusCode).toBe(303);
      expect(r.headers.location).toBe(`/ho-so/${encodeURIComponent(code)}`);
      const bearer = await app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: { authorization: `Bearer ${trackingToken}` } });
      expect(bearer.statusCode).toBe(200);
    } finally {
      await app.close();
    }
    const logged = lines.join('');
    expect(logged).toContain('incoming request');
    expect(logged).toContain('token=[redacted]');
    expect(logged).toContain(encodeURIComponent(code));
    expect(logged).not.toContain(trackingToken);
  });

  it('"Quên thiết bị này" forgets every remembered dossier (POST with CSRF only)', async () => {
    const { code, trackingToken } = await file();
    const browser = new Browser();
    await browser.get('/tra-cuu');
    await browser.post('/tra-cuu', { code, token: trackingToken });
    const tracking = await browser.get('/tra-cuu');
    expect(tracking.body).toContain('Quên thiết bị này');
    expect(tracking.body).toContain(`/ho-so/${code}`);

    expect((await browser.post('/tra-cuu/quen-thiet-bi', {}, false)).statusCode).toBe(403);
    expect(browser.cookies.motcua_track).toBeDefined();
    const forget = await browser.post('/tra-cuu/quen-thiet-bi', {});
    expect(forget.statusCode).toBe(303);
    expect(browser.cookies.motcua_track).toBeUndefined();
    const after = await browser.get('/tra-cuu?tb=da-quen');
    expect(after.body).toContain('Thiết bị này đã quên');
    expect(after.body).not.toContain(`/ho-so/${code}`);
    expect((await browser.get(`/ho-so/${encodeURIComponent(code)}`)).statusCode).toBe(404);
  });
});

describe('changing and revoking the token', () => {
  it('the citizen changes it through the API: the new one works, the old one is dead, the history says so', async () => {
    const { code, trackingToken } = await file();
    const changed = await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/tracking-token`, headers: { authorization: `Bearer ${trackingToken}` } });
    expect(changed.statusCode).toBe(200);
    const { trackingToken: fresh } = changed.json() as { trackingToken: string };
    expect(fresh).not.toBe(trackingToken);
    expect((await api(code, trackingToken)).statusCode).toBe(404);
    const view = await api(code, fresh);
    expect(view.statusCode).toBe(200);
    expect(view.json().history.at(-1)).toMatchObject({ action: 'tracking_token_changed', actionLabel: 'Đổi mã tra cứu', actorKind: 'citizen' });
    // The old token cannot change it back.
    expect((await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/tracking-token`, headers: { authorization: `Bearer ${trackingToken}` } })).statusCode).toBe(404);
  });

  it('staff of the unit revoke it; staff of another unit cannot', async () => {
    const { code, trackingToken } = await file();
    const login = async (username: string) => (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } })).json().token as string;
    const outsider = await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/tracking-token`, headers: { authorization: `Bearer ${await login('school3')}` } });
    expect(outsider.statusCode).toBe(403);
    expect((await api(code, trackingToken)).statusCode).toBe(200);
    const revoked = await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/tracking-token`, headers: { authorization: `Bearer ${await login('clerk')}` } });
    expect(revoked.statusCode).toBe(200);
    // Staff never see the new token: with it they could act as the citizen. It goes to the citizen only.
    expect(revoked.json().trackingToken).toBeNull();
    expect((await api(code, trackingToken)).statusCode).toBe(404);
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const fresh = trackingTokenFor(env.ctx.secret, dossier.id, dossier.trackingTokenVersion);
    expect((await api(code, fresh)).json().history.at(-1)).toMatchObject({ action: 'tracking_token_changed', actorKind: 'staff' });
  });

  it('"Đổi mã tra cứu" on the dossier page shows the new token once and this browser keeps it; the staff page revokes', async () => {
    const { code, trackingToken } = await file();
    const browser = new Browser();
    await browser.get('/tra-cuu');
    await browser.post('/tra-cuu', { code, token: trackingToken });
    const dossierPage = await browser.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(dossierPage.body).toContain('Đổi mã tra cứu');
    expect(dossierPage.body).not.toContain(trackingToken);

    expect((await browser.post(`/ho-so/${encodeURIComponent(code)}/doi-ma-tra-cuu`, {}, false)).statusCode).toBe(403);
    const changed = await browser.post(`/ho-so/${encodeURIComponent(code)}/doi-ma-tra-cuu`, {});
    expect(changed.statusCode).toBe(200);
    const fresh = /data-testid="new-tracking-token">([^<]+)</.exec(changed.body)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(trackingToken);
    expect((await api(code, trackingToken)).statusCode).toBe(404);
    expect((await api(code, fresh!)).statusCode).toBe(200);
    // Shown once: the next visit works (the cookie holds the new token) and does not repeat it.
    const again = await browser.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).not.toContain(fresh!);
    expect(again.body).toContain('Đổi mã tra cứu');
    // Another browser that remembered the old token is out.
    const kiosk = new Browser();
    kiosk.cookies.motcua_track = Buffer.from(JSON.stringify([{ code, token: trackingToken }])).toString('base64url');
    expect((await kiosk.get(`/ho-so/${encodeURIComponent(code)}`)).statusCode).toBe(404);

    // The desk revokes from its own page.
    const staff = new Browser();
    await staff.get('/dang-nhap');
    const signIn = await staff.post('/dang-nhap', { username: 'clerk', password: 'demo' });
    expect(signIn.statusCode).toBe(303);
    const staffPage = await staff.get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(staffPage.body).toContain('Thu hồi mã tra cứu');
    const revoked = await staff.post(`/can-bo/ho-so/${encodeURIComponent(code)}/thu-hoi-ma-tra-cuu`, {});
    expect(revoked.statusCode).toBe(303);
    const after = await staff.get(String(revoked.headers.location));
    expect(after.body).toContain('Đã thu hồi mã tra cứu cũ');
    expect(after.body).not.toContain('data-testid="new-tracking-token"');
    expect((await api(code, fresh!)).statusCode).toBe(404);
    const row = (await findDossierByCode(env.ctx.db, code))!;
    expect((await api(code, trackingTokenFor(env.ctx.secret, row.id, row.trackingTokenVersion))).statusCode).toBe(200);
  });

  it('tokens handed out before generations existed are generation 1 and keep working', async () => {
    const { code, trackingToken } = await file();
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    expect(dossier.trackingTokenVersion).toBe(1);
    expect(trackingToken).toBe(trackingTokenFor(env.ctx.secret, dossier.id));
    expect(trackingTokenFor(env.ctx.secret, dossier.id, 2)).not.toBe(trackingToken);
  });
});

describe('expiry', () => {
  it('stops working TRACKING_TOKEN_DAYS after the dossier reached a final state', async () => {
    const { code, trackingToken } = await file();
    await performAction(env.ctx, { code, action: 'refuse', caller: await staffCaller(env.ctx, 'clerk'), version: 1, comment: 'Hồ sơ không thuộc thẩm quyền.' });
    const closed = (await findDossierByCode(env.ctx.db, code))!;
    expect(closed.status).toBe('refused');
    expect(closed.closedAt).toBeInstanceOf(Date);
    expect((await api(code, trackingToken)).statusCode).toBe(200);

    await env.ctx.database.query(`update dossiers set closed_at = now() - interval '364 days' where code = $1`, [code]);
    expect((await api(code, trackingToken)).statusCode).toBe(200);
    await env.ctx.database.query(`update dossiers set closed_at = now() - interval '366 days' where code = $1`, [code]);
    const expired = await api(code, trackingToken);
    expect(expired.statusCode).toBe(404);
    expect(expired.json().error).toMatchObject({ code: 'DOSSIER_NOT_FOUND' });
    expect(expired.json().error.message).toContain('hết hiệu lực');
    // The page says so too, and the token cannot be renewed by changing it.
    const browser = new Browser();
    await browser.get('/tra-cuu');
    const page = await browser.post('/tra-cuu', { code, token: trackingToken });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('hết hiệu lực');
    expect((await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/tracking-token`, headers: { authorization: `Bearer ${trackingToken}` } })).statusCode).toBe(404);
  });
});

describe('SMS', () => {
  it('never contains the token: the code, and where to type the one on the receipt', async () => {
    const { code, trackingToken } = await file(diplomaRequest('Vũ Văn Sáu')); // a phone, no e-mail
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    // Send the intake message again through a logger we can read (the job has sent it already).
    await env.ctx.jobs.idle(10_000);
    await env.ctx.database.query('delete from citizen_notifications where dossier_id = $1', [dossier.id]);
    const lines: string[] = [];
    const log = createLogger({ logLevel: 'info' }, 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    await notifyCitizen({ ...env.ctx, log }, dossier.id, 1);
    const sms = lines.map((l) => JSON.parse(l) as { sms?: { to: string; text: string } }).find((l) => l.sms)?.sms;
    expect(sms?.to).toBe('0912345678');
    expect(sms?.text).toContain(code);
    expect(sms?.text).toContain('http://motcua.test/tra-cuu?ma=');
    expect(sms?.text).toContain('ma tra cuu in tren bien nhan');
    expect(sms?.text).not.toContain(trackingToken);
    expect(sms?.text).not.toContain('#t=');
  });
});
