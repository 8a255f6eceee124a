// Hand-written incremental updates for the local-agent signing tests: the served PDF plus one update holding a
// real signature (made like the stand-in agent does) and whatever else a forger adds — a page, a changed content
// stream, another annotation. `signatureIncrement` with no extras is what an honest agent writes, so a test can
// show the forger itself produces acceptable files and only the extra makes the difference.
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFParser, PDFRef, PDFString, type PDFContext } from 'pdf-lib';
import { detachedCms, type TokenIdentity } from '../../tools/signing-agent/sign.js';

export interface ServedStructure {
  context: PDFContext;
  catalog: PDFRef;
  pages: PDFRef;
  firstPage: PDFRef;
  nextNumber: number;
  startxref: number;
}

export async function servedStructure(served: Buffer): Promise<ServedStructure> {
  const context = await PDFParser.forBytesWithOptions(new Uint8Array(served), Number.POSITIVE_INFINITY).parseDocument();
  const catalog = context.trailerInfo.Root as PDFRef;
  const pages = (context.lookup(catalog) as PDFDict).get(PDFName.of('Pages')) as PDFRef;
  const firstPage = ((context.lookup(pages) as PDFDict).get(PDFName.of('Kids')) as PDFArray).get(0) as PDFRef;
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(served.toString('latin1', served.length - 64))![1]);
  return { context, catalog, pages, firstPage, nextNumber: context.largestObjectNumber + 1, startxref };
}

/** The first page's annotations (refs as text). */
function annotsOf(s: ServedStructure): string[] {
  const annots = (s.context.lookup(s.firstPage) as PDFDict).get(PDFName.of('Annots'));
  const array = annots instanceof PDFRef ? s.context.lookup(annots) : annots;
  return array instanceof PDFArray ? array.asArray().map((a) => a.toString()) : [];
}

/** A dictionary of the served file with entries set (PDF text values), as PDF text. */
export function withEntries(s: ServedStructure, ref: PDFRef, entries: Record<string, string>): string {
  const dict = (s.context.lookup(ref) as PDFDict).clone(s.context);
  for (const key of Object.keys(entries)) dict.delete(PDFName.of(key));
  const text = dict.toString();
  return `${text.slice(0, text.lastIndexOf('>>'))}${Object.entries(entries).map(([k, v]) => `/${k} ${v}\n`).join('')}>>`;
}

export interface Forgery {
  /** Object number → body (PDF text) of objects the update also defines (new or replacing the served ones). */
  extra?: Record<number, string>;
  /** Replace the page/catalog bodies the honest update writes. */
  pageBody?: string;
  catalogBody?: string;
  /** Raw text at the start of the update, before its objects (e.g. a hidden second definition). */
  raw?: string;
  /** Name (/T) of the new field; the first free "SignatureN" by default. */
  fieldName?: string;
  /**
   * Fill the served file's first empty signature field, as an honest agent does (the default when it has one);
   * a name: that field; false: add a new field even so.
   */
  fill?: boolean | string;
  /** Object number → text of the update its xref entry points at (the first occurrence: e.g. inside a stream's data). */
  pointAt?: Record<number, string>;
  /** The trailer's /Size instead of the right one; more trailer entries. */
  size?: number;
  trailerExtra?: string;
  /** Object number → generation written in its header and xref entry (0 otherwise). */
  generations?: Record<number, number>;
}

/** The served form's fields: number, name, whether it is an empty signature widget. */
function servedFields(s: ServedStructure): Array<{ ref: PDFRef; name: string | undefined; empty: boolean }> {
  const form = (s.context.lookup(s.catalog) as PDFDict).get(PDFName.of('AcroForm'));
  const formDict = form instanceof PDFRef ? s.context.lookup(form) : form;
  const fields = formDict instanceof PDFDict ? formDict.get(PDFName.of('Fields')) : undefined;
  const list = fields instanceof PDFRef ? s.context.lookup(fields) : fields;
  if (!(list instanceof PDFArray)) return [];
  return list.asArray().filter((f): f is PDFRef => f instanceof PDFRef).map((ref) => {
    const dict = s.context.lookup(ref) as PDFDict;
    const name = dict.get(PDFName.of('T'));
    return {
      ref, name: name instanceof PDFString || name instanceof PDFHexString ? name.decodeText() : undefined,
      empty: dict.get(PDFName.of('FT'))?.toString() === '/Sig' && dict.get(PDFName.of('Subtype'))?.toString() === '/Widget' && !dict.has(PDFName.of('V')),
    };
  });
}

/**
 * served + one update: signature dictionary, widget/field on the first page, AcroForm, the catalog and the page
 * rewritten to point at them, and `forgery.extra`; signed over the whole file but /Contents with `identity`.
 */
