// XMP metadata (the catalog's /Metadata stream) as a signer may rewrite it. iText-based USB-token agents re-serialise
// the document's XMP when they sign (xmp:ModifyDate, xmp:MetadataDate, pdf:Producer, xmpMM:InstanceID …), so an
// upload may carry a new XMP packet; viewers show its dc:title (our results set DisplayDocTitle), so it may change
// nothing a reader sees as the document's own. Pure: bytes in, properties or a Vietnamese reason out.
// Rule (compareXmp): property by property — namespace URI + name, the value in a canonical form that ignores
// serialisation (whitespace between elements, attribute order, prefixes, packet padding) — the new packet equals the
// served one except for MAY_CHANGE (dates of the change, producer and creator tool, document/instance IDs), may
// write the creation date in another notation or leave it out, and may add only dc:format = application/pdf. When the served file has no readable XMP, the baseline is the served
// /Info (title, author, subject, keywords, creation date), as iText derives it.
import { inflateSync } from 'node:zlib';
import { SaxesParser } from 'saxes';

/** Ours are ~1.6 KB; an agent's packet is padded (~2 KB) and may keep a history: a generous bound, before parsing. */
export const MAX_XMP_BYTES = 256 * 1024;
const MAX_XMP_ELEMENTS = 5000;

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XML = 'http://www.w3.org/XML/1998/namespace';
const XMLNS = 'http://www.w3.org/2000/xmlns/';
export const XMP_NS = {
  x: 'adobe:ns:meta/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  xmpMM: 'http://ns.adobe.com/xap/1.0/mm/',
  pdf: 'http://ns.adobe.com/pdf/1.3/',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;

/** Properties a signer's tool may change or add: when and with what the file was last written, and its IDs. */
const MAY_CHANGE = new Set([
  `${XMP_NS.xmp}ModifyDate`, `${XMP_NS.xmp}MetadataDate`, `${XMP_NS.xmp}CreatorTool`, `${XMP_NS.pdf}Producer`,
  `${XMP_NS.xmpMM}DocumentID`, `${XMP_NS.xmpMM}InstanceID`,
]);
const DATES = new Set([`${XMP_NS.xmp}CreateDate`]);

export class XmpError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XmpError';
  }
}

interface XmlElement { uri: string; local: string; attributes: Array<{ uri: string; local: string; value: string }>; children: Array<XmlElement | string> }

/** Decodes a /Metadata stream's data: no filter or /FlateDecode, bounded. */
export function xmpStreamBytes(raw: Uint8Array, filter: string | undefined): Buffer {
  if (filter === undefined) {
    if (raw.length > MAX_XMP_BYTES) throw new XmpError(`siêu dữ liệu XMP quá lớn (trên ${MAX_XMP_BYTES / 1024} KB)`);
    return Buffer.from(raw);
  }
  if (filter !== 'FlateDecode') throw new XmpError(`siêu dữ liệu XMP dùng bộ lọc /${filter} không được chấp nhận`);
  try {
    return inflateSync(raw, { maxOutputLength: MAX_XMP_BYTES });
  } catch {
    throw new XmpError(`siêu dữ liệu XMP không giải nén được hoặc quá lớn (trên ${MAX_XMP_BYTES / 1024} KB)`);
  }
}

function parseXml(bytes: Buffer): XmlElement {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new XmpError('siêu dữ liệu XMP không phải văn bản UTF-8');
  }
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: string | undefined;
  parser.on('error', (error) => { failure ??= error.message; });
  // No DTD: nothing to expand, and XMP never has one.
  parser.on('doctype', () => { failure ??= 'DOCTYPE'; });
  parser.on('opentag', (tag) => {
    if (++count > MAX_XMP_ELEMENTS) failure ??= 'too many elements';
    const element: XmlElement = {
      uri: tag.uri, local: tag.local,
      attributes: Object.values(tag.attributes).map((a) => ({ uri: a.uri, local: a.local, value: a.value })),
      children: [],
    };
    stack.at(-1)?.children.push(element);
    if (stack.length === 0) root = element;
    stack.push(element);
  });
  parser.on('closetag', () => { stack.pop(); });
  parser.on('text', (t) => { stack.at(-1)?.children.push(t); });
  parser.on('cdata', (t) => { stack.at(-1)?.children.push(t); });
  try {
    parser.write(text).close();
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure || !root) throw new XmpError('siêu dữ liệu XMP không phải XML hợp lệ');
  return root;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
const isDeclaration = (a: { uri: string; local: string }) => a.uri === XMLNS || (a.uri === '' && a.local === 'xmlns');

