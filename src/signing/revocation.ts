// Revocation data for long-term validation (PAdES B-LT): where a certificate says its status is published (OCSP
// responder in the Authority Information Access, CRL distribution point), fetching it (bounded in time and size,
// never from a link-local or — unless allowed — private address), whether an answer is fresh enough to embed,
// and checking what comes back — an OCSP response signed by the issuer or a responder it delegated to
// (id-kp-OCSPSigning) about exactly this certificate, a CRL signed by the issuer — plus making the demo CA's CRL.
//
// Written with node-forge's ASN.1 (already what cms.ts and tsa.ts use) and node:crypto for the signatures rather
// than pkijs: the verifier runs this synchronously in its worker threads (pkijs verifies through WebCrypto, which is
// async only), the structures are small and fixed (RFC 6960 and RFC 5280), and it adds no dependency. Signed parts
// (tbsResponseData, tbsCertList) are sliced from the received bytes, never re-encoded, so a signature is checked over
// exactly what the responder signed.
import { createHash, randomBytes, sign as rawSign, verify as rawVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export const REVOCATION_OID = {
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspAccessMethod: '1.3.6.1.5.5.7.48.1',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  crlDistributionPoints: '2.5.29.31',
  crlNumber: '2.5.29.20',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** Digest for node:crypto's verify, by signature algorithm OID (RSA PKCS#1 v1.5 and ECDSA; nothing else is accepted). */
const SIGNATURE_DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const CERT_ID_DIGESTS: Record<string, string> = { [REVOCATION_OID.sha1]: 'sha1', [REVOCATION_OID.sha256]: 'sha256' };

/** Largest OCSP response / CRL fetched or read (ours: ~2 KB and ~1 KB; a national CA's CRL can reach a few MB). */
export const MAX_OCSP_RESPONSE_BYTES = 64 * 1024;
export const MAX_CRL_BYTES = 8 * 1024 * 1024;

export class RevocationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RevocationError';
  }
}

// --- DER helpers ---------------------------------------------------------------------------------------------

// forge's typings only know the old boolean `strict` argument; the options object is what its fromDer reads.
type FromDerOptions = { strict?: boolean; parseAllBytes?: boolean; decodeBitStrings?: boolean };
export const fromDerNoBitStrings = (der: Buffer): Asn1 =>
  (asn1.fromDer as unknown as (bytes: string, options: FromDerOptions) => Asn1)(der.toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false });
const parse = fromDerNoBitStrings;
const encode = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const kids = (n: Asn1 | undefined): Asn1[] => (n && Array.isArray(n.value) ? (n.value as Asn1[]) : []);
const isContext = (n: Asn1 | undefined, tag: number): boolean => n?.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === tag;
const isUniversal = (n: Asn1 | undefined, type: number): boolean => n?.tagClass === asn1.Class.UNIVERSAL && n.type === type;
const oidOf = (n: Asn1 | undefined): string | null => (isUniversal(n, asn1.Type.OID) ? asn1.derToOid(n!.value as string) : null);
const bytesOf = (n: Asn1 | undefined): Buffer => Buffer.from(typeof n?.value === 'string' ? n.value : '', 'binary');
/** INTEGER contents as uppercase hex without leading zero bytes (how X509Certificate.serialNumber reads). */
const serialHexOf = (n: Asn1 | undefined): string => bytesOf(n).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '');
const normaliseSerial = (hex: string): string => hex.toUpperCase().replace(/^(00)+(?=.)/, '');

function timeOf(n: Asn1 | undefined): Date | null {
  if (isUniversal(n, asn1.Type.GENERALIZEDTIME)) return asn1.generalizedTimeToDate(n!.value as string);
  if (isUniversal(n, asn1.Type.UTCTIME)) return asn1.utcTimeToDate(n!.value as string);
  return null;
}

/** The raw encodings of the elements inside one DER SEQUENCE (definite lengths): signed parts are sliced, not rebuilt. */
export function derChildren(der: Buffer): Buffer[] {
  const outer = derHeader(der, 0);
  const out: Buffer[] = [];
  let at = outer.headerLength;
  const end = outer.headerLength + outer.length;
  if (end > der.length) throw new RevocationError('truncated DER');
  while (at < end) {
    const h = derHeader(der, at);
    const next = at + h.headerLength + h.length;
    if (next > end) throw new RevocationError('truncated DER');
    out.push(der.subarray(at, next));
    at = next;
  }
  return out;
}

