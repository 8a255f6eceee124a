// How the stand-in agent signs, the way a USB-token agent does: the whole PDF in, the same bytes plus one
// incremental update out — filling the first empty signature field the document already has (its place on the
// page), or else adding a field + widget with @signpdf/placeholder-plain — the CMS built and signed with
// node-forge from the PKCS#12 that plays the token. PAdES B-B: SubFilter ETSI.CAdES.detached and the
// signingCertificateV2 attribute (RFC 5035), which node-forge's pkcs7 module cannot write, so the SignedData is
// assembled from forge's ASN.1. Nothing here comes from motcua's own code: this stands for third-party software.
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { findByteRange, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFArray, PDFDict, PDFName, PDFParser, PDFRef } from 'pdf-lib';

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

export interface TokenIdentity {
  key: forge.pki.rsa.PrivateKey;
  certificate: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
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

/** CMS SignedData, detached, one signer, signed attributes contentType + messageDigest + signingCertificateV2. */
export function detachedCms(contentDigest: Buffer, identity: TokenIdentity): Buffer {
  const certAsn1 = pki.certificateToAsn1(identity.certificate);
  const certDer = der(certAsn1);
  const tbs = (certAsn1.value as Asn1[])[0]!.value as Asn1[];
  const offset = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = tbs[offset]!;
  const issuer = tbs[offset + 2]!;
  const certHash = createHash('sha256').update(Buffer.from(certDer, 'binary')).digest().toString('binary');
  const attribute = (type: string, value: Asn1) => seq([oid(type), set([value])]);
  const attributes = derSorted([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(contentDigest.toString('binary'))),
    attribute(OID.signingCertificateV2, seq([seq([seq([octets(certHash), seq([seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [issuer])]), serial])])])])),
  ]);
  const md = forge.md.sha256.create();
  md.update(der(set(attributes)));
  const signature = identity.key.sign(md);
  const signerInfo = seq([
    node(asn1.Type.INTEGER, asn1.integerToDer(1).getBytes()),
    seq([issuer, serial]),
    seq([oid(OID.sha256)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes),
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

export interface SignOptions { reason?: string; location?: string; signingTime?: Date }

const SIGNATURE_BYTES = 16384;

/** /ByteRange over everything but the /Contents hole, then the CMS into the hole. */
function sealPlaceholder(prepared: Buffer, identity: TokenIdentity): Buffer {
  const { byteRangePlaceholder, byteRangePlaceholderPosition } = findByteRange(prepared);
  if (!byteRangePlaceholder || byteRangePlaceholderPosition === undefined) throw new Error('no /ByteRange placeholder');
  const end = byteRangePlaceholderPosition + byteRangePlaceholder.length;
  const open = prepared.indexOf('<', prepared.indexOf('/Contents ', end));
  const close = prepared.indexOf('>', open);
  const range = [0, open, close + 1, prepared.length - close - 1];
  prepared.write(`/ByteRange [${range.join(' ')}]`.padEnd(byteRangePlaceholder.length, ' '), byteRangePlaceholderPosition, 'latin1');
  const digest = createHash('sha256').update(prepared.subarray(0, open)).update(prepared.subarray(close + 1)).digest();
  const hex = detachedCms(digest, identity).toString('hex');
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
  const name = identity.certificate.subject.getField('CN')?.value as string | undefined;
  const objects = new Map<number, string>([
    [sig, `<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n/ByteRange [0 /********** /********** /**********]\n`
      + `/Contents <${'0'.repeat(SIGNATURE_BYTES * 2)}>\n/M (${pdfDate(options.signingTime ?? new Date())})\n/Name ${pdfText(name ?? 'Signer')}\n`
      + `/Reason ${pdfText(options.reason ?? 'Ky so van ban')}\n/Prop_Build << /App << /Name /motcua-signing-agent >> >>\n>>`],
    [fieldRef.objectNumber, withEntries(context.lookup(fieldRef) as PDFDict, { V: `${sig} 0 R` })],
  ]);
  if (form.get(PDFName.of('SigFlags'))?.toString() !== '3' && formValue instanceof PDFRef) {
    objects.set(formValue.objectNumber, withEntries(form, { SigFlags: '3' }));
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
  const info = context.trailerInfo.Info;
  text += `trailer\n<<\n/Size ${sig + 1}\n/Root ${root.toString()}\n${info instanceof PDFRef ? `/Info ${info.toString()}\n` : ''}/Prev ${prev}\n>>\n`
    + `startxref\n${xref}\n%%EOF\n`;
  return sealPlaceholder(Buffer.concat([pdf, Buffer.from(text, 'latin1')]), identity);
}

/** The downloaded PDF, signed: the same bytes plus one incremental update with the signature. */
export async function signPdf(pdf: Buffer, identity: TokenIdentity, options: SignOptions = {}): Promise<Buffer> {
  const filled = await fillEmptyField(pdf, identity, options);
  if (filled) return filled;
  const name = identity.certificate.subject.getField('CN')?.value as string | undefined;
  let prepared = plainAddPlaceholder({
    pdfBuffer: pdf, name: ascii(name ?? 'Signer'), reason: ascii(options.reason ?? 'Ky so van ban'), location: ascii(options.location ?? ''),
    contactInfo: '', signingTime: options.signingTime ?? new Date(), signatureLength: SIGNATURE_BYTES, subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'motcua-signing-agent',
  });
  prepared = fixStartXref(prepared);
  // An agent appends; it never rewrites what it downloaded (placeholder-plain drops one trailing newline and adds one back).
  if (!prepared.subarray(0, pdf.length).equals(pdf)) throw new Error('the document does not end the way this agent can append to');
  return sealPlaceholder(prepared, identity);
}
