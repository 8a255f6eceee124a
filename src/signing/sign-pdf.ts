// Signs a PDF as an incremental update: @signpdf/placeholder-plain appends the signature dictionary, field and
// widget, @signpdf/signpdf fixes /ByteRange and pastes our CMS into /Contents.
import { createHash, randomBytes, sign as rawSign, X509Certificate, type KeyObject } from 'node:crypto';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SignPdfError, SUBFILTER_ADOBE_PKCS7_DETACHED, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { buildDetachedCmsAsync, OID } from './cms.js';

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

/** Hands @signpdf the digest of the byte ranges and gets our CMS back. */
class DetachedCmsSigner extends Signer {
  constructor(private readonly build: (contentDigest: Buffer) => Promise<Buffer>) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return this.build(createHash('sha256').update(pdfBuffer).digest());
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

// --- sizing ------------------------------------------------------------------------------------------------------

const MIN_SIGNATURE_BYTES = 8192;

// Certificates dominate the CMS; the rest is the signature (≤ 512 bytes for RSA-4096) and ~300 bytes of
// structure and attributes. The margin leaves room for a timestamp token in the PAdES-T follow-up.
function placeholderBytes(certificates: Buffer[], key: KeyObject): number {
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 4096;
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

export async function signPdf(pdf: Buffer, options: SignPdfOptions): Promise<Buffer> {
  const certificate = parseCertificate(options.certificatePem);
  assertKeyMatches(options.certificatePem, certificate, options.key);
  const chain = (options.chainPem ?? []).map(parseCertificate);
  const algorithmOid = signatureAlgorithmOid(options.key);
  const signingTime = options.signingTime ?? new Date();
  const subFilter = options.subFilter ?? 'ETSI.CAdES.detached';
  const signatureLength = placeholderBytes([certificate.raw, ...chain.map((c) => c.raw)], options.key);

  const pending: PendingText[] = [];
  let prepared: Buffer;
  try {
    prepared = plainAddPlaceholder({
      pdfBuffer: pdf,
      name: pdfTextValue(options.name, pending),
      reason: pdfTextValue(options.reason, pending),
      location: pdfTextValue(options.location, pending),
      contactInfo: pdfTextValue(options.contactInfo, pending),
      signingTime,
      signatureLength,
      subFilter: subFilter === 'ETSI.CAdES.detached' ? SUBFILTER_ETSI_CADES_DETACHED : SUBFILTER_ADOBE_PKCS7_DETACHED,
      appName: 'motcua',
    });
  } catch (error) {
    throw new SigningError('Could not add a signature field to the PDF (unsupported structure?)', { cause: error });
  }
  replaceTokens(prepared, pending);
  prepared = fixStartXref(prepared);

  const signer = new DetachedCmsSigner((contentDigest) =>
    buildDetachedCmsAsync({
      contentDigest,
      certificate: certificate.raw,
      chain: chain.map((c) => c.raw),
      signatureAlgorithmOid: algorithmOid,
      sign: (signedAttributes) => rawSign('sha256', signedAttributes, options.key),
    }),
  );
  try {
    return await new SignPdf().sign(prepared, signer);
  } catch (error) {
    if (error instanceof SignPdfError && /exceeds placeholder/i.test(error.message)) {
      throw new SigningError(`The CMS does not fit the reserved ${signatureLength} bytes: ${error.message}`, {
        cause: error,
      });
    }
    throw error instanceof SigningError ? error : new SigningError('Signing the PDF failed', { cause: error });
  }
}
