// Checks every signature in a PDF without trusting anything the file says about itself: the digest of the
// signed byte ranges, the CMS signature over the signed attributes, the ESS certificate binding, the path
// to one of the given trust anchors, whether the last signature covers the whole file (or is followed only by
// validation data: a DSS update, PAdES B-LT), and each signer's revocation status at its signing time, from the
// OCSP responses and CRLs in that DSS. An RFC 3161 timestamp token fixes that time only once verified
// (verifyTimestampToken): a forged or broken token makes the signature invalid, an untrusted TSA leaves /M.
// Two signature formats are accepted (ACCEPTED_SUB_FILTERS): PAdES (ETSI.CAdES.detached, what motcua issues),
// which must bind the signer's certificate with signingCertificateV2; and the older adbe.pkcs7.detached that
// USB-token agents (VGCA Sign Service, iText-based signers) commonly write, where the ESS attribute is optional —
// but signingCertificateV2, or v1 (SHA-1), must match the signer's certificate whenever it is present. Either way
// the CMS must have signed attributes with messageDigest: a bare PKCS#1 signature over the content is refused.
import { createHash, verify as rawVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { fromDer, OID, toDer } from './cms.js';
import { readDssIncrement, type DssContent } from './ltv.js';
import { checkCrl, checkOcspResponse, parseCrl, statusAt, type CertificateStatus, type ParsedCrl } from './revocation.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export interface PdfSignatureReport {
  /** Common name of the signing certificate. */
  signer: string | null;
  /** O= of the signing certificate. */
  organisation: string | null;
  /** /M of the signature dictionary (the claimed signing time), ISO 8601. */
  signedAt: string | null;
  subFilter: string | null;
  /** Digest, signature, certificate binding and trust all hold. */
  valid: boolean;
  /** The signed ranges reach the end of the file. */
  coversWholeDocument: boolean;
  /**
   * The genTime of the attached RFC 3161 token (PAdES B-T) when the token verifies (it stamps this signature value,
   * its CMS signature holds) and its TSA's certificate chains to a trust anchor; null when there is no token or
   * its TSA is not trusted. A token that does not verify is a problem ('dấu thời gian không hợp lệ').
   */
  timestampedAt: string | null;
  certificateSha256: string | null;
  byteRange: [number, number, number, number];
  /** The signed revision: the file as it was when this signature was applied. */
  revisionLength: number;
  /**
   * The signer's certificate (and any intermediate CA) at the signing time — the timestamp's time when there is one,
   * else /M — per the OCSP responses and CRLs in the document's DSS: 'revoked' makes the signature invalid;
   * 'unknown' when the document carries nothing that speaks for that time (no DSS: PAdES B-B/B-T).
   */
  revocation: CertificateStatus;
  /** Where the answer came from (the signer's certificate's evidence); null when unknown. */
  revocationSource: 'ocsp' | 'crl' | null;
  /** What is wrong, each with its kind: callers decide by kind, never by the wording. */
  problems: SignatureProblem[];
  /** The problems' messages (Vietnamese), in the same order: what POST /api/verify shows. */
  reasons: string[];
}

/**
 * What a problem is about. 'integrity' and 'format' are about the file and the signature itself (the signed bytes,
 * the CMS, its attributes, the accepted formats); 'trust' (no path to a trust anchor), 'validity' (the certificate
 * was not valid at the signing time) and 'revocation' (revoked before it) are about the signer: they make the
 * signature invalid but leave the document intact.
 */
export type SignatureProblemKind = 'integrity' | 'format' | 'trust' | 'validity' | 'revocation';

export interface SignatureProblem {
  kind: SignatureProblemKind;
  message: string;
}

/** The kinds that are about the signer rather than the file (see SignatureProblemKind). */
export const SIGNER_PROBLEM_KINDS: ReadonlySet<SignatureProblemKind> = new Set(['trust', 'validity', 'revocation']);

export interface PdfVerification {
  /**
   * Every signature checks out and the last one covers every byte, or is followed only by one update that adds
   * validation data (a DSS): nothing was changed or added.
   */
  intact: boolean;
  /** The update after the last signature adds a DSS (PAdES B-LT validation data) and nothing else. */
  validationData: boolean;
  signatures: PdfSignatureReport[];
  reasons: string[];
}

interface RawSignature {
  byteRange: [number, number, number, number];
  contents: Buffer;
  dictionary: string;
}

