// How the stand-in agent signs, the way a USB-token agent does: the whole PDF in, the same bytes plus one
// incremental update out — filling the first empty signature field the document already has (its place on the
// page), or else adding a field + widget with @signpdf/placeholder-plain — the CMS built and signed with
// node-forge from the PKCS#12 that plays the token. By default PAdES B-B: SubFilter ETSI.CAdES.detached and the
// signingCertificateV2 attribute (RFC 5035), which node-forge's pkcs7 module cannot write, so the SignedData is
// assembled from forge's ASN.1. Options make it write what other agents write: adbe.pkcs7.detached, with the
// SHA-1 signingCertificate (v1) or no ESS attribute at all, and — like iText-based signers — a restamped /Info
// (/ModDate, /Producer) and XMP packet in the same update. Nothing here comes from motcua's own code: this stands
// for third-party software.
import { createHash, randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import forge from 'node-forge';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { findByteRange } from '@signpdf/utils';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFParser, PDFRawStream, PDFRef, PDFString, type PDFContext } from 'pdf-lib';

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

export interface TokenIdentity {
  key: forge.pki.rsa.PrivateKey;
  certificate: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

/** The certificate's CN as text: forge keeps a UTF8String's bytes as a binary string. */
export function commonName(certificate: forge.pki.Certificate): string | undefined {
  const value = certificate.subject.getField('CN')?.value as string | undefined;
  if (value === undefined) return undefined;
  try {
    return forge.util.decodeUtf8(value);
  } catch {
    return value;
  }
}

/** The "token": key, certificate and CA chain from a PKCS#12 file. */
export function openPkcs12(der: Buffer, password: string): TokenIdentity {
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1.fromDer(der.toString('binary')), password);
  const bags = (type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const keyBags = [...bags(pki.oids.pkcs8ShroudedKeyBag!), ...bags(pki.oids.keyBag!)];
  const key = keyBags[0]?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('PKCS#12 has no private key');
  const certificates = bags(pki.oids.certBag!).map((b) => b.cert).filter((c): c is forge.pki.Certificate => Boolean(c));
  const modulus = key.n.toString(16);
  const certificate = certificates.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.toString(16) === modulus);
  if (!certificate) throw new Error('PKCS#12 has no certificate for its key');
  return { key, certificate, chain: certificates.filter((c) => c !== certificate) };
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
};

const node = (type: number, value: string | Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, type, Array.isArray(value), value);
const seq = (items: Asn1[]) => node(asn1.Type.SEQUENCE, items);
const set = (items: Asn1[]) => node(asn1.Type.SET, items);
const oid = (value: string) => node(asn1.Type.OID, asn1.oidToDer(value).getBytes());
const octets = (bytes: string) => node(asn1.Type.OCTETSTRING, bytes);
const der = (value: Asn1) => asn1.toDer(value).getBytes();

/** DER SET OF: elements in ascending order of their encodings. */
const derSorted = (items: Asn1[]) => items.map((item) => ({ item, bytes: der(item) }))
  .sort((a, b) => Buffer.compare(Buffer.from(a.bytes, 'binary'), Buffer.from(b.bytes, 'binary'))).map((e) => e.item);

/** Which ESS attribute binds the signer's certificate: v2 (SHA-256, PAdES), v1 (SHA-1, older agents) or none. */
export type EssAttribute = 'v2' | 'v1' | 'none';

export interface CmsOptions {
  ess?: EssAttribute;
  /** The certificate the ESS attribute names (default: the signer's) — a faulty agent, for tests. */
  essCertificate?: forge.pki.Certificate;
  /** false: no signed attributes at all, the RSA signature directly over the content digest (old PKCS#7 signers). */
  signedAttributes?: boolean;
}

/** Serial number and issuer name of a certificate, as ASN.1 nodes. */
function issuerAndSerial(certificate: forge.pki.Certificate): { issuer: Asn1; serial: Asn1; der: Buffer } {
  const certAsn1 = pki.certificateToAsn1(certificate);
  const tbs = (certAsn1.value as Asn1[])[0]!.value as Asn1[];
  const offset = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: tbs[offset]!, issuer: tbs[offset + 2]!, der: Buffer.from(der(certAsn1), 'binary') };
}

/**
 * CMS SignedData, detached, one signer, signed attributes contentType + messageDigest and (by default)
 * signingCertificateV2; `ess` 'v1' writes the SHA-1 signingCertificate instead, 'none' neither.
 */
