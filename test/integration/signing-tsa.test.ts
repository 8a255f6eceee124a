// PAdES B-T: with TSA_URL set every signature carries an RFC 3161 token over its signature value. The TSA here is
// real OpenSSL (`openssl ts -reply`, once per request) behind a tiny HTTP server; `openssl ts -verify` checks
// each token against the signature it stamps.
import { execFile } from 'node:child_process';
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { rfc3161Timestamper } from '../../src/signing/tsa.js';
import { extractCms, parseCertificates, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { approvedResultPdf } from '../helpers/dossiers.js';
import { pdfsig } from '../helpers/pdf-tools.js';
import { opensslVerifyAll } from '../helpers/signing-tools.js';
import { startLocalTsa, type LocalTsa } from '../helpers/local-tsa.js';
import { verifyDocument } from '../../src/services/results/verify-document.js';

const run = promisify(execFile);
type Asn1 = forge.asn1.Asn1;

/** The signature value and the timestamp token of each signature's SignerInfo. */
function stamps(pdf: Buffer): Array<{ signature: Buffer; token: Buffer | null }> {
  return extractCms(pdf).map((cms) => {
    const root = forge.asn1.fromDer(cms.toString('binary'));
    const signedData = ((root.value as Asn1[])[1]!.value as Asn1[])[0]!;
    const signerInfo = ((signedData.value as Asn1[]).at(-1)!.value as Asn1[])[0]!;
    const fields = signerInfo.value as Asn1[];
    const signature = fields.find((f, i) => i > 3 && f.tagClass === forge.asn1.Class.UNIVERSAL && f.type === forge.asn1.Type.OCTETSTRING)!;
    const unsigned = fields.find((f) => f.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && f.type === 1);
    const tokenNode = unsigned ? (((unsigned.value as Asn1[])[0]!.value as Asn1[])[1]!.value as Asn1[])[0]! : null;
    return {
      signature: Buffer.from(signature.value as string, 'binary'),
      token: tokenNode ? Buffer.from(forge.asn1.toDer(tokenNode).getBytes(), 'binary') : null,
    };
  });
}

describe('RFC 3161 timestamps (PAdES B-T) against a local openssl TSA', () => {
  let tsa: LocalTsa;
  let dir: string;
  let tsaUrl: string;

  beforeAll(async () => {
    tsa = await startLocalTsa('motcua-tsa-');
    dir = tsa.dir;
    tsaUrl = tsa.url;
  });
  afterAll(async () => { await tsa?.close(); });

  async function opensslTsVerify(signature: Buffer, token: Buffer): Promise<string> {
    await writeFile(path.join(dir, 'sig.bin'), signature);
    await writeFile(path.join(dir, 'token.der'), token);
    try {
      const { stdout } = await run('openssl', ['ts', '-verify', '-token_in', '-in', path.join(dir, 'token.der'), '-data', path.join(dir, 'sig.bin'),
        '-CAfile', path.join(dir, 'ca.pem'), '-untrusted', path.join(dir, 'tsa.pem')]);
      return stdout.trim();
    } catch (error) {
      return `FAILED ${(error as { stdout?: string; stderr?: string }).stderr ?? ''}`;
    }
  }

  it('signPdf with a timestamper: token over the signature value, still a valid PAdES signature', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Test CA', organisation: 'Sở GD&ĐT' });
    const leaf = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT' });
    const unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'X-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/X-1',
      issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: new Date(),
      signer: { name: 'Lê Văn Bình', title: 'Phó Giám đốc' }, recipients: [], context: {},
    });
    const before = tsa.requests;
    const pdf = await signPdf(unsigned, {
      key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình',
      timestamp: rfc3161Timestamper(tsaUrl),
    });
    expect(tsa.requests).toBe(before + 1);
    const [stamp] = stamps(pdf);
    expect(stamp?.token).toBeTruthy();
    expect(await opensslTsVerify(stamp!.signature, stamp!.token!)).toBe('Verification: OK');
    // A token over some other signature does not verify: the check above is not vacuous.
    expect(await opensslTsVerify(Buffer.from('another signature'), stamp!.token!)).toMatch(/^FAILED/);
    // The TSA's root is a trust anchor here: the token's time is verified and reported.
    const report = verifyPdfSignatures(pdf, [...parseCertificates(ca.certificatePem), ...parseCertificates(await readFile(path.join(dir, 'ca.pem'), 'utf8'))]);
    expect(report.intact).toBe(true);
    expect(report.signatures[0]!.valid).toBe(true);
    expect(Math.abs(Date.parse(report.signatures[0]!.timestampedAt!) - Date.now())).toBeLessThan(5 * 60_000);
    expect(await pdfsig(pdf)).toContain('Signature is Valid');
  });

  describe('the verifier checks the token itself', () => {
    let pdf: Buffer;
    let anchors: X509Certificate[];
    let signerAnchors: X509Certificate[];
    let original: { signature: Buffer; token: Buffer };

    beforeAll(async () => {
      const ca = await createCertificateAuthority({ commonName: 'Test CA', organisation: 'Sở GD&ĐT' });
      const leaf = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT' });
      const unsigned = await renderResultPdf({
        template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'X-2', documentNumber: '2/KQ', verifyUrl: 'http://motcua.test/verify/X-2',
        issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: new Date(),
        signer: { name: 'Lê Văn Bình', title: 'Phó Giám đốc' }, recipients: [], context: {},
      });
      pdf = await signPdf(unsigned, {
        key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình',
        timestamp: rfc3161Timestamper(tsaUrl),
      });
      signerAnchors = parseCertificates(ca.certificatePem);
      anchors = [...signerAnchors, ...parseCertificates(await readFile(path.join(dir, 'ca.pem'), 'utf8'))];
      const [stamp] = stamps(pdf);
      original = { signature: stamp!.signature, token: stamp!.token! };
    });

    /** The PDF with the token in /Contents replaced by another of the same length (unsigned attribute: the signature still holds). */
    function withToken(token: Buffer): Buffer {
      expect(token.length).toBe(original.token.length);
      const text = pdf.toString('latin1');
      const at = text.indexOf(original.token.toString('hex'));
      expect(at).toBeGreaterThan(0);
      return Buffer.concat([pdf.subarray(0, at), Buffer.from(token.toString('hex'), 'latin1'), pdf.subarray(at + token.length * 2)]);
    }

    it('a genuine token from a trusted TSA: verified, its time reported', () => {
      const report = verifyPdfSignatures(withToken(original.token), anchors);
      expect(report.intact).toBe(true);
      expect(report.signatures[0]).toMatchObject({ valid: true, problems: [] });
      expect(report.signatures[0]!.timestampedAt).not.toBeNull();
    });

    it('a genuine TSA token over another signature value (messageImprint mismatch) makes the signature invalid', async () => {
      const other = await rfc3161Timestamper(tsaUrl)(Buffer.from('another signature value'));
      // Same TSA, same shape: the same length unless the DER integers happened to differ in length.
      if (other.length !== original.token.length) return expect.fail(`token lengths differ: ${other.length} vs ${original.token.length}`);
      const report = verifyPdfSignatures(withToken(other), anchors);
      const [signature] = report.signatures;
      expect(signature!.valid).toBe(false);
      expect(signature!.timestampedAt).toBeNull();
      expect(signature!.problems).toEqual([{ kind: 'integrity', message: 'chữ ký 1: dấu thời gian không hợp lệ: không đóng dấu cho chữ ký này' }]);
      expect(report.intact).toBe(false);
    });

    it('an edited genTime breaks the token\'s CMS signature: invalid, and no backdated time is reported', () => {
      const token = Buffer.from(original.token);
      // The GeneralizedTime (tag 0x18) inside TSTInfo: "YYYY…Z"; back-date its year by one.
      const at = token.indexOf(Buffer.from([0x18]), 0);
      let found = -1;
      for (let i = at; i >= 0 && i < token.length; i = token.indexOf(0x18, i + 1)) {
        if (/^20\d{12}/.test(token.subarray(i + 2, i + 16).toString('latin1'))) { found = i; break; }
      }
      expect(found).toBeGreaterThan(0);
      const year = token.subarray(found + 2, found + 6).toString('latin1');
      token.write(String(Number(year) - 1), found + 2, 'latin1');
      const report = verifyPdfSignatures(withToken(token), anchors);
      const [signature] = report.signatures;
      expect(signature!.valid).toBe(false);
      expect(signature!.timestampedAt).toBeNull();
      expect(signature!.problems).toEqual([{ kind: 'integrity', message: 'chữ ký 1: dấu thời gian không hợp lệ: nội dung dấu thời gian đã bị thay đổi' }]);
    });

    it('a token whose CMS signature bytes are altered is invalid', () => {
      const token = Buffer.from(original.token);
      token[token.length - 10]! ^= 0x01; // inside the TSA's signature value (the last field of the token)
      const [signature] = verifyPdfSignatures(withToken(token), anchors).signatures;
      expect(signature!.valid).toBe(false);
      expect(signature!.timestampedAt).toBeNull();
      expect(signature!.problems.map((p) => p.kind)).toEqual(['integrity']);
      expect(signature!.reasons[0]).toMatch(/dấu thời gian không hợp lệ/);
    });

    it('a sound token from a TSA outside the trust anchors: the signature stays valid, the time is unverified (null) and /M is used', () => {
      const report = verifyPdfSignatures(pdf, signerAnchors);
      const [signature] = report.signatures;
      expect(report.intact).toBe(true);
      expect(signature).toMatchObject({ valid: true, timestampedAt: null, problems: [] });
      expect(signature!.signedAt).not.toBeNull();
    });
  });

  it('a TSA that fails fails the signing instead of issuing an unstamped document', async () => {
    const dead = rfc3161Timestamper('http://127.0.0.1:9/tsa', 2000);
    await expect(dead(Buffer.from('x'))).rejects.toThrow(/TSA/);
  });

  describe('with TSA_URL configured', () => {
    let env: TestEnvironment;
    beforeAll(async () => {
      // The TSA's root joins the trust anchors (with the demo CA), so the tokens' times are verified.
      env = await startTestEnvironment('embedded', { env: { TSA_URL: tsaUrl, TRUST_ANCHORS: path.join(dir, 'ca.pem') } });
    });
    afterAll(async () => { await env?.close(); });

    it('every signature on an issued result (leader and seal) carries a verifiable timestamp', async () => {
      const pdf = await approvedResultPdf(env.ctx);
      const all = stamps(pdf);
      expect(all).toHaveLength(2);
      for (const s of all) expect(await opensslTsVerify(s.signature, s.token!)).toBe('Verification: OK');
      const verdict = await verifyDocument(env.ctx, pdf);
      expect(verdict.valid).toBe(true);
      expect(verdict.signatures.every((s) => s.timestampedAt !== null)).toBe(true);
      expect(await opensslVerifyAll(pdf, path.join(env.config.dataDir, 'demo-ca', 'ca.crt.pem'))).toEqual(['CMS Verification successful', 'CMS Verification successful']);
      expect((await pdfsig(pdf)).match(/Signature is Valid/g)).toHaveLength(2);
    });
  });
});
