// /verify/:code and POST /api/verify answer an issued result from what was found the first time its exact bytes
// were verified (document_verifications, by SHA-256 and trust-anchor fingerprint), not by re-verifying per request;
// uploads that match nothing issued are never kept.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { verificationKeyFor } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

let env: TestEnvironment;
let code: string;
let key: string;
let pdf: Buffer;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const waiting = await dossierAwaitingApproval(env.ctx);
  code = waiting.code;
  await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
  await eventually(async () => ((await findDossierByCode(env.ctx.db, code))?.status === 'result_ready' ? true : undefined));
  key = verificationKeyFor(env.ctx.secret, (await findDossierByCode(env.ctx.db, code))!.id);
  const token = (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: 'demo' } })).json().token;
  pdf = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}/result`, headers: { authorization: `Bearer ${token}` } })).rawPayload;
});
afterAll(async () => { await env?.close(); });

const upload = (file: Buffer) => {
  const boundary = '----cache';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kq.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return env.app.inject({ method: 'POST', url: '/api/verify', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
};
const stored = async () => rowsOf<{ sha256: string; anchors: string; result: { valid: boolean } }>(
  await env.ctx.db.execute(sql`select sha256, anchors, result from document_verifications`));

describe('verification answered from what was verified before', () => {
  it('the QR page verifies an issued result once and keeps the answer by the file hash', async () => {
    expect(await stored()).toEqual([]);
    // A loaded machine may find the verifier busy (the page then says so and keeps nothing): ask again until verified.
    const rows = await eventually(async () => {
      const page = await env.app.inject({ method: 'GET', url: `/verify/${encodeURIComponent(code)}?k=${key}` });
      expect(page.statusCode).toBe(200);
      const found = await stored();
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    const issued = rowsOf<{ sha256: string }>(await env.ctx.db.execute(sql`select sha256 from issued_documents where kind = 'result'`));
    expect(rows[0]!.sha256).toBe(issued[0]!.sha256);
    expect(rows[0]!.anchors).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.result.valid).toBe(true);
  });

  it('an upload of the same bytes gets the same answer a fresh verification gave, from the stored row', async () => {
    const first = await upload(pdf);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ valid: true, dossierCode: code });
    expect(first.json()).toEqual((await stored())[0]!.result);
    // Mark the stored answer: if the next answers were re-verified they would not carry the mark.
    await env.ctx.db.execute(sql`update document_verifications set result = jsonb_set(result, '{signatures,0,signer}', '"Người ký đánh dấu"')`);
    expect((await upload(pdf)).json().signatures[0].signer).toBe('Người ký đánh dấu');
    const page = await env.app.inject({ method: 'GET', url: `/verify/${encodeURIComponent(code)}?k=${key}` });
    expect(page.body).toContain('Người ký đánh dấu');
  });

  it('a file that matches nothing issued is verified each time and never kept', async () => {
    const altered = Buffer.from(pdf);
    const at = Math.floor(altered.length / 3);
    altered[at] = altered[at]! ^ 0x01;
    const answer = await upload(altered);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().valid).toBe(false);
    expect(await stored()).toHaveLength(1);
  });
});
