// Incremental updates of a PDF (ISO 32000-1, 7.5.6): read only the objects an update touches from the existing
// file, then append new and changed objects, a classic cross-reference section with /Prev, a trailer and
// startxref, so every earlier byte — and so every earlier signature — stays exactly as it was. pdf-lib parses and
// serialises single objects; the file structure (xref chain, object streams, the appended section) is ours, and
// everything is synchronous so a signature can be prepared without awaiting.
import { deflateSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFArray,
  PDFContext,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFObjectCopier,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
  PDFString,
  PDFXRefStreamParser,
} from 'pdf-lib';

export class PdfStructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdfStructureError';
  }
}

type XrefEntry = { offset: number } | { stream: number; index: number };

const latin1 = (bytes: Uint8Array, start: number, end: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');

/** Lazy, read-only view of an existing PDF: objects are parsed on first lookup through the xref chain. */
export class PdfReader {
  readonly trailer: PDFDict;
  /** Offset of the newest cross-reference section: the /Prev of the next update. */
  readonly startXref: number;
  /** One more than the highest object number in use. */
  readonly size: number;
  private readonly entries = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PDFObject | undefined>();
  private readonly objectStreams = new Map<number, { bytes: Uint8Array; offsets: number[] }>();

  private constructor(readonly bytes: Buffer, readonly context: PDFContext) {
    const tail = latin1(bytes, Math.max(0, bytes.length - 1024), bytes.length);
    const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!match?.[1]) throw new PdfStructureError('No startxref at the end of the PDF');
    this.startXref = Number(match[1]);
    let trailer: PDFDict | undefined;
    const seen = new Set<number>();
    const pending = [this.startXref];
    while (pending.length > 0) {
      const at = pending.shift() as number;
      if (seen.has(at) || seen.size > 1000) continue;
      seen.add(at);
      const section = this.readXrefSection(at);
      trailer ??= section;
      for (const key of ['XRefStm', 'Prev']) {
        const next = section.get(PDFName.of(key));
        if (next instanceof PDFNumber) pending.push(next.asNumber());
      }
    }
    if (!trailer) throw new PdfStructureError('No trailer');
    this.trailer = trailer;
    const declared = trailer.get(PDFName.of('Size'));
    const highest = Math.max(0, ...this.entries.keys());
    this.size = Math.max(declared instanceof PDFNumber ? declared.asNumber() : 0, highest + 1);
  }

  static open(bytes: Buffer, context: PDFContext = PDFContext.create()): PdfReader {
    try {
      return new PdfReader(bytes, context);
    } catch (error) {
      if (error instanceof PdfStructureError) throw error;
      throw new PdfStructureError('Unreadable PDF structure', { cause: error });
    }
  }

  /** Reads one xref section (classic table or xref stream) into `entries` (newer sections win) and returns its trailer. */
  private readXrefSection(at: number): PDFDict {
    let pos = at;
    while (pos < this.bytes.length && /\s/.test(String.fromCharCode(this.bytes[pos] as number))) pos++;
    if (latin1(this.bytes, pos, pos + 4) === 'xref') {
      const end = this.bytes.indexOf('trailer', pos, 'latin1');
      if (end < 0) throw new PdfStructureError('xref section without trailer');
      const lines = latin1(this.bytes, pos + 4, end).split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean);
      let number = 0;
      for (const line of lines) {
        const parts = line.split(/\s+/);
        if (parts.length === 2) {
          number = Number(parts[0]);
          continue;
        }
        if (parts.length >= 3 && parts[2] === 'n' && !this.entries.has(number)) this.entries.set(number, { offset: Number(parts[0]) });
        else if (parts[2] === 'f' && !this.entries.has(number)) this.entries.set(number, { offset: -1 });
        number++;
      }
      const dict = PDFObjectParser.forBytes(this.bytes.subarray(end + 'trailer'.length), this.context).parseObject();
      if (!(dict instanceof PDFDict)) throw new PdfStructureError('Bad trailer');
      return dict;
    }
    const stream = this.parseIndirectAt(pos);
    if (!(stream instanceof PDFRawStream)) throw new PdfStructureError('startxref points at neither xref table nor stream');
    for (const entry of PDFXRefStreamParser.forStream(stream).parseIntoContext()) {
      const n = entry.ref.objectNumber;
      if (this.entries.has(n)) continue;
      if (entry.deleted) this.entries.set(n, { offset: -1 });
      else if (entry.inObjectStream) this.entries.set(n, { stream: entry.offset, index: entry.ref.generationNumber });
      else this.entries.set(n, { offset: entry.offset });
    }
    return stream.dict;
  }

  private parseIndirectAt(offset: number): PDFObject {
    const head = /^\s*(\d+)\s+(\d+)\s+obj\b/.exec(latin1(this.bytes, offset, Math.min(this.bytes.length, offset + 40)));
    if (!head) throw new PdfStructureError(`No object at offset ${offset}`);
    return PDFObjectParser.forBytes(this.bytes.subarray(offset + head[0].length), this.context).parseObject();
  }

  private fromObjectStream(streamNumber: number, index: number): PDFObject | undefined {
    let parsed = this.objectStreams.get(streamNumber);
    if (!parsed) {
      const stream = this.lookup(PDFRef.of(streamNumber));
      if (!(stream instanceof PDFRawStream)) return undefined;
      const bytes = decodePDFRawStream(stream).decode();
      const count = (stream.dict.get(PDFName.of('N')) as PDFNumber).asNumber();
      const first = (stream.dict.get(PDFName.of('First')) as PDFNumber).asNumber();
      const numbers = latin1(bytes, 0, first).trim().split(/\s+/).map(Number);
      const offsets: number[] = [];
      for (let i = 0; i < count; i++) offsets.push(first + (numbers[2 * i + 1] as number));
      parsed = { bytes, offsets };
      this.objectStreams.set(streamNumber, parsed);
    }
    const at = parsed.offsets[index];
    return at === undefined ? undefined : PDFObjectParser.forBytes(parsed.bytes.subarray(at), this.context).parseObject();
  }

  lookup(ref: PDFRef): PDFObject | undefined {
    const n = ref.objectNumber;
    if (this.cache.has(n)) return this.cache.get(n);
    const entry = this.entries.get(n);
    let object: PDFObject | undefined;
    if (entry && 'stream' in entry) object = this.fromObjectStream(entry.stream, entry.index);
    else if (entry && entry.offset >= 0) object = this.parseIndirectAt(entry.offset);
    this.cache.set(n, object);
    return object;
  }

  resolve(value: PDFObject | undefined): PDFObject | undefined {
    return value instanceof PDFRef ? this.lookup(value) : value;
  }

  dict(value: PDFObject | undefined): PDFDict | undefined {
    const resolved = this.resolve(value);
    return resolved instanceof PDFDict ? resolved : undefined;
  }

  get rootRef(): PDFRef {
    const root = this.trailer.get(PDFName.of('Root'));
    if (!(root instanceof PDFRef)) throw new PdfStructureError('No /Root in the trailer');
    return root;
  }

  /** The page objects in document order. */
  pageRefs(): PDFRef[] {
    const pages: PDFRef[] = [];
    const visit = (ref: PDFObject | undefined, depth: number): void => {
      if (!(ref instanceof PDFRef) || depth > 64) return;
      const node = this.dict(ref);
      if (!node) return;
      const kids = this.resolve(node.get(PDFName.of('Kids')));
      if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, depth + 1);
      else pages.push(ref);
    };
    visit(this.dict(this.rootRef)?.get(PDFName.of('Pages')), 0);
    return pages;
  }

  /** Every object into `context` (for copying a small document's objects with pdf-lib's PDFObjectCopier). */
  assignAll(): void {
    for (const [n, entry] of this.entries) {
      if ('offset' in entry && entry.offset < 0) continue;
      const object = this.lookup(PDFRef.of(n));
      if (object) this.context.assign(PDFRef.of(n), object);
    }
  }
}

