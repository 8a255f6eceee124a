// Finding 5: the dossier version a client sends back (optimistic concurrency) is a positive integer and nothing that
// merely converts to one: JSON `[1]`, `true`, `"1"`, `1.5` and multipart/form parts `1.0`, `1e0`, ` 1`, `0x1` are
// 422 VALIDATION_FAILED, on the action API, the assignment API and the staff and citizen pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
let clerk: string;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  clerk = (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'clerk', password: 'demo' } })).json().token;
});
afterAll(async () => { await env?.close(); });

async function newDossier() {
  return submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest('Tạ Văn Số'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
}

const multipart = (fields: Record<string, string>) => {
  const boundary = '----version';
  const payload = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

describe('API', () => {
  it('refuses a JSON version that is not an integer: [1], true, "1", 1.5, 0, -1, null', async () => {
    const { code } = await newDossier();
    for (const version of [[1], true, '1', 1.5, 0, -1, null, { v: 1 }]) {
      const r = await env.app.inject({
        method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/actions/receive`, headers: { authorization: `Bearer ${clerk}` }, payload: { version },
      });
      expect(r.statusCode, JSON.stringify(version)).toBe(422);
      expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { version: expect.any(String) } });
    }
    const ok = await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/actions/receive`, headers: { authorization: `Bearer ${clerk}` }, payload: { version: 1 } });
    expect(ok.json()).toEqual({ status: 'checking', version: 2 });
  });

  it('refuses a multipart version part that is not plain digits: 1.0, 1e0, " 1", 0x1, 01', async () => {
    const { code, trackingToken } = await newDossier();
    await performAction(env.ctx, { code, action: 'request_supplement', caller: await staffCaller(env.ctx, 'clerk'), version: 1, comment: 'Bổ sung giấy tờ.' });
    for (const version of ['1.0', '2.0', '2e0', ' 2', '0x2', '02', '']) {
      const form = multipart({ version });
      const r = await env.app.inject({
        method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/actions/resubmit`, headers: { ...form.headers, authorization: `Bearer ${trackingToken}` }, payload: form.payload,
      });
      expect(r.statusCode, JSON.stringify(version)).toBe(422);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await findDossierByCode(env.ctx.db, code))!.version).toBe(2);
  });

  it('the assignment API takes a JSON integer only', async () => {
    const { code } = await newDossier();
    for (const version of [[1], true, '1']) {
      const r = await env.app.inject({ method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/assignment`, headers: { authorization: `Bearer ${clerk}` }, payload: { version } });
      expect(r.statusCode, JSON.stringify(version)).toBe(422);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('pages', () => {
  it('the staff action and claim forms refuse a version that is not digits (422), and take the right one', async () => {
    const { code } = await newDossier();
    const signInPage = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
    let cookies: Record<string, string> = { motcua_csrf: signInPage.cookies.find((c) => c.name === 'motcua_csrf')!.value };
    const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage.body)![1]!;
    const post = (url: string, form: Record<string, string>) => env.app.inject({
      method: 'POST', url, cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
    const signIn = await post('/dang-nhap', { username: 'clerk', password: 'demo' });
    cookies = { ...cookies, motcua_session: signIn.cookies.find((c) => c.name === 'motcua_session')!.value };
    const action = `/can-bo/ho-so/${encodeURIComponent(code)}/thao-tac/receive`;
    for (const version of ['1.0', '1e0', '0x1', ' 1', '']) {
      const r = await post(action, { version });
      expect(r.statusCode, version).toBe(422);
      expect(r.body).toContain('phiên bản hồ sơ');
    }
    const claim = await post(`/can-bo/ho-so/${encodeURIComponent(code)}/nhan-xu-ly`, { version: '1.0' });
    expect(claim.statusCode).toBe(303);
    expect(decodeURIComponent(claim.headers.location as string)).toContain('phiên bản hồ sơ');
    expect((await findDossierByCode(env.ctx.db, code))).toMatchObject({ version: 1, assigneeId: null });
    expect((await post(action, { version: '1' })).statusCode).toBe(303);
    expect((await findDossierByCode(env.ctx.db, code))!.status).toBe('checking');
  });
});