export async function signatureIncrement(served: Buffer, identity: TokenIdentity, forgery: Forgery = {}): Promise<Buffer> {
  const s = await servedStructure(served);
  const sig = s.nextNumber;
  const existingFields = servedFields(s);
  const empty = forgery.fill === false ? undefined : existingFields.find((f) => f.empty && (typeof forgery.fill !== 'string' || f.name === forgery.fill));
  let fieldName = forgery.fieldName;
  for (let n = 1; !fieldName; n++) if (!existingFields.some((f) => f.name === `Signature${n}`)) fieldName = `Signature${n}`;
  if (empty) {
    // The served field filled in place: only /V is added; the page and the AcroForm stay as they are.
    const bodies = new Map<number, string>([
      [sig, signatureDictionary()],
      [empty.ref.objectNumber, withEntries(s, empty.ref, { V: `${sig} 0 R` })],
      ...(forgery.catalogBody ? [[s.catalog.objectNumber, forgery.catalogBody] as [number, string]] : []),
      ...(forgery.pageBody ? [[s.firstPage.objectNumber, forgery.pageBody] as [number, string]] : []),
    ]);
    return writeSigned(served, s, identity, bodies, forgery);
  }
  const widget = sig + 1;
  // A file already signed has an AcroForm: the update rewrites it with one more field, as a careful signer does.
  const existingForm = (s.context.lookup(s.catalog) as PDFDict).get(PDFName.of('AcroForm'));
  const form = existingForm instanceof PDFRef ? existingForm.objectNumber : sig + 2;
  const oldFields = existingForm instanceof PDFRef
    ? ((s.context.lookup(existingForm) as PDFDict).get(PDFName.of('Fields')) as PDFArray).asArray().map((f) => f.toString()).join(' ') : '';
  const bodies = new Map<number, string>([
    [sig, signatureDictionary()],
    [widget, `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/Rect [0 0 0 0]\n/V ${sig} 0 R\n/T (${fieldName})\n/F 4\n/P ${s.firstPage.toString()}\n>>`],
    [form, existingForm instanceof PDFRef
      ? withEntries(s, existingForm, { Fields: `[${oldFields} ${widget} 0 R]` })
      : `<<\n/Type /AcroForm\n/SigFlags 3\n/Fields [${widget} 0 R]\n>>`],
    ...(existingForm instanceof PDFRef && !forgery.catalogBody ? [] : [[s.catalog.objectNumber, forgery.catalogBody ?? withEntries(s, s.catalog, { AcroForm: `${form} 0 R` })] as [number, string]]),
    [s.firstPage.objectNumber, forgery.pageBody ?? withEntries(s, s.firstPage, { Annots: `[${annotsOf(s).join(' ')} ${widget} 0 R]` })],
  ]);
  return writeSigned(served, s, identity, bodies, forgery);
}

const PLACEHOLDER = '0000000000';
const HEX_LENGTH = 16384 * 2;
const signatureDictionary = () =>
  `<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n/ByteRange [0 ${PLACEHOLDER} ${PLACEHOLDER} ${PLACEHOLDER}]\n/Contents <${'0'.repeat(HEX_LENGTH)}>\n/M (D:20260101120000Z)\n>>`;

/** The update holding `bodies` and `forgery.extra` after `forgery.raw`, its xref and trailer, signed. */
function writeSigned(served: Buffer, s: ServedStructure, identity: TokenIdentity, bodies: Map<number, string>, forgery: Forgery): Buffer {
  const placeholder = PLACEHOLDER;
  const hexLength = HEX_LENGTH;
  for (const [n, body] of Object.entries(forgery.extra ?? {})) bodies.set(Number(n), body);
  let text = forgery.raw ?? '';
  const offsets = new Map<number, number>();
  for (const [n, body] of bodies) {
    text += '\n';
    offsets.set(n, served.length + Buffer.byteLength(text, 'latin1'));
    text += `${n} ${forgery.generations?.[n] ?? 0} obj\n${body}\nendobj`;
  }
  text += '\n';
  for (const [n, marker] of Object.entries(forgery.pointAt ?? {})) offsets.set(Number(n), served.length + text.indexOf(marker));
  const xrefAt = served.length + Buffer.byteLength(text, 'latin1');
  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  text += 'xref\n0 1\n0000000000 65535 f \n';
  for (const n of numbers) text += `${n} 1\n${String(offsets.get(n)).padStart(10, '0')} ${String(forgery.generations?.[n] ?? 0).padStart(5, '0')} n \n`;
  const size = forgery.size ?? Math.max(s.nextNumber, ...numbers.map((n) => n + 1));
  text += `trailer\n<<\n/Size ${size}\n/Root ${s.catalog.toString()}\n/Prev ${s.startxref}\n${forgery.trailerExtra ?? ''}>>\nstartxref\n${xrefAt}\n%%EOF`;
  const file = Buffer.concat([served, Buffer.from(text, 'latin1')]);
  const rangeAt = file.indexOf(`/ByteRange [0 ${placeholder}`, served.length, 'latin1');
  const open = file.indexOf('/Contents <', rangeAt, 'latin1') + '/Contents '.length;
  const close = open + hexLength + 1;
  const range = [open, close + 1, file.length - close - 1].map((v) => String(v).padStart(10, '0'));
  file.write(`/ByteRange [0 ${range.join(' ')}]`, rangeAt, 'latin1');
  const digest = createHash('sha256').update(file.subarray(0, open)).update(file.subarray(close + 1)).digest();
  file.write(detachedCms(digest, identity).toString('hex'), open + 1, 'latin1');
  return file;
}