function derHeader(der: Buffer, at: number): { headerLength: number; length: number } {
  if (at + 2 > der.length) throw new RevocationError('truncated DER');
  const first = der[at + 1]!;
  if (first < 0x80) return { headerLength: 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || at + 2 + count > der.length) throw new RevocationError('unsupported DER length');
  return { headerLength: 2 + count, length: der.readUIntBE(at + 2, count) };
}

/** The value of a BIT STRING without its unused-bits byte. */
const bitStringBytes = (n: Asn1 | undefined): Buffer => bytesOf(n).subarray(1);

function verifySignature(algorithm: Asn1 | undefined, tbs: Buffer, signature: Buffer, signer: X509Certificate): boolean {
  const digest = SIGNATURE_DIGESTS[oidOf(kids(algorithm)[0]) ?? ''];
  if (!digest) return false;
  try {
    return rawVerify(digest, tbs, signer.publicKey, signature);
  } catch {
    return false;
  }
}

// --- where a certificate publishes its status -----------------------------------------------------------------

export interface RevocationPointers {
  ocspUrls: string[];
  crlUrls: string[];
}

const httpUrl = (value: string): boolean => /^https?:\/\//i.test(value);

/** OCSP responders (AIA) and CRL distribution points (fullName URIs) named by a certificate; http(s) only. */
export function revocationPointers(certificate: X509Certificate): RevocationPointers {
  const pointers: RevocationPointers = { ocspUrls: [], crlUrls: [] };
  const tbs = kids(parse(certificate.raw))[0];
  const extensions = kids(kids(kids(tbs).find((n) => isContext(n, 3)))[0]);
  for (const extension of extensions) {
    const fields = kids(extension);
    const id = oidOf(fields[0]);
    const value = fields.at(-1);
    if (id !== REVOCATION_OID.authorityInfoAccess && id !== REVOCATION_OID.crlDistributionPoints) continue;
    let inner: Asn1;
    try {
      inner = parse(bytesOf(value));
    } catch {
      continue;
    }
    if (id === REVOCATION_OID.authorityInfoAccess) {
      for (const description of kids(inner)) {
        const [method, location] = kids(description);
        const uri = isContext(location, 6) ? bytesOf(location).toString('latin1') : '';
        if (oidOf(method) === REVOCATION_OID.ocspAccessMethod && httpUrl(uri)) pointers.ocspUrls.push(uri);
      }
    } else {
      for (const point of kids(inner)) {
        const name = kids(point).find((n) => isContext(n, 0));
        const fullName = kids(name).find((n) => isContext(n, 0));
        for (const general of kids(fullName)) {
          const uri = isContext(general, 6) ? bytesOf(general).toString('latin1') : '';
          if (httpUrl(uri)) pointers.crlUrls.push(uri);
        }
      }
    }
  }
  return pointers;
}

/** Extension values for forge's setExtensions (raw DER), so keys.ts can write what forge has no name for. */
export function authorityInfoAccessDer(ocspUrl: string): string {
  const u = asn1.Class.UNIVERSAL;
  return asn1.toDer(asn1.create(u, asn1.Type.SEQUENCE, true, [
    asn1.create(u, asn1.Type.SEQUENCE, true, [
      asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(REVOCATION_OID.ocspAccessMethod).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, ocspUrl),
    ]),
  ])).getBytes();
}

// --- OCSP ----------------------------------------------------------------------------------------------------

interface CertId {
  digest: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serialHex: string;
}

/** The issuer's Name as encoded in its certificate (= the subject's issuer field) and its public key bits. */
function issuerParts(issuer: X509Certificate): { nameDer: Buffer; keyBits: Buffer } {
  const tbs = kids(parse(issuer.raw))[0];
  const fields = kids(tbs);
  const offset = isContext(fields[0], 0) ? 1 : 0; // [0] version
  const subject = fields[offset + 4];
  const spki = fields[offset + 5];
  return { nameDer: encode(subject!), keyBits: bitStringBytes(kids(spki)[1]) };
}

