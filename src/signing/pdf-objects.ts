// Reading a PDF's objects where its cross-reference table says they are, with pdf-lib's object parser (strings,
// nested dictionaries, streams by /Length), and its classic xref sections and trailers — bounded and strict, for the
// checks that must see exactly what a viewer sees: the DSS update after the last signature (ltv.ts) and a signing
// agent's update (incremental-update.ts). pdf-lib warns on the console about oddities (numbers past 2^53) it
// parses anyway; those files come from outside, so the warnings are kept out of our logs (parseQuietly).
import { PDFContext, PDFDict, PDFHexString, PDFName, PDFObjectParser, type PDFObject } from 'pdf-lib';

/** The layout is not what the reader expects (no object at an offset, an unreadable xref section, …). */
export class PdfLayoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdfLayoutError';
  }
}

/**
 * Runs `parse` (synchronous) with console.warn silenced. Synchronous, so nothing else can log in between and lose
 * its line; nested calls restore what they found.
 */
function quietly<T>(parse: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return parse();
  } finally {
    console.warn = warn;
  }
}

/** One dictionary being parsed: the keys seen, and whether the next name is a key or (part of) a value. */
interface DictFrame { keys: Set<string>; expectKey: boolean; valueDepth: number }

/** pdf-lib's object parser with its position exposed: objects are read where the xref says they are. */
export class ObjectReader extends PDFObjectParser {
  /**
   * A reader over `bytes`; what it parses belongs to `context` (a fresh one by default). `refuseDuplicateKeys`:
   * a dictionary naming a key twice is an error — pdf-lib keeps the last value, other readers the first, so a
   * file from outside could show a viewer a /Rect or an /AA the check never saw.
   */
  static over(bytes: Uint8Array, context: PDFContext = PDFContext.create(), options: { refuseDuplicateKeys?: boolean } = {}): ObjectReader {
    const stream = Reflect.get(PDFObjectParser.forBytes(bytes, context), 'bytes') as ConstructorParameters<typeof PDFObjectParser>[0];
    const reader = new ObjectReader(stream, context);
    reader.source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    reader.refuseDuplicateKeys = options.refuseDuplicateKeys ?? false;
    return reader;
  }
  private source: Buffer = Buffer.alloc(0);
  private refuseDuplicateKeys = false;

  // pdf-lib builds a hex string one character at a time (over half a second for the megabytes an upload may
  // hold); the same value — everything up to the first ">" — sliced at once.
  protected override parseHexString(): PDFHexString {
    const open = this.position;
    const close = this.source.indexOf(0x3e /* > */, open + 1);
    if (this.source[open] !== 0x3c /* < */ || close < 0) return super.parseHexString();
    this.moveTo(close + 1);
    return PDFHexString.of(this.source.toString('latin1', open + 1, close));
  }
  private readonly frames: DictFrame[] = [];

  protected override parseDict(): PDFDict {
    if (!this.refuseDuplicateKeys) return super.parseDict();
    this.frames.push({ keys: new Set(), expectKey: true, valueDepth: 0 });
    try {
      return super.parseDict();
    } finally {
      this.frames.pop();
    }
  }

  // pdf-lib's parseDict reads a key with parseName, then its value with parseObject: a name read while the
  // innermost dictionary expects a key is a key.
  protected override parseName(): PDFName {
    const name = super.parseName();
    const frame = this.frames.at(-1);
    if (frame?.expectKey) {
      if (frame.keys.has(name.asString())) throw new PdfLayoutError(`a dictionary names ${name.asString()} twice`);
      frame.keys.add(name.asString());
      frame.expectKey = false;
    }
    return name;
  }

  override parseObject(): PDFObject {
    const frame = this.frames.at(-1);
    if (!frame || frame.expectKey) return super.parseObject();
    frame.valueDepth++;
    try {
      return super.parseObject();
    } finally {
      frame.valueDepth--;
      if (frame.valueDepth === 0) frame.expectKey = true;
    }
  }
  get position(): number { return this.bytes.offset(); }
  moveTo(offset: number): void { this.bytes.moveTo(offset); }
  /** The object at the current position, without pdf-lib's console warnings. */
  parseQuietly(): PDFObject {
    return quietly(() => this.parseObject());
  }
}