// Bounds that keep verification linear in the file size whatever the file says (security audit: thousands of
// /ByteRange entries made the old scan quadratic and decoded the same huge /Contents once per entry).
/** Our results carry 2-3 signatures (leader, seal, sometimes a second official); a file with more is refused. */
export const MAX_SIGNATURES = 20;
/**
 * DER bytes of one /Contents that get decoded and parsed: ours reserve 8-24 KB (timestamp token, external signers). node-forge
 * parses junk DER at ~2.5 MB/s, so this also caps the parse at ~25 ms a signature; a bigger CMS (a foreign signer's
 * embedded revocation data) is reported as unreadable, and such a file is not one motcua issued anyway.
 */
export const MAX_CMS_BYTES = 64 * 1024;
/** Certificates one CMS may embed (ours: signer + CA); each costs a parse and up to one RSA check per chain step. */
const MAX_CMS_CERTIFICATES = 32;
/** How far around /ByteRange and the /Contents hole the dictionary's "<<" and ">>" are looked for. */
const DICTIONARY_WINDOW = 8192;

/** More signature dictionaries than MAX_SIGNATURES: refused before any of them is decoded or hashed. */
export class TooManySignaturesError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} signatures`);
    this.name = 'TooManySignaturesError';
  }
}

/**
 * Every /ByteRange … /Contents pair, in file order (= signing order for incremental updates). One pass over the
 * file: each entry looks at most DICTIONARY_WINDOW characters around itself and decodes at most MAX_CMS_BYTES, and
 * the (MAX_SIGNATURES + 1)th entry stops the scan.
 */
export function findSignatures(pdf: Buffer, limit = MAX_SIGNATURES): RawSignature[] {
  const text = pdf.toString('latin1');
  const found: RawSignature[] = [];
  const re = /\/ByteRange\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (found.length === limit) throw new TooManySignaturesError(limit);
    const byteRange = m.slice(1, 5).map(Number) as [number, number, number, number];
    const [, length1, start2] = byteRange;
    // The hole between the two ranges is the /Contents hex string "<…>"; "near" when it sits in the same
    // dictionary as this /ByteRange (before or after it).
    const hole = length1 < start2 && start2 <= text.length && text[length1] === '<' && text[start2 - 1] === '>';
    const near = hole && (m.index < length1 ? length1 - re.lastIndex : m.index - start2) <= DICTIONARY_WINDOW;
    // The dictionary: from the preceding "<<" to the first ">>" after both /ByteRange and the hole (no nested
    // dictionaries before /M in ours), without the hole itself — at most a few windows long.
    const before = near ? Math.min(m.index, length1) : m.index;
    const after = near ? Math.max(re.lastIndex, start2) : re.lastIndex;
    const windowStart = Math.max(0, before - DICTIONARY_WINDOW);
    const open = text.slice(windowStart, before).lastIndexOf('<<');
    const dictStart = open < 0 ? before : windowStart + open;
    const close = text.slice(after, after + DICTIONARY_WINDOW).indexOf('>>');
    const dictEnd = close < 0 ? after : after + close + 2;
    const dictionary = near ? text.slice(dictStart, length1) + text.slice(start2, dictEnd) : text.slice(dictStart, dictEnd);
    let contents = Buffer.alloc(0);
    if (hole && start2 - length1 - 2 <= MAX_CMS_BYTES * 2) contents = Buffer.from(text.slice(length1 + 1, start2 - 1), 'hex');
    found.push({ byteRange, contents, dictionary });
  }
  return found;
}

/**
 * SHA-256 (hex) of the file's prefixes of the given lengths (the signed revisions) and of the whole file, in one
 * pass over the bytes: each prefix continues the previous one's hash instead of starting again.
 */
export function prefixSha256(pdf: Buffer, lengths: number[]): { whole: string; prefixes: Map<number, string> } {
  const prefixes = new Map<number, string>();
  const hash = createHash('sha256');
  let done = 0;
  for (const length of [...new Set(lengths)].filter((l) => l >= 0 && l <= pdf.length).sort((a, b) => a - b)) {
    hash.update(pdf.subarray(done, length));
    done = length;
    prefixes.set(length, hash.copy().digest('hex'));
  }
  hash.update(pdf.subarray(done));
  return { whole: hash.digest('hex'), prefixes };
}

/** Strips the zero padding after the DER SEQUENCE in /Contents. */
function trimDer(contents: Buffer): Buffer {
  if (contents.length < 2 || contents[0] !== 0x30) return contents;
  const first = contents[1] ?? 0;
  const lengthBytes = first & 0x80 ? first & 0x7f : 0;
  if (lengthBytes > 4 || contents.length < 2 + lengthBytes) return contents;
  const body = lengthBytes ? contents.readUIntBE(2, lengthBytes) : first;
  return contents.subarray(0, 2 + lengthBytes + body);
}

export function extractCms(pdf: Buffer): Buffer[] {
  return findSignatures(pdf).map((s) => trimDer(s.contents));
}

// PDF date "D:20261122134844+07'00'" (placeholder-plain writes UTC as Z).
function pdfDate(dictionary: string): string | null {
  const m = /\/M\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?/.exec(dictionary);
  if (!m) return null;
  const zone = !m[7] || m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].replace(/'/g, '').slice(3, 5)}`;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function nameField(subject: string, key: string): string | null {
  for (const line of subject.split('\n')) if (line.startsWith(`${key}=`)) return line.slice(key.length + 1);
  return null;
}