function certIdFor(certificate: X509Certificate, issuer: X509Certificate, digest = 'sha1'): CertId {
  const { nameDer, keyBits } = issuerParts(issuer);
  return {
    digest,
    issuerNameHash: createHash(digest).update(nameDer).digest(),
    issuerKeyHash: createHash(digest).update(keyBits).digest(),
    serialHex: normaliseSerial(certificate.serialNumber),
  };
}

/** An OCSPRequest (RFC 6960) for one certificate: SHA-1 CertID (what every responder understands) and a nonce. */
export function ocspRequest(certificate: X509Certificate, issuer: X509Certificate, nonce = randomBytes(16)): Buffer {
  const u = asn1.Class.UNIVERSAL;
  const id = certIdFor(certificate, issuer);
  const serial = Buffer.from(id.serialHex.length % 2 ? `0${id.serialHex}` : id.serialHex, 'hex');
  const serialDer = serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  const nonceValue = encode(asn1.create(u, asn1.Type.OCTETSTRING, false, nonce.toString('binary')));
  return encode(asn1.create(u, asn1.Type.SEQUENCE, true, [
    asn1.create(u, asn1.Type.SEQUENCE, true, [
      asn1.create(u, asn1.Type.SEQUENCE, true, [
        asn1.create(u, asn1.Type.SEQUENCE, true, [
          asn1.create(u, asn1.Type.SEQUENCE, true, [
            asn1.create(u, asn1.Type.SEQUENCE, true, [
              asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(REVOCATION_OID.sha1).getBytes()),
              asn1.create(u, asn1.Type.NULL, false, ''),
            ]),
            asn1.create(u, asn1.Type.OCTETSTRING, false, id.issuerNameHash.toString('binary')),
            asn1.create(u, asn1.Type.OCTETSTRING, false, id.issuerKeyHash.toString('binary')),
            asn1.create(u, asn1.Type.INTEGER, false, serialDer.toString('binary')),
          ]),
        ]),
      ]),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, true, [
        asn1.create(u, asn1.Type.SEQUENCE, true, [
          asn1.create(u, asn1.Type.SEQUENCE, true, [
            asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(REVOCATION_OID.ocspNonce).getBytes()),
            asn1.create(u, asn1.Type.OCTETSTRING, false, nonceValue.toString('binary')),
          ]),
        ]),
      ]),
    ]),
  ]));
}

export type CertificateStatus = 'good' | 'revoked' | 'unknown';

export interface RevocationEvidence {
  source: 'ocsp' | 'crl';
  status: CertificateStatus;
  /** When the issuer (or its responder) vouched for the status. */
  thisUpdate: Date;
  nextUpdate: Date | null;
  revokedAt: Date | null;
}

export interface OcspEvidence extends RevocationEvidence {
  responderCertificates: X509Certificate[];
  /** The response echoes the nonce it was asked with: it was made for that request, not replayed. */
  nonceEchoed: boolean;
}

/**
 * Checks an OCSPResponse (DER) about `certificate`: successful, basic, signed by `issuer` or by a responder whose
 * certificate `issuer` issued for OCSP signing (valid when the response was produced), holding a SingleResponse
 * for exactly this CertID. With `nonce`, a response that echoes another nonce is refused. Throws RevocationError.
 */