export function detachedCms(contentDigest: Buffer, identity: TokenIdentity, options: CmsOptions = {}): Buffer {
  const certAsn1 = pki.certificateToAsn1(identity.certificate);
  const { serial, issuer } = issuerAndSerial(identity.certificate);
  const named = issuerAndSerial(options.essCertificate ?? identity.certificate);
  const issuerSerial = seq([seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [named.issuer])]), named.serial]);
  const certHash = (algorithm: string) => octets(createHash(algorithm).update(named.der).digest().toString('binary'));
  const attribute = (type: string, value: Asn1) => seq([oid(type), set([value])]);
  const ess = options.ess ?? 'v2';
  const attributes = derSorted([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(contentDigest.toString('binary'))),
    ...(ess === 'v2' ? [attribute(OID.signingCertificateV2, seq([seq([seq([certHash('sha256'), issuerSerial])])]))] : []),
    ...(ess === 'v1' ? [attribute(OID.signingCertificate, seq([seq([seq([certHash('sha1'), issuerSerial])])]))] : []),
  ]);
  const withAttributes = options.signedAttributes ?? true;
  const md = forge.md.sha256.create();
  if (withAttributes) md.update(der(set(attributes)));
  // Without signed attributes the RSA signature is over the content digest itself (forge signs md.digest()).
  const signature = identity.key.sign(withAttributes ? md : Object.assign(md, { digest: () => forge.util.createBuffer(contentDigest.toString('binary')) }));
  const signerInfo = seq([
    node(asn1.Type.INTEGER, asn1.integerToDer(1).getBytes()),
    seq([issuer, serial]),
    seq([oid(OID.sha256)]),
    ...(withAttributes ? [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes)] : []),
    seq([oid(OID.rsaEncryption), node(asn1.Type.NULL, '')]),
    octets(signature),
  ]);
  const signedData = seq([
    node(asn1.Type.INTEGER, asn1.integerToDer(1).getBytes()),
    set([seq([oid(OID.sha256)])]),
    seq([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [certAsn1, ...identity.chain.map((c) => pki.certificateToAsn1(c))]),
    set([signerInfo]),
  ]);
  return Buffer.from(der(seq([oid(OID.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])])), 'binary');
}

/** placeholder-plain writes text as UTF-8 into PDF strings: keep the names ASCII (a real agent writes UTF-16). */
const ascii = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\x20-\x7e]/g, '?');

// placeholder-plain's startxref points at the newline before "xref"; a careful writer points at "xref" itself.
function fixStartXref(pdf: Buffer): Buffer {
  const tail = pdf.subarray(Math.max(0, pdf.length - 64)).toString('latin1');
  const match = /startxref\n(\d+)\n%%EOF\s*$/.exec(tail);
  if (!match?.[1]) return pdf;
  const at = Number(match[1]);
  if (pdf.toString('latin1', at, at + 5) !== '\nxref') return pdf;
  return Buffer.concat([pdf.subarray(0, pdf.length - tail.length + match.index), Buffer.from(`startxref\n${at + 1}\n%%EOF`, 'latin1')]);
}

export type SubFilter = 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';

export interface SignOptions {
  reason?: string;
  location?: string;
  signingTime?: Date;
  /** Default ETSI.CAdES.detached (PAdES). */
  subFilter?: SubFilter;
  /** Default 'v2'. */
  ess?: EssAttribute;
  /**
   * Like iText-based signers: the same update also restamps /Info (/ModDate, /Producer) and rewrites the XMP
   * packet (xmp:ModifyDate, xmp:MetadataDate, pdf:Producer, xmpMM IDs), or adds one made from /Info. Needs a
   * document with an empty signature field (the results motcua serves have one per signer).
   */
  likeItext?: boolean;
  /** With likeItext: the XMP's dc:title replaced by this text (a forger, for tests). */
  changeTitle?: string;
  /** Makes the CMS for a content digest instead of detachedCms (a faulty agent, for tests). */
  cms?: (contentDigest: Buffer) => Buffer;
}

const SIGNATURE_BYTES = 16384;