const children = (n: Asn1 | undefined): Asn1[] => (Array.isArray(n?.value) ? (n.value as Asn1[]) : []);
const oidOf = (n: Asn1 | undefined): string | null => (n && typeof n.value === 'string' && n.type === asn1.Type.OID ? asn1.derToOid(n.value) : null);
const bytesOf = (n: Asn1 | undefined): Buffer => Buffer.from(typeof n?.value === 'string' ? n.value : '', 'binary');

/** The SubFilter values a signature may have; anything else (adbe.pkcs7.sha1, adbe.x509.rsa_sha1, …) is refused. */
export const ACCEPTED_SUB_FILTERS = ['ETSI.CAdES.detached', 'adbe.pkcs7.detached'] as const;

/** Digest algorithms a signer may use (SignerInfo.digestAlgorithm, ESSCertIDv2.hashAlgorithm); SHA-1 is not one. */
const DIGEST_ALGORITHMS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const digestAlgorithmOf = (oid: string | null) => (oid ? DIGEST_ALGORITHMS[oid] ?? null : null);

/** signing-certificate (RFC 2634, SHA-1 ESSCertID): what agents write when they write no v2. */
const SIGNING_CERTIFICATE_V1 = '1.2.840.113549.1.9.16.2.12';

/** The first certificate an ESS attribute names (RFC 5035: the one that verifies the signature). */
interface EssCertificateId {
  /** 'sha1' for signingCertificate (v1); the ESSCertIDv2 hashAlgorithm (default SHA-256), null when not one we know. */
  algorithm: 'sha1' | 'sha256' | 'sha384' | 'sha512' | null;
  hash: Buffer;
}

interface ParsedCms {
  certificates: X509Certificate[];
  serialHex: string;
  /** SignerInfo.digestAlgorithm, null when not one we accept. */
  digestAlgorithm: 'sha256' | 'sha384' | 'sha512' | null;
  signedAttributesSet: Buffer;
  messageDigest: Buffer | null;
  contentTypeIsData: boolean;
  signingCertificateV2: EssCertificateId | null;
  signingCertificateV1: EssCertificateId | null;
  signature: Buffer;
  timestampToken: Buffer | null;
}

/** The first ESSCertID(v2) of a SigningCertificate(V2) value: SEQUENCE { certs SEQUENCE OF ESSCertID…, policies? }. */
function firstEssCertificate(value: Asn1 | undefined, version: 1 | 2): EssCertificateId | null {
  const essCertId = children(children(value)[0])[0];
  const fields = children(essCertId);
  const hashField = fields.find((f) => f.tagClass === asn1.Class.UNIVERSAL && f.type === asn1.Type.OCTETSTRING);
  if (!hashField) return null;
  if (version === 1) return { algorithm: 'sha1', hash: bytesOf(hashField) };
  // ESSCertIDv2: hashAlgorithm AlgorithmIdentifier DEFAULT sha256 comes first when present.
  const algorithmField = fields[0]?.type === asn1.Type.SEQUENCE ? fields[0] : undefined;
  const algorithmOid = algorithmField ? oidOf(children(algorithmField)[0]) : '2.16.840.1.101.3.4.2.1';
  return { algorithm: digestAlgorithmOf(algorithmOid), hash: bytesOf(hashField) };
}

/** Whether an ESS certificate identifier names this certificate (its hash over the DER). */
function essMatches(id: EssCertificateId, certificate: X509Certificate): boolean {
  return id.algorithm !== null && id.hash.equals(createHash(id.algorithm).update(certificate.raw).digest());
}

