// What a local signing agent (USB token) may send back: the file we served, byte for byte, plus ONE incremental
// update that adds one signature and nothing else. Pure functions over the two files (no I/O): the service decides
// what to do with a refusal. Two steps, so the caller can check the CMS in between:
//   locateNewSignature   the served bytes are a prefix; exactly one new /ByteRange, covering the whole file but its
//                        own /Contents (hence the whole served revision);
//   checkIncrement       the update's layout (objects, one classic xref section, a trailer chained to ours) and
//                        every object it defines: only what a signature adds (see ALLOWED below) may change.
// The served revision is read with pdf-lib's document parser; the update object by object with its object parser
// (pdf-objects.ts), each at the offset its xref entry gives, the objects tiling the update with nothing between or
// inside one another — a viewer follows the xref table, so what the comparison sees must be exactly what the xref
// points at: an object defined twice, an xref entry pointing into a stream's data, a stream longer than its
// /Length, a new generation of an old object, are refused before anything is compared.
import {
  PDFArray, PDFContext, PDFDict, PDFHexString, PDFName, PDFNumber, PDFParser, PDFRawStream, PDFRef, PDFString, type PDFObject,
} from 'pdf-lib';
import { ObjectReader, readObjectAt, readXrefSection, skipSpace, type IndirectObject, type XrefSection } from './pdf-objects.js';
import { findSignatures, TooManySignaturesError } from './verify-pdf.js';
import { readXmp, xmpChanges, XmpError, xmpFromInfo, xmpStreamBytes } from './xmp-metadata.js';

export type IncrementRefusalCode =
  | 'SIGNED_FILE_MODIFIED'
  | 'SIGNATURE_COUNT_INVALID'
  | 'SIGNATURE_COVERAGE_INVALID'
  | 'SIGNED_FILE_EXTRA_CHANGES'
  | 'SIGNED_FILE_UNREADABLE';

/** Why an upload is refused: a stable code and a Vietnamese sentence naming what was found. */
export class IncrementRefusal extends Error {
  constructor(readonly code: IncrementRefusalCode, readonly reason: string) {
    super(reason);
    this.name = 'IncrementRefusal';
  }
}

export interface NewSignature {
  byteRange: [number, number, number, number];
  /** The DER CMS, zero padding trimmed by the caller (verify-pdf). */
  contents: Buffer;
}

/**
 * Step one: `uploaded` starts with exactly `served`, and the bytes after it hold exactly one new signature whose
 * /ByteRange covers everything but its own /Contents hole, which lies inside the update.
 */
export function locateNewSignature(served: Buffer, uploaded: Buffer): NewSignature {
  if (uploaded.length <= served.length || !uploaded.subarray(0, served.length).equals(served)) {
    throw new IncrementRefusal('SIGNED_FILE_MODIFIED', 'Tệp ký gửi lên không giữ nguyên từng byte của văn bản đã tải về (nội dung đã bị sửa hoặc tệp không phải bản đã ký của văn bản này).');
  }
  let before: ReturnType<typeof findSignatures>;
  let after: ReturnType<typeof findSignatures>;
  try {
    before = findSignatures(served);
    after = findSignatures(uploaded);
  } catch (error) {
    if (error instanceof TooManySignaturesError) throw new IncrementRefusal('SIGNATURE_COUNT_INVALID', 'Tệp ký có quá nhiều chữ ký.');
    throw error;
  }
  if (after.length !== before.length + 1) {
    throw new IncrementRefusal('SIGNATURE_COUNT_INVALID', `Tệp ký phải thêm đúng một chữ ký số; tệp gửi lên thêm ${Math.max(0, after.length - before.length)} chữ ký.`);
  }
  const signature = after.at(-1)!;
  const [start1, length1, start2, length2] = signature.byteRange;
  const holeHex = uploaded.toString('latin1', length1 + 1, Math.max(length1 + 1, start2 - 1));
  const covers = start1 === 0 && length1 > served.length && start2 > length1 + 1 && start2 + length2 === uploaded.length
    && uploaded[length1] === 0x3c /* < */ && uploaded[start2 - 1] === 0x3e /* > */ && /^[0-9a-fA-F]*$/.test(holeHex);
  if (!covers) {
    throw new IncrementRefusal('SIGNATURE_COVERAGE_INVALID', 'Chữ ký mới không bao trùm toàn bộ tệp (trừ phần chứa chữ ký) hoặc không bao trùm toàn bộ văn bản đã tải về.');
  }
  if (signature.contents.length === 0) throw new IncrementRefusal('SIGNATURE_COVERAGE_INVALID', 'Chữ ký mới không có dữ liệu chữ ký (CMS).');
  return { byteRange: signature.byteRange, contents: signature.contents };
}

// --- the update's layout -------------------------------------------------------------------------------------

interface IncrementLayout {
  /** Object number → the object the update defines, read with pdf-lib's parser at the offset its xref entry gives. */
  objects: Map<number, IndirectObject>;
  trailer: PDFDict;
}

const extra = (reason: string) => new IncrementRefusal('SIGNED_FILE_EXTRA_CHANGES', reason);
const unreadable = (reason: string) => new IncrementRefusal('SIGNED_FILE_UNREADABLE', reason);

