// The verifier trusts an RFC 3161 token's time only when the token verifies and was signed by a time-stamping
// certificate (extended key usage timeStamping) chaining to a trust anchor (src/signing/verify-pdf.ts,
// verifyTimestampToken). Here tokens are built by hand, so one can be signed by a certificate that the anchors do
// trust but that is no TSA's — an official's signing certificate backdating their own signature.
import { createHash, createPrivateKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { derSort, fromDer, OID, toDer } from '../../src/signing/cms.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { verifyTimestampToken } from '../../src/signing/verify-pdf.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const seq = (items: Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]) => asn1.create(U, asn1.Type.SET, true, items);
const oid = (id: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (b: Buffer) => asn1.create(U, asn1.Type.OCTETSTRING, false, b.toString('binary'));
const int = (n: number) => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const tagged = (tag: number, items: Asn1[]) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, items);
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

/** A TimeStampToken over `signatureValue` at `genTime`, signed with `keyPem` by `certificatePem` (embedded). */
function token(signatureValue: Buffer, genTime: Date, certificatePem: string, keyPem: string): Buffer {
  const tstInfo = toDer(seq([
    int(1), oid('1.2.3.4.1'),
    seq([seq([oid(OID.sha256)]), octets(createHash('sha256').update(signatureValue).digest())]),
    int(42),
    asn1.create(U, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(genTime)),
  ]));
  const certificate = new X509Certificate(certificatePem);
  const tbs = (fromDer(certificate.raw).value as Asn1[])[0]!.value as Asn1[];
  const attributes = derSort([
    seq([oid(OID.contentType), set([oid(TST_INFO)])]),
    seq([oid(OID.messageDigest), set([octets(createHash('sha256').update(tstInfo).digest())])]),
  ]);
  const signature = sign('sha256', toDer(set(attributes)), createPrivateKey(keyPem));
  const signerInfo = seq([
    int(1), seq([tbs[3]!, tbs[1]!]), seq([oid(OID.sha256)]), tagged(0, attributes),
    seq([oid(OID.rsaEncryption), asn1.create(U, asn1.Type.NULL, false, '')]), octets(signature),
  ]);
  return toDer(seq([oid(OID.signedData), tagged(0, [seq([
    int(3), set([seq([oid(OID.sha256)])]), seq([oid(TST_INFO), tagged(0, [octets(tstInfo)])]),
    tagged(0, [fromDer(certificate.raw)]), set([signerInfo]),
  ])])]));
}

/** A certificate for time-stamping (critical EKU timeStamping) issued by `ca`. */
function tsaCertificate(ca: CertificateAndKey): { certificatePem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '0a1b2c';
  cert.validity.notBefore = new Date(Date.now() - 3 * 365 * 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'Hand-made TSA' }]);
  cert.setIssuer(forge.pki.certificateFromPem(ca.certificatePem).subject.attributes);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'extKeyUsage', critical: true, timeStamping: true }]);
  cert.sign(forge.pki.privateKeyFromPem(ca.privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

describe('verifyTimestampToken', () => {
  let ca: CertificateAndKey;
  let official: CertificateAndKey;
  let tsa: { certificatePem: string; keyPem: string };
  let anchors: X509Certificate[];
  const signatureValue = Buffer.from('the signature value the token stamps');
  const backdated = new Date(Date.now() - 30 * 86_400_000);

  beforeAll(async () => {
    // ASCII names: forge re-encodes a copied UTF-8 issuer name differently, and the TSA certificate must name its CA.
    ca = await createCertificateAuthority({ commonName: 'Test CA', organisation: 'So GD-DT' });
    official = await issueCertificate(ca, { commonName: 'Le Van Binh', organisation: 'So GD-DT' });
    tsa = tsaCertificate(ca);
    anchors = [new X509Certificate(ca.certificatePem)];
  });

  it('a token by a time-stamping certificate under a trust anchor is verified, with its genTime', () => {
    const verdict = verifyTimestampToken(token(signatureValue, backdated, tsa.certificatePem, tsa.keyPem), signatureValue, anchors);
    expect(verdict).toEqual({ status: 'verified', time: new Date(Math.floor(backdated.getTime() / 1000) * 1000).toISOString() });
  });

  it("a sound token signed by a trusted official's certificate (no timeStamping usage) leaves the time unverified", () => {
    // The official can sign anything with their key, including a "timestamp" that backdates their own signature.
    const verdict = verifyTimestampToken(token(signatureValue, backdated, official.certificatePem, official.privateKeyPem), signatureValue, anchors);
    expect(verdict).toEqual({ status: 'untrusted', time: null });
  });

  it('a TSA whose certificate chains to no anchor: unverified, not invalid', () => {
    const other = tsaCertificate(official); // issued by a non-CA, outside the anchors' paths
    const verdict = verifyTimestampToken(token(signatureValue, backdated, other.certificatePem, other.keyPem), signatureValue, anchors);
    expect(verdict).toEqual({ status: 'untrusted', time: null });
  });

  it('a token over another value, or signed with a key its certificate does not hold, is invalid', () => {
    const elsewhere = verifyTimestampToken(token(Buffer.from('another'), backdated, tsa.certificatePem, tsa.keyPem), signatureValue, anchors);
    expect(elsewhere).toMatchObject({ status: 'invalid', problem: { kind: 'integrity' } });
    const forged = verifyTimestampToken(token(signatureValue, backdated, tsa.certificatePem, official.privateKeyPem), signatureValue, anchors);
    expect(forged).toMatchObject({ status: 'invalid', problem: { kind: 'integrity', message: expect.stringContaining('dấu thời gian không hợp lệ') } });
  });

  it('junk is a format problem, and an oversized token is not parsed', () => {
    expect(verifyTimestampToken(Buffer.from('not DER at all'), signatureValue, anchors)).toMatchObject({ status: 'invalid', problem: { kind: 'format' } });
    expect(verifyTimestampToken(Buffer.alloc(64 * 1024, 0x30), signatureValue, anchors)).toMatchObject({ status: 'invalid', problem: { kind: 'format' } });
  });
});