export function checkOcspResponse(response: Buffer, certificate: X509Certificate, issuer: X509Certificate, nonce?: Buffer): OcspEvidence {
  let root: Asn1;
  try {
    root = parse(response);
  } catch (error) {
    throw new RevocationError('OCSP response is not DER', { cause: error });
  }
  const [statusNode, bytesWrapper] = kids(root);
  const status = bytesOf(statusNode).at(-1) ?? -1;
  if (status !== 0) throw new RevocationError(`OCSP responder refused the request (status ${status})`);
  const [typeNode, octets] = kids(kids(bytesWrapper)[0]);
  if (oidOf(typeNode) !== REVOCATION_OID.ocspBasic) throw new RevocationError('OCSP response is not a basic response');
  const basicDer = bytesOf(octets);
  const basic = parse(basicDer);
  const [tbsNode, algorithm, signatureNode, certsNode] = kids(basic);
  const tbsDer = derChildren(basicDer)[0]!;
  const responderCertificates: X509Certificate[] = [];
  for (const c of kids(kids(certsNode)[0]).slice(0, 8)) responderCertificates.push(new X509Certificate(encode(c)));

  const tbsFields = kids(tbsNode);
  const offset = isContext(tbsFields[0], 0) ? 1 : 0;
  const producedAt = timeOf(tbsFields[offset + 1]);
  const responses = kids(tbsFields[offset + 2]);
  const extensions = kids(kids(tbsFields.find((n, i) => i > offset + 2 && isContext(n, 1)))[0]);
  if (!producedAt) throw new RevocationError('OCSP response without producedAt');

  // Who signed: the issuer itself, or a delegated responder the issuer certified for OCSP signing. Checked once the
  // response is known to be about this certificate, so a verifier holding many responses verifies only the one it uses.
  const assertSignedByIssuerOrResponder = (): void => {
    const signature = bitStringBytes(signatureNode);
    const signedByIssuer = verifySignature(algorithm, tbsDer, signature, issuer);
    const delegated = signedByIssuer ? undefined : responderCertificates.find((r) =>
    r.checkIssued(issuer) && r.verify(issuer.publicKey) && (r.keyUsage ?? []).includes(REVOCATION_OID.ocspSigning)
    && new Date(r.validFrom) <= producedAt && producedAt <= new Date(r.validTo)
    && verifySignature(algorithm, tbsDer, signature, r));
    if (!signedByIssuer && !delegated) throw new RevocationError('OCSP response is not signed by the issuer or a responder it authorised');
  };

  // A response without the nonce extension is accepted (responders that pre-produce answers never echo one), but
  // only a matching nonce makes it fresh by construction: assertFresh bounds the age of the others harder.
  let nonceEchoed = false;
  if (nonce) {
    const nonceExtension = extensions.find((e) => oidOf(kids(e)[0]) === REVOCATION_OID.ocspNonce);
    if (nonceExtension) {
      const value = bytesOf(kids(nonceExtension).at(-1));
      const echoed = value.equals(nonce) || (() => { try { return bytesOf(parse(value)).equals(nonce); } catch { return false; } })();
      if (!echoed) throw new RevocationError('OCSP response answers another request (nonce)');
      nonceEchoed = true;
    }
  }

  for (const single of responses) {
    const [certIdNode, statusChoice, thisUpdateNode, ...rest] = kids(single);
    const [hashAlgorithm, nameHash, keyHash, serial] = kids(certIdNode);
    const digest = CERT_ID_DIGESTS[oidOf(kids(hashAlgorithm)[0]) ?? ''];
    if (!digest) continue;
    const expected = certIdFor(certificate, issuer, digest);
    if (!bytesOf(nameHash).equals(expected.issuerNameHash) || !bytesOf(keyHash).equals(expected.issuerKeyHash) || serialHexOf(serial) !== expected.serialHex) continue;
    assertSignedByIssuerOrResponder();
    const thisUpdate = timeOf(thisUpdateNode);
    if (!thisUpdate) throw new RevocationError('OCSP single response without thisUpdate');
    const nextUpdate = timeOf(kids(rest.find((n) => isContext(n, 0)))[0]);
    let certStatus: CertificateStatus = 'unknown';
    let revokedAt: Date | null = null;
    if (isContext(statusChoice, 0)) certStatus = 'good';
    else if (isContext(statusChoice, 1)) {
      certStatus = 'revoked';
      revokedAt = timeOf(kids(statusChoice)[0]);
      if (!revokedAt) throw new RevocationError('OCSP revoked status without a time');
    }
    if (nextUpdate && nextUpdate < thisUpdate) throw new RevocationError('OCSP response: nextUpdate before thisUpdate');
    return { source: 'ocsp', status: certStatus, thisUpdate, nextUpdate, revokedAt, responderCertificates, nonceEchoed };
  }
  throw new RevocationError('OCSP response does not answer for this certificate');
}

// --- CRL -----------------------------------------------------------------------------------------------------

export interface ParsedCrl {
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial (uppercase hex, no leading zeros) → revocation date. */
  revoked: Map<string, Date>;
  verify(issuer: X509Certificate): boolean;
}