function parseCms(der: Buffer): ParsedCms {
  const contentInfo = fromDer(der);
  const [type, wrapped] = children(contentInfo);
  if (oidOf(type) !== OID.signedData) throw new Error('not a CMS SignedData');
  const signedData = children(wrapped)[0];
  const parts = children(signedData);
  const certificates: X509Certificate[] = [];
  let signerInfo: Asn1 | undefined;
  for (const part of parts) {
    if (part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === 0) {
      if (children(part).length > MAX_CMS_CERTIFICATES) throw new Error('too many certificates');
      for (const c of children(part)) certificates.push(new X509Certificate(toDer(c)));
    }
  }
  signerInfo = children(parts.at(-1))[0];
  const fields = children(signerInfo);
  const sid = fields[1];
  const digestOid = oidOf(children(fields[2])[0]);
  const digestAlgorithm = digestAlgorithmOf(digestOid);
  const serialHex = bytesOf(children(sid)[1]).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase();
  const signedAttrs = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 0);
  const unsignedAttrs = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 1);
  if (!signedAttrs) throw new Error('no signed attributes');
  const signedDer = toDer(signedAttrs);
  // The signature covers the attributes as a SET (tag 0x31), not as the [0] IMPLICIT that carries them.
  const signedAttributesSet = Buffer.concat([Buffer.from([0x31]), signedDer.subarray(1)]);
  let messageDigest: Buffer | null = null;
  let contentTypeIsData = false;
  let signingCertificateV2: EssCertificateId | null = null;
  let signingCertificateV1: EssCertificateId | null = null;
  for (const attr of children(signedAttrs)) {
    const [id, values] = children(attr);
    const value = children(values)[0];
    switch (oidOf(id)) {
      case OID.messageDigest: messageDigest = bytesOf(value); break;
      case OID.contentType: contentTypeIsData = oidOf(value) === OID.data; break;
      // An attribute present but unreadable counts as a mismatch (hash of nothing), never as absent.
      case OID.signingCertificateV2: signingCertificateV2 = firstEssCertificate(value, 2) ?? { algorithm: null, hash: Buffer.alloc(0) }; break;
      case SIGNING_CERTIFICATE_V1: signingCertificateV1 = firstEssCertificate(value, 1) ?? { algorithm: null, hash: Buffer.alloc(0) }; break;
    }
  }
  const signature = bytesOf(fields.find((f, i) => i > 3 && f.tagClass === asn1.Class.UNIVERSAL && f.type === asn1.Type.OCTETSTRING));
  let timestampToken: Buffer | null = null;
  for (const attr of children(unsignedAttrs)) {
    const [id, values] = children(attr);
    if (oidOf(id) === OID.signatureTimeStampToken) timestampToken = toDer(children(values)[0]!);
  }
  return {
    certificates, serialHex, digestAlgorithm, signedAttributesSet, messageDigest, contentTypeIsData, signingCertificateV2, signingCertificateV1,
    signature, timestampToken,
  };
}

/** id-ct-TSTInfo (RFC 3161): the eContentType of a timestamp token. */
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
/** id-kp-timeStamping: only a certificate issued for time-stamping may vouch for a time (not any signer's). */
const TIME_STAMPING_USAGE = '1.3.6.1.5.5.7.3.8';
/** Largest token read (ours: ~2-5 KB with the TSA's certificate); it sits inside a /Contents already under MAX_CMS_BYTES. */
const MAX_TIMESTAMP_TOKEN_BYTES = 32 * 1024;

/**
 * What an attached RFC 3161 token proves. 'verified': genTime is vouched for by a TSA that chains to a trust
 * anchor; 'untrusted': the token is sound but its TSA is not one we trust (or not a TSA certificate), so the time
 * is as unvouched as /M; 'invalid': the token is unreadable, stamps another signature value, or its own signature
 * does not hold — something attached to this signature was forged or broken.
 */
export type TimestampVerdict =
  | { status: 'verified'; time: string }
  | { status: 'untrusted'; time: null }
  | { status: 'invalid'; time: null; problem: SignatureProblem };

/**
 * Verifies a signatureTimeStampToken against the signature value it is attached to: a CMS SignedData whose eContent
 * is a TSTInfo, whose messageImprint is the digest of that value, whose SignerInfo's signed attributes carry the
 * TSTInfo's digest and are signed by a certificate in the token (matching its ESS signing-certificate binding when
 * present), and whose certificate is a time-stamping one chaining to a trust anchor at genTime. Synchronous and
 * bounded: one parse of at most MAX_TIMESTAMP_TOKEN_BYTES, at most MAX_CMS_CERTIFICATES certificates.
 */
