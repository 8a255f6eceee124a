// Pure signing code without a database: PIN-locked key envelopes, PKCS#12 round trip, the two-phase
// (prepare → embed) signature an external signer uses, and the verifier on sequential signatures.
import { createPrivateKey, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { decryptPrivateKey, encryptPrivateKey } from '../../src/services/keys/signer-keys.js';
import { prepareDetachedCms } from '../../src/signing/cms.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12, parsePkcs12 } from '../../src/signing/pkcs12.js';
import { embedCms, preparePdfSignature, reopenPrepared, signPdf } from '../../src/signing/sign-pdf.js';
import { timestampRequest } from '../../src/signing/tsa.js';
import { findSignatures, parseCertificates, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';

const SECRET = 'x'.repeat(40);

describe('signing building blocks', () => {
  let ca: CertificateAndKey;
  let leader: CertificateAndKey;
  let seal: CertificateAndKey;
  let unsigned: Buffer;

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Unit CA', organisation: 'Sở Giáo dục và Đào tạo' });
    leader = await issueCertificate(ca, { commonName: 'Nguyễn Đức Thắng', organisation: 'Sở Giáo dục và Đào tạo' });
    seal = await issueCertificate(ca, { commonName: 'Sở Giáo dục và Đào tạo', organisation: 'Sở Giáo dục và Đào tạo' });
    unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'X-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/X-1',
      issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: new Date(),
      signer: { name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' }, recipients: [], context: {},
    });
  });

  it('a PIN-locked envelope opens only with the PIN (and the configured secret)', async () => {
    const locked = await encryptPrivateKey(SECRET, leader.privateKeyPem, '123456');
    expect(locked.startsWith('v2:')).toBe(true);
    expect(await decryptPrivateKey(SECRET, locked, '123456')).toBe(leader.privateKeyPem);
    await expect(decryptPrivateKey(SECRET, locked, '654321')).rejects.toThrow(/PIN/);
    await expect(decryptPrivateKey(SECRET, locked)).rejects.toThrow(/PIN/);
    await expect(decryptPrivateKey('y'.repeat(40), locked, '123456')).rejects.toThrow(/PIN/);
    // The v1 envelope (no PIN) still opens as before.
    expect(await decryptPrivateKey(SECRET, await encryptPrivateKey(SECRET, leader.privateKeyPem))).toBe(leader.privateKeyPem);
  });

  it('PKCS#12: the leaf is the certificate matching the key; the rest is the chain', () => {
    const parsed = parsePkcs12(createPkcs12(leader.privateKeyPem, leader.certificatePem, [ca.certificatePem], 'pw'), 'pw');
    expect(parsed.certificatePem).toBe(leader.certificatePem);
    expect(parsed.chainPem).toEqual([ca.certificatePem]);
    expect(() => parsePkcs12(createPkcs12(leader.privateKeyPem, leader.certificatePem, [], 'pw'), 'wrong')).toThrow(/PKCS#12/);
  });

  it('two phases: prepare fixes the file, a signature made elsewhere over the signed attributes completes it', async () => {
    const prepared = preparePdfSignature(unsigned, { certificatePem: leader.certificatePem, chainPem: [ca.certificatePem], name: 'Nguyễn Đức Thắng' });
    const cms = prepareDetachedCms({ contentDigest: prepared.contentDigest, certificate: leader.certificatePem, chain: [ca.certificatePem] });
    // Reopened from storage, the same file yields the same digest and so the same signed attributes.
    const reopened = reopenPrepared(prepared.pdf);
    expect(reopened.contentDigest.equals(prepared.contentDigest)).toBe(true);
    const signature = sign('sha256', cms.signedAttributes, createPrivateKey(leader.privateKeyPem));
    const signed = embedCms(reopened, cms.assemble(signature));
    expect(signed.length).toBe(prepared.pdf.length);
    const sealed = await signPdf(signed, { key: createPrivateKey(seal.privateKeyPem), certificatePem: seal.certificatePem, chainPem: [ca.certificatePem], name: 'Sở' });
    const report = verifyPdfSignatures(sealed, parseCertificates(ca.certificatePem));
    expect(report.intact).toBe(true);
    expect(report.signatures.map((s) => [s.signer, s.valid, s.coversWholeDocument])).toEqual([
      ['Nguyễn Đức Thắng', true, false],
      ['Sở Giáo dục và Đào tạo', true, true],
    ]);
    // The first signature covers exactly the revision the second one extended.
    const [first, second] = findSignatures(sealed);
    expect(first!.byteRange[2] + first!.byteRange[3]).toBeLessThan(second!.byteRange[1]);
  });

  it('a signature over other attributes makes the signature invalid, not the digest', () => {
    const prepared = preparePdfSignature(unsigned, { certificatePem: leader.certificatePem, chainPem: [ca.certificatePem], name: 'X' });
    const cms = prepareDetachedCms({ contentDigest: prepared.contentDigest, certificate: leader.certificatePem, chain: [ca.certificatePem] });
    const bogus = embedCms(prepared, cms.assemble(sign('sha256', Buffer.from('other'), createPrivateKey(leader.privateKeyPem))));
    const report = verifyPdfSignatures(bogus, parseCertificates(ca.certificatePem));
    expect(report.intact).toBe(false);
    expect(report.signatures[0]!.reasons).toEqual(['chữ ký 1: chữ ký số không khớp với chứng thư người ký']);
  });

  it('an unsigned PDF is not valid, and says so', () => {
    expect(verifyPdfSignatures(unsigned, [])).toMatchObject({ intact: false, signatures: [], reasons: ['tệp không có chữ ký số'] });
  });

  it('RFC 3161 request: version 1, SHA-256 imprint of the signature value, nonce, certReq', () => {
    const der = timestampRequest(Buffer.from('sig'));
    // SEQUENCE { INTEGER 1, SEQUENCE { SEQUENCE { OID sha256 }, OCTET STRING (32) }, INTEGER nonce, BOOLEAN TRUE }
    expect(der[0]).toBe(0x30);
    expect(der.subarray(2, 5).toString('hex')).toBe('020101');
    expect(der.includes(Buffer.from('0609608648016503040201', 'hex'))).toBe(true);
    expect(der.subarray(-3).toString('hex')).toBe('0101ff');
  });
});