/** A value's canonical text: element names by namespace URI, attributes sorted, text with whitespace collapsed. */
function canonical(element: XmlElement, withName: boolean): string {
  const attributes = element.attributes.filter((a) => !isDeclaration(a)).map((a) => `${a.uri}|${a.local}=${collapse(a.value)}`).sort();
  const inner = element.children.map((c) => (typeof c === 'string' ? collapse(c) : canonical(c, true))).filter((c) => c !== '').join('');
  return withName ? `<${element.uri}|${element.local}${attributes.map((a) => ` ${a}`).join('')}>${inner}</>` : `[${attributes.join(' ')}]${inner}`;
}

function findRdf(element: XmlElement): XmlElement | undefined {
  if (element.uri === RDF && element.local === 'RDF') return element;
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    const found = findRdf(child);
    if (found) return found;
  }
  return undefined;
}

/** Property (namespace URI + name) → canonical value, from the packet's rdf:Description elements. */
export function readXmp(bytes: Buffer): Map<string, string> {
  const rdf = findRdf(parseXml(bytes));
  if (!rdf) throw new XmpError('siêu dữ liệu XMP không có rdf:RDF');
  const properties = new Map<string, string>();
  const add = (key: string, value: string) => {
    if (properties.has(key)) throw new XmpError(`siêu dữ liệu XMP có thuộc tính ${labelOf(key)} lặp lại`);
    properties.set(key, value);
  };
  for (const description of rdf.children) {
    if (typeof description === 'string') {
      if (description.trim() !== '') throw new XmpError('siêu dữ liệu XMP có văn bản lạ trong rdf:RDF');
      continue;
    }
    if (description.uri !== RDF || description.local !== 'Description') throw new XmpError('siêu dữ liệu XMP có phần tử lạ trong rdf:RDF');
    // Simple properties may be written as attributes of rdf:Description (the compact form).
    for (const a of description.attributes) {
      if (isDeclaration(a) || a.uri === RDF || a.uri === XML) continue;
      add(`${a.uri}${a.local}`, `[]${collapse(a.value)}`);
    }
    for (const property of description.children) {
      if (typeof property === 'string') continue;
      add(`${property.uri}${property.local}`, canonical(property, false));
    }
  }
  return properties;
}

/** The XMP an agent derives from /Info when the served file has none (iText's XmpMetaInfoConverter). */
export function xmpFromInfo(info: { title?: string; author?: string; subject?: string; keywords?: string; creationDate?: Date }): Map<string, string> {
  const properties = new Map<string, string>();
  const li = (text: string, lang?: string) => `<${RDF}|li${lang ? ` ${XML}|lang=${lang}` : ''}>${collapse(text)}</>`;
  if (info.title) properties.set(`${XMP_NS.dc}title`, `[]<${RDF}|Alt>${li(info.title, 'x-default')}</>`);
  if (info.subject) properties.set(`${XMP_NS.dc}description`, `[]<${RDF}|Alt>${li(info.subject, 'x-default')}</>`);
  if (info.author) properties.set(`${XMP_NS.dc}creator`, `[]<${RDF}|Seq>${li(info.author)}</>`);
  if (info.keywords) properties.set(`${XMP_NS.pdf}Keywords`, `[]${collapse(info.keywords)}`);
  if (info.creationDate) properties.set(`${XMP_NS.xmp}CreateDate`, `[]${info.creationDate.toISOString()}`);
  return properties;
}

function labelOf(key: string): string {
  for (const [prefix, uri] of Object.entries(XMP_NS)) if (key.startsWith(uri) && !key.slice(uri.length).includes('/')) return `${prefix}:${key.slice(uri.length)}`;
  return key;
}

const sameInstant = (a: string, b: string) => {
  const [x, y] = [Date.parse(a.replace(/^\[\]/, '')), Date.parse(b.replace(/^\[\]/, ''))];
  return !Number.isNaN(x) && x === y;
};

/**
 * The properties that differ between the served XMP (or the /Info baseline) and the uploaded one, beyond what a
 * signer's tool may change; empty when the upload only restamps dates, producer and IDs.
 */
export function xmpChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (MAY_CHANGE.has(key)) continue;
    const [b, a] = [before.get(key), after.get(key)];
    if (b === a) continue;
    // The creation date may be written in another notation, or left out (a reader then shows none): not a change of content.
    if (b !== undefined && DATES.has(key) && (a === undefined || sameInstant(b, a))) continue;
    if (b === undefined && key === `${XMP_NS.dc}format` && a === '[]application/pdf') continue;
    changed.push(labelOf(key));
  }
  return changed;
}