export function verifyTimestampToken(token: Buffer, signatureValue: Buffer, anchors: X509Certificate[]): TimestampVerdict {
  const invalid = (kind: SignatureProblemKind, message: string): TimestampVerdict => ({ status: 'invalid', time: null, problem: { kind, message } });
  const unreadable = invalid('format', 'dấu thời gian không hợp lệ: không đọc được');
  if (token.length > MAX_TIMESTAMP_TOKEN_BYTES) return unreadable;
  let tstInfoDer: Buffer;
  let tstFields: Asn1[];
  let certificates: X509Certificate[];
  let signerInfo: Asn1[];
  try {
    const [type, wrapped] = children(fromDer(token));
    if (oidOf(type) !== OID.signedData) return unreadable;
    const parts = children(children(wrapped)[0]);
    const [eContentType, eContentWrapper] = children(parts[2]);
    if (oidOf(eContentType) !== TST_INFO) return unreadable;
    tstInfoDer = bytesOf(children(eContentWrapper)[0]);
    tstFields = children(fromDer(tstInfoDer));
    certificates = [];
    for (const part of parts) {
      if (part.tagClass !== asn1.Class.CONTEXT_SPECIFIC || part.type !== 0) continue;
      if (children(part).length > MAX_CMS_CERTIFICATES) return unreadable;
      // Only X.509 certificates (SEQUENCE); other CertificateChoices are skipped.
      for (const c of children(part)) if (c.tagClass === asn1.Class.UNIVERSAL && c.type === asn1.Type.SEQUENCE) certificates.push(new X509Certificate(toDer(c)));
    }
    const signerInfos = children(parts.at(-1));
    if (signerInfos.length !== 1) return unreadable;
    signerInfo = children(signerInfos[0]);
  } catch {
    return unreadable;
  }
  // TSTInfo: version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, …
  const imprint = children(tstFields[2]);
  const imprintAlgorithm = digestAlgorithmOf(oidOf(children(imprint[0])[0]));
  const genTimeField = tstFields[4];
  if (!imprintAlgorithm || !genTimeField || genTimeField.type !== asn1.Type.GENERALIZEDTIME) return unreadable;
  let genTime: Date;
  try {
    genTime = asn1.generalizedTimeToDate(genTimeField.value as string);
  } catch {
    return unreadable;
  }
  if (Number.isNaN(genTime.getTime())) return unreadable;
  if (!bytesOf(imprint[1]).equals(createHash(imprintAlgorithm).update(signatureValue).digest())) {
    return invalid('integrity', 'dấu thời gian không hợp lệ: không đóng dấu cho chữ ký này');
  }
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, [1] unsignedAttrs?
  const sid = signerInfo[1];
  const digestAlgorithm = digestAlgorithmOf(oidOf(children(signerInfo[2])[0]));
  const signedAttrs = signerInfo.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 0);
  const signature = bytesOf(signerInfo.find((f, i) => i > 3 && f.tagClass === asn1.Class.UNIVERSAL && f.type === asn1.Type.OCTETSTRING));
  if (!digestAlgorithm || !signedAttrs || signature.length === 0) return unreadable;
  let messageDigest: Buffer | null = null;
  let contentTypeIsTstInfo = false;
  const essIds: EssCertificateId[] = [];
  for (const attr of children(signedAttrs)) {
    const [id, values] = children(attr);
    const value = children(values)[0];
    switch (oidOf(id)) {
      case OID.messageDigest: messageDigest = bytesOf(value); break;
      case OID.contentType: contentTypeIsTstInfo = oidOf(value) === TST_INFO; break;
      case OID.signingCertificateV2: essIds.push(firstEssCertificate(value, 2) ?? { algorithm: null, hash: Buffer.alloc(0) }); break;
      case SIGNING_CERTIFICATE_V1: essIds.push(firstEssCertificate(value, 1) ?? { algorithm: null, hash: Buffer.alloc(0) }); break;
    }
  }
  if (!contentTypeIsTstInfo) return unreadable;
  if (!messageDigest || !messageDigest.equals(createHash(digestAlgorithm).update(tstInfoDer).digest())) {
    return invalid('integrity', 'dấu thời gian không hợp lệ: nội dung dấu thời gian đã bị thay đổi');
  }
  const signedSet = Buffer.concat([Buffer.from([0x31]), toDer(signedAttrs).subarray(1)]);
  // sid is IssuerAndSerialNumber (SEQUENCE) or [0] SubjectKeyIdentifier: with a serial only the certificates that
  // carry it are tried, else every embedded one (bounded by MAX_CMS_CERTIFICATES).
  const serialHex = sid?.type === asn1.Type.SEQUENCE && sid.tagClass === asn1.Class.UNIVERSAL
    ? bytesOf(children(sid)[1]).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase()
    : null;
  const candidates = certificates.filter((c) => serialHex === null || c.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase() === serialHex);
  const tsaCertificate = candidates.find((c) => {
    try {
      return rawVerify(digestAlgorithm, signedSet, c.publicKey, signature);
    } catch {
      return false;
    }
  });
  if (!tsaCertificate) return invalid('integrity', 'dấu thời gian không hợp lệ: chữ ký của đơn vị cấp dấu thời gian không khớp');
  if (essIds.some((id) => !essMatches(id, tsaCertificate))) {
    return invalid('integrity', 'dấu thời gian không hợp lệ: chứng thư đơn vị cấp dấu thời gian không khớp (signingCertificate)');
  }
  // A sound token from a certificate that is not a trusted TSA's: the time stays unverified, nothing is forged.
  const usages = tsaCertificate.keyUsage ?? [];
  if (!usages.includes(TIME_STAMPING_USAGE)) return { status: 'untrusted', time: null };
  if (chainToAnchor(tsaCertificate, certificates, anchors, genTime)) return { status: 'untrusted', time: null };
  return { status: 'verified', time: genTime.toISOString() };
}