/** A PDF text string as a PDF object: literal when printable ASCII, else UTF-16BE with a byte-order mark. */
export function pdfText(value: string): PDFString | PDFHexString {
  const text = value.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(text)) return PDFString.of(text.replace(/[\\()]/g, (c) => `\\${c}`));
  return PDFHexString.fromText(text);
}

export function decodePdfText(value: PDFObject | undefined): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

export interface BuiltIncrement {
  /** The whole file: the original bytes followed by the update. */
  pdf: Buffer;
  /** Absolute offset of each written object ("n g obj"). */
  offsets: Map<number, number>;
}

/**
 * One incremental update over `source`: objects put here (new ones from `newRef`, or existing ones rewritten
 * under their own number) are appended with their own xref section; nothing else is written.
 */
export class PdfIncrement {
  readonly context: PDFContext;
  private readonly raw = new Map<number, { ref: PDFRef; body: Buffer }>();

  constructor(readonly source: PdfReader) {
    this.context = source.context;
    this.context.largestObjectNumber = Math.max(this.context.largestObjectNumber, source.size - 1);
  }

  newRef(): PDFRef {
    return this.context.nextRef();
  }

  put(ref: PDFRef, object: PDFObject): void {
    this.context.assign(ref, object);
  }

  /** An object whose serialised body the caller writes itself (e.g. a signature dictionary with placeholders). */
  putRaw(ref: PDFRef, body: Buffer): void {
    this.raw.set(ref.objectNumber, { ref, body });
  }

