// Signs a PDF as an incremental update (pdf-increment.ts): the signature dictionary, the field's widget — with the
// visible stamp as its appearance when one is given — and the AcroForm; we fix /ByteRange and paste our CMS into
// /Contents. Split in two phases (prepare → embed) so a USB
// token or remote signer can sign in between; each later signature is one more incremental update.
import { createHash, sign as rawSign, X509Certificate, type KeyObject } from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, type PDFObject } from 'pdf-lib';
import { OID, prepareDetachedCms } from './cms.js';
import { decodePdfText, pdfText, PdfIncrement, PdfReader, PdfStructureError, type BuiltIncrement } from './pdf-increment.js';

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
  /** The visible stamp, as the signature widget's appearance; without it the widget is invisible (/Rect [0 0 0 0]). */
  appearance?: SignatureAppearance;
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
 * What the signature looks like on the page: the widget annotation of the signature field gets `pdf`'s first page
 * as its normal appearance (/AP /N, a Form XObject), which Acrobat, Foxit and poppler draw for the signature.
 */
export interface SignatureAppearance {
  /** A one-page PDF drawn at the size of the widget's rect (it is scaled to the rect otherwise); streams written plain are deflated here. */
  pdf: Buffer;
  /**
   * The empty signature field (/FT /Sig without /V) to fill, by /T; the document's layout placed it. Without a
   * name and without `rect`, the first empty signature field. Neither the field nor a `rect`: the signature gets
   * an invisible widget and no appearance.
   */
  field?: string;
  /** Or a new widget on this page (0-based) at this rect ([x1, y1, x2, y2], PDF user space). */
  page?: number;
  rect?: [number, number, number, number];
}

const SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY = 3;
const ANNOTATION_PRINT = 4;
const BYTE_RANGE_WIDTH = 60;

const name = (value: string): PDFName => PDFName.of(value);