/** Walks issuer links up to a trust anchor using only embedded certificates; checks validity at `at`. */
function chainToAnchor(leaf: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): SignatureProblem | null {
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const from = new Date(current.validFrom);
    const to = new Date(current.validTo);
    if (at < from || at > to) return { kind: 'validity', message: `chứng thư "${nameField(current.subject, 'CN') ?? '?'}" không còn hiệu lực tại thời điểm ký` };
    const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
    if (anchor) return null;
    const issuer = pool.find((c) => c !== current && c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer || !issuer.ca) return { kind: 'trust', message: 'chứng thư người ký không thuộc tổ chức chứng thực tin cậy' };
    current = issuer;
  }
  // No anchor within 8 links: as untrusted as no anchor at all (it says nothing about the file's bytes).
  return { kind: 'trust', message: 'chuỗi chứng thư quá dài' };
}

export function verifyPdfSignatures(pdf: Buffer, trustAnchors: X509Certificate[]): PdfVerification {
  const raw = findSignatures(pdf);
  const reasons: string[] = [];
  if (raw.length === 0) return { intact: false, validationData: false, signatures: [], reasons: ['tệp không có chữ ký số'] };
  // Validation data after the last signature (read once, before the signatures that use it).
  const lastRange = raw.at(-1)!.byteRange;
  const lastRevision = lastRange[2] + lastRange[3];
  const dssUpdate = lastRange[0] === 0 && lastRevision < pdf.length ? readDssIncrement(pdf, lastRevision) : undefined;
  const revocation = new RevocationLookup(dssUpdate?.ok ? dssUpdate.dss : undefined);
  const signatures = raw.map((sig, index): PdfSignatureReport => {
    const problems: SignatureProblem[] = [];
    const reasonList: string[] = [];
    const problem = (kind: SignatureProblemKind, message: string) => {
      problems.push({ kind, message });
      reasonList.push(message);
    };
    const [start1, length1, start2, length2] = sig.byteRange;
    const revisionLength = start2 + length2;
    const coversWholeDocument = revisionLength === pdf.length;
    const report: PdfSignatureReport = {
      signer: null, organisation: null, signedAt: pdfDate(sig.dictionary), subFilter: /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(sig.dictionary)?.[1] ?? null,
      valid: false, coversWholeDocument, timestampedAt: null, certificateSha256: null, byteRange: sig.byteRange, revisionLength,
      revocation: 'unknown', revocationSource: null, problems, reasons: reasonList,
    };
    const label = `chữ ký ${index + 1}`;
    if (start1 !== 0 || revisionLength > pdf.length || length1 >= start2) {
      problem('integrity', `${label}: vùng ký (ByteRange) không hợp lệ`);
      return report;
    }
    let cms: ParsedCms;
    try {
      cms = parseCms(trimDer(sig.contents));
    } catch {
      problem('format', `${label}: không đọc được dữ liệu chữ ký (CMS)`);
      return report;
    }
    const signerCert = cms.certificates.find((c) => c.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase() === cms.serialHex) ?? cms.certificates[0];
    if (!signerCert) {
      problem('format', `${label}: không có chứng thư người ký`);
      return report;
    }
    report.signer = nameField(signerCert.subject, 'CN');
    report.organisation = nameField(signerCert.subject, 'O');
    report.certificateSha256 = createHash('sha256').update(signerCert.raw).digest('hex');
    const pades = report.subFilter === 'ETSI.CAdES.detached';
    if (!(ACCEPTED_SUB_FILTERS as readonly (string | null)[]).includes(report.subFilter)) {
      problem('format', `${label}: định dạng chữ ký (SubFilter ${report.subFilter ?? 'không có'}) không được chấp nhận: chỉ ETSI.CAdES.detached (PAdES) hoặc adbe.pkcs7.detached`);
    }
    const algorithm = cms.digestAlgorithm;
    if (!algorithm) problem('format', `${label}: thuật toán băm của chữ ký không được chấp nhận (chỉ SHA-256, SHA-384, SHA-512)`);
    const digest = createHash(algorithm ?? 'sha256').update(pdf.subarray(start1, start1 + length1)).update(pdf.subarray(start2, start2 + length2)).digest();
    if (!cms.messageDigest || !digest.equals(cms.messageDigest)) problem('integrity', `${label}: nội dung tài liệu đã bị thay đổi sau khi ký`);
    if (!cms.contentTypeIsData) problem('format', `${label}: thiếu thuộc tính contentType`);
    // PAdES requires signingCertificateV2; adbe.pkcs7.detached may have none, but what is there must match.
    if (cms.signingCertificateV2 ? !essMatches(cms.signingCertificateV2, signerCert) : pades) {
      problem('integrity', `${label}: chứng thư trong chữ ký không khớp chứng thư đã ký (signingCertificateV2)`);
    }
    if (cms.signingCertificateV1 && !essMatches(cms.signingCertificateV1, signerCert)) {
      problem('integrity', `${label}: chứng thư trong chữ ký không khớp chứng thư đã ký (signingCertificate)`);
    }
    let signatureOk = false;
    try {
      signatureOk = rawVerify(algorithm ?? 'sha256', cms.signedAttributesSet, signerCert.publicKey, cms.signature);
    } catch {
      signatureOk = false;
    }
    if (!signatureOk) problem('integrity', `${label}: chữ ký số không khớp với chứng thư người ký`);
    const at = report.signedAt ? new Date(report.signedAt) : new Date();
    const chainProblem = chainToAnchor(signerCert, cms.certificates, trustAnchors, at);
    if (chainProblem) problem(chainProblem.kind, `${label}: ${chainProblem.message}`);
    // The timestamp's time counts only when its token verifies and its TSA is trusted; a forged or broken token
    // attached to this signature makes the signature invalid, an untrusted TSA only leaves the time unverified.
    if (cms.timestampToken) {
      const stamp = verifyTimestampToken(cms.timestampToken, cms.signature, trustAnchors);
      report.timestampedAt = stamp.time;
      if (stamp.status === 'invalid') problem(stamp.problem.kind, `${label}: ${stamp.problem.message}`);
    }
    // Revocation at the time the signature provably (timestamp) or claimedly (/M) existed.
    const signedAt = new Date(report.timestampedAt ?? report.signedAt ?? Date.now());
    const status = revocation.statusOfChain(signerCert, cms.certificates, trustAnchors, signedAt);
    report.revocation = status.status;
    report.revocationSource = status.source;
    if (status.status === 'revoked') problem('revocation', `${label}: chứng thư "${status.subject}" đã bị thu hồi trước thời điểm ký`);
    report.valid = problems.length === 0;
    return report;
  });
  // Trust, validity period and revocation are about the signer, not about changes to the file: they make a
  // signature invalid but leave the document intact.
  const aboutTheFile = (p: SignatureProblem) => !SIGNER_PROBLEM_KINDS.has(p.kind);
  for (const s of signatures) reasons.push(...s.problems.filter(aboutTheFile).map((p) => p.message));
  const last = signatures.at(-1)!;
  const validationData = dssUpdate?.ok === true;
  if (!last.coversWholeDocument && !validationData) reasons.push('có dữ liệu được thêm vào sau chữ ký cuối cùng');
  // Each signature must sign a prefix of the next one's revision: otherwise revisions were spliced.
  const ordered = signatures.every((s, i) => i === 0 || s.revisionLength > signatures[i - 1]!.revisionLength);
  if (!ordered) reasons.push('thứ tự các lần ký không hợp lệ');
  const cryptographicallyOk = signatures.every((s) => !s.problems.some(aboutTheFile));
  return { intact: cryptographicallyOk && (last.coversWholeDocument || validationData) && ordered, validationData, signatures, reasons };
}