export function parseCrl(der: Buffer): ParsedCrl {
  let root: Asn1;
  try {
    root = parse(der);
  } catch (error) {
    throw new RevocationError('CRL is not DER', { cause: error });
  }
  const [tbsNode, algorithm, signatureNode] = kids(root);
  const tbsDer = derChildren(der)[0]!;
  const fields = kids(tbsNode);
  let i = isUniversal(fields[0], asn1.Type.INTEGER) ? 1 : 0;
  i++; // signature AlgorithmIdentifier
  const issuer = fields[i++];
  const thisUpdate = timeOf(fields[i++]);
  const maybeNext = timeOf(fields[i]);
  if (maybeNext) i++;
  const revoked = new Map<string, Date>();
  if (isUniversal(fields[i], asn1.Type.SEQUENCE)) {
    for (const entry of kids(fields[i])) {
      const [serial, date] = kids(entry);
      const when = timeOf(date);
      if (when) revoked.set(serialHexOf(serial), when);
    }
  }
  if (!issuer || !thisUpdate) throw new RevocationError('CRL without issuer or thisUpdate');
  const signature = bitStringBytes(signatureNode);
  const verified = new Map<string, boolean>();
  return {
    issuerDer: encode(issuer), thisUpdate, nextUpdate: maybeNext, revoked,
    verify: (candidate) => {
      let ok = verified.get(candidate.fingerprint256);
      if (ok === undefined) verified.set(candidate.fingerprint256, (ok = verifySignature(algorithm, tbsDer, signature, candidate)));
      return ok;
    },
  };
}

/** Checks a CRL (DER) about `certificate`: issued and signed by `issuer` (no indirect CRLs), and its entry if any. */
export function checkCrl(der: Buffer | ParsedCrl, certificate: X509Certificate, issuer: X509Certificate): RevocationEvidence {
  const crl = Buffer.isBuffer(der) ? parseCrl(der) : der;
  if (!crl.issuerDer.equals(issuerParts(issuer).nameDer)) throw new RevocationError('CRL is not from this issuer');
  if (!crl.verify(issuer)) throw new RevocationError('CRL signature does not verify with the issuer key');
  const revokedAt = crl.revoked.get(normaliseSerial(certificate.serialNumber)) ?? null;
  return { source: 'crl', status: revokedAt ? 'revoked' : 'good', thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revokedAt };
}

export interface CrlOptions {
  thisUpdate: Date;
  nextUpdate: Date;
  /** Revoked serials (hex) and when. */
  revoked?: Array<{ serialHex: string; revokedAt: Date }>;
  /** CRLNumber, increasing with each CRL. */
  number: bigint;
}

/** A v2 CRL signed by the CA (SHA-256 with its key): the demo CA's published list. */
export function createCrl(caCertificatePem: string, caKey: KeyObject, options: CrlOptions): Buffer {
  const u = asn1.Class.UNIVERSAL;
  const ca = new X509Certificate(caCertificatePem);
  const issuerName = parse(issuerParts(ca).nameDer);
  const time = (d: Date): Asn1 => d.getUTCFullYear() < 2050
    ? asn1.create(u, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(u, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
  const integer = (hex: string): Asn1 => {
    const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    return asn1.create(u, asn1.Type.INTEGER, false, (bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes).toString('binary'));
  };
  const algorithm = asn1.create(u, asn1.Type.SEQUENCE, true, [
    asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(REVOCATION_OID.sha256WithRsa).getBytes()),
    asn1.create(u, asn1.Type.NULL, false, ''),
  ]);
  const revoked = options.revoked ?? [];
  const tbs = asn1.create(u, asn1.Type.SEQUENCE, true, [
    asn1.create(u, asn1.Type.INTEGER, false, String.fromCharCode(1)), // v2
    algorithm,
    issuerName,
    time(options.thisUpdate),
    time(options.nextUpdate),
    ...(revoked.length > 0 ? [asn1.create(u, asn1.Type.SEQUENCE, true, revoked.map((r) => asn1.create(u, asn1.Type.SEQUENCE, true, [integer(r.serialHex), time(r.revokedAt)])))] : []),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(u, asn1.Type.SEQUENCE, true, [
        asn1.create(u, asn1.Type.SEQUENCE, true, [
          asn1.create(u, asn1.Type.OID, false, asn1.oidToDer(REVOCATION_OID.crlNumber).getBytes()),
          asn1.create(u, asn1.Type.OCTETSTRING, false, asn1.toDer(integer(options.number.toString(16))).getBytes()),
        ]),
      ]),
    ]),
  ]);
  const tbsDer = encode(tbs);
  const signature = rawSign('sha256', tbsDer, caKey);
  return encode(asn1.create(u, asn1.Type.SEQUENCE, true, [
    parse(tbsDer),
    algorithm,
    asn1.create(u, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]));
}

