// The issued result as a third party sees it: fetched through the public API, checked by poppler's pdfsig and by
// `openssl cms -verify` (each signature), then by POST /api/verify and the QR page — and tampered copies refused.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { readFile } from 'node:fs/promises';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { flipSignedByte, pdfsig, pdfText } from '../helpers/pdf-tools.js';
import { opensslVerifyAll, swapCertificate } from '../helpers/signing-tools.js';

const run = promisify(execFile);

describe('PAdES result: leader signature + organisation seal', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let code: string;
  let pdf: Buffer;
  let caFile: string;

  const verify = async (file: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([file], { type: 'application/pdf' }), 'ket-qua.pdf');
    return api.json('POST', '/api/verify', { form });
  };

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    caFile = path.join(env.config.dataDir, 'demo-ca', 'ca.crt.pem');
    const waiting = await dossierAwaitingApproval(env.ctx);
    code = waiting.code;
    const leader = await api.login('leader');
    const approved = await api.act(code, 'approve', leader, { version: waiting.version });
    expect(approved.body.status).toBe('signing');
    await eventually(async () => ((await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: leader })).body.status === 'result_ready' ? true : undefined));
    const response = await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token: leader });
    expect(response.status).toBe(200);
    pdf = Buffer.from(await response.arrayBuffer());
  });
  afterAll(async () => { await env?.close(); });

  it('pdfsig: two valid ETSI.CAdES.detached signatures, the leader first, the seal last over the whole file', async () => {
    const out = await pdfsig(pdf);
    const blocks = out.split(/Signature #\d+:/).slice(1);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block).toContain('Signature Validation: Signature is Valid.');
      expect(block).toContain('Signature Type: ETSI.CAdES.detached');
      expect(block).toContain('Signing Hash Algorithm: SHA-256');
    }
    expect(blocks[0]).toContain('Nguyễn Đức Thắng');
    expect(blocks[0]).toContain('Not total document signed');
    expect(blocks[1]).toContain('Sở Giáo dục và Đào tạo Thanh Hóa');
    expect(blocks[1]).toMatch(/\n\s*- Total document signed/);
  });

  it('qpdf finds the incremental updates well-formed (no warnings)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-qpdf-'));
    try {
      await writeFile(path.join(dir, 'r.pdf'), pdf);
      const { stdout, stderr } = await run('qpdf', ['--check', path.join(dir, 'r.pdf')]);
      expect(stdout + stderr).toContain('No syntax or stream encoding errors found');
      expect(stdout + stderr).not.toMatch(/WARNING/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openssl cms -verify accepts each extracted CMS against the demo CA', async () => {
    const results = await opensslVerifyAll(pdf, caFile);
    expect(results).toEqual(['CMS Verification successful', 'CMS Verification successful']);
  });

  it('POST /api/verify accepts the issued file and names its dossier', async () => {
    const { status, body } = await verify(pdf);
    expect(status).toBe(200);
    expect(body).toMatchObject({ valid: true, intact: true, dossierCode: code, reasons: [] });
    expect(body.signatures).toHaveLength(2);
    expect(body.signatures[0]).toMatchObject({ signer: 'Nguyễn Đức Thắng', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', valid: true, coversWholeDocument: false });
    expect(body.signatures[1]).toMatchObject({ signer: 'Sở Giáo dục và Đào tạo Thanh Hóa', valid: true, coversWholeDocument: true });
    expect(Date.parse(body.signatures[0].signedAt)).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it('refuses a flipped byte, and says the content changed', async () => {
    const tampered = flipSignedByte(pdf);
    const { body } = await verify(tampered);
    expect(body.valid).toBe(false);
    expect(body.intact).toBe(false);
    expect(body.reasons.join('\n')).toMatch(/nội dung tài liệu đã bị thay đổi sau khi ký/);
    expect(body.reasons.join('\n')).toMatch(/không trùng khớp/);
    expect(await pdfsig(tampered)).not.toMatch(/Signature is Valid[\s\S]*Signature is Valid/);
  });

  it('refuses anything appended after the last signature, but still names the dossier it came from', async () => {
    const appended = Buffer.concat([pdf, Buffer.from('\n1 0 obj\n(sửa đổi)\nendobj\n', 'latin1')]);
    const { body } = await verify(appended);
    expect(body).toMatchObject({ valid: false, intact: false, dossierCode: code });
    expect(body.signatures.every((s: { valid: boolean }) => s.valid)).toBe(true);
    expect(body.reasons).toContain('có dữ liệu được thêm vào sau chữ ký cuối cùng');
  });

  it('refuses a swapped certificate (another certificate from the same trusted CA)', async () => {
    const ca = { certificatePem: await readFile(caFile, 'utf8'), privateKeyPem: await readFile(path.join(env.config.dataDir, 'demo-ca', 'ca.key.pem'), 'utf8') };
    const impostor = await issueCertificate(ca, { commonName: 'Nguyễn Văn Giả', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const swapped = swapCertificate(pdf, 0, impostor.certificatePem);
    const { body } = await verify(swapped);
    expect(body.valid).toBe(false);
    expect(body.signatures[0]).toMatchObject({ signer: 'Nguyễn Văn Giả', valid: false });
    expect(body.reasons.join('\n')).toMatch(/signingCertificateV2/);
    expect(body.reasons.join('\n')).toMatch(/không khớp với chứng thư người ký/);
    expect((await opensslVerifyAll(swapped, caFile))[0]).toMatch(/^FAILED/);
  });

  it('refuses a signature from an untrusted CA, even a cryptographically sound one', async () => {
    const rogueCa = await createCertificateAuthority({ commonName: 'Rogue CA', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const rogue = await issueCertificate(rogueCa, { commonName: 'Sở Giáo dục và Đào tạo Thanh Hóa', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const resigned = await signPdf(pdf, { key: createPrivateKey(rogue.privateKeyPem), certificatePem: rogue.certificatePem, chainPem: [rogueCa.certificatePem], name: 'Giả mạo' });
    const { body } = await verify(resigned);
    expect(body).toMatchObject({ valid: false, intact: true });
    expect(body.signatures.map((s: { valid: boolean }) => s.valid)).toEqual([true, true, false]);
    expect(body.reasons.join('\n')).toMatch(/chữ ký 3: chứng thư người ký không thuộc tổ chức chứng thực tin cậy/);
    expect((await verify(Buffer.from('not a pdf'))).status).toBe(415);
  });

  it('the QR page (the link printed on the result, with its key) shows the issued result and checks an uploaded copy', async () => {
    // The link as printed under the QR code: /verify/CODE?k=<16 characters>.
    const printed = /Tra cứu: (http:\/\/motcua\.test\/verify\/\S+)/.exec(await pdfText(pdf))?.[1];
    expect(printed).toMatch(new RegExp(`/verify/${code.replaceAll('.', '\\.')}\\?k=[A-Za-z0-9_-]{16}$`));
    const link = printed!.replace('http://motcua.test', '');
    const page = await api.request('GET', link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(code);
    expect(html).toContain('Nguyễn Đức Thắng');
    expect(html.match(/<strong>hợp lệ<\/strong>/g)).toHaveLength(2);
    const upload = async (file: Buffer, url = link) => {
      const form = new FormData();
      form.append('file', new Blob([file], { type: 'application/pdf' }), 'ban-sao.pdf');
      return (await api.request('POST', url, { form })).text();
    };
    expect(await upload(pdf)).toContain('Văn bản hợp lệ');
    const bad = await upload(flipSignedByte(pdf));
    expect(bad).toContain('Văn bản KHÔNG hợp lệ');
    expect(bad).toContain('nội dung tài liệu đã bị thay đổi sau khi ký');
    // Checking a copy needs no key.
    const keyless = await upload(pdf, `/verify/${encodeURIComponent(code)}`);
    expect(keyless).toContain('Văn bản hợp lệ');
    expect(keyless).not.toContain('Nguyễn Đức Thắng');
    // Without the key, or for a code that does not exist: the same page, which tells nothing (test/security/verify-key.test.ts).
    expect((await api.request('GET', '/verify/KHONG-CO')).status).toBe(200);
  });
});