/**
 * Answers "was this certificate revoked at that time?" from a DSS. Each OCSP response and CRL is checked against
 * a (certificate, issuer) pair only when asked, and each answer is kept, so a file with many signatures by the same
 * few certificates costs a few signature checks (the DSS itself is bounded: MAX_DSS_ENTRIES per array).
 */
/**
 * Largest CRL the verifier reads from a DSS: forge parses ~2.5 MB/s and the whole file has a few seconds. Ours is
 * ~1 KB and the signing side prefers OCSP (a few KB) wherever a certificate names a responder.
 */
const MAX_VERIFY_CRL_BYTES = 1024 * 1024;

class RevocationLookup {
  private readonly extraCertificates: X509Certificate[] = [];
  private readonly evidence = new Map<string, ReturnType<typeof checkCrl>[]>();
  private crls: ParsedCrl[] | undefined;

  constructor(private readonly dss: DssContent | undefined) {
    for (const der of dss?.certificates ?? []) {
      try {
        this.extraCertificates.push(new X509Certificate(der));
      } catch {
        // An unreadable entry is no evidence; the rest still counts.
      }
    }
  }

  /** The signer's certificate and every CA above it up to a trust anchor: revoked if any is, good only if all are. */
  statusOfChain(signer: X509Certificate, embedded: X509Certificate[], anchors: X509Certificate[], at: Date): { status: CertificateStatus; source: 'ocsp' | 'crl' | null; subject: string } {
    const pool = [...embedded, ...this.extraCertificates];
    let current = signer;
    let first: { status: CertificateStatus; source: 'ocsp' | 'crl' | null } | undefined;
    let overall: CertificateStatus = 'good';
    for (let depth = 0; depth < 8; depth++) {
      const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
      const issuer = anchor ?? pool.find((c) => c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey));
      if (!issuer) return { status: first?.status === 'revoked' ? 'revoked' : 'unknown', source: first?.source ?? null, subject: nameField(current.subject, 'CN') ?? '?' };
      const found = this.statusOf(current, issuer, at);
      first ??= found;
      if (found.status === 'revoked') return { ...found, subject: nameField(current.subject, 'CN') ?? '?' };
      if (found.status === 'unknown') overall = 'unknown';
      if (anchor) break;
      current = issuer;
    }
    return { status: overall, source: overall === 'good' ? first?.source ?? null : null, subject: nameField(signer.subject, 'CN') ?? '?' };
  }

  private statusOf(certificate: X509Certificate, issuer: X509Certificate, at: Date): { status: CertificateStatus; source: 'ocsp' | 'crl' | null } {
    if (!this.dss) return { status: 'unknown', source: null };
    const key = `${certificate.fingerprint256}|${issuer.fingerprint256}`;
    let evidence = this.evidence.get(key);
    if (!evidence) {
      evidence = [];
      for (const response of this.dss.ocspResponses) {
        try {
          evidence.push(checkOcspResponse(response, certificate, issuer));
        } catch {
          // About another certificate, or not signed by its issuer: no evidence for this one.
        }
      }
      this.crls ??= this.dss.crls.filter((der) => der.length <= MAX_VERIFY_CRL_BYTES).flatMap((der) => {
        try {
          return [parseCrl(der)];
        } catch {
          return [];
        }
      });
      for (const crl of this.crls) {
        try {
          evidence.push(checkCrl(crl, certificate, issuer));
        } catch {
          // Another issuer's list, or a forged one.
        }
      }
      this.evidence.set(key, evidence);
    }
    let good: 'ocsp' | 'crl' | null = null;
    for (const item of evidence) {
      const status = statusAt(item, certificate, at);
      if (status === 'revoked') return { status, source: item.source };
      if (status === 'good') good ??= item.source;
    }
    return good ? { status: 'good', source: good } : { status: 'unknown', source: null };
  }
}

export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}