/** Objects one update may define: a signature adds a handful (dictionary, field, appearance, fonts, images). */
const MAX_UPDATE_OBJECTS = 10_000;
/** Numbers an update may leave unused above the objects it defines (writers reserve some), in /Size and new objects. */
const NUMBERING_SLACK = 64;
/** Trailer keys a signing update writes; /Encrypt, /XRefStm and anything else would change how the file is read. */
const TRAILER_KEYS = new Set(['/Size', '/Root', '/Prev', '/Info', '/ID']);

/** The offset in the last `startxref` of a file (ours end with it). */
function lastStartXref(pdf: Buffer): number | null {
  const tail = pdf.toString('latin1', Math.max(0, pdf.length - 1024));
  const matches = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const last = matches.at(-1);
  return last?.[1] ? Number(last[1]) : null;
}

/**
 * Reads the update as whitespace, then objects one after another, then one classic xref section, one trailer,
 * startxref and %%EOF — nothing else, no comment, no second revision. Each object is parsed with pdf-lib's object
 * parser (strings, streams by /Length), and the next one must start where it ended, after whitespace only: the
 * objects tile the update, none overlaps another or hides in a stream's data. The xref section must list exactly
 * these objects at exactly their offsets, so what a viewer reads through the xref is what is compared. Linear in
 * the size of the update.
 */
function readLayout(uploaded: Buffer, start: number, context: PDFContext): IncrementLayout {
  const text = uploaded.toString('latin1');
  const reader = ObjectReader.over(new Uint8Array(uploaded.buffer, uploaded.byteOffset, uploaded.length), context, { refuseDuplicateKeys: true });
  const objects = new Map<number, IndirectObject>();
  let at = skipSpace(text, start);
  let lastEnd = start;
  while (!text.startsWith('xref', at)) {
    if (at >= text.length) throw unreadable('Phần cập nhật của tệp ký thiếu bảng tham chiếu chéo (xref).');
    if (!/^\d/.test(text[at]!)) {
      throw unreadable('Phần cập nhật của tệp ký không dùng bảng tham chiếu chéo (xref) thông thường hoặc có dữ liệu lạ ngoài các đối tượng.');
    }
    if (objects.size >= MAX_UPDATE_OBJECTS) throw extra(`Phần cập nhật có quá nhiều đối tượng (hơn ${MAX_UPDATE_OBJECTS}).`);
    let object: IndirectObject;
    try {
      object = readObjectAt(text, reader, at);
    } catch {
      throw unreadable(`Phần cập nhật của tệp ký có cấu trúc không đọc được (đối tượng tại vị trí ${at}).`);
    }
    if (objects.has(object.number)) throw extra(`Đối tượng ${object.number} được định nghĩa hai lần trong phần cập nhật.`);
    objects.set(object.number, object);
    lastEnd = object.end;
    at = skipSpace(text, object.end);
  }
  let section: XrefSection;
  try {
    section = readXrefSection(text, reader, at, MAX_UPDATE_OBJECTS + 1);
  } catch {
    throw unreadable('Bảng tham chiếu chéo (xref) hoặc trailer của phần cập nhật không đọc được.');
  }
  const tail = /^[ \t\r\n]*startxref[ \t\r\n]+(\d{1,15})[ \t\r\n]+%%EOF[ \t\r\n]*$/.exec(text.slice(section.end));
  if (!tail?.[1]) throw unreadable('Phần cập nhật phải kết thúc bằng startxref và %%EOF (chỉ một lần cập nhật).');
  // Tolerated: the offset of the whitespace just before "xref" (what @signpdf/placeholder-plain writes).
  const startxref = Number(tail[1]);
  if (startxref < lastEnd || startxref > at || skipSpace(text, startxref) !== at) {
    throw unreadable('startxref của phần cập nhật không trỏ tới bảng tham chiếu chéo của nó.');
  }
  // Only the head of the free list (object 0) may be written again; freeing an object removes it from the file.
  const freed = section.freed.find((n) => n !== 0);
  if (freed !== undefined) throw extra(`Phần cập nhật xóa đối tượng ${freed} khỏi tệp.`);
  for (const [number, { offset, generation }] of section.entries) {
    const object = objects.get(number);
    if (!object || object.offset !== offset || object.generation !== generation) {
      throw extra(`Mục của đối tượng ${number} trong bảng tham chiếu chéo không trỏ tới đối tượng được thêm.`);
    }
  }
  if (section.entries.size !== objects.size) throw extra('Bảng tham chiếu chéo của phần cập nhật không khớp các đối tượng trong đó.');
  const strange = section.trailer.keys().map((k) => k.asString()).filter((k) => !TRAILER_KEYS.has(k));
  if (strange.length > 0) throw extra(`Trailer của phần cập nhật có mục lạ: ${strange.join(', ')} (mã hóa, bảng tham chiếu ẩn…).`);
  return { objects, trailer: section.trailer };
}

/**
 * A stream's data is what its /Length says (pdf-lib falls back to searching for "endstream" when /Length is not a
 * number or does not end there; a viewer trusts /Length): both must agree.
 */
function checkStreamLengths(layout: IncrementLayout, lookup: (ref: PDFRef) => PDFObject | undefined): void {
  for (const object of layout.objects.values()) {
    if (!(object.value instanceof PDFRawStream)) continue;
    const declared = object.value.dict.get(PDFName.of('Length'));
    const length = declared instanceof PDFRef ? lookup(declared) : declared;
    if (!(length instanceof PDFNumber) || length.asNumber() !== object.value.contents.length) {
      throw unreadable(`Độ dài (/Length) luồng dữ liệu của đối tượng ${object.number} không khớp dữ liệu của nó.`);
    }
  }
}

