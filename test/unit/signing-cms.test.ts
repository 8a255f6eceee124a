import { createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDetachedCms, buildDetachedCmsAsync, prepareDetachedCms } from '../../src/signing/cms.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
};

const der = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const parse = (buffer: Buffer): Asn1 => asn1.fromDer(buffer.toString('binary'));
const children = (node: Asn1 | undefined): Asn1[] => {
  if (!node || !Array.isArray(node.value)) throw new Error('expected a constructed node');
  return node.value;
};
const at = (node: Asn1 | undefined, ...path: number[]): Asn1 => {
  let current = node;
  for (const i of path) current = children(current)[i];
  if (!current) throw new Error(`no node at ${path.join('.')}`);
  return current;
};
const oidOf = (node: Asn1): string => asn1.derToOid(node.value as string);
const bytesOf = (node: Asn1): Buffer => Buffer.from(node.value as string, 'binary');

let ca: CertificateAndKey;
let leaf: CertificateAndKey;
const digest = createHash('sha256').update('nội dung được ký').digest();

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'motcua Test CA', organisation: 'Sở GD&ĐT Thanh Hóa' });
  leaf = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT Thanh Hóa' });
});

function build(signedInputs: Buffer[] = []): Buffer {
  const key = createPrivateKey(leaf.privateKeyPem);
  return buildDetachedCms({
    contentDigest: digest,
    certificate: leaf.certificatePem,
    chain: [ca.certificatePem],
    signingTime: new Date('2026-11-22T03:00:00Z'),
    sign: (attrs) => {
      signedInputs.push(attrs);
      return sign('sha256', attrs, key);
    },
  });
}

/** ContentInfo → SignedData fields and the single SignerInfo. */
function dissect(cms: Buffer) {
  const contentInfo = parse(cms);
  const signedData = at(contentInfo, 1, 0);
  const fields = children(signedData);
  const signerInfo = at(fields[fields.length - 1], 0);
  return { contentInfo, signedData, fields, signerInfo };
}

