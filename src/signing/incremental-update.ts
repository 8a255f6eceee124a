// What a local signing agent (USB token) may send back: the file we served, byte for byte, plus ONE incremental
// update that adds one signature and nothing else. Pure functions over the two files (no I/O): the service decides
// what to do with a refusal. Two steps, so the caller can check the CMS in between:
//   locateNewSignature   the served bytes are a prefix; exactly one new /ByteRange, covering the whole file but its
//                        own /Contents (hence the whole served revision);
//   checkIncrement       the update's layout (objects, one classic xref section, a trailer chained to ours) and
//                        every object it defines: only what a signature adds (see ALLOWED below) may change.
// Objects are read with pdf-lib (both revisions); the increment's layout is checked by hand because a reader follows
// the xref table, not the order of the bytes: an object defined twice, or an xref entry pointing elsewhere, could
// show a viewer something the object comparison never saw.
import {
  PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFParser, PDFRawStream, PDFRef, PDFString, type PDFContext, type PDFObject,
} from 'pdf-lib';
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
  /** Object number → generation, each defined exactly once in the update and listed at its offset in its xref. */
  objects: Map<number, number>;
  root: string | null;
  info: string | null;
  prev: number | null;
}

const extra = (reason: string) => new IncrementRefusal('SIGNED_FILE_EXTRA_CHANGES', reason);
const unreadable = (reason: string) => new IncrementRefusal('SIGNED_FILE_UNREADABLE', reason);

/** The offset in the last `startxref` of a file (ours end with it). */
function lastStartXref(pdf: Buffer): number | null {
  const tail = pdf.toString('latin1', Math.max(0, pdf.length - 1024));
  const matches = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const last = matches.at(-1);
  return last?.[1] ? Number(last[1]) : null;
}

/**
 * Reads the update as whitespace, then objects one after another ("n g obj … endobj", a stream skipped to its
 * "endstream"), then one classic xref section, one trailer, startxref and %%EOF — nothing else, no comment, no
 * second revision. Every in-use xref entry must point at the object of that number defined here.
 */
