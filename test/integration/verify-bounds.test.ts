// POST /api/verify and POST /verify/:code against the security audit's denial of service: a PDF with thousands of
// /ByteRange entries is refused with a stable code, the event loop stays free while the longest verification the
// bounds allow runs in a worker thread, an oversized upload is refused while it streams, a saturated verifier says
// so with Retry-After — and a result motcua issued still verifies.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VERIFY_BYTES } from '../../src/services/results/verify-document.js';
import { extractCms, MAX_SIGNATURES } from '../../src/signing/verify-pdf.js';
import { VERIFIER_MAX_QUEUE, VERIFIER_THREADS } from '../../src/signing/verify-pool.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval } from '../helpers/dossiers.js';
import { heaviestAllowedPdf, manyByteRangesPdf } from '../helpers/hostile-pdf.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

describe('verification bounds over HTTP', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let code: string;
  let pdf: Buffer;

  const form = (file: Buffer) => {
    const data = new FormData();
    data.append('file', new Blob([file], { type: 'application/pdf' }), 'ket-qua.pdf');
    return data;
  };
  const verify = (file: Buffer) => env.app.inject({ method: 'POST', url: '/api/verify', payload: form(file) });

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    const waiting = await dossierAwaitingApproval(env.ctx);
    code = waiting.code;
    const leader = await api.login('leader');
    expect((await api.act(code, 'approve', leader, { version: waiting.version })).status).toBe(200);
    await eventually(async () => ((await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: leader })).body.status === 'result_ready' ? true : undefined));
    const response = await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token: leader });
    expect(response.status).toBe(200);
    pdf = Buffer.from(await response.arrayBuffer());
  });
  afterAll(async () => { await env?.close(); });

  it('a result motcua issued still verifies, with the same response shape', async () => {
    const response = await verify(pdf);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['dossierCode', 'intact', 'reasons', 'signatures', 'valid']);
    expect(body).toMatchObject({ valid: true, intact: true, dossierCode: code, reasons: [] });
    expect(body.signatures).toHaveLength(2);
    expect(Object.keys(body.signatures[0]).sort()).toEqual(['coversWholeDocument', 'organisation', 'revocation', 'revocationSource', 'signedAt', 'signer', 'timestampedAt', 'valid']);
    // A copy with data appended still names its dossier (the revision hash matched in the same single query).
    const appended = (await verify(Buffer.concat([pdf, Buffer.from('\n%thêm\n', 'latin1')]))).json();
    expect(appended).toMatchObject({ valid: false, intact: false, dossierCode: code });
  });

  it('the audit\'s file (thousands of /ByteRange entries) gets 422 TOO_MANY_SIGNATURES, on the page too', async () => {
    const hostile = manyByteRangesPdf(600 * 1024);
    const response = await verify(hostile);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'TOO_MANY_SIGNATURES' });
    expect(response.json().error.message).toMatch(new RegExp(`hơn ${MAX_SIGNATURES} chữ ký số`));
    const page = await env.app.inject({ method: 'POST', url: `/verify/${encodeURIComponent(code)}`, payload: form(hostile) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`hơn ${MAX_SIGNATURES} chữ ký số`);
  });

  it('GET /healthz answers while the longest verification the bounds allow is running (it runs off the event loop)', async () => {
    // Just under the size limit, MAX_SIGNATURES signatures each over the whole file: ~200 MB of SHA-256 plus 20
    // CMS checks — done on the event loop, as before, nothing else could be answered until it ended.
    const heavy = heaviestAllowedPdf(MAX_VERIFY_BYTES - 64 * 1024, MAX_SIGNATURES, extractCms(pdf)[0]);
    const order: string[] = [];
    const verifying = verify(heavy).then((r) => { order.push('verify'); return r; });
    const health = await env.app.inject({ method: 'GET', url: '/healthz' });
    order.push('healthz');
    expect(health.statusCode).toBe(200);
    const verified = await verifying;
    expect(order).toEqual(['healthz', 'verify']);
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ valid: false, intact: false, dossierCode: null });
    expect(verified.json().signatures).toHaveLength(MAX_SIGNATURES);
  });

  it('an upload over the limit gets 413 FILE_TOO_LARGE', async () => {
    const response = await verify(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX_VERIFY_BYTES, 0x20)]));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('FILE_TOO_LARGE');
  });

  it('... and is refused while it streams: the answer comes before the client has sent the rest', async () => {
    const total = 6 * MAX_VERIFY_BYTES;
    const boundary = `----motcua${randomBytes(8).toString('hex')}`;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { port } = new URL(api.baseUrl);
    let sent = 0;
    const answer = await new Promise<{ status: number; body: string; sentWhenAnswered: number }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/verify', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        const sentWhenAnswered = sent;
        const parts: Buffer[] = [];
        response.on('data', (c: Buffer) => parts.push(c));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString(), sentWhenAnswered });
          request.destroy();
        });
      });
      // The server stops reading once it has answered: a reset while still sending is expected then.
      request.on('error', (error) => { if (!answered) reject(error); });
      request.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lon.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`);
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!request.write(chunk)) { request.once('drain', pump); return; }
        }
        if (!answered) request.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('FILE_TOO_LARGE');
    expect(answer.sentWhenAnswered).toBeLessThan(total / 2);
  });

  it('a saturated verifier answers 503 SERVICE_UNAVAILABLE with Retry-After, and recovers', async () => {
    const heavy = heaviestAllowedPdf(4 * 1024 * 1024, MAX_SIGNATURES, extractCms(pdf)[0]);
    const responses = await Promise.all(Array.from({ length: (VERIFIER_THREADS + VERIFIER_MAX_QUEUE) * 3 }, () => verify(heavy)));
    const busy = responses.filter((r) => r.statusCode === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.headers['retry-after']).toBe('5');
    }
    expect(responses.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(VERIFIER_THREADS + VERIFIER_MAX_QUEUE);
    expect((await verify(pdf)).json()).toMatchObject({ valid: true });
  });
});
