// The pure parts of PAdES B-LT: which evidence speaks for a signing time (statusAt), and which updates after the
// last signature count as "only validation data" (readDssIncrement) — a DSS written by appendDss does, an update
// that also replaces an existing object, adds an object outside the DSS or chains to another revision does not.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate } from '../../src/signing/keys.js';
import { appendDss, readDssIncrement } from '../../src/signing/ltv.js';
import { createCrl, revocationPointers, statusAt, type RevocationEvidence } from '../../src/signing/revocation.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { findSignatures, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';

const HOUR = 3_600_000;

describe('statusAt: evidence judged at the signing time', () => {
  let certificate: X509Certificate;
  beforeAll(async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA', organisation: 'Test' });
    certificate = new X509Certificate((await issueCertificate(ca, { commonName: 'Leaf', organisation: 'Test', validDays: 30 })).certificatePem);
  });
  const at = new Date();
  const evidence = (over: Partial<RevocationEvidence>): RevocationEvidence => ({ source: 'ocsp', status: 'good', thisUpdate: at, nextUpdate: null, revokedAt: null, ...over });

  it('revoked at or before the signing time is revoked; revoked later was still good then', () => {
    expect(statusAt(evidence({ status: 'revoked', revokedAt: new Date(at.getTime() - HOUR) }), certificate, at)).toBe('revoked');
    expect(statusAt(evidence({ status: 'revoked', revokedAt: new Date(at.getTime() + HOUR) }), certificate, at)).toBe('good');
  });

  it('good when vouched for after the signing time (but before the certificate expired) or for a window containing it', () => {
    expect(statusAt(evidence({ thisUpdate: new Date(at.getTime() + HOUR) }), certificate, at)).toBe('good');
    expect(statusAt(evidence({ thisUpdate: new Date(at.getTime() + 60 * 24 * HOUR) }), certificate, at)).toBeUndefined();
    expect(statusAt(evidence({ source: 'crl', thisUpdate: new Date(at.getTime() - 20 * HOUR), nextUpdate: new Date(at.getTime() + HOUR) }), certificate, at)).toBe('good');
    // Issued a day before signing and expired before it: says nothing about the signing time.
    expect(statusAt(evidence({ thisUpdate: new Date(at.getTime() - 24 * HOUR), nextUpdate: new Date(at.getTime() - HOUR) }), certificate, at)).toBeUndefined();
    expect(statusAt(evidence({ status: 'unknown' }), certificate, at)).toBeUndefined();
  });
});

describe('DSS update after the last signature', () => {
  let signed: Buffer;
  let withDss: Buffer;
  let anchors: X509Certificate[];
  const revision = (pdf: Buffer) => {
    const [, , start2, length2] = findSignatures(pdf).at(-1)!.byteRange;
    return start2 + length2;
  };

  beforeAll(async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA Sở', organisation: 'Sở GD&ĐT' });
    const leaf = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT', crlUrl: 'http://crl.test/ca.crl', ocspUrl: 'http://ocsp.test/' });
    expect(revocationPointers(new X509Certificate(leaf.certificatePem))).toEqual({ ocspUrls: ['http://ocsp.test/'], crlUrls: ['http://crl.test/ca.crl'] });
    const unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'U-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/U-1',
      issuer: { parentName: 'UBND', agencyName: 'Sở' }, place: 'Thanh Hóa', issuedAt: new Date(), signer: { name: 'Lê Văn Bình', title: 'PGĐ' }, recipients: [], context: {},
    });
    signed = await signPdf(unsigned, { key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình' });
    const crl = createCrl(ca.certificatePem, createPrivateKey(ca.privateKeyPem), { thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + 24 * HOUR), number: 1n });
    withDss = appendDss(signed, { certificates: [new X509Certificate(leaf.certificatePem).raw], ocspResponses: [], crls: [crl] });
    anchors = [new X509Certificate(ca.certificatePem)];
  });

  it('appendDss keeps every signed byte and writes an update the verifier accepts as validation data only', () => {
    expect(withDss.subarray(0, signed.length).equals(signed)).toBe(true);
    const read = readDssIncrement(withDss, revision(withDss));
    expect(read).toMatchObject({ ok: true, dss: { certificates: [expect.any(Buffer)], crls: [expect.any(Buffer)], ocspResponses: [] } });
    const report = verifyPdfSignatures(withDss, anchors);
    expect(report).toMatchObject({ intact: true, validationData: true });
    expect(report.signatures[0]).toMatchObject({ valid: true, revocation: 'good', revocationSource: 'crl' });
    expect(() => appendDss(withDss, { certificates: [], ocspResponses: [], crls: [] })).toThrow(/already has a DSS/);
  });

  /** The DSS update rewritten so its xref still matches: `extra` objects are spliced in before the xref section. */
  function withExtraObjects(extra: string): Buffer {
    const text = withDss.toString('latin1');
    const xrefAt = text.lastIndexOf('\nxref\n') + 1;
    const body = text.slice(revision(withDss), xrefAt) + extra;
    const objects = [...body.matchAll(/(\d+) 0 obj/g)].map((m) => ({ n: Number(m[1]), offset: revision(withDss) + m.index }));
    objects.sort((a, b) => a.n - b.n);
    const xref = `xref\n${objects.map((o) => `${o.n} 1\n${String(o.offset).padStart(10, '0')} 00000 n \n`).join('')}`;
    const trailer = text.slice(text.indexOf('trailer', xrefAt)).replace(/startxref\n\d+/, `startxref\n${revision(withDss) + body.length}`)
      .replace(/\/Size \d+/, `/Size ${Math.max(...objects.map((o) => o.n)) + 1}`);
    return Buffer.concat([withDss.subarray(0, revision(withDss)), Buffer.from(body + xref + trailer, 'latin1')]);
  }

  it('refuses an update that also replaces an existing object or adds one outside the DSS', () => {
    const control = withExtraObjects('');
    expect(readDssIncrement(control, revision(control)).ok).toBe(true);
    const replaced = withExtraObjects('1 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n');
    expect(readDssIncrement(replaced, revision(replaced))).toMatchObject({ ok: false, problem: expect.stringMatching(/replaces object 1/) });
    expect(verifyPdfSignatures(replaced, anchors).intact).toBe(false);
    const stray = withExtraObjects('900 0 obj\n<< /Type /Annot /Subtype /Text >>\nendobj\n');
    expect(readDssIncrement(stray, revision(stray))).toMatchObject({ ok: false, problem: expect.stringMatching(/outside the DSS/) });
    expect(verifyPdfSignatures(stray, anchors).intact).toBe(false);
  });
});
