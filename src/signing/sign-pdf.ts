// Signs a PDF as an incremental update: @signpdf/placeholder-plain appends the signature dictionary, field and
// widget; we fix /ByteRange and paste our CMS into /Contents. Split in two phases (prepare → embed) so a USB
// token or remote signer can sign in between; each later signature is one more incremental update.
import { createHash, randomBytes, sign as rawSign, X509Certificate, type KeyObject } from 'node:crypto';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { findByteRange, removeTrailingNewLine, SUBFILTER_ADOBE_PKCS7_DETACHED, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { OID, prepareDetachedCms } from './cms.js';

export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

export interface SignPdfOptions {
  key: KeyObject;
  certificatePem: string;
  /** Issuing CA(s), embedded so a verifier can build the path without fetching anything. */
  chainPem?: string[];
  /** Signer's name for /Name (usually the certificate's CN). */
  name: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Claimed signing time, written to /M (PAdES keeps it out of the CMS). Default: now. */
  signingTime?: Date;
  /** Default ETSI.CAdES.detached (PAdES B-B): our CMS carries signingCertificateV2 as it requires. */
  subFilter?: SubFilter;
}

export class SigningError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningError';
  }
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function signatureAlgorithmOid(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return OID.rsaEncryption;
    case 'ec':
      return ECDSA_WITH_SHA256;
    default:
      throw new SigningError(`Unsupported signing key type: ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

// --- text strings in the signature dictionary ------------------------------------------------------------------
// placeholder-plain writes the dictionary with Buffer.from(string), i.e. as UTF-8, which mangles the UTF-16BE
// text strings it builds for non-ASCII values ("Nguyễn" would print as "Ã¾Ã¿..."). We pass an ASCII token of
// exactly the same length as the final hex string `<FEFF...>`, then overwrite the token in place, so no
// offset in the appended xref section moves.

interface PendingText {
  token: string;
  hex: string;
}

function pdfTextValue(value: string | undefined, pending: PendingText[]): string {
  const text = (value ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const utf16be = Buffer.from(text, 'utf16le').swap16();
  const hex = `<FEFF${utf16be.toString('hex').toUpperCase()}>`;
  const length = hex.length - 2; // the token goes between "(" and ")"
  const token = `~${randomBytes(8).toString('hex')}`.padEnd(length, '~').slice(0, length);
  pending.push({ token, hex });
  return token;
}

function replaceTokens(pdf: Buffer, pending: PendingText[]): void {
  for (const { token, hex } of pending) {
    const needle = `(${token})`;
    const at = pdf.lastIndexOf(needle, undefined, 'latin1');
    if (at < 0 || pdf.indexOf(needle, 0, 'latin1') !== at) {
      throw new SigningError('Could not place a signature dictionary text string');
    }
    pdf.write(hex, at, 'latin1');
  }
}

// placeholder-plain's startxref points at the newline before "xref" (qpdf: "extraneous whitespace seen
// before xref"; strict readers fall back to reconstructing the xref). The number is the last thing in the
// file, so correcting it moves no object offset; it happens before /ByteRange is computed.
function fixStartXref(pdf: Buffer): Buffer {
  const tail = pdf.subarray(Math.max(0, pdf.length - 64)).toString('latin1');
  const match = /startxref\n(\d+)\n%%EOF\s*$/.exec(tail);
  if (!match?.[1]) return pdf;
  const offset = Number(match[1]);
  if (pdf.toString('latin1', offset, offset + 5) !== '\nxref') return pdf;
  const start = pdf.length - tail.length + match.index;
  return Buffer.concat([pdf.subarray(0, start), Buffer.from(`startxref\n${offset + 1}\n%%EOF`, 'latin1')]);
}

// On a file that already has an incremental update, placeholder-plain writes /Size one too high (qpdf: "reported
// number of objects is not one plus the highest object number"). /Size must be the highest object number + 1;
// rewritten in place (padded with spaces), before /ByteRange is computed, so no offset moves.
function fixTrailerSize(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/Size ');
  const match = /^\/Size (\d+)/.exec(text.slice(at));
  if (at < 0 || !match?.[1]) return;
  let highest = 0;
  for (const m of text.matchAll(/(?:^|[\r\n])(\d+) \d+ obj\b/g)) highest = Math.max(highest, Number(m[1]));
  const size = highest + 1;
  if (size >= Number(match[1])) return;
  pdf.write(`/Size ${size}`.padEnd(match[0].length, ' '), at, 'latin1');
}

// --- sizing ------------------------------------------------------------------------------------------------------

const MIN_SIGNATURE_BYTES = 8192;

// Certificates dominate the CMS; the rest is the signature (≤ 512 bytes for RSA-4096) and ~300 bytes of
// structure and attributes. The margin leaves room for a timestamp token in the PAdES-T follow-up.
function placeholderBytes(certificates: Buffer[], key?: KeyObject): number {
  const modulusBits = key?.asymmetricKeyDetails?.modulusLength ?? 4096;
  const estimate = certificates.reduce((sum, der) => sum + der.length, 0) + modulusBits / 8 + 1024;
  return Math.max(MIN_SIGNATURE_BYTES, Math.ceil((estimate * 1.25) / 1024) * 1024);
}

// --- certificate parsing, once per certificate ----------------------------------------------------------------
// Parsing a PEM into X509Certificate costs ~1 ms, more than the RSA signature; a worker signs with the same
// few certificates all day.

const parsedCertificates = new Map<string, X509Certificate>();
const MAX_PARSED_CERTIFICATES = 64;
const keyCertificateMatches = new WeakMap<KeyObject, Set<string>>();

function parseCertificate(pem: string): X509Certificate {
  let certificate = parsedCertificates.get(pem);
  if (!certificate) {
    try {
      certificate = new X509Certificate(pem);
    } catch (error) {
      throw new SigningError('Invalid certificate PEM', { cause: error });
    }
    if (parsedCertificates.size >= MAX_PARSED_CERTIFICATES) parsedCertificates.clear();
    parsedCertificates.set(pem, certificate);
  }
  return certificate;
}

// A key that does not match the certificate would yield a signature every verifier rejects; catch it here.
function assertKeyMatches(certificatePem: string, certificate: X509Certificate, key: KeyObject): void {
  const known = keyCertificateMatches.get(key);
  if (known?.has(certificatePem)) return;
  if (key.type !== 'private' || !certificate.checkPrivateKey(key)) {
    throw new SigningError('The signing key does not belong to the signing certificate');
  }
  if (known) known.add(certificatePem);
  else keyCertificateMatches.set(key, new Set([certificatePem]));
}

// -------------------------------------------------------------------------------------------------------------

export interface PreparedPdfSignature {
  /** The PDF with the signature dictionary appended, /ByteRange final and /Contents still zero-filled. */
  pdf: Buffer;
  /** SHA-256 of the bytes /ByteRange covers: what the CMS messageDigest must carry. */
  contentDigest: Buffer;
  /** Offset of "<" before the /Contents hex, and the number of hex digits between the brackets. */
  contentsOffset: number;
  contentsHexLength: number;
}

export type PrepareSignatureOptions = Omit<SignPdfOptions, 'key'> & {
  /** Bytes to reserve for the CMS when there is no key to size it from (external signers). */
  reserveBytes?: number;
  key?: KeyObject;
};

/**
 * Phase one of a signature: appends the signature field as an incremental update and fixes /ByteRange, so the
 * document that will be signed is settled before anyone signs it (a token or remote signer can take minutes).
 */
export function preparePdfSignature(pdf: Buffer, options: PrepareSignatureOptions): PreparedPdfSignature {
  const certificate = parseCertificate(options.certificatePem);
  const chain = (options.chainPem ?? []).map(parseCertificate);
  const subFilter = options.subFilter ?? 'ETSI.CAdES.detached';
  const signatureLength = Math.max(
    options.reserveBytes ?? 0,
    placeholderBytes([certificate.raw, ...chain.map((c) => c.raw)], options.key),
  );
  const pending: PendingText[] = [];
  let prepared: Buffer;
  try {
    prepared = plainAddPlaceholder({
      pdfBuffer: pdf,
      name: pdfTextValue(options.name, pending),
      reason: pdfTextValue(options.reason, pending),
      location: pdfTextValue(options.location, pending),
      contactInfo: pdfTextValue(options.contactInfo, pending),
      signingTime: options.signingTime ?? new Date(),
      signatureLength,
      subFilter: subFilter === 'ETSI.CAdES.detached' ? SUBFILTER_ETSI_CADES_DETACHED : SUBFILTER_ADOBE_PKCS7_DETACHED,
      appName: 'motcua',
    });
  } catch (error) {
    throw new SigningError('Could not add a signature field to the PDF (unsupported structure?)', { cause: error });
  }
  replaceTokens(prepared, pending);
  prepared = fixStartXref(prepared);
  fixTrailerSize(prepared);
  return fixByteRange(prepared);
}

// What @signpdf/signpdf does before it calls its signer, kept here so the prepared file can be stored and the
// CMS pasted in later. The placeholder dictionary is the last one in the file.
function fixByteRange(input: Buffer): PreparedPdfSignature {
  let pdf = removeTrailingNewLine(input);
  const { byteRangePlaceholder, byteRangePlaceholderPosition } = findByteRange(pdf);
  if (!byteRangePlaceholder || byteRangePlaceholderPosition === undefined) throw new SigningError('No /ByteRange placeholder');
  const byteRangeEnd = byteRangePlaceholderPosition + byteRangePlaceholder.length;
  const contentsTag = pdf.indexOf('/Contents ', byteRangeEnd);
  const open = pdf.indexOf('<', contentsTag);
  const close = pdf.indexOf('>', open);
  const range = [0, open, close + 1, 0];
  range[3] = pdf.length - close - 1;
  const actual = `/ByteRange [${range.join(' ')}]`.padEnd(byteRangePlaceholder.length, ' ');
  pdf = Buffer.concat([pdf.subarray(0, byteRangePlaceholderPosition), Buffer.from(actual, 'latin1'), pdf.subarray(byteRangeEnd)]);
  const contentDigest = createHash('sha256').update(pdf.subarray(0, open)).update(pdf.subarray(close + 1)).digest();
  return { pdf, contentDigest, contentsOffset: open, contentsHexLength: close - open - 1 };
}

/** Phase two: the CMS into /Contents, in place (nothing moves, so /ByteRange stays true). */
export function embedCms(prepared: PreparedPdfSignature, cms: Buffer): Buffer {
  const hex = cms.toString('hex');
  if (hex.length > prepared.contentsHexLength) {
    throw new SigningError(`The CMS does not fit the reserved ${prepared.contentsHexLength / 2} bytes`);
  }
  const out = Buffer.from(prepared.pdf);
  out.write(hex.padEnd(prepared.contentsHexLength, '0'), prepared.contentsOffset + 1, 'latin1');
  return out;
}

/** Locates the (zero-filled) /Contents of the last signature dictionary in a prepared PDF stored earlier. */
export function reopenPrepared(pdf: Buffer): PreparedPdfSignature {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/ByteRange [');
  const match = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(text.slice(at));
  if (at < 0 || !match) throw new SigningError('No /ByteRange in the prepared PDF');
  const open = Number(match[2]);
  const close = Number(match[3]) - 1;
  const contentDigest = createHash('sha256').update(pdf.subarray(0, open)).update(pdf.subarray(close + 1)).digest();
  return { pdf, contentDigest, contentsOffset: open, contentsHexLength: close - open - 1 };
}

/** Asks an RFC 3161 TSA for a token over the signature value (PAdES B-T); undefined = no timestamp. */
export type Timestamper = (signatureValue: Buffer) => Promise<Buffer>;

export async function signPdf(pdf: Buffer, options: SignPdfOptions & { timestamp?: Timestamper }): Promise<Buffer> {
  const certificate = parseCertificate(options.certificatePem);
  assertKeyMatches(options.certificatePem, certificate, options.key);
  const chain = (options.chainPem ?? []).map(parseCertificate);
  const prepared = preparePdfSignature(pdf, { ...options, reserveBytes: options.timestamp ? 16384 : 0 });
  const cms = prepareDetachedCms({
    contentDigest: prepared.contentDigest,
    certificate: certificate.raw,
    chain: chain.map((c) => c.raw),
    signatureAlgorithmOid: signatureAlgorithmOid(options.key),
  });
  const signature = rawSign('sha256', cms.signedAttributes, options.key);
  const token = options.timestamp ? await options.timestamp(signature) : undefined;
  return embedCms(prepared, cms.assemble(signature, token));
}