// --- fetching ------------------------------------------------------------------------------------------------

/**
 * Where a revocation request may go. The URLs come from certificates, that is from whoever made them: ltv.ts only
 * asks for certificates whose chain is trusted, and this is the second fence. Link-local addresses (169.254.0.0/16
 * with the cloud metadata service, fe80::/10, AWS's fd00:ec2::254) are never reached; loopback, private and
 * unique-local ones only when `allowPrivateNetworks` (REVOCATION_PRIVATE_NETWORKS=allow: a responder inside the
 * province's network, or the tests' 127.0.0.1 responders). Checked on the address actually connected to (a DNS
 * lookup hook), so a name that resolves to a blocked address is refused as well as a literal one.
 */
export interface FetchPolicy {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_BLOCKED.addAddress('fd00:ec2::254', 'ipv6');
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
PRIVATE_NETWORKS.addAddress('::', 'ipv6');
PRIVATE_NETWORKS.addAddress('::1', 'ipv6');
PRIVATE_NETWORKS.addSubnet('fc00::', 7, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:XXXX:XXXX) as its IPv4 address; anything else unchanged. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why `address` may not be connected to under `policy`, or null. */
export function blockedAddress(address: string, allowPrivateNetworks: boolean): string | null {
  const plain = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(plain) === 4 ? 'ipv4' : isIP(plain) === 6 ? 'ipv6' : null;
  if (!family) return `${address} is not an IP address`;
  if (ALWAYS_BLOCKED.check(plain, family)) return `${address} is a link-local or metadata address`;
  if (!allowPrivateNetworks && PRIVATE_NETWORKS.check(plain, family)) return `${address} is a private or loopback address`;
  return null;
}

/** dns.lookup that drops addresses the policy blocks (and fails when none is left): what the socket connects to. */
function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.filter((a) => blockedAddress(a.address, allowPrivateNetworks) === null);
      if (allowed.length === 0) {
        const reason = addresses[0] ? blockedAddress(addresses[0].address, allowPrivateNetworks) : 'no address';
        return callback(new RevocationError(`${hostname}: ${reason}`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * One request to a revocation source: http(s) only, no redirect followed (a 3xx is a failure), at most `limit`
 * bytes (a responder is not a file server), everything within `policy.timeoutMs`.
 */
function request(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer }, limit: number, policy: FetchPolicy): Promise<Buffer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new RevocationError(`${url} is not a URL`));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new RevocationError(`${url}: only http and https are fetched`));
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  const refused = isIP(literal) ? blockedAddress(literal, policy.allowPrivateNetworks) : null;
  if (refused) return Promise.reject(new RevocationError(`${url} refused: ${refused}`));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const fail = (error: RevocationError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new RevocationError(`${url} did not answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
    const headers = init.body ? { ...init.headers, 'content-length': String(init.body.length) } : init.headers;
    const outgoing = client.request(target, { method: init.method, headers, lookup: guardedLookup(policy.allowPrivateNetworks) }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) return fail(new RevocationError(`${url} answered HTTP ${status}`));
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > limit) return fail(new RevocationError(`response larger than ${limit} bytes`));
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limit) return fail(new RevocationError(`response larger than ${limit} bytes`));
        chunks.push(chunk);
      });
      response.on('error', (error) => fail(new RevocationError(`${url}: reading the answer failed`, { cause: error })));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
    });
    outgoing.on('error', (error) => fail(error instanceof RevocationError ? new RevocationError(`${url} refused: ${error.message}`) : new RevocationError(`${url} unreachable`, { cause: error })));
    outgoing.end(init.body);
  });
}

/** Without a policy: nothing private, 5 s (what a caller that forgot to choose gets). */
const DEFAULT_FETCH_POLICY: FetchPolicy = { timeoutMs: 5000, allowPrivateNetworks: false };

/** POSTs an OCSP request; the raw response (unchecked: see checkOcspResponse). */
export function fetchOcsp(url: string, body: Buffer, policy: FetchPolicy = DEFAULT_FETCH_POLICY): Promise<Buffer> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' }, body }, MAX_OCSP_RESPONSE_BYTES, policy);
}

/** GETs a CRL (DER); unchecked: see checkCrl. */
export function fetchCrl(url: string, policy: FetchPolicy = DEFAULT_FETCH_POLICY): Promise<Buffer> {
  return request(url, { method: 'GET', headers: { accept: 'application/pkix-crl' } }, MAX_CRL_BYTES, policy);
}

// --- freshness at signing time ------------------------------------------------------------------------------

/**
 * Longest an OCSP answer without nextUpdate and without our nonce may be old. Without nextUpdate the answer vouches
 * only for its thisUpdate ("newer information is always available", RFC 6960 §4.2.2.1), and without the nonce
 * nothing shows it was made for our request: an old answer captured before a revocation and replayed over plain
 * http would look just the same. A live responder answers with a thisUpdate of minutes ago; an hour leaves room for
 * clock skew and a caching proxy, and is far below the week a CRL may be old.
 */
export const OCSP_WITHOUT_NONCE_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Refuses (RevocationError) a "good" answer too old to embed now: thisUpdate in the future (beyond the skew);
 * nextUpdate, when there is one, already past; without nextUpdate, a thisUpdate older than `maxAgeMs` (an OCSP
 * answer without our nonce: OCSP_WITHOUT_NONCE_MAX_AGE_MS at most). A revoked answer is never stale: a revocation
 * does not come undone, and the caller refuses the certificate either way.
 */
export function assertFresh(evidence: RevocationEvidence & { nonceEchoed?: boolean }, now: Date, maxAgeMs: number): void {
  if (evidence.status === 'revoked') return;
  const t = now.getTime();
  const what = evidence.source === 'ocsp' ? 'OCSP response' : 'CRL';
  if (evidence.thisUpdate.getTime() > t + REVOCATION_SKEW_MS) throw new RevocationError(`${what} issued in the future (thisUpdate ${evidence.thisUpdate.toISOString()})`);
  if (evidence.nextUpdate) {
    if (evidence.nextUpdate.getTime() < t - REVOCATION_SKEW_MS) throw new RevocationError(`stale ${what}: nextUpdate ${evidence.nextUpdate.toISOString()} has passed`);
    return;
  }
  const bound = evidence.source === 'ocsp' && !evidence.nonceEchoed ? Math.min(maxAgeMs, OCSP_WITHOUT_NONCE_MAX_AGE_MS) : maxAgeMs;
  if (evidence.thisUpdate.getTime() < t - bound) throw new RevocationError(`stale ${what}: thisUpdate ${evidence.thisUpdate.toISOString()} is older than ${Math.round(bound / 60_000)} minutes`);
}

// --- judging evidence at a point in time -----------------------------------------------------------------------

/** Clock skew tolerated between the signer's clock and the responder's. */
export const REVOCATION_SKEW_MS = 5 * 60 * 1000;

/**
 * What `evidence` says about the certificate at `at` (the signing time): revoked when revoked at or before `at`;
 * good when it vouches for a time at or after `at` (thisUpdate ≥ at, but before the certificate expired: CAs drop
 * expired certificates from their lists) or its validity window [thisUpdate, nextUpdate] contains `at`; otherwise
 * it says nothing about that time (undefined).
 */
export function statusAt(evidence: RevocationEvidence, certificate: X509Certificate, at: Date): CertificateStatus | undefined {
  const t = at.getTime();
  // Revoked after the signing time: the authority itself says the certificate was still good when it signed.
  if (evidence.status === 'revoked' && evidence.revokedAt) return evidence.revokedAt.getTime() <= t ? 'revoked' : 'good';
  if (evidence.status !== 'good') return undefined;
  return coversTime(evidence, certificate, t) ? 'good' : undefined;
}

function coversTime(evidence: RevocationEvidence, certificate: X509Certificate, t: number): boolean {
  const thisUpdate = evidence.thisUpdate.getTime();
  const later = thisUpdate >= t - REVOCATION_SKEW_MS && thisUpdate <= new Date(certificate.validTo).getTime();
  const within = thisUpdate <= t && evidence.nextUpdate !== null && t <= evidence.nextUpdate.getTime();
  return later || within;
}