/** "D:20261122140305Z", the form verify-pdf and other readers parse. */
function pdfDate(at: Date): string {
  return `D:${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** The signature dictionary with a zero /ByteRange (fixed width) and a zero-filled /Contents of `reserve` bytes. */
function signatureDictionary(options: PrepareSignatureOptions, subFilter: SubFilter, reserve: number): Buffer {
  const texts: [string, string | undefined][] = [
    ['Name', options.name], ['Reason', options.reason], ['Location', options.location], ['ContactInfo', options.contactInfo],
  ];
  const lines = [
    '<<', '/Type /Sig', '/Filter /Adobe.PPKLite', `/SubFilter /${subFilter}`,
    '/ByteRange [0 0 0 0]'.padEnd(BYTE_RANGE_WIDTH, ' '),
    `/Contents <${'0'.repeat(reserve * 2)}>`,
    `/M (${pdfDate(options.signingTime ?? new Date())})`,
    ...texts.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `/${k} ${pdfText(v as string).toString()}`),
    '/Prop_Build << /Filter << /Name /Adobe.PPKLite >> /App << /Name /motcua >> >>',
    '>>',
  ];
  return Buffer.from(lines.join('\n'), 'latin1');
}

interface FieldEntry { ref: PDFRef; dict: PDFDict; name: string | undefined; signed: boolean }

/** Terminal fields of the AcroForm (one level of /Kids is enough for signature fields). */
function formFields(reader: PdfReader, fields: PDFArray | undefined): FieldEntry[] {
  const out: FieldEntry[] = [];
  const visit = (value: PDFObject, parent: PDFDict | undefined, depth: number): void => {
    const dict = reader.dict(value);
    if (!(value instanceof PDFRef) || !dict || depth > 8) return;
    const kids = reader.resolve(dict.get(name('Kids')));
    const partial = decodePdfText(reader.resolve(dict.get(name('T'))));
    if (kids instanceof PDFArray && kids.asArray().some((k) => reader.dict(k)?.has(name('T')))) {
      for (const kid of kids.asArray()) visit(kid, dict, depth + 1);
      return;
    }
    const type = dict.get(name('FT')) ?? parent?.get(name('FT'));
    if (type !== name('Sig')) {
      out.push({ ref: value, dict, name: partial, signed: true });
      return;
    }
    out.push({ ref: value, dict, name: partial, signed: dict.has(name('V')) });
  };
  for (const field of fields?.asArray() ?? []) visit(field, undefined, 0);
  return out;
}

/**
 * Phase one of a signature: appends the signature field (or fills an empty one) and the signature dictionary as
 * an incremental update and fixes /ByteRange, so the document that will be signed is settled before anyone
 * signs it (a token or remote signer can take minutes).
 */
export function preparePdfSignature(pdf: Buffer, options: PrepareSignatureOptions): PreparedPdfSignature {
  const certificate = parseCertificate(options.certificatePem);
  const chain = (options.chainPem ?? []).map(parseCertificate);
  const subFilter = options.subFilter ?? 'ETSI.CAdES.detached';
  const reserve = Math.max(options.reserveBytes ?? 0, placeholderBytes([certificate.raw, ...chain.map((c) => c.raw)], options.key));
  let built: BuiltIncrement;
  let signatureRef: PDFRef;
  let body: Buffer;
  try {
    const reader = PdfReader.open(pdf);
    const update = new PdfIncrement(reader);
    const context = update.context;
    const rootRef = reader.rootRef;
    const catalog = reader.dict(rootRef);
    if (!catalog) throw new PdfStructureError('No catalog');
    const acroValue = catalog.get(name('AcroForm'));
    const acroForm = reader.dict(acroValue)?.clone(context) ?? PDFDict.withContext(context);
    const fieldsValue = reader.resolve(acroForm.get(name('Fields')));
    const fields = fieldsValue instanceof PDFArray ? fieldsValue.clone(context) : context.obj([]);
    const existing = formFields(reader, fields);
    signatureRef = update.newRef();
    let appearance = options.appearance;
    const wanted = appearance && (appearance.field !== undefined || !appearance.rect)
      ? existing.find((f) => !f.signed && (appearance?.field === undefined || f.name === appearance.field))
      : undefined;
    // No field for it and no place of its own: a document laid out before signatures had fields (a draft stored
    // then shows its stamps as page content already), signed with an invisible widget as it would have been.
    if (appearance && !wanted && !appearance.rect) appearance = undefined;
    let widgetRef: PDFRef;
    let widget: PDFDict;
    if (wanted) {
      widgetRef = wanted.ref;
      widget = wanted.dict.clone(context);
    } else {
      const pages = reader.pageRefs();
      const pageRef = pages[appearance?.page ?? 0];
      const page = reader.dict(pageRef);
      if (!pageRef || !page) throw new SigningError(`The PDF has no page ${appearance?.page ?? 0}`);
      widgetRef = update.newRef();
      const taken = new Set(existing.map((f) => f.name));
      let n = existing.length + 1;
      while (taken.has(`Signature${n}`)) n++;
      widget = context.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', Rect: appearance?.rect ?? [0, 0, 0, 0], P: pageRef });
      widget.set(name('T'), pdfText(`Signature${n}`));
      const newPage = page.clone(context);
      const annotsValue = page.get(name('Annots'));
      const annots = reader.resolve(annotsValue);
      const list = annots instanceof PDFArray ? annots.clone(context) : context.obj([]);
      list.push(widgetRef);
      if (annotsValue instanceof PDFRef) update.put(annotsValue, list);
      else {
        newPage.set(name('Annots'), list);
        update.put(pageRef, newPage);
      }
    }
    widget.set(name('V'), signatureRef);
    widget.set(name('F'), PDFNumber.of(ANNOTATION_PRINT));
    if (appearance) {
      const form = update.importPage(appearance.pdf, 0, { deflateLevel: 1 });
      widget.set(name('AP'), context.obj({ N: form.ref }));
    }
    update.put(widgetRef, widget);

    if (!fields.asArray().some((f) => f instanceof PDFRef && f.objectNumber === widgetRef.objectNumber)) fields.push(widgetRef);
    acroForm.set(name('Fields'), fields);
    acroForm.set(name('SigFlags'), PDFNumber.of(SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY));
    if (acroValue instanceof PDFRef) update.put(acroValue, acroForm);
    else {
      const acroRef = update.newRef();
      update.put(acroRef, acroForm);
      const newCatalog = catalog.clone(context);
      newCatalog.set(name('AcroForm'), acroRef);
      update.put(rootRef, newCatalog);
    }
    body = signatureDictionary(options, subFilter, reserve);
    update.putRaw(signatureRef, body);
    built = update.build();
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('Could not add a signature field to the PDF (unsupported structure?)', { cause: error });
  }
  const objectAt = built.offsets.get(signatureRef.objectNumber) as number;
  const bodyAt = built.pdf.indexOf('<<', objectAt, 'latin1');
  return fixByteRange(built.pdf, bodyAt + body.indexOf('/ByteRange ['), bodyAt + body.indexOf('/Contents <') + '/Contents '.length);
}

// /ByteRange covers everything but the /Contents hex string "<…>"; written in place, padded, so nothing moves.
function fixByteRange(pdf: Buffer, byteRangeAt: number, open: number): PreparedPdfSignature {
  const close = pdf.indexOf('>', open);
  const range = [0, open, close + 1, pdf.length - close - 1];
  pdf.write(`/ByteRange [${range.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH, ' '), byteRangeAt, 'latin1');
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