/**
 * Object numbers: an object the served file has keeps its generation (a new generation would silently drop every
 * reference to the old one: a page's content gone), a new object is generation 0 and numbered just past the served
 * ones, and /Size is what the update needs, within a small slack — so the seal that follows numbers its objects
 * sensibly, and no reader ignores an object numbered past /Size.
 */
function checkNumbering(layout: IncrementLayout, priorGenerations: Map<number, number>, priorSize: number): void {
  const ceiling = priorSize + layout.objects.size + NUMBERING_SLACK;
  let highest = 0;
  for (const { number, generation } of layout.objects.values()) {
    const before = priorGenerations.get(number);
    if (number === 0) throw extra('Phần cập nhật định nghĩa đối tượng số 0.');
    if (before !== undefined && before !== generation) throw extra(`Phần cập nhật thay đối tượng ${number} bằng một thế hệ (generation) khác.`);
    if (before === undefined && (generation !== 0 || number >= ceiling)) throw extra(`Đối tượng mới ${number} ${generation} được đánh số bất thường.`);
    highest = Math.max(highest, number);
  }
  const needed = Math.max(priorSize, highest + 1);
  const size = layout.trailer.get(PDFName.of('Size'));
  if (!(size instanceof PDFNumber) || !Number.isInteger(size.asNumber()) || size.asNumber() < needed || size.asNumber() > needed + NUMBERING_SLACK) {
    throw extra(`/Size trong trailer của phần cập nhật không hợp lệ (cần ${needed}, tệp ghi ${size?.toString() ?? 'không có'}).`);
  }
}

// --- comparing the two revisions ------------------------------------------------------------------------------

/** The served file (ours, or ours plus checked updates), read in order by pdf-lib; an invalid object throws, never warns. */
async function parse(pdf: Buffer): Promise<PDFContext> {
  try {
    return await PDFParser.forBytesWithOptions(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length), Number.POSITIVE_INFINITY, true, false).parseDocument();
  } catch {
    throw unreadable('Không đọc được cấu trúc PDF của tệp ký.');
  }
}

function serialise(value: PDFObject | undefined): string {
  if (value === undefined) return '';
  if (value instanceof PDFRawStream) return `${value.dict.toString()}\0${Buffer.from(value.contents).toString('latin1')}`;
  return value.toString();
}

const same = (a: PDFObject | undefined, b: PDFObject | undefined) => serialise(a) === serialise(b);

/** The keys whose value differs (added, removed or changed) between two dictionaries. */
function changedKeys(before: PDFDict | undefined, after: PDFDict): string[] {
  const keys = new Map<string, PDFName>([...after.keys(), ...(before?.keys() ?? [])].map((k) => [k.asString(), k]));
  return [...keys].filter(([, name]) => !same(before?.get(name), after.get(name))).map(([key]) => key);
}

/** A visible signature is a stamp, not a page: its appearance is confined to its /Rect, kept to a quarter page. */
const MAX_WIDGET_SHARE = 0.25;

const dictOf = (value: PDFObject | undefined): PDFDict | undefined =>
  value instanceof PDFRawStream ? value.dict : value instanceof PDFDict ? value : undefined;

function resolve(context: PDFContext, value: PDFObject | undefined): PDFObject | undefined {
  return value instanceof PDFRef ? context.lookup(value) : value;
}

function refsOf(context: PDFContext, value: PDFObject | undefined): string[] {
  const array = resolve(context, value);
  if (!(array instanceof PDFArray)) return [];
  return array.asArray().map((item) => (item instanceof PDFRef ? item.toString() : `direct:${serialise(item)}`));
}

const nameOf = (dict: PDFDict | undefined, key: string): string | undefined => {
  const value = dict?.get(PDFName.of(key));
  return value instanceof PDFName ? value.decodeText() : undefined;
};

/** `after` is `before` with `added` appended (or `before` itself when it already holds it). */
function appendsOnly(before: string[], after: string[], added: string): boolean {
  const expected = before.includes(added) ? before : [...before, added];
  return expected.length === after.length && expected.every((item, i) => item === after[i]);
}

// What the update may change in an object that existed before, by the role the object plays.
const CATALOG_KEYS = new Set(['/AcroForm']);
const ACROFORM_KEYS = new Set(['/Fields', '/SigFlags', '/DR', '/DA']);
/** Filling an empty signature field that was already in the document. */
const EMPTY_FIELD_KEYS = new Set(['/V', '/AP', '/F', '/MK', '/DA']);
/**
 * Everything the signature's field and widget may hold, new or filled: what a signature field is (name, value,
 * flags, place, appearance, border) — no action (/A, /AA), no parent or further kids, no optional content, no
 * structure or lock dictionaries. One dictionary when the widget is merged into the field (what we and most agents
 * write); otherwise the field and its one kid.
 */