  /**
   * Page `index` of `pdf` as a Form XObject in this update (its resources copied, renumbered): the usual way to
   * make an appearance stream from a page drawn by any PDF producer. The form's /BBox is the page's MediaBox.
   */
  importPage(pdf: Buffer, index = 0, options: { deflateLevel?: number } = {}): { ref: PDFRef; width: number; height: number } {
    const firstNew = this.context.largestObjectNumber + 1;
    const donor = PdfReader.open(pdf);
    donor.assignAll();
    const pageRef = donor.pageRefs()[index];
    const page = donor.dict(pageRef);
    if (!page) throw new PdfStructureError(`No page ${index} to import`);
    const box = donor.resolve(page.get(PDFName.of('MediaBox')));
    const numbers = box instanceof PDFArray ? box.asArray().map((n) => (donor.resolve(n) as PDFNumber).asNumber()) : [];
    if (numbers.length !== 4) throw new PdfStructureError('The imported page has no MediaBox');
    const copier = PDFObjectCopier.for(donor.context, this.context);
    const resources = page.get(PDFName.of('Resources'));
    const contents = donor.resolve(page.get(PDFName.of('Contents')));
    const streams = contents instanceof PDFArray ? contents.asArray().map((c) => donor.resolve(c)) : [contents];
    const form = new Map<PDFName, PDFObject>([
      [PDFName.of('Type'), PDFName.of('XObject')],
      [PDFName.of('Subtype'), PDFName.of('Form')],
      [PDFName.of('BBox'), this.context.obj(numbers)],
    ]);
    if (resources) form.set(PDFName.of('Resources'), copier.copy(donor.resolve(resources) as PDFObject));
    let bytes: Uint8Array;
    const only = streams.length === 1 ? streams[0] : undefined;
    if (only instanceof PDFRawStream) {
      // One stream: keep it compressed as it is.
      for (const key of ['Filter', 'DecodeParms']) {
        const value = only.dict.get(PDFName.of(key));
        if (value) form.set(PDFName.of(key), copier.copy(donor.resolve(value) as PDFObject));
      }
      bytes = only.contents;
    } else {
      const parts = streams.map((s) => {
        if (!(s instanceof PDFRawStream)) throw new PdfStructureError('The imported page has no content stream');
        return Buffer.from(decodePDFRawStream(s).decode());
      });
      bytes = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]));
    }
    const ref = this.newRef();
    this.put(ref, PDFRawStream.of(PDFDict.fromMapWithContext(form, this.context), bytes));
    if (options.deflateLevel !== undefined) this.deflateFrom(firstNew, options.deflateLevel);
    const [x1, y1, x2, y2] = numbers as [number, number, number, number];
    return { ref, width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
  }

  // A producer's own compression can cost more than everything else (pdfkit deflates a font subset at zlib's
  // default level); the donor can write its streams plain and have them deflated here, at a faster level.
  private deflateFrom(firstNumber: number, level: number): void {
    for (const [ref, object] of this.context.enumerateIndirectObjects()) {
      if (ref.objectNumber < firstNumber || !(object instanceof PDFRawStream) || object.dict.has(PDFName.of('Filter'))) continue;
      const dict = object.dict.clone(this.context);
      dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
      this.put(ref, PDFRawStream.of(dict, deflateSync(object.contents, { level })));
    }
  }

  /** The original bytes plus this update: objects, xref section, trailer (with /Prev), startxref. */
  build(): BuiltIncrement {
    const source = this.source.bytes;
    const chunks: Buffer[] = [source];
    let length = source.length;
    const push = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
    };
    const last = source[source.length - 1];
    if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n'));
    const offsets = new Map<number, number>();
    const generations = new Map<number, number>();
    const write = (ref: PDFRef, body: Buffer): void => {
      offsets.set(ref.objectNumber, length);
      generations.set(ref.objectNumber, ref.generationNumber);
      push(Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'));
      push(body);
      push(Buffer.from('\nendobj\n', 'latin1'));
    };
    const objects = this.context.enumerateIndirectObjects().filter(([ref]) => !this.raw.has(ref.objectNumber));
    for (const [ref, object] of objects) {
      const body = Buffer.alloc(object.sizeInBytes());
      object.copyBytesInto(body, 0);
      write(ref, body);
    }
    // Raw objects last: a signature dictionary is then the last one in the file, where readers look for it.
    for (const { ref, body } of this.raw.values()) write(ref, body);

    const xrefAt = length;
    const numbers = [...offsets.keys()].sort((a, b) => a - b);
    let xref = 'xref\n0 1\n0000000000 65535 f \n';
    for (let i = 0; i < numbers.length; ) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] as number) + 1) j++;
      xref += `${numbers[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) {
        const n = numbers[k] as number;
        xref += `${String(offsets.get(n)).padStart(10, '0')} ${String(generations.get(n)).padStart(5, '0')} n \n`;
      }
      i = j + 1;
    }
    const trailer = PDFDict.withContext(this.context);
    trailer.set(PDFName.of('Size'), PDFNumber.of(Math.max(this.source.size, this.context.largestObjectNumber + 1, ...numbers.map((n) => n + 1))));
    for (const key of ['Root', 'Info', 'ID', 'Encrypt']) {
      const value = this.source.trailer.get(PDFName.of(key));
      if (value) trailer.set(PDFName.of(key), value);
    }
    trailer.set(PDFName.of('Prev'), PDFNumber.of(this.source.startXref));
    push(Buffer.from(`${xref}trailer\n${trailer.toString()}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
    return { pdf: Buffer.concat(chunks, length), offsets };
  }
}