function readLayout(uploaded: Buffer, start: number): IncrementLayout {
  const text = uploaded.toString('latin1', start);
  const absolute = (i: number) => start + i;
  const objects = new Map<number, number>();
  const offsets = new Map<number, number>();
  const header = /(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+obj\b/y;
  const space = /[ \t\r\n\f\0]*/y;
  const skipSpace = (at: number) => { space.lastIndex = at; space.exec(text); return space.lastIndex; };
  let at = skipSpace(0);
  while (!text.startsWith('xref', at)) {
    header.lastIndex = at;
    const m = header.exec(text);
    if (!m) {
      if (/^\d+\s+\d+\s+obj/.test(text.slice(at, at + 40)) || text.startsWith('trailer', at)) throw unreadable('Phần cập nhật của tệp ký có cấu trúc không đọc được.');
      throw unreadable('Phần cập nhật của tệp ký không dùng bảng tham chiếu chéo (xref) thông thường hoặc có dữ liệu lạ ngoài các đối tượng.');
    }
    const number = Number(m[1]);
    if (objects.has(number)) throw extra(`Đối tượng ${number} được định nghĩa hai lần trong phần cập nhật.`);
    objects.set(number, Number(m[2]));
    offsets.set(number, absolute(at));
    let end = header.lastIndex;
    const streamAt = text.indexOf('stream', end);
    const endobjAt = text.indexOf('endobj', end);
    if (endobjAt < 0) throw unreadable(`Đối tượng ${number} không kết thúc (thiếu endobj).`);
    if (streamAt >= 0 && streamAt < endobjAt) {
      const endstream = text.indexOf('endstream', streamAt + 6);
      if (endstream < 0) throw unreadable(`Luồng dữ liệu của đối tượng ${number} không kết thúc.`);
      end = endstream + 'endstream'.length;
      const close = skipSpace(end);
      if (!text.startsWith('endobj', close)) throw unreadable(`Đối tượng ${number} không kết thúc sau luồng dữ liệu.`);
      at = skipSpace(close + 'endobj'.length);
    } else {
      at = skipSpace(endobjAt + 'endobj'.length);
    }
    if (at >= text.length) throw unreadable('Phần cập nhật của tệp ký thiếu bảng tham chiếu chéo (xref).');
  }
  const xrefAt = at;
  // The xref section: subsections "first count" and 20-byte entries, up to the trailer.
  const section = /(\d+)[ \t]+(\d+)[ \t]*\r?\n/y;
  const entry = /(\d{10})[ \t](\d{5})[ \t]([nf])[ \t]*\r?\n?/y;
  at = skipSpace(xrefAt + 4);
  const inUse = new Map<number, { offset: number; generation: number }>();
  while (!text.startsWith('trailer', at)) {
    section.lastIndex = at;
    const s = section.exec(text);
    if (!s) throw unreadable('Bảng tham chiếu chéo (xref) của phần cập nhật không đọc được.');
    const first = Number(s[1]);
    const count = Number(s[2]);
    if (count > 100_000) throw unreadable('Bảng tham chiếu chéo (xref) quá lớn.');
    at = section.lastIndex;
    for (let i = 0; i < count; i++) {
      entry.lastIndex = at;
      const e = entry.exec(text);
      if (!e) throw unreadable('Bảng tham chiếu chéo (xref) của phần cập nhật không đọc được.');
      at = entry.lastIndex;
      const number = first + i;
      if (e[3] === 'f') {
        // Only the head of the free list (object 0) may be written again; freeing an object removes it from the file.
        if (number !== 0) throw extra(`Phần cập nhật xóa đối tượng ${number} khỏi tệp.`);
        continue;
      }
      if (inUse.has(number)) throw extra(`Đối tượng ${number} có hai mục trong bảng tham chiếu chéo.`);
      inUse.set(number, { offset: Number(e[1]), generation: Number(e[2]) });
    }
    at = skipSpace(at);
  }
  const trailerEnd = text.indexOf('startxref', at);
  if (trailerEnd < 0) throw unreadable('Phần cập nhật của tệp ký thiếu startxref.');
  const trailer = text.slice(at + 'trailer'.length, trailerEnd);
  const tail = /^startxref[ \t\r\n]+(\d+)[ \t\r\n]+%%EOF[ \t\r\n]*$/.exec(text.slice(trailerEnd));
  if (!tail?.[1]) throw unreadable('Phần cập nhật phải kết thúc bằng startxref và %%EOF (chỉ một lần cập nhật).');
  // Tolerated: the offset of the whitespace just before "xref" (what @signpdf/placeholder-plain writes).
  const startxref = Number(tail[1]) - start;
  if (startxref < 0 || startxref > xrefAt || text.slice(startxref, xrefAt).trim() !== '') {
    throw unreadable('startxref của phần cập nhật không trỏ tới bảng tham chiếu chéo của nó.');
  }
  if (/\/(Encrypt|XRefStm)\b/.test(trailer)) throw extra('Phần cập nhật thêm mã hóa hoặc bảng tham chiếu ẩn (XRefStm).');
  if (inUse.size !== objects.size) throw extra('Bảng tham chiếu chéo của phần cập nhật không khớp các đối tượng trong đó.');
  for (const [number, { offset, generation }] of inUse) {
    if (offsets.get(number) !== offset || objects.get(number) !== generation) {
      throw extra(`Mục của đối tượng ${number} trong bảng tham chiếu chéo không trỏ tới đối tượng được thêm.`);
    }
  }
  const ref = (key: string) => new RegExp(`/${key}[ \\t\\r\\n]+(\\d+[ \\t\\r\\n]+\\d+[ \\t\\r\\n]+R)`).exec(trailer)?.[1]?.replace(/\s+/g, ' ') ?? null;
  const prev = /\/Prev[ \t\r\n]+(\d+)/.exec(trailer)?.[1];
  return { objects, root: ref('Root'), info: ref('Info'), prev: prev ? Number(prev) : null };
}

// --- comparing the two revisions ------------------------------------------------------------------------------

async function parse(pdf: Buffer): Promise<PDFContext> {
  try {
    return await PDFParser.forBytesWithOptions(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length), Number.POSITIVE_INFINITY, false, true).parseDocument();
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

/** Width × height of a rectangle array, 0 when it is not one. */
function area(value: PDFObject | undefined): number {
  if (!(value instanceof PDFArray) || value.size() !== 4) return 0;
  const [x1, y1, x2, y2] = value.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : 0));
  return Math.abs((x2! - x1!) * (y2! - y1!));
}