const FIELD_WIDGET_KEYS = new Set(['/Type', '/Subtype', '/FT', '/T', '/TU', '/V', '/Ff', '/F', '/P', '/Rect', '/AP', '/MK', '/DA', '/BS', '/Border', '/H', '/M', '/NM']);
const FIELD_KEYS = new Set(['/FT', '/T', '/TU', '/V', '/Ff', '/Kids', '/DA']);
const WIDGET_KEYS = new Set(['/Type', '/Subtype', '/Parent', '/F', '/P', '/Rect', '/AP', '/MK', '/DA', '/BS', '/Border', '/H', '/M', '/NM']);
const APPEARANCE_KEYS = new Set(['/N', '/D', '/R']);
const PAGE_KEYS = new Set(['/Annots']);
/** Document information: signers stamp their name and the time of the change (iText does); nothing else. */
const INFO_KEYS = new Set(['/ModDate', '/Producer']);
/** What a rewritten XMP stream's dictionary may hold besides the served one's unchanged entries. */
const METADATA_STREAM_KEYS = new Set(['/Type', '/Subtype', '/Length', '/Filter']);
/** Keys never followed when looking for what a new object belongs to: they point back into the page tree. */
const BACK_LINKS = new Set(['/P', '/Parent']);

function checkFieldKeys(context: PDFContext, field: PDFDict, fieldRef: PDFRef, widget: PDFDict | undefined): void {
  const strange = (dict: PDFDict, allowed: Set<string>) => dict.keys().map((k) => k.asString()).filter((k) => !allowed.has(k));
  const fieldStrange = strange(field, widget ? FIELD_KEYS : FIELD_WIDGET_KEYS);
  if (fieldStrange.length > 0) throw extra(`Trường chữ ký có mục không được phép: ${fieldStrange.join(', ')}.`);
  if (widget) {
    const widgetStrange = strange(widget, WIDGET_KEYS);
    if (widgetStrange.length > 0) throw extra(`Ô hiển thị chữ ký có mục không được phép: ${widgetStrange.join(', ')}.`);
    if (widget.get(PDFName.of('Parent'))?.toString() !== fieldRef.toString()) throw extra('Ô hiển thị chữ ký không thuộc trường chữ ký (/Parent).');
  }
  const appearance = dictOf(resolve(context, (widget ?? field).get(PDFName.of('AP'))));
  if ((widget ?? field).has(PDFName.of('AP')) && !appearance) throw extra('Hình hiển thị (/AP) của chữ ký không phải từ điển.');
  const appearanceStrange = appearance ? strange(appearance, APPEARANCE_KEYS) : [];
  if (appearanceStrange.length > 0) throw extra(`Hình hiển thị (/AP) của chữ ký có mục không được phép: ${appearanceStrange.join(', ')}.`);
}

