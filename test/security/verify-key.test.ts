// Finding 4, the public verification page: `/verify/:code` answers the same generic page (200, a form to check a
// file, no existence, no title, no signers) for a code that exists, one that does not and a wrong key; the link
// printed on the result (and in the citizen's and staff's views) carries the key, which shows the summary.
// Checking an uploaded copy keeps working for everyone.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { trackingTokenFor, verificationKeyFor } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

let env: TestEnvironment;
let code: string;
let key: string;
let pdf: Buffer;
let leaderToken: string;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const waiting = await dossierAwaitingApproval(env.ctx);
  code = waiting.code;
  await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
  await eventually(async () => ((await findDossierByCode(env.ctx.db, code))?.status === 'result_ready' ? true : undefined));
  key = verificationKeyFor(env.ctx.secret, (await findDossierByCode(env.ctx.db, code))!.id);
  leaderToken = (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: 'demo' } })).json().token;
  pdf = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}/result`, headers: { authorization: `Bearer ${leaderToken}` } })).rawPayload;
});
afterAll(async () => { await env?.close(); });

const get = (url: string) => env.app.inject({ method: 'GET', url });
const upload = (url: string, file: Buffer) => {
  const boundary = '----verify';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kq.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return env.app.inject({ method: 'POST', url, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
};

describe('GET /verify/:code', () => {
  it('without the right key: the same page for an existing code, a missing one and a wrong key — nothing about the dossier', async () => {
    // The next code of the same day exists or not: an observer cannot tell.
    const [prefix, seq] = [code.slice(0, code.lastIndexOf('-') + 1), Number(code.slice(code.lastIndexOf('-') + 1))];
    const answers = await Promise.all([
      get(`/verify/${encodeURIComponent(code)}`),
      get(`/verify/${encodeURIComponent(`${prefix}${String(seq + 500).padStart(4, '0')}`)}`),
      get('/verify/KHONG-CO'),
      get(`/verify/${encodeURIComponent(code)}?k=${'A'.repeat(16)}`),
      get(`/verify/${encodeURIComponent(code)}?k=${key.slice(0, 15)}`),
      get(`/verify/KHONG-CO?k=${key}`), // a real key, for another code
    ]);
    for (const r of answers) {
      expect(r.statusCode).toBe(200);
      expect(r.body).toBe(answers[0]!.body);
    }
    const body = answers[0]!.body;
    expect(body).toContain('Kiểm tra bản bạn đang giữ');
    expect(body).toContain('enctype="multipart/form-data"');
    expect(body).not.toContain(code);
    expect(body).not.toContain('Nguyễn Đức Thắng');
    expect(body).not.toContain('BẢN SAO VĂN BẰNG');
    expect(body).not.toContain('chưa có văn bản');
  });

  it('with the key of the QR link: the issued result, its signers and hash', async () => {
    const r = await get(`/verify/${encodeURIComponent(code)}?k=${key}`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(code);
    expect(r.body).toContain('BẢN SAO VĂN BẰNG');
    expect(r.body).toContain('Nguyễn Đức Thắng');
    expect(key).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('the views hand out the keyed link: the staff\'s and the citizen\'s view, and the citizen\'s page', async () => {
    const link = `/verify/${encodeURIComponent(code)}?k=${key}`;
    const staffView = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: { authorization: `Bearer ${leaderToken}` } })).json();
    expect(staffView.result.verifyUrl).toBe(link);
    const token = trackingTokenFor(env.ctx.secret, (await findDossierByCode(env.ctx.db, code))!.id);
    const citizenView = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(citizenView.result.verifyUrl).toBe(link);
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, cookies: { motcua_track: Buffer.from(JSON.stringify([{ code, token }])).toString('base64url') } });
    expect(page.body.replaceAll('&#x3D;', '=')).toContain(`href="${link}"`);
  });
  it('a wrong key is answered before the trust anchors are read: an unreadable TRUST_ANCHORS file is no 500 for it', async () => {
    const config = env.ctx.config as { trustAnchorsFile?: string };
    const before = config.trustAnchorsFile;
    const generic = (await get('/verify/KHONG-CO')).body;
    config.trustAnchorsFile = '/nonexistent/motcua-anchors.pem';
    try {
      const wrong = await get(`/verify/${encodeURIComponent(code)}?k=${'A'.repeat(16)}`);
      expect(wrong.statusCode).toBe(200);
      expect(wrong.body).toBe(generic);
      // The key's holder does reach the anchors (so the case above proves the order, not a file nobody reads).
      expect((await get(`/verify/${encodeURIComponent(code)}?k=${key}`)).statusCode).toBe(500);
    } finally {
      config.trustAnchorsFile = before;
    }
  });
});

describe('checking a file', () => {
  it('works for everyone, with or without the key, and says only what the file proves', async () => {
    const keyless = await upload(`/verify/${encodeURIComponent(code)}`, pdf);
    expect(keyless.statusCode).toBe(200);
    expect(keyless.body).toContain('Văn bản hợp lệ');
    const elsewhere = await upload('/verify/KHONG-CO', pdf);
    expect(elsewhere.body).toContain('Văn bản KHÔNG hợp lệ');
    const withKey = await upload(`/verify/${encodeURIComponent(code)}?k=${key}`, pdf);
    expect(withKey.body).toContain('Văn bản hợp lệ');
    expect(withKey.body).toContain('Nguyễn Đức Thắng');
    const boundary = '----api';
    const api = await env.app.inject({
      method: 'POST', url: '/api/verify', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kq.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    });
    expect(api.json()).toMatchObject({ valid: true, dossierCode: code });
  });
});

// /verify/:code and POST /api/verify answer an issued result from what was found when its exact bytes were verified
// (document_verifications, by SHA-256 and trust-anchor fingerprint), not by re-verifying per request; uploads matching
// nothing issued are never kept. Last in the file: it marks the stored answer.
describe('verification answered from what was verified before', () => {
  const stored = async () => rowsOf<{ sha256: string; anchors: string; result: { valid: boolean } }>(
    await env.ctx.db.execute(sql`select sha256, anchors, result from document_verifications`));

  it('the issued result is verified once and the answer kept by the file hash and the anchors', async () => {
    // The pages and uploads above verified it; a loaded machine may have found the verifier busy, so ask until kept.
    const rows = await eventually(async () => {
      expect((await get(`/verify/${encodeURIComponent(code)}?k=${key}`)).statusCode).toBe(200);
      const found = await stored();
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    const issued = rowsOf<{ sha256: string }>(await env.ctx.db.execute(sql`select sha256 from issued_documents where kind = 'result'`));
    expect(rows[0]!.sha256).toBe(issued[0]!.sha256);
    expect(rows[0]!.anchors).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.result.valid).toBe(true);
  });

  it('an upload of the same bytes and the QR page answer from the stored row', async () => {
    const first = await upload('/api/verify', pdf);
    expect(first.json()).toMatchObject({ valid: true, dossierCode: code });
    expect(first.json()).toEqual((await stored())[0]!.result);
    // Mark the stored answer: if the next answers were re-verified they would not carry the mark.
    await env.ctx.db.execute(sql`update document_verifications set result = jsonb_set(result, '{signatures,0,signer}', '"Người ký đánh dấu"')`);
    expect((await upload('/api/verify', pdf)).json().signatures[0].signer).toBe('Người ký đánh dấu');
    expect((await get(`/verify/${encodeURIComponent(code)}?k=${key}`)).body).toContain('Người ký đánh dấu');
  });

  it('a file that matches nothing issued is verified and never kept', async () => {
    const altered = Buffer.from(pdf);
    const at = Math.floor(altered.length / 3);
    altered[at] = altered[at]! ^ 0x01;
    const answer = await upload('/api/verify', altered);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().valid).toBe(false);
    expect(await stored()).toHaveLength(1);
  });
});
