// The small line-based markup that document body templates produce, and the sanitising that keeps user data
// from producing any of it. The grammar is documented in render-result.ts, next to where it is drawn.

export interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
}

export type Block =
  | { kind: 'paragraph'; runs: Run[] }
  | { kind: 'heading'; runs: Run[] }
  | { kind: 'item'; runs: Run[] }
  | { kind: 'row'; label: Run[]; value: Run[] };

// Line breaks become spaces (a value must never open a new block); other C0/C1 controls, bidi overrides
// (which can make a name read backwards) and BOM/zero-width characters are dropped.
const LINE_BREAKS = /[\r\n\t\v\f\u0085\u2028\u2029]/g;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** NFC, no control characters, single spaces. For every string that reaches a PDF. */
export function cleanText(value: string): string {
  return value
    .normalize('NFC')
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Like cleanText but keeps line breaks (for multi-line header fields such as "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"). */
export function cleanLines(value: string): string[] {
  return value
    .normalize('NFC')
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map(cleanText)
    .filter((line) => line.length > 0);
}

/**
 * Makes a value inert inside the markup: `\`, `*` and `:` are backslash-escaped everywhere (so no bold/italic
 * toggles and no `::` row separator), and a leading `#` or `-` is escaped (a value placed at the start of a
 * template line cannot become a heading or list item). The renderer strips the escapes, so the reader sees
 * exactly the value.
 */
export function escapeMarkup(value: string): string {
  const escaped = value.replace(/[\\*:]/g, (c) => `\\${c}`);
  return /^[#-]/.test(escaped) ? `\\${escaped}` : escaped;
}

export function unescapeMarkup(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

export function sanitizeValue(value: string): string {
  return escapeMarkup(cleanText(value));
}

const MAX_DEPTH = 32;

/**
 * Deep copy of template data with every string cleaned and escaped. Dates, numbers, booleans and null pass
 * through; other objects (Buffers, class instances) become their cleaned String() so nothing unexpected
 * reaches a helper. Object.fromEntries defines own properties, so a "__proto__" key stays a plain key.
 */
export function sanitizeContext(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error('Document context is nested too deeply (cycle?)');
  if (typeof value === 'string') return sanitizeValue(value);
  if (value === null || value === undefined) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => sanitizeContext(item, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sanitizeContext(v, depth + 1)]),
      );
    }
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return sanitizeValue(String(value));
}

/** `**` toggles bold, `*` toggles italic, `\x` is a literal x. Styles do not leak from one block to the next. */
export function parseInline(text: string): Run[] {
  const runs: Run[] = [];
  let bold = false;
  let italic = false;
  let current = '';
  const flush = (): void => {
    if (current.length === 0) return;
    const last = runs[runs.length - 1];
    if (last && last.bold === bold && last.italic === italic) last.text += current;
    else runs.push({ text: current, bold, italic });
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '*') {
      flush();
      if (text[i + 1] === '*') {
        bold = !bold;
        i++;
      } else {
        italic = !italic;
      }
    } else {
      current += c;
    }
  }
  flush();
  return runs;
}

function findRowSeparator(line: string): number {
  for (let i = 0; i < line.length - 1; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === ':' && line[i + 1] === ':') return i;
  }
  return -1;
}

function trimRuns(runs: Run[]): Run[] {
  const first = runs[0];
  if (first) first.text = first.text.replace(/^\s+/, '');
  const last = runs[runs.length - 1];
  if (last) last.text = last.text.replace(/\s+$/, '');
  return runs.filter((r) => r.text.length > 0);
}

/** Template output → blocks. Plain lines join into one paragraph until a blank line or a marked line. */
export function parseBody(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = (): void => {
    if (paragraph.length === 0) return;
    const runs = trimRuns(parseInline(paragraph.join(' ')));
    if (runs.length > 0) blocks.push({ kind: 'paragraph', runs });
    paragraph = [];
  };
  for (const raw of text.normalize('NFC').split(/\r?\n/)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line === '') {
      endParagraph();
      continue;
    }
    if (line.startsWith('## ')) {
      endParagraph();
      const runs = trimRuns(parseInline(line.slice(3)));
      if (runs.length > 0) blocks.push({ kind: 'heading', runs });
      continue;
    }
    if (line.startsWith('- ')) {
      endParagraph();
      const runs = trimRuns(parseInline(line.slice(2)));
      if (runs.length > 0) blocks.push({ kind: 'item', runs });
      continue;
    }
    const separator = findRowSeparator(line);
    if (separator >= 0) {
      endParagraph();
      blocks.push({
        kind: 'row',
        label: trimRuns(parseInline(line.slice(0, separator))),
        value: trimRuns(parseInline(line.slice(separator + 2))),
      });
      continue;
    }
    paragraph.push(line);
  }
  endParagraph();
  return blocks;
}