describe('buildDetachedCms', () => {
  it('produces a detached SignedData with the expected envelope', () => {
    const { contentInfo, fields } = dissect(build());
    expect(oidOf(at(contentInfo, 0))).toBe(OIDS.signedData);
    expect(asn1.derToInteger(at(contentInfo, 1, 0, 0).value as string)).toBe(1);
    expect(oidOf(at(fields[1], 0, 0))).toBe(OIDS.sha256);
    const encap = fields[2];
    expect(children(encap)).toHaveLength(1); // eContentType only: no eContent, i.e. detached
    expect(oidOf(at(encap, 0))).toBe(OIDS.data);
    const certificates = children(fields[3]);
    expect(certificates).toHaveLength(2);
    expect(der(certificates[0] as Asn1).equals(new X509Certificate(leaf.certificatePem).raw)).toBe(true);
    expect(der(certificates[1] as Asn1).equals(new X509Certificate(ca.certificatePem).raw)).toBe(true);
  });

  it('sorts the signed attributes by their DER encoding and leaves out signingTime', () => {
    const { signerInfo } = dissect(build());
    const signedAttrs = at(signerInfo, 3);
    expect(signedAttrs.tagClass).toBe(asn1.Class.CONTEXT_SPECIFIC);
    const encodings = children(signedAttrs).map(der);
    const sorted = [...encodings].sort(Buffer.compare);
    expect(encodings).toEqual(sorted);
    const types = children(signedAttrs).map((a) => oidOf(at(a, 0)));
    expect(new Set(types)).toEqual(new Set([OIDS.contentType, OIDS.messageDigest, OIDS.signingCertificateV2]));
    expect(types).not.toContain(OIDS.signingTime);
  });

  it('carries the given digest, content type and the signer certificate reference', () => {
    const { signerInfo } = dissect(build());
    const attrs = new Map(children(at(signerInfo, 3)).map((a) => [oidOf(at(a, 0)), at(a, 1, 0)]));
    expect(bytesOf(attrs.get(OIDS.messageDigest) as Asn1).equals(digest)).toBe(true);
    expect(oidOf(attrs.get(OIDS.contentType) as Asn1)).toBe(OIDS.data);

    const cert = new X509Certificate(leaf.certificatePem);
    const essCertId = at(attrs.get(OIDS.signingCertificateV2), 0, 0);
    // First element is the hash itself: the sha256 AlgorithmIdentifier is the DEFAULT and must be omitted.
    expect(at(essCertId, 0).type).toBe(asn1.Type.OCTETSTRING);
    expect(bytesOf(at(essCertId, 0)).equals(createHash('sha256').update(cert.raw).digest())).toBe(true);
    const issuerSerial = at(essCertId, 1);
    const serialHex = bytesOf(at(issuerSerial, 1)).toString('hex').toUpperCase();
    expect(serialHex).toBe(cert.serialNumber.toUpperCase());
    expect(at(issuerSerial, 0, 0).type).toBe(4); // GeneralName directoryName [4]
  });

  it('identifies the signer by issuer and serial and uses sha256 / rsaEncryption', () => {
    const { signerInfo } = dissect(build());
    const cert = forge.pki.certificateFromPem(leaf.certificatePem);
    expect(asn1.derToInteger(at(signerInfo, 0).value as string)).toBe(1);
    expect(bytesOf(at(signerInfo, 1, 1)).toString('hex')).toBe(cert.serialNumber);
    expect(oidOf(at(signerInfo, 2, 0))).toBe(OIDS.sha256);
    expect(oidOf(at(signerInfo, 4, 0))).toBe(OIDS.rsaEncryption);
  });

  it('signs the signed attributes as a SET (tag 0x31) and the signature verifies', () => {
    const inputs: Buffer[] = [];
    const { signerInfo } = dissect(build(inputs));
    const signedOver = inputs[0] as Buffer;
    expect(signedOver[0]).toBe(0x31);
    const implicit = der(at(signerInfo, 3));
    expect(implicit[0]).toBe(0xa0);
    expect(signedOver.subarray(1).equals(implicit.subarray(1))).toBe(true);
    const signature = bytesOf(at(signerInfo, 5));
    expect(verify('sha256', signedOver, new X509Certificate(leaf.certificatePem).publicKey, signature)).toBe(true);
  });

  it('parses as PKCS#7 with forge', () => {
    const message = forge.pkcs7.messageFromAsn1(parse(build())) as forge.pkcs7.PkcsSignedData & {
      rawCapture: { signature: string };
    };
    expect(message.certificates).toHaveLength(2);
    expect(message.certificates[0]?.subject.getField('CN')).toBeTruthy();
    expect(message.rawCapture.signature.length).toBe(256);
  });

  it('two-phase and async builds give the same structure as the one-shot build', async () => {
    const key = createPrivateKey(leaf.privateKeyPem);
    const prepared = prepareDetachedCms({ contentDigest: digest, certificate: leaf.certificatePem });
    const twoPhase = prepared.assemble(sign('sha256', prepared.signedAttributes, key));
    const viaAsync = await buildDetachedCmsAsync({
      contentDigest: digest,
      certificate: leaf.certificatePem,
      sign: async (attrs) => sign('sha256', attrs, key),
    });
    // RSA PKCS#1 v1.5 is deterministic, so identical inputs give identical bytes.
    expect(viaAsync.equals(twoPhase)).toBe(true);
  });

  it('does not embed the signer twice when the chain repeats it', () => {
    const key = createPrivateKey(leaf.privateKeyPem);
    const cms = buildDetachedCms({
      contentDigest: digest,
      certificate: leaf.certificatePem,
      chain: [leaf.certificatePem, ca.certificatePem],
      sign: (attrs) => sign('sha256', attrs, key),
    });
    expect(children(dissect(cms).fields[3])).toHaveLength(2);
  });

  it('rejects a digest that is not SHA-256', () => {
    expect(() =>
      buildDetachedCms({
        contentDigest: Buffer.alloc(20),
        certificate: leaf.certificatePem,
        sign: () => Buffer.alloc(0),
      }),
    ).toThrow(/SHA-256/);
  });
});