/** /ByteRange over everything but the /Contents hole, then the CMS into the hole. */
function sealPlaceholder(prepared: Buffer, identity: TokenIdentity, options: SignOptions): Buffer {
  const { byteRangePlaceholder, byteRangePlaceholderPosition } = findByteRange(prepared);
  if (!byteRangePlaceholder || byteRangePlaceholderPosition === undefined) throw new Error('no /ByteRange placeholder');
  const end = byteRangePlaceholderPosition + byteRangePlaceholder.length;
  const open = prepared.indexOf('<', prepared.indexOf('/Contents ', end));
  const close = prepared.indexOf('>', open);
  const range = [0, open, close + 1, prepared.length - close - 1];
  prepared.write(`/ByteRange [${range.join(' ')}]`.padEnd(byteRangePlaceholder.length, ' '), byteRangePlaceholderPosition, 'latin1');
  const digest = createHash('sha256').update(prepared.subarray(0, open)).update(prepared.subarray(close + 1)).digest();
  const hex = (options.cms ? options.cms(digest) : detachedCms(digest, identity, { ess: options.ess })).toString('hex');
  if (hex.length > close - open - 1) throw new Error('the signature does not fit its placeholder');
  prepared.write(hex.padEnd(close - open - 1, '0'), open + 1, 'latin1');
  return prepared;
}

