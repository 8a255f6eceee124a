// The simulator's PKI: a CA (loaded from files or made here), a key pair and certificate per holder, and the detached
// CMS (PKCS#7) a remote-signing provider returns for a hash. Self-contained on purpose: the simulator stands for a
// system motcua does not control, so it shares no code with src/. forge assembles the ASN.1; node:crypto does RSA.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateAuthority { certificatePem: string; privateKeyPem: string }

export interface Holder {
  /** The holder's 12-digit personal ID number: how a service provider names them. */
  userId: string;
  name: string;
  certId: string;
  certificatePem: string;
  privateKeyPem: string;
  key: KeyObject;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

const node = (type: forge.asn1.Type, value: string | Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, type, Array.isArray(value), value);
const seq = (items: Asn1[]): Asn1 => node(asn1.Type.SEQUENCE, items);
const set = (items: Asn1[]): Asn1 => node(asn1.Type.SET, items);
const oid = (value: string): Asn1 => node(asn1.Type.OID, asn1.oidToDer(value).getBytes());
const octets = (value: Buffer): Asn1 => node(asn1.Type.OCTETSTRING, value.toString('binary'));
const integer = (value: number): Asn1 => node(asn1.Type.INTEGER, asn1.integerToDer(value).getBytes());
const tagged = (tag: number, items: Asn1[]): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, items);
const toDer = (value: Asn1): Buffer => Buffer.from(asn1.toDer(value).getBytes(), 'binary');
const fromDer = (der: Buffer): Asn1 => asn1.fromDer(der.toString('binary'));
const attribute = (type: string, value: Asn1): Asn1 => seq([oid(type), set([value])]);

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function utf8Name(fields: Array<[string, string]>): forge.pki.CertificateField[] {
  return [
    { name: 'countryName', value: 'VN' },
    ...fields.map(([name, value]) => ({ name, value: value.normalize('NFC'), valueTagClass: asn1.Type.UTF8 as unknown as forge.asn1.Class })),
  ];
}

function newRsaKey(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** Signs the TBS with node:crypto; `issuerName` is the CA's subject exactly as encoded, so path building matches it. */
function signCertificate(cert: forge.pki.Certificate, issuerKey: KeyObject, issuerName?: Asn1): string {
  const algorithm = pki.oids['sha256WithRSAEncryption'] as string;
  cert.signatureOid = algorithm;
  cert.siginfo.algorithmOid = algorithm;
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): Asn1 }).getTBSCertificate(cert);
  if (issuerName) (tbs.value as Asn1[])[3] = issuerName;
  cert.signature = sign('sha256', toDer(tbs), issuerKey).toString('binary');
  (cert as forge.pki.Certificate & { tbsCertificate: Asn1 }).tbsCertificate = tbs;
  return pki.certificateToPem(cert);
}

export function createCertificateAuthority(commonName = 'Remote signing simulator CA (không dùng cho văn bản thật)'): CertificateAuthority {
  const keys = newRsaKey();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * DAY_MS);
  const name = utf8Name([['organizationName', 'Remote signing simulator'], ['commonName', commonName]]);
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  return { certificatePem: signCertificate(cert, createPrivateKey(keys.privateKeyPem)), privateKeyPem: keys.privateKeyPem };
}

/** A signing certificate for a holder, issued by `ca`. */
export function issueHolderCertificate(ca: CertificateAuthority, holder: { userId: string; name: string; organisation?: string }): { certificatePem: string; privateKeyPem: string } {
  const caCert = pki.certificateFromPem(ca.certificatePem);
  const caSubject = ((fromDer(new X509Certificate(ca.certificatePem).raw).value as Asn1[])[0]!.value as Asn1[])[5]!;
  const keys = newRsaKey();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Math.min(Date.now() + 730 * DAY_MS, caCert.validity.notAfter.getTime()));
  cert.setSubject(utf8Name([
    ...(holder.organisation ? [['organizationName', holder.organisation] as [string, string]] : []),
    // SmartCA puts the ID number in the subject's UID; serialNumber (2.5.4.5) is the neutral place for it here.
    ['serialNumber', `CCCD:${holder.userId}`],
    ['commonName', holder.name],
  ]));
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    // emailProtection: what NSS (pdfsig) checks for a signing certificate; plus Microsoft's document-signing EKU.
    { name: 'extKeyUsage', emailProtection: true, '1.3.6.1.4.1.311.10.3.12': true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return { certificatePem: signCertificate(cert, createPrivateKey(ca.privateKeyPem), caSubject), privateKeyPem: keys.privateKeyPem };
}

function utcTime(date: Date): Asn1 {
  return node(asn1.Type.UTCTIME, asn1.dateToUtcTime(date));
}

/** X.690 §11.6: a SET OF in ascending order of the elements' encodings. */
function derSort(items: Asn1[]): Asn1[] {
  return items.map((item) => ({ item, der: toDer(item) })).sort((a, b) => Buffer.compare(a.der, b.der)).map((e) => e.item);
}

/**
 * A detached CMS SignedData over a hash the caller computed: signed attributes contentType, messageDigest (the given
 * hash), signingTime and signingCertificateV2; the holder's certificate and the CA's are included.
 */
export function detachedCmsForHash(hash: Buffer, signer: { certificatePem: string; key: KeyObject }, chainPem: string[], at = new Date()): Buffer {
  const leaf = new X509Certificate(signer.certificatePem);
  const leafNode = fromDer(leaf.raw);
  const tbs = (leafNode.value as Asn1[])[0]!.value as Asn1[];
  const offset = tbs[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = tbs[offset]!;
  const issuer = tbs[offset + 2]!;
  const essCertIdV2 = seq([octets(createHash('sha256').update(leaf.raw).digest()), seq([seq([tagged(4, [issuer])]), serial])]);
  const attributes = derSort([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, utcTime(at)),
    attribute(OID.messageDigest, octets(hash)),
    attribute(OID.signingCertificateV2, seq([seq([essCertIdV2])])),
  ]);
  const signature = sign('sha256', toDer(set(attributes)), signer.key);
  const algorithm = (id: string, withNull: boolean) => seq(withNull ? [oid(id), node(asn1.Type.NULL, '')] : [oid(id)]);
  const signerInfo = seq([
    integer(1), seq([issuer, serial]), algorithm(OID.sha256, false), tagged(0, attributes),
    algorithm(OID.rsaEncryption, true), octets(signature),
  ]);
  const chain = chainPem.map((pem) => fromDer(new X509Certificate(pem).raw));
  const signedData = seq([
    integer(1), set([algorithm(OID.sha256, false)]), seq([oid(OID.data)]), tagged(0, [leafNode, ...chain]), set([signerInfo]),
  ]);
  return toDer(seq([oid(OID.signedData), tagged(0, [signedData])]));
}

export const newCertId = (): string => randomBytes(8).toString('hex');
