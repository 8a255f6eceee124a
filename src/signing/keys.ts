// Demo/test PKI: a signing CA and leaf certificates for officials. Keys come from node:crypto; forge only
// assembles the X.509 structures, and the TBSCertificate is signed with node:crypto because forge's RSA
// signing takes ~75 ms per certificate against ~1 ms.
import { createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { authorityInfoAccessDer, REVOCATION_OID } from './revocation.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const { asn1, pki } = forge;

export interface CertificateAndKey {
  certificatePem: string;
  /** PKCS#8 PEM, unencrypted: protect it like a password. */
  privateKeyPem: string;
}

export interface CertificateAuthorityOptions {
  commonName: string;
  organisation: string;
  validYears?: number;
}

export interface LeafCertificateOptions {
  commonName: string;
  organisation: string;
  organisationalUnit?: string;
  /** Position, e.g. "Phó Giám đốc" (X.520 title attribute). */
  title?: string;
  email?: string;
  validDays?: number;
  /** CRL distribution point (e.g. the demo CA's `${PUBLIC_URL}/pki/demo-ca.crl`): verifiers and PAdES B-LT fetch it. */
  crlUrl?: string;
  /** OCSP responder, written to the Authority Information Access. */
  ocspUrl?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// Certificates start an hour in the past so a verifier whose clock runs slightly behind still accepts them.
const BACKDATE_MS = 60 * 60 * 1000;
const DOCUMENT_SIGNING_EKU = '1.3.6.1.4.1.311.10.3.12';

async function newRsaKeyPair(): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

// Positive, non-zero leading byte: 16 random bytes, DER-minimal, never mistaken for a negative INTEGER.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

// UTF8String for names (Vietnamese diacritics), PrintableString for the country code as RFC 5280 requires.
function distinguishedName(fields: { C: string; O: string; OU?: string; title?: string; CN: string }): forge.pki.CertificateField[] {
  const utf8 = (name: string, value: string): forge.pki.CertificateField => ({
    name,
    value: value.normalize('NFC'),
    valueTagClass: asn1.Type.UTF8 as unknown as forge.asn1.Class,
  });
  return [
    { name: 'countryName', value: fields.C },
    utf8('organizationName', fields.O),
    ...(fields.OU ? [utf8('organizationalUnitName', fields.OU)] : []),
    ...(fields.title ? [utf8('title', fields.title)] : []),
    utf8('commonName', fields.CN),
  ];
}

interface TbsCapable {
  getTBSCertificate: (cert: forge.pki.Certificate) => forge.asn1.Asn1;
}

// TBSCertificate fields after the [0] version: serial, signature, issuer, validity, subject, ...
const TBS_ISSUER = 3;
const TBS_SUBJECT = 5;

/** The subject Name exactly as encoded in a PEM certificate. */
function subjectNode(certificatePem: string): forge.asn1.Asn1 {
  const der = pki.pemToDer(certificatePem).getBytes();
  const tbs = (asn1.fromDer(der).value as forge.asn1.Asn1[])[0];
  const subject = (tbs?.value as forge.asn1.Asn1[] | undefined)?.[TBS_SUBJECT];
  if (!subject) throw new Error('Cannot read the CA certificate subject');
  return subject;
}

function signCertificate(cert: forge.pki.Certificate, issuerKey: KeyObject, issuerName?: forge.asn1.Asn1): string {
  const oid = pki.oids['sha256WithRSAEncryption'] as string;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  const tbs = (pki as unknown as TbsCapable).getTBSCertificate(cert);
  // Copy the issuer's subject byte for byte: forge re-encodes parsed UTF8String names twice (mojibake), and
  // path building compares names, so "Sở Giáo dục" must match the CA exactly.
  if (issuerName) (tbs.value as forge.asn1.Asn1[])[TBS_ISSUER] = issuerName;
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', tbsDer, issuerKey).toString('binary');
  // Reuse the exact TBS we signed; certificateToAsn1 would otherwise rebuild it.
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  return pki.certificateToPem(cert);
}

/** A certificate with a fresh key pair and serial, valid from a little before now (clock skew); validity end is the caller's. */
async function newCertificate(): Promise<{ keys: Awaited<ReturnType<typeof newRsaKeyPair>>; cert: forge.pki.Certificate; now: number }> {
  const keys = await newRsaKeyPair();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  return { keys, cert, now };
}

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAndKey> {
  const { keys, cert, now } = await newCertificate();
  cert.validity.notAfter = new Date(now + (options.validYears ?? 10) * 365 * DAY_MS);
  const name = distinguishedName({ C: 'VN', O: options.organisation, CN: options.commonName });
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  const certificatePem = signCertificate(cert, createPrivateKey(keys.privateKeyPem));
  return { certificatePem, privateKeyPem: keys.privateKeyPem };
}

/** A signing certificate for an official, issued by `ca`; never valid beyond the CA itself. */
export async function issueCertificate(
  ca: CertificateAndKey,
  options: LeafCertificateOptions,
): Promise<CertificateAndKey> {
  const caCert = pki.certificateFromPem(ca.certificatePem);
  const { keys, cert, now } = await newCertificate();
  const notAfter = now + (options.validDays ?? 730) * DAY_MS;
  cert.validity.notAfter = new Date(Math.min(notAfter, caCert.validity.notAfter.getTime()));
  cert.setSubject(
    distinguishedName({
      C: 'VN',
      O: options.organisation,
      ...(options.organisationalUnit ? { OU: options.organisationalUnit } : {}),
      ...(options.title ? { title: options.title } : {}),
      CN: options.commonName,
    }),
  );
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    // emailProtection is what NSS (behind pdfsig, Firefox, Thunderbird) checks for a signing certificate.
    { name: 'extKeyUsage', emailProtection: true, [DOCUMENT_SIGNING_EKU]: true },
    ...(options.email ? [{ name: 'subjectAltName', altNames: [{ type: 1, value: options.email }] }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    // Where the certificate's status is published: what a verifier (and our own B-LT step) asks years later.
    ...(options.crlUrl ? [{ name: 'cRLDistributionPoints', altNames: [{ type: 6, value: options.crlUrl }] }] : []),
    ...(options.ocspUrl ? [{ id: REVOCATION_OID.authorityInfoAccess, value: authorityInfoAccessDer(options.ocspUrl) }] : []),
  ]);
  const certificatePem = signCertificate(cert, createPrivateKey(ca.privateKeyPem), subjectNode(ca.certificatePem));
  return { certificatePem, privateKeyPem: keys.privateKeyPem };
}