const pdfDate = (date: Date) => `D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
const pdfText = (text: string) => `(${ascii(text).replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** A dictionary's PDF text with entries set (values as PDF text). */
function withEntries(dict: PDFDict, entries: Record<string, string>): string {
  const copy = dict.clone();
  for (const key of Object.keys(entries)) copy.delete(PDFName.of(key));
  const text = copy.toString();
  return `${text.slice(0, text.lastIndexOf('>>'))}${Object.entries(entries).map(([k, v]) => `/${k} ${v}\n`).join('')}>>`;
}

/** What iText 7 writes as /Producer (PDFDocEncoding: \256 = ®, \251 = ©). */
const ITEXT_PRODUCER_PDF = '(iText\\256 7.2.5 \\2512000-2023 iText Group NV \\(motcua-signing-agent\\))';
const ITEXT_PRODUCER = 'iText® 7.2.5 ©2000-2023 iText Group NV (motcua-signing-agent)';
const XMP_END = /<\?xpacket end=[^>]*\?>\s*$/;

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function infoString(context: PDFContext, info: PDFDict | undefined, key: string): string | undefined {
  const raw = info?.get(PDFName.of(key));
  const value = raw instanceof PDFRef ? context.lookup(raw) : raw;
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

/**
 * An XMP packet restamped the way iText re-serialises one: its own layout (one element per line, the packet
 * padded), x:xmptk, the producer, the modify and metadata dates, new document and instance IDs. Descriptive
 * properties (title, creator, description) are kept — `changeTitle` replaces dc:title's text (a forger, for tests).
 */
export function restampXmp(xmp: string, at: Date, changeTitle?: string): string {
  const when = at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  let body = xmp.replace(XMP_END, '').trim().replace(/>\s+</g, '><')
    .replace(/<pdf:Producer>[^<]*<\/pdf:Producer>/g, '')
    .replace(/<xmp:(ModifyDate|MetadataDate)>[^<]*<\/xmp:\1>/g, '')
    .replace(/<xmpMM:(DocumentID|InstanceID)>[^<]*<\/xmpMM:\1>/g, '')
    .replace('<x:xmpmeta xmlns:x="adobe:ns:meta/"', '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 5.1.0-jc003"');
  if (changeTitle !== undefined) body = body.replace(/(<dc:title><rdf:Alt><rdf:li[^>]*>)[^<]*/, `$1${xmlText(changeTitle)}`);
  const added = `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:ModifyDate="${when}" xmp:MetadataDate="${when}"/>`
    + `<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>${xmlText(ITEXT_PRODUCER)}</pdf:Producer></rdf:Description>`
    + `<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"><xmpMM:DocumentID>uuid:${randomUUID()}</xmpMM:DocumentID>`
    + `<xmpMM:InstanceID>uuid:${randomUUID()}</xmpMM:InstanceID></rdf:Description>`;
  body = body.replace('</rdf:RDF>', `${added}</rdf:RDF>`).replace(/>(?=<)/g, '>\n');
  return `${body}\n${`${' '.repeat(99)}\n`.repeat(20)}<?xpacket end="w"?>`;
}

/** The XMP iText makes from /Info when a document has none (dc:title, dc:creator, dc:description, dc:format). */
function xmpFromInfo(context: PDFContext, info: PDFDict | undefined, at: Date): string {
  const title = infoString(context, info, 'Title');
  const author = infoString(context, info, 'Author');
  const subject = infoString(context, info, 'Subject');
  const createdValue = info?.get(PDFName.of('CreationDate'));
  const created = createdValue instanceof PDFRef ? context.lookup(createdValue) : createdValue;
  let createDate = '';
  try {
    if (created instanceof PDFString || created instanceof PDFHexString) createDate = `<xmp:CreateDate>${created.decodeDate().toISOString()}</xmp:CreateDate>`;
  } catch { /* not a date: left out */ }
  const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${xmlText(text)}</rdf:li></rdf:Alt>`;
  const dc = `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format>`
    + `${title ? `<dc:title>${alt(title)}</dc:title>` : ''}${subject ? `<dc:description>${alt(subject)}</dc:description>` : ''}`
    + `${author ? `<dc:creator><rdf:Seq><rdf:li>${xmlText(author)}</rdf:li></rdf:Seq></dc:creator>` : ''}</rdf:Description>`
    + `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">${createDate}</rdf:Description>`;
  return restampXmp(`<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">`
    + `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${dc}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`, at);
}

/**
 * iText's part of the update: /Info with /ModDate and /Producer (the same object, or a new one named in the
 * trailer), and the XMP packet restamped in its own object — or a new one made from /Info, the catalog pointing
 * at it. Object number → body (latin1 PDF text), and the /Info reference for the trailer.
 */
function itextMetadata(context: PDFContext, root: PDFRef, catalog: PDFDict, nextNumber: number, at: Date, changeTitle?: string):
{ objects: Map<number, string>; info: string } {
  const objects = new Map<number, string>();
  const infoValue = context.trailerInfo.Info;
  const info = infoValue instanceof PDFRef ? context.lookup(infoValue) : undefined;
  const infoNumber = infoValue instanceof PDFRef ? infoValue.objectNumber : nextNumber++;
  objects.set(infoNumber, withEntries(info instanceof PDFDict ? info : PDFDict.withContext(context), { ModDate: `(${pdfDate(at)})`, Producer: ITEXT_PRODUCER_PDF }));
  const metadataValue = catalog.get(PDFName.of('Metadata'));
  const metadata = metadataValue instanceof PDFRef ? context.lookup(metadataValue) : undefined;
  let xmp: string;
  let metadataNumber: number;
  if (metadataValue instanceof PDFRef && metadata instanceof PDFRawStream) {
    const filter = metadata.dict.get(PDFName.of('Filter'))?.toString();
    xmp = restampXmp(Buffer.from(filter === '/FlateDecode' ? inflateSync(metadata.contents) : metadata.contents).toString('utf8'), at, changeTitle);
    metadataNumber = metadataValue.objectNumber;
  } else {
    xmp = xmpFromInfo(context, info instanceof PDFDict ? info : undefined, at);
    metadataNumber = nextNumber++;
    objects.set(root.objectNumber, withEntries(catalog, { Metadata: `${metadataNumber} 0 R` }));
  }
  const bytes = Buffer.from(xmp, 'utf8');
  objects.set(metadataNumber, `<<\n/Type /Metadata\n/Subtype /XML\n/Length ${bytes.length}\n>>\nstream\n${bytes.toString('latin1')}\nendstream`);
  return { objects, info: `${infoNumber} 0 R` };
}

/**
 * The document's first empty signature field (a widget merged with its field, no /V), filled: a new signature
 * dictionary, the field rewritten with /V, and /SigFlags 3 on the AcroForm if it lacks it. Undefined when the
 * document has no such field.
 */
async function fillEmptyField(pdf: Buffer, identity: TokenIdentity, options: SignOptions): Promise<Buffer | undefined> {
  const context = await PDFParser.forBytesWithOptions(new Uint8Array(pdf), Number.POSITIVE_INFINITY).parseDocument();
  const root = context.trailerInfo.Root;
  const catalog = root instanceof PDFRef ? context.lookup(root) : undefined;
  if (!(catalog instanceof PDFDict) || !(root instanceof PDFRef)) return undefined;
  const formValue = catalog.get(PDFName.of('AcroForm'));
  const form = formValue instanceof PDFRef ? context.lookup(formValue) : formValue;
  if (!(form instanceof PDFDict)) return undefined;
  const fieldsValue = form.get(PDFName.of('Fields'));
  const fields = fieldsValue instanceof PDFRef ? context.lookup(fieldsValue) : fieldsValue;
  if (!(fields instanceof PDFArray)) return undefined;
  const fieldRef = fields.asArray().find((ref) => {
    const field = ref instanceof PDFRef ? context.lookup(ref) : undefined;
    return field instanceof PDFDict && field.get(PDFName.of('FT'))?.toString() === '/Sig' && !field.has(PDFName.of('V'))
      && field.get(PDFName.of('Subtype'))?.toString() === '/Widget';
  });
  if (!(fieldRef instanceof PDFRef)) return undefined;
  const sig = context.largestObjectNumber + 1;
  const name = commonName(identity.certificate);
  const objects = new Map<number, string>([
    [sig, `<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /${options.subFilter ?? 'ETSI.CAdES.detached'}\n/ByteRange [0 /********** /********** /**********]\n`
      + `/Contents <${'0'.repeat(SIGNATURE_BYTES * 2)}>\n/M (${pdfDate(options.signingTime ?? new Date())})\n/Name ${pdfText(name ?? 'Signer')}\n`
      + `/Reason ${pdfText(options.reason ?? 'Ky so van ban')}\n/Prop_Build << /App << /Name /motcua-signing-agent >> >>\n>>`],
    [fieldRef.objectNumber, withEntries(context.lookup(fieldRef) as PDFDict, { V: `${sig} 0 R` })],
  ]);
  if (form.get(PDFName.of('SigFlags'))?.toString() !== '3' && formValue instanceof PDFRef) {
    objects.set(formValue.objectNumber, withEntries(form, { SigFlags: '3' }));
  }
  let infoRef = context.trailerInfo.Info instanceof PDFRef ? context.trailerInfo.Info.toString() : undefined;
  let size = sig + 1;
  if (options.likeItext) {
    const metadata = itextMetadata(context, root, catalog, sig + 1, options.signingTime ?? new Date(), options.changeTitle);
    for (const [number, body] of metadata.objects) objects.set(number, body);
    infoRef = metadata.info;
    size = Math.max(size, ...[...metadata.objects.keys()].map((n) => n + 1));
  }
  const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf.toString('latin1', Math.max(0, pdf.length - 256)))?.[1];
  if (!prev) throw new Error('the document does not end with startxref');
  let text = pdf[pdf.length - 1] === 0x0a ? '' : '\n';
  const offsets = new Map<number, number>();
  for (const [number, body] of objects) {
    offsets.set(number, pdf.length + Buffer.byteLength(text, 'latin1'));
    text += `${number} 0 obj\n${body}\nendobj\n`;
  }
  const xref = pdf.length + Buffer.byteLength(text, 'latin1');
  text += 'xref\n0 1\n0000000000 65535 f \n';
  for (const number of [...offsets.keys()].sort((a, b) => a - b)) text += `${number} 1\n${String(offsets.get(number)).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<<\n/Size ${size}\n/Root ${root.toString()}\n${infoRef ? `/Info ${infoRef}\n` : ''}/Prev ${prev}\n>>\n`
    + `startxref\n${xref}\n%%EOF\n`;
  return sealPlaceholder(Buffer.concat([pdf, Buffer.from(text, 'latin1')]), identity, options);
}

/** The downloaded PDF, signed: the same bytes plus one incremental update with the signature. */
export async function signPdf(pdf: Buffer, identity: TokenIdentity, options: SignOptions = {}): Promise<Buffer> {
  const filled = await fillEmptyField(pdf, identity, options);
  if (filled) return filled;
  if (options.likeItext) throw new Error('restamping /Info and XMP needs a document with an empty signature field');
  const name = commonName(identity.certificate);
  let prepared = plainAddPlaceholder({
    pdfBuffer: pdf, name: ascii(name ?? 'Signer'), reason: ascii(options.reason ?? 'Ky so van ban'), location: ascii(options.location ?? ''),
    contactInfo: '', signingTime: options.signingTime ?? new Date(), signatureLength: SIGNATURE_BYTES, subFilter: options.subFilter ?? 'ETSI.CAdES.detached',
    appName: 'motcua-signing-agent',
  });
  prepared = fixStartXref(prepared);
  // An agent appends; it never rewrites what it downloaded (placeholder-plain drops one trailing newline and adds one back).
  if (!prepared.subarray(0, pdf.length).equals(pdf)) throw new Error('the document does not end the way this agent can append to');
  return sealPlaceholder(prepared, identity, options);
}