const SPACE = /[ \t\r\n\f\0]*/y;
/** The offset of the first non-whitespace byte from `at` (comments are not whitespace here). */
export function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

const OBJECT_HEADER = /(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+obj\b/y;

export interface IndirectObject {
  number: number;
  generation: number;
  offset: number;
  value: PDFObject;
  /** Offset just after "endobj". */
  end: number;
}

/**
 * The indirect object "n g obj … endobj" starting exactly at `offset` of `text` (the file as latin1, the bytes the
 * reader reads). Its end is where the parser finished, so "endobj" inside a string or a stream's data is data.
 */
export function readObjectAt(text: string, reader: ObjectReader, offset: number): IndirectObject {
  OBJECT_HEADER.lastIndex = offset;
  const header = OBJECT_HEADER.exec(text);
  if (!header) throw new PdfLayoutError(`no object at offset ${offset}`);
  reader.moveTo(OBJECT_HEADER.lastIndex);
  const value = reader.parseQuietly();
  const close = skipSpace(text, reader.position);
  if (!text.startsWith('endobj', close)) throw new PdfLayoutError(`object at ${offset} does not end with endobj`);
  return { number: Number(header[1]), generation: Number(header[2]), offset, value, end: close + 6 };
}

export interface XrefSection {
  offset: number;
  /** In-use entries: object number → offset and generation. */
  entries: Map<number, { offset: number; generation: number }>;
  /** Object numbers marked free in this section. */
  freed: number[];
  trailer: PDFDict;
  /** Offset just after the trailer dictionary. */
  end: number;
}

const SUBSECTION = /(\d{1,10})[ \t]+(\d{1,10})[ \t]*\r?\n/y;
const XREF_ENTRY = /(\d{10})[ \t](\d{5})[ \t]([nf])[ \t]*(?:\r\n|\r|\n)?/y;

/** A classic xref section and its trailer at `offset` (whitespace before "xref" tolerated, as placeholder-plain writes it). */
export function readXrefSection(text: string, reader: ObjectReader, offset: number, maxEntries = 1_000_000): XrefSection {
  let at = skipSpace(text, offset);
  if (!text.startsWith('xref', at)) throw new PdfLayoutError('not a classic xref section (cross-reference streams are not supported)');
  at = skipSpace(text, at + 4);
  const entries = new Map<number, { offset: number; generation: number }>();
  const freed: number[] = [];
  let total = 0;
  while (!text.startsWith('trailer', at)) {
    SUBSECTION.lastIndex = at;
    const sub = SUBSECTION.exec(text);
    if (!sub) throw new PdfLayoutError('unreadable xref subsection');
    const first = Number(sub[1]);
    const count = Number(sub[2]);
    total += count;
    if (total > maxEntries) throw new PdfLayoutError('xref section too large');
    at = SUBSECTION.lastIndex;
    for (let i = 0; i < count; i++) {
      XREF_ENTRY.lastIndex = at;
      const e = XREF_ENTRY.exec(text);
      if (!e) throw new PdfLayoutError('unreadable xref entry');
      at = XREF_ENTRY.lastIndex;
      if (e[3] === 'f') freed.push(first + i);
      else if (entries.has(first + i)) throw new PdfLayoutError(`object ${first + i} listed twice in one xref section`);
      else entries.set(first + i, { offset: Number(e[1]), generation: Number(e[2]) });
    }
    at = skipSpace(text, at);
  }
  reader.moveTo(at + 'trailer'.length);
  const trailer = reader.parseQuietly();
  if (!(trailer instanceof PDFDict)) throw new PdfLayoutError('trailer is not a dictionary');
  return { offset, entries, freed, trailer, end: reader.position };
}