/** The served form's fields by their full name ("parent.kid"), depth-bounded. */
function fieldsByName(context: PDFContext, acroForm: PDFDict | undefined): Map<string, PDFRef> {
  const names = new Map<string, PDFRef>();
  const visit = (value: PDFObject | undefined, prefix: string, depth: number): void => {
    const dict = dictOf(resolve(context, value));
    if (!(value instanceof PDFRef) || !dict || depth > 8) return;
    const partial = decodeText(resolve(context, dict.get(PDFName.of('T'))));
    const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
    if (name) names.set(name, value);
    const kids = resolve(context, dict.get(PDFName.of('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, name, depth + 1);
  };
  const fields = resolve(context, acroForm?.get(PDFName.of('Fields')));
  if (fields instanceof PDFArray) for (const field of fields.asArray()) visit(field, '', 0);
  return names;
}

const decodeText = (value: PDFObject | undefined): string | undefined =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;

/** [x1, y1, x2, y2] normalised, or undefined when `value` is not four numbers. */
function rectOf(value: PDFObject | undefined): [number, number, number, number] | undefined {
  if (!(value instanceof PDFArray) || value.size() !== 4) return undefined;
  const n = value.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN));
  if (n.some((v) => !Number.isFinite(v))) return undefined;
  return [Math.min(n[0]!, n[2]!), Math.min(n[1]!, n[3]!), Math.max(n[0]!, n[2]!), Math.max(n[1]!, n[3]!)];
}

/** The page's /MediaBox, inherited from the page tree when the page has none. */
function mediaBoxOf(context: PDFContext, page: PDFDict | undefined): [number, number, number, number] | undefined {
  let node = page;
  for (let depth = 0; node && depth < 32; depth++) {
    const box = rectOf(resolve(context, node.get(PDFName.of('MediaBox'))));
    if (box) return box;
    node = dictOf(resolve(context, node.get(PDFName.of('Parent'))));
  }
  return undefined;
}

function typeLabel(value: PDFObject | undefined): string {
  const dict = dictOf(value);
  const type = nameOf(dict, 'Type') ?? nameOf(dict, 'Subtype') ?? nameOf(dict, 'FT');
  return type ? ` (${type})` : '';
}

function infoText(context: PDFContext, info: PDFDict | undefined, key: string): string | undefined {
  const value = resolve(context, info?.get(PDFName.of(key)));
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

function infoDate(context: PDFContext, info: PDFDict | undefined, key: string): Date | undefined {
  const value = resolve(context, info?.get(PDFName.of(key)));
  try {
    return value instanceof PDFString || value instanceof PDFHexString ? value.decodeDate() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A new or rewritten XMP packet (the catalog's /Metadata): a /Type /Metadata /Subtype /XML stream, bounded, that
 * parses as XML and differs from the served packet — or, when the served file has no readable one, from its /Info —
 * only in what a signer's tool restamps (xmp-metadata.ts). Title, subject, author, keywords stay as issued.
 */
function checkMetadata(prior: PDFContext, whole: PDFContext, priorCatalog: PDFDict, ref: PDFRef, priorInfo: PDFDict | undefined): void {
  const stream = whole.lookup(ref);
  if (!(stream instanceof PDFRawStream)) throw extra(`Siêu dữ liệu (/Metadata, đối tượng ${ref.objectNumber}) trong phần cập nhật không phải luồng dữ liệu XMP.`);
  const dict = stream.dict;
  if (nameOf(dict, 'Type') !== 'Metadata' || nameOf(dict, 'Subtype') !== 'XML') {
    throw extra(`Siêu dữ liệu (/Metadata, đối tượng ${ref.objectNumber}) trong phần cập nhật không phải XMP (/Type /Metadata /Subtype /XML).`);
  }
  const served = resolve(prior, priorCatalog.get(PDFName.of('Metadata')));
  const servedStream = served instanceof PDFRawStream ? served : undefined;
  const strange = [...dict.entries()].map(([key]) => key.asString())
    .filter((key) => !METADATA_STREAM_KEYS.has(key) && !same(servedStream?.dict.get(PDFName.of(key.slice(1))), dict.get(PDFName.of(key.slice(1)))));
  if (strange.length > 0) throw extra(`Luồng siêu dữ liệu XMP trong phần cập nhật có mục lạ: ${strange.join(', ')}.`);
  const filterOf = (d: PDFDict) => {
    const filter = d.get(PDFName.of('Filter'));
    if (filter !== undefined && !(filter instanceof PDFName)) throw new XmpError('siêu dữ liệu XMP dùng nhiều bộ lọc');
    return filter?.decodeText();
  };
  try {
    const after = readXmp(xmpStreamBytes(stream.contents, filterOf(dict)));
    let before: Map<string, string> | undefined;
    if (servedStream) {
      try {
        before = readXmp(xmpStreamBytes(servedStream.contents, filterOf(servedStream.dict)));
      } catch {
        before = undefined; // not readable as issued (pdfkit does not escape "&"): the /Info it was made from stands in
      }
    }
    before ??= xmpFromInfo({
      title: infoText(prior, priorInfo, 'Title'), author: infoText(prior, priorInfo, 'Author'), subject: infoText(prior, priorInfo, 'Subject'),
      keywords: infoText(prior, priorInfo, 'Keywords'), creationDate: infoDate(prior, priorInfo, 'CreationDate'),
    });
    const changes = xmpChanges(before, after);
    if (changes.length > 0) throw extra(`Phần cập nhật sửa siêu dữ liệu XMP của tài liệu: ${changes.join(', ')}.`);
  } catch (error) {
    if (error instanceof XmpError) throw extra(`Phần cập nhật ghi siêu dữ liệu XMP không hợp lệ: ${error.reason}.`);
    throw error;
  }
}

/**
 * Step two: the update's layout and every object it defines. Allowed: a new signature dictionary (the one
 * `signature` found), a new — or an existing empty — signature field and its widget, their appearance XObjects
 * and resources (any new object reachable from them), the AcroForm gaining that field (/SigFlags, /DR, /DA), the
 * page gaining that widget in /Annots, the catalog gaining or pointing to /AcroForm, /ModDate and /Producer
 * in the document information, and the XMP metadata restamped the way iText-based agents do (checkMetadata).
 * Anything else — page contents, a new page, another annotation, a changed title in the XMP, an unexplained
 * object — is refused with the object it concerns.
 */
export async function checkIncrement(served: Buffer, uploaded: Buffer, signature: NewSignature, fieldName: string): Promise<void> {
  // The file as a viewer reads it: the served revision's objects, then the update's as its xref places them.
  const prior = await parse(served);
  const whole = PDFContext.create();
  const priorGenerations = new Map<number, number>();
  for (const [ref, object] of prior.enumerateIndirectObjects()) {
    whole.assign(ref, object);
    priorGenerations.set(ref.objectNumber, ref.generationNumber);
  }
  const layout = readLayout(uploaded, served.length, whole);
  for (const object of layout.objects.values()) whole.assign(PDFRef.of(object.number, object.generation), object.value);
  checkStreamLengths(layout, (ref) => whole.lookup(ref));

  const trailer = layout.trailer;
  const prev = trailer.get(PDFName.of('Prev'));
  if (!(prev instanceof PDFNumber) || prev.asNumber() !== lastStartXref(served)) throw extra('Phần cập nhật không nối tiếp văn bản đã tải về (/Prev trong trailer sai).');
  const catalogRef = prior.trailerInfo.Root;
  if (!(catalogRef instanceof PDFRef) || trailer.get(PDFName.of('Root'))?.toString() !== catalogRef.toString()) throw extra('Phần cập nhật thay đổi gốc tài liệu (/Root).');
  checkNumbering(layout, priorGenerations, prior.largestObjectNumber + 1);

  const defined = [...layout.objects.values()].map((object) => PDFRef.of(object.number, object.generation));
  const isNew = (ref: PDFRef) => prior.lookup(ref) === undefined;
  const changed = defined.filter((ref) => isNew(ref) || !same(prior.lookup(ref), whole.lookup(ref)));
  const changedKeysOf = new Set(changed.map((r) => r.toString()));

  // The signature dictionary: the one new object with /ByteRange, the very range located in step one.
  const signatureDicts = changed.filter((ref) => dictOf(whole.lookup(ref))?.has(PDFName.of('ByteRange')));
  if (signatureDicts.length !== 1 || !isNew(signatureDicts[0]!)) throw extra('Phần cập nhật phải có đúng một từ điển chữ ký mới.');
  const signatureRef = signatureDicts[0]!;
  const signatureDict = dictOf(whole.lookup(signatureRef))!;
  const range = signatureDict.get(PDFName.of('ByteRange'));
  const rangeValues = range instanceof PDFArray ? range.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN)) : [];
  if (rangeValues.join(' ') !== signature.byteRange.join(' ')) throw extra('Từ điển chữ ký không phải chữ ký được tìm thấy trong tệp.');
  const sigType = nameOf(signatureDict, 'Type');
  if (sigType !== undefined && sigType !== 'Sig') throw extra('Từ điển chữ ký có kiểu không hợp lệ.');
  // Its /Contents is the hole /ByteRange leaves out, inside this very object (what a viewer checks is what we did).
  const signatureObject = layout.objects.get(signatureRef.objectNumber)!;
  const [, holeStart, holeEnd] = signature.byteRange;
  const contents = signatureDict.get(PDFName.of('Contents'));
  if (!(contents instanceof PDFHexString) || holeStart < signatureObject.offset || holeEnd > signatureObject.end
    || contents.asString() !== uploaded.toString('latin1', holeStart + 1, holeEnd - 1)) {
    throw extra('Dữ liệu chữ ký (/Contents) của từ điển chữ ký không phải phần được loại khỏi /ByteRange.');
  }

  // The field whose value is that signature, and its widget (the same dictionary, or its one kid).
  const fields = changed.filter((ref) => {
    const dict = dictOf(whole.lookup(ref));
    const value = dict?.get(PDFName.of('V'));
    return value instanceof PDFRef && value.toString() === signatureRef.toString();
  });
  if (fields.length !== 1) throw extra('Phần cập nhật phải có đúng một trường chữ ký trỏ tới chữ ký mới.');
  const fieldRef = fields[0]!;
  const field = dictOf(whole.lookup(fieldRef))!;
  if (nameOf(field, 'FT') !== 'Sig') throw extra('Trường trỏ tới chữ ký mới không phải trường chữ ký (/FT /Sig).');
  let widgetRef = fieldRef;
  if (nameOf(field, 'Subtype') !== 'Widget') {
    const kids = refsOf(whole, field.get(PDFName.of('Kids')));
    const kid = field.get(PDFName.of('Kids')) && resolve(whole, field.get(PDFName.of('Kids')));
    const only = kid instanceof PDFArray && kid.size() === 1 ? kid.get(0) : undefined;
    if (kids.length !== 1 || !(only instanceof PDFRef) || nameOf(dictOf(whole.lookup(only)), 'Subtype') !== 'Widget') {
      throw extra('Trường chữ ký mới phải có đúng một ô hiển thị (widget).');
    }
    widgetRef = only;
  }
  const widget = widgetRef.toString();
  const field$ = fieldRef.toString();
  checkFieldKeys(whole, field, fieldRef, widgetRef === fieldRef ? undefined : dictOf(whole.lookup(widgetRef)));

  // Roles of the objects that existed before.
  const priorCatalog = dictOf(prior.lookup(catalogRef));
  const wholeCatalog = dictOf(whole.lookup(catalogRef));
  if (!priorCatalog || !wholeCatalog) throw unreadable('Không đọc được từ điển gốc (Catalog) của tệp.');
  const priorAcroForm = dictOf(resolve(prior, priorCatalog.get(PDFName.of('AcroForm'))));
  const acroFormValue = wholeCatalog.get(PDFName.of('AcroForm'));
  const wholeAcroForm = dictOf(resolve(whole, acroFormValue));
  if (!wholeAcroForm) throw extra('Tệp ký không có biểu mẫu (AcroForm) chứa trường chữ ký.');
  const explained = new Map<string, string>(); // changed existing object → why it may change
  const roots: string[] = [signatureRef.toString(), field$, widget];

  // The AcroForm: keeps its fields, gains this one.
  const acroKeys = changedKeys(priorAcroForm, wholeAcroForm).filter((k) => !(k === '/Type' && !priorAcroForm));
  const unexpectedAcro = acroKeys.filter((k) => !ACROFORM_KEYS.has(k));
  if (unexpectedAcro.length > 0) throw extra(`Phần cập nhật sửa biểu mẫu (AcroForm): ${unexpectedAcro.join(', ')}.`);
  const priorFields = priorAcroForm ? refsOf(prior, priorAcroForm.get(PDFName.of('Fields'))) : [];
  if (!appendsOnly(priorFields, refsOf(whole, wholeAcroForm.get(PDFName.of('Fields'))), field$)) {
    throw extra('Danh sách trường của biểu mẫu (AcroForm /Fields) thay đổi ngoài việc thêm trường chữ ký.');
  }
  if (acroFormValue instanceof PDFRef) {
    if (isNew(acroFormValue)) roots.push(acroFormValue.toString());
    else explained.set(acroFormValue.toString(), 'AcroForm');
  }
  const fieldsValue = wholeAcroForm.get(PDFName.of('Fields'));
  if (fieldsValue instanceof PDFRef) {
    if (isNew(fieldsValue)) roots.push(fieldsValue.toString());
    else explained.set(fieldsValue.toString(), 'AcroForm /Fields');
  }
  // The catalog: only its /AcroForm, and /Metadata pointing at a new XMP packet (checked with the document information below).
  const catalogChanges = changedKeys(priorCatalog, wholeCatalog);
  const catalogKeys = catalogChanges.filter((k) => !CATALOG_KEYS.has(k) && k !== '/Metadata');
  if (catalogKeys.length > 0) throw extra(`Phần cập nhật sửa từ điển gốc của tài liệu (Catalog): ${catalogKeys.join(', ')}.`);
  explained.set(catalogRef.toString(), 'Catalog');
  const metadataValue = wholeCatalog.get(PDFName.of('Metadata'));
  let metadataRef: PDFRef | undefined;
  if (catalogChanges.includes('/Metadata')) {
    if (!(metadataValue instanceof PDFRef) || !isNew(metadataValue) || !changedKeysOf.has(metadataValue.toString())) {
      throw extra('Phần cập nhật sửa /Metadata của tài liệu mà không thay bằng một luồng XMP mới.');
    }
    metadataRef = metadataValue;
    roots.push(metadataValue.toString());
  } else if (metadataValue instanceof PDFRef && changedKeysOf.has(metadataValue.toString())) {
    metadataRef = metadataValue;
    explained.set(metadataValue.toString(), 'XMP');
    roots.push(metadataValue.toString()); // its /Length may be a new object
  }

  // Which field: the one named for this signer when the served file has it (not the seal's, not another
  // official's); without it, a new field named like no other (two fields of one name share their value).
  const servedFields = fieldsByName(prior, priorAcroForm);
  const expected = servedFields.get(fieldName);
  if (expected) {
    if (expected.toString() !== field$) throw extra(`Chữ ký phải điền vào trường chữ ký "${fieldName}" dành cho người ký; tệp gửi lên dùng trường khác.`);
  } else {
    if (!isNew(fieldRef)) throw extra(`Văn bản không có trường chữ ký "${fieldName}" dành cho người ký: chữ ký phải ở một trường mới, không điền trường có sẵn khác.`);
    const name = decodeText(resolve(whole, field.get(PDFName.of('T'))));
    if (name === undefined || name === '' || servedFields.has(name)) throw extra(`Trường chữ ký mới phải có tên (/T) khác các trường đã có${name ? ` ("${name}")` : ''}.`);
  }

  // The field: new, or an existing empty signature field being filled (its place, /Rect, stays).
  if (!isNew(fieldRef)) {
    const before = dictOf(prior.lookup(fieldRef));
    if (!before || before.has(PDFName.of('V'))) throw extra('Phần cập nhật sửa một trường đã có giá trị.');
    const keys = changedKeys(before, field).filter((k) => !EMPTY_FIELD_KEYS.has(k));
    if (keys.length > 0) throw extra(`Phần cập nhật sửa trường chữ ký có sẵn: ${keys.join(', ')}.`);
    explained.set(field$, 'trường chữ ký');
  }
  if (widget !== field$ && !isNew(widgetRef)) throw extra('Ô hiển thị của chữ ký mới phải là đối tượng mới.');

  // The page: the one page whose /Annots changed, and only by gaining the widget.
  const pages: PDFRef[] = [];
  for (const [ref, value] of prior.enumerateIndirectObjects()) {
    if (nameOf(dictOf(value), 'Type') === 'Page' && changedKeysOf.has(ref.toString())) pages.push(ref);
  }
  for (const pageRef of pages) {
    const before = dictOf(prior.lookup(pageRef))!;
    const after = dictOf(whole.lookup(pageRef));
    if (!after) throw extra(`Trang (đối tượng ${pageRef.objectNumber}) bị thay thế.`);
    const keys = changedKeys(before, after).filter((k) => !PAGE_KEYS.has(k));
    if (keys.length > 0) throw extra(`Phần cập nhật sửa trang (đối tượng ${pageRef.objectNumber}): ${keys.join(', ')}.`);
    explained.set(pageRef.toString(), 'trang');
  }
  // Every page's annotations: the same, but for one page gaining the widget (through its own or a shared array).
  let gained = 0;
  let widgetPage: PDFRef | undefined;
  const widgetDict = dictOf(whole.lookup(widgetRef))!;
  for (const [ref, value] of prior.enumerateIndirectObjects()) {
    if (nameOf(dictOf(value), 'Type') !== 'Page') continue;
    const beforeAnnots = refsOf(prior, dictOf(value)!.get(PDFName.of('Annots')));
    const annotsValue = dictOf(whole.lookup(ref))?.get(PDFName.of('Annots'));
    const afterAnnots = refsOf(whole, annotsValue);
    if (beforeAnnots.join(' ') === afterAnnots.join(' ')) continue;
    if (!appendsOnly(beforeAnnots, afterAnnots, widget) || beforeAnnots.includes(widget)) {
      throw extra(`Phần cập nhật thêm hoặc sửa chú thích (annotation) trên trang (đối tượng ${ref.objectNumber}) ngoài ô chữ ký.`);
    }
    gained++;
    widgetPage = ref;
    // A new widget: a stamp on the page, not over it — inside the page and at most a quarter of it.
    const mediaBox = mediaBoxOf(whole, dictOf(whole.lookup(ref))) ?? [0, 0, 595.28, 841.89];
    const rect = rectOf(resolve(whole, widgetDict.get(PDFName.of('Rect'))));
    if (!rect) throw extra('Ô hiển thị chữ ký không có vị trí (/Rect) hợp lệ.');
    if (rect[0] < mediaBox[0] || rect[1] < mediaBox[1] || rect[2] > mediaBox[2] || rect[3] > mediaBox[3]) {
      throw extra('Ô hiển thị chữ ký nằm ngoài trang.');
    }
    if ((rect[2] - rect[0]) * (rect[3] - rect[1]) > MAX_WIDGET_SHARE * ((mediaBox[2] - mediaBox[0]) * (mediaBox[3] - mediaBox[1]))) {
      throw extra('Ô hiển thị chữ ký chiếm quá một phần tư trang: chữ ký không được che nội dung văn bản.');
    }
    if (annotsValue instanceof PDFRef) {
      if (isNew(annotsValue)) roots.push(annotsValue.toString());
      else explained.set(annotsValue.toString(), '/Annots');
    }
  }
  const shownOn = [...prior.enumerateIndirectObjects()].find(([, value]) =>
    nameOf(dictOf(value), 'Type') === 'Page' && refsOf(prior, dictOf(value)!.get(PDFName.of('Annots'))).includes(widget));
  if (gained + (shownOn ? 1 : 0) !== 1) throw extra('Ô chữ ký mới phải nằm trên đúng một trang.');
  widgetPage ??= shownOn?.[0];
  const pageOfWidget = widgetDict.get(PDFName.of('P'));
  if (pageOfWidget !== undefined && pageOfWidget.toString() !== widgetPage?.toString()) throw extra('Ô hiển thị chữ ký ghi trang (/P) khác trang chứa nó.');

  // Document information: only the time of the change and the producer.
  const priorInfoRef = prior.trailerInfo.Info;
  const priorInfo = dictOf(resolve(prior, priorInfoRef));
  const infoValue = trailer.get(PDFName.of('Info'));
  if (infoValue !== undefined && !(infoValue instanceof PDFRef)) throw extra('Thông tin tài liệu (/Info) trong trailer của phần cập nhật không hợp lệ.');
  if (infoValue !== undefined && infoValue.toString() !== priorInfoRef?.toString()) {
    const keys = changedKeys(priorInfo, dictOf(whole.lookup(infoValue)) ?? PDFDict.withContext(whole)).filter((k) => !INFO_KEYS.has(k));
    if (keys.length > 0) throw extra(`Phần cập nhật sửa thông tin tài liệu (Info): ${keys.join(', ')}.`);
    roots.push(infoValue.toString());
  } else if (priorInfoRef instanceof PDFRef && changedKeysOf.has(priorInfoRef.toString())) {
    const keys = changedKeys(priorInfo, dictOf(whole.lookup(priorInfoRef)) ?? PDFDict.withContext(whole)).filter((k) => !INFO_KEYS.has(k));
    if (keys.length > 0) throw extra(`Phần cập nhật sửa thông tin tài liệu (Info): ${keys.join(', ')}.`);
    explained.set(priorInfoRef.toString(), 'Info');
  }

  if (metadataRef) checkMetadata(prior, whole, priorCatalog, metadataRef, priorInfo);

  // Every other changed object that existed before is a change the signature does not explain.
  for (const ref of changed) {
    if (isNew(ref) || explained.has(ref.toString())) continue;
    throw extra(`Phần cập nhật sửa đối tượng ${ref.objectNumber}${typeLabel(prior.lookup(ref))} của văn bản đã tải về.`);
  }
  // Every new object belongs to the signature: reachable from it, its field and widget (appearance streams and
  // their fonts and images), the new AcroForm or /Annots, or the new document information.
  const reached = new Set<string>();
  const queue = [...roots];
  const follow = (value: PDFObject | undefined): void => {
    if (value === undefined) return;
    if (value instanceof PDFRef) {
      if (isNew(value) && changedKeysOf.has(value.toString()) && !reached.has(value.toString())) queue.push(value.toString());
      return;
    }
    if (value instanceof PDFArray) { for (const item of value.asArray()) follow(item); return; }
    const dict = dictOf(value);
    if (dict) for (const [key, item] of dict.entries()) if (!BACK_LINKS.has(key.asString())) follow(item);
  };
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (reached.has(key)) continue;
    reached.add(key);
    const [number, generation] = key.split(' ').map(Number);
    follow(whole.lookup(PDFRef.of(number!, generation!)));
  }
  for (const ref of changed) {
    if (!isNew(ref)) continue;
    const value = whole.lookup(ref);
    const type = nameOf(dictOf(value), 'Type');
    if (type === 'Page' || type === 'Pages' || type === 'Catalog') throw extra(`Phần cập nhật thêm ${type === 'Page' ? 'trang' : 'cây trang'} mới (đối tượng ${ref.objectNumber}).`);
    if (nameOf(dictOf(value), 'Subtype') === 'Widget' && ref.toString() !== widget) throw extra(`Phần cập nhật thêm ô hiển thị khác (đối tượng ${ref.objectNumber}).`);
    if (!reached.has(ref.toString())) throw extra(`Phần cập nhật thêm đối tượng ${ref.objectNumber}${typeLabel(value)} không thuộc chữ ký.`);
  }
}
