// The verifier says what kind each problem is, so callers (the agent upload, the remote-signing check, `intact`)
// decide by kind and never by the Vietnamese wording; the messages stay what POST /api/verify shows.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { findSignatures, verifyPdfSignatures, type PdfSignatureReport } from '../../src/signing/verify-pdf.js';

const DAY = 24 * 3_600_000;
const kinds = (report: PdfSignatureReport | undefined) => report?.problems.map((p) => p.kind);

describe('structured problem kinds', () => {
  let ca: CertificateAndKey;
  let anchors: X509Certificate[];
  let signed: Buffer;
  let leaf: CertificateAndKey;
  let unsigned: Buffer;

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'CA Sở', organisation: 'Sở GD&ĐT' });
    anchors = [new X509Certificate(ca.certificatePem)];
    leaf = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT', validDays: 30 });
    unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'K-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/K-1',
      issuer: { parentName: 'UBND', agencyName: 'Sở' }, place: 'Thanh Hóa', issuedAt: new Date(), signer: { name: 'Lê Văn Bình', title: 'PGĐ' }, recipients: [], context: {},
    });
    signed = await signPdf(unsigned, { key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình' });
  });

  it('a good signature has none; without its CA among the anchors the one problem is "trust", and the document stays intact', () => {
    expect(verifyPdfSignatures(signed, anchors).signatures[0]).toMatchObject({ valid: true, problems: [], reasons: [] });
    const untrusted = verifyPdfSignatures(signed, []);
    expect(kinds(untrusted.signatures[0])).toEqual(['trust']);
    expect(untrusted.signatures[0]!.reasons).toEqual(untrusted.signatures[0]!.problems.map((p) => p.message));
    expect(untrusted.signatures[0]!.reasons[0]).toMatch(/^chữ ký 1: .*tin cậy/);
    expect(untrusted).toMatchObject({ intact: true, reasons: [] });
  });

  it('a certificate not valid at the claimed signing time: "validity", still intact', async () => {
    const late = await signPdf(unsigned, {
      key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình',
      signingTime: new Date(Date.now() + 60 * DAY),
    });
    const report = verifyPdfSignatures(late, anchors);
    expect(kinds(report.signatures[0])).toEqual(['validity']);
    expect(report.signatures[0]!.valid).toBe(false);
    expect(report.intact).toBe(true);
  });

  it('a changed signed byte: "integrity", the document is no longer intact, and the message reaches the document\'s reasons', () => {
    const [, length1] = findSignatures(signed)[0]!.byteRange;
    const at = signed.toString('latin1').lastIndexOf('/Lang (vi-VN)', length1);
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(signed);
    changed.write('/Lang (en-US)', at, 'latin1');
    const report = verifyPdfSignatures(changed, []);
    expect(kinds(report.signatures[0])).toEqual(['integrity', 'trust']);
    expect(report.intact).toBe(false);
    // The document-level reasons list only what is about the file.
    expect(report.reasons).toEqual([report.signatures[0]!.problems[0]!.message]);
  });

  it('a refused SubFilter: "format"', () => {
    const text = signed.toString('latin1');
    const at = text.indexOf('/SubFilter /ETSI.CAdES.detached');
    expect(at).toBeGreaterThan(0);
    // Same length; the SubFilter lies inside the signed ranges, so the digest breaks too: both kinds are reported.
    const changed = Buffer.from(signed);
    changed.write('/SubFilter /ETSI.CAdES.detacheX', at, 'latin1');
    const report = verifyPdfSignatures(changed, anchors);
    expect(kinds(report.signatures[0])).toEqual(['format', 'integrity']);
    expect(report.intact).toBe(false);
  });
});
