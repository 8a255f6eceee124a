// The signature formats the verifier accepts (src/signing/verify-pdf.ts): PAdES (ETSI.CAdES.detached, what motcua
// issues) must bind the signer's certificate with signingCertificateV2; adbe.pkcs7.detached — what USB-token agents
// often write — may carry signingCertificateV2, the SHA-1 signingCertificate (v1) or neither, but one that is there
// must name the signer's certificate. Signed attributes (messageDigest) are required either way; other SubFilters
// are refused. The CMS are made by the stand-in agent's forge code (tools/signing-agent/sign.ts).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { signPdf as serverSign } from '../../src/signing/sign-pdf.js';
import { verifyPdfSignatures, type PdfSignatureReport } from '../../src/signing/verify-pdf.js';
import { detachedCms, openPkcs12, signPdf as agentSign, type SignOptions, type SubFilter, type TokenIdentity } from '../../tools/signing-agent/sign.js';

function onePagePdf(): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(14).text('QUYET DINH so 02/QD-SGDDT');
    doc.end();
  });
}

describe('accepted signature formats', () => {
  let ca: CertificateAndKey;
  let official: TokenIdentity;
  let colleague: TokenIdentity;
  let served: Buffer;
  let trust: X509Certificate[];

  /** The one signature's report, trusting the test CA. */
  const report = async (options: SignOptions): Promise<PdfSignatureReport> => {
    const signed = await agentSign(served, official, options);
    const verified = verifyPdfSignatures(signed, trust);
    expect(verified.signatures).toHaveLength(1);
    return verified.signatures[0]!;
  };

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Formats CA', organisation: 'Test' });
    const p12 = async (name: string) => {
      const issued = await issueCertificate(ca, { commonName: name, organisation: 'Sở GD&ĐT' });
      return openPkcs12(createPkcs12(issued.privateKeyPem, issued.certificatePem, [ca.certificatePem], 'pw'), 'pw');
    };
    official = await p12('Lê Thị Phương');
    colleague = await p12('Người khác');
    trust = [new X509Certificate(ca.certificatePem)];
    served = await onePagePdf();
  });

  it('PAdES with signingCertificateV2 (the default agent) and what motcua issues itself are ETSI.CAdES.detached and valid', async () => {
    expect(await report({})).toMatchObject({ subFilter: 'ETSI.CAdES.detached', valid: true, reasons: [] });
    const seal = await issueCertificate(ca, { commonName: 'Sở GD&ĐT', organisation: 'Sở GD&ĐT' });
    const ours = verifyPdfSignatures(await serverSign(served, { key: createPrivateKey(seal.privateKeyPem), certificatePem: seal.certificatePem, chainPem: [ca.certificatePem], name: 'Sở' }), trust);
    expect(ours.signatures[0]).toMatchObject({ subFilter: 'ETSI.CAdES.detached', valid: true, reasons: [] });
    expect(ours.intact).toBe(true);
  });

  it('adbe.pkcs7.detached: valid without any ESS attribute, with signingCertificate v1 or v2 naming the signer', async () => {
    for (const ess of ['none', 'v1', 'v2'] as const) {
      expect(await report({ subFilter: 'adbe.pkcs7.detached', ess }), ess).toMatchObject({ subFilter: 'adbe.pkcs7.detached', valid: true, reasons: [], signer: 'Lê Thị Phương' });
    }
  });

  it('adbe.pkcs7.detached: an ESS attribute naming another certificate is refused (v1 = SHA-1 hash, v2)', async () => {
    const other = colleague.certificate;
    const v1 = await report({ subFilter: 'adbe.pkcs7.detached', cms: (digest) => detachedCms(digest, official, { ess: 'v1', essCertificate: other }) });
    expect(v1.valid).toBe(false);
    expect(v1.reasons).toEqual(['chữ ký 1: chứng thư trong chữ ký không khớp chứng thư đã ký (signingCertificate)']);
    const v2 = await report({ subFilter: 'adbe.pkcs7.detached', cms: (digest) => detachedCms(digest, official, { ess: 'v2', essCertificate: other }) });
    expect(v2.valid).toBe(false);
    expect(v2.reasons).toEqual(['chữ ký 1: chứng thư trong chữ ký không khớp chứng thư đã ký (signingCertificateV2)']);
  });

  it('ETSI.CAdES.detached still requires signingCertificateV2: none, or v1 only, is refused', async () => {
    for (const ess of ['none', 'v1'] as const) {
      const r = await report({ ess });
      expect(r.valid, ess).toBe(false);
      expect(r.reasons, ess).toEqual(['chữ ký 1: chứng thư trong chữ ký không khớp chứng thư đã ký (signingCertificateV2)']);
    }
  });

  it('a CMS without signed attributes (a bare signature over the content digest) is refused in either format', async () => {
    for (const subFilter of ['adbe.pkcs7.detached', 'ETSI.CAdES.detached'] as const) {
      const r = await report({ subFilter, cms: (digest) => detachedCms(digest, official, { signedAttributes: false }) });
      expect(r.valid).toBe(false);
      expect(r.reasons).toEqual(['chữ ký 1: không đọc được dữ liệu chữ ký (CMS)']);
    }
  });

  it('other SubFilters are refused even with a sound CMS; a digest mismatch is still found in adbe.pkcs7.detached', async () => {
    const sha1 = await report({ subFilter: 'adbe.pkcs7.sha1' as SubFilter });
    expect(sha1).toMatchObject({ subFilter: 'adbe.pkcs7.sha1', valid: false });
    expect(sha1.reasons).toEqual([expect.stringMatching(/SubFilter adbe\.pkcs7\.sha1\) không được chấp nhận/)]);
    const wrongDigest = await report({ subFilter: 'adbe.pkcs7.detached', ess: 'none', cms: (digest) => detachedCms(Buffer.from(digest).fill(7, 0, 1), official, { ess: 'none' }) });
    expect(wrongDigest.reasons).toEqual(['chữ ký 1: nội dung tài liệu đã bị thay đổi sau khi ký']);
    // A signature by another key over the right attributes: the CMS signature check, not the ESS, refuses it.
    const otherKey = await report({
      subFilter: 'adbe.pkcs7.detached',
      cms: (digest) => detachedCms(digest, { ...official, key: colleague.key }, { ess: 'none' }),
    });
    expect(otherKey.reasons).toEqual(['chữ ký 1: chữ ký số không khớp với chứng thư người ký']);
  });
});