/** A visible signature is a stamp, not a page: its appearance is confined to its /Rect, kept to a quarter page. */
const MAX_WIDGET_SHARE = 0.25;
const A4_AREA = 595.28 * 841.89;

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
const PAGE_KEYS = new Set(['/Annots']);
/** Document information: signers stamp their name and the time of the change (iText does); nothing else. */
const INFO_KEYS = new Set(['/ModDate', '/Producer']);
/** What a rewritten XMP stream's dictionary may hold besides the served one's unchanged entries. */
const METADATA_STREAM_KEYS = new Set(['/Type', '/Subtype', '/Length', '/Filter']);
/** Keys never followed when looking for what a new object belongs to: they point back into the page tree. */
const BACK_LINKS = new Set(['/P', '/Parent']);

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
export async function checkIncrement(served: Buffer, uploaded: Buffer, signature: NewSignature): Promise<void> {
  const layout = readLayout(uploaded, served.length);
  const priorXref = lastStartXref(served);
  if (layout.prev === null || layout.prev !== priorXref) throw extra('Phần cập nhật không nối tiếp văn bản đã tải về (/Prev trong trailer sai).');
  const [prior, whole] = await Promise.all([parse(served), parse(uploaded)]);
  const catalogRef = prior.trailerInfo.Root;
  if (!(catalogRef instanceof PDFRef) || layout.root !== catalogRef.toString()) throw extra('Phần cập nhật thay đổi gốc tài liệu (/Root).');

  const defined = [...layout.objects].map(([number, generation]) => PDFRef.of(number, generation));
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

  // The field whose value is that signature, and its widget (the same dictionary, or its one kid).
  const fields = changed.filter((ref) => {
    const dict = dictOf(whole.lookup(ref));
    const value = dict?.get(PDFName.of('V'));
    return value instanceof PDFRef && value.toString() === signatureRef.toString();
  });
  if (fields.length !== 1) throw extra('Phần cập nhật phải có đúng một trường chữ ký trỏ tới chữ ký mới.');
  const fieldRef = fields[0]!;
  const field = dictOf(whole.lookup(fieldRef))!;
  const fieldType = nameOf(field, 'FT') ?? nameOf(dictOf(resolve(whole, field.get(PDFName.of('Parent')))), 'FT');
  if (fieldType !== 'Sig') throw extra('Trường trỏ tới chữ ký mới không phải trường chữ ký (/FT /Sig).');
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

  // The field: new, or an existing empty signature field being filled.
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
    const mediaBox = area(resolve(whole, dictOf(whole.lookup(ref))?.get(PDFName.of('MediaBox')))) || A4_AREA;
    if (area(resolve(whole, dictOf(whole.lookup(widgetRef))?.get(PDFName.of('Rect')))) > MAX_WIDGET_SHARE * mediaBox) {
      throw extra('Ô hiển thị chữ ký chiếm quá một phần tư trang: chữ ký không được che nội dung văn bản.');
    }
    if (annotsValue instanceof PDFRef) {
      if (isNew(annotsValue)) roots.push(annotsValue.toString());
      else explained.set(annotsValue.toString(), '/Annots');
    }
  }
  const alreadyShown = [...prior.enumerateIndirectObjects()].some(([, value]) =>
    nameOf(dictOf(value), 'Type') === 'Page' && refsOf(prior, dictOf(value)!.get(PDFName.of('Annots'))).includes(widget));
  if (gained + (alreadyShown ? 1 : 0) !== 1) throw extra('Ô chữ ký mới phải nằm trên đúng một trang.');

  // Document information: only the time of the change and the producer.
  const priorInfoRef = prior.trailerInfo.Info;
  const priorInfo = dictOf(resolve(prior, priorInfoRef));
  if (layout.info !== null && layout.info !== priorInfoRef?.toString()) {
    const infoRef = whole.lookup(PDFRef.of(Number(layout.info.split(' ')[0]), Number(layout.info.split(' ')[1])));
    const keys = changedKeys(priorInfo, dictOf(infoRef) ?? PDFDict.withContext(whole)).filter((k) => !INFO_KEYS.has(k));
    if (keys.length > 0) throw extra(`Phần cập nhật sửa thông tin tài liệu (Info): ${keys.join(', ')}.`);
    roots.push(layout.info);
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
