// Our own line breaking and pagination on top of pdfkit. pdfkit's `continued` text justifies each style run
// on its own (a bold name inside a justified paragraph opens a wide gap), and it cannot tell in advance where
// a page will break; measuring first lets us justify mixed styles correctly and keep the signature block
// together with the last lines of the body.
import type { FontStyle } from './fonts.js';
import type { Run } from './markup.js';

type Doc = PDFKit.PDFDocument;

export type Align = 'left' | 'center' | 'right' | 'justify';

interface Piece {
  text: string;
  style: FontStyle;
  width: number;
}

interface Word {
  pieces: Piece[];
  width: number;
  /** Width of the space after this word (0 when a long word was cut and the next chunk is glued to it). */
  space: number;
}

export interface Line {
  words: Word[];
  indent: number;
  last: boolean;
}

export const styleOf = (run: { bold: boolean; italic: boolean }): FontStyle =>
  run.bold ? (run.italic ? 'boldItalic' : 'bold') : run.italic ? 'italic' : 'regular';

// Word widths per style at 1 pt, shared by all documents: the same template words come back in every
// document, and measuring one is a full fontkit layout (the biggest cost after font subsetting).
const unitWidths = new Map<string, number>();
const MAX_CACHED_WIDTHS = 50_000;

export class Typesetter {
  constructor(
    private readonly doc: Doc,
    private readonly fontNames: Record<FontStyle, string>,
    private readonly lineGap: number,
  ) {}

  use(style: FontStyle, size: number): Doc {
    return this.doc.font(this.fontNames[style]).fontSize(size);
  }

  width(text: string, style: FontStyle, size: number): number {
    const key = `${style}\u0000${text}`;
    let unit = unitWidths.get(key);
    if (unit === undefined) {
      unit = this.use(style, 1000).widthOfString(text) / 1000;
      if (unitWidths.size >= MAX_CACHED_WIDTHS) unitWidths.clear();
      unitWidths.set(key, unit);
    }
    return unit * size;
  }

  lineHeight(size: number, lineGap = this.lineGap): number {
    return this.use('regular', size).currentLineHeight(true) + lineGap;
  }

  /** Greedy line breaking of styled runs; `indent` applies to the first line only. */
  breakLines(runs: Run[], width: number, size: number, indent = 0): Line[] {
    const words = this.words(runs, size);
    const lines: Line[] = [];
    let current: Word[] = [];
    let used = 0;
    let lineIndent = indent;
    const available = (): number => width - lineIndent;
    const push = (): void => {
      lines.push({ words: current, indent: lineIndent, last: false });
      current = [];
      used = 0;
      lineIndent = 0;
    };
    const queue = [...words];
    while (queue.length > 0) {
      const word = queue.shift() as Word;
      const previous = current[current.length - 1];
      const needed = previous ? used + previous.space + word.width : word.width;
      if (needed <= available() + 0.01) {
        current.push(word);
        used = needed;
        continue;
      }
      if (current.length > 0) {
        // A word longer than a whole line (a URL) would leave this line stretched by justification: start
        // it here and cut it at the margin instead.
        const remaining = available() - used - (previous?.space ?? 0);
        if (word.width > width && remaining > size * 3) {
          const [head, tail] = this.cut(word, remaining, size);
          current.push(head);
          push();
          if (tail) queue.unshift(tail);
          continue;
        }
        push();
        queue.unshift(word);
        continue;
      }
      // A single word wider than the line (a long URL or code): cut it where it stops fitting.
      const [head, tail] = this.cut(word, available(), size);
      current.push(head);
      push();
      if (tail) queue.unshift(tail);
    }
    if (current.length > 0) push();
    const last = lines[lines.length - 1];
    if (last) last.last = true;
    return lines;
  }

  /** Draws one line with its top at y. Justified lines stretch the spaces; the last line stays ragged. */
  drawLine(line: Line, x: number, y: number, width: number, align: Align, size: number): void {
    const words = line.words;
    const natural = words.reduce((sum, w, i) => sum + w.width + (i < words.length - 1 ? w.space : 0), 0);
    const available = width - line.indent;
    const gaps = words.slice(0, -1).filter((w) => w.space > 0).length;
    const extra = align === 'justify' && !line.last && gaps > 0 ? Math.max(0, (available - natural) / gaps) : 0;
    let cursor = x + line.indent;
    if (align === 'center') cursor += (available - natural) / 2;
    else if (align === 'right') cursor += available - natural;

    // Consecutive words in one style are drawn as one string; pdfkit's wordSpacing then adds `extra` per space.
    let segment: { style: FontStyle; texts: string[]; x: number } | undefined;
    const flush = (): void => {
      if (!segment) return;
      this.use(segment.style, size).text(segment.texts.join(' '), segment.x, y, {
        lineBreak: false,
        wordSpacing: extra,
      });
      segment = undefined;
    };
    let spaceBefore = false;
    words.forEach((word, wi) => {
      word.pieces.forEach((piece, pi) => {
        if (segment && pi === 0 && spaceBefore && segment.style === piece.style) {
          segment.texts.push(piece.text);
        } else {
          flush();
          segment = { style: piece.style, texts: [piece.text], x: cursor };
        }
        cursor += piece.width;
      });
      if (wi < words.length - 1) {
        spaceBefore = word.space > 0;
        if (spaceBefore) cursor += word.space + extra;
      }
    });
    flush();
  }

  private words(runs: Run[], size: number): Word[] {
    const words: Word[] = [];
    let pieces: Piece[] | undefined;
    const end = (): void => {
      if (!pieces || pieces.length === 0) return;
      const lastPiece = pieces[pieces.length - 1] as Piece;
      words.push({
        pieces,
        width: pieces.reduce((sum, p) => sum + p.width, 0),
        space: this.width(' ', lastPiece.style, size),
      });
      pieces = undefined;
    };
    for (const run of runs) {
      const style = styleOf(run);
      for (const part of run.text.split(/( +)/)) {
        if (part === '') continue;
        if (part.startsWith(' ')) {
          end();
          continue;
        }
        pieces ??= [];
        pieces.push({ text: part, style, width: this.width(part, style, size) });
      }
    }
    end();
    return words;
  }

  private cut(word: Word, available: number, size: number): [Word, Word | undefined] {
    const head: Piece[] = [];
    let used = 0;
    for (let pi = 0; pi < word.pieces.length; pi++) {
      const piece = word.pieces[pi] as Piece;
      if (used + piece.width <= available) {
        head.push(piece);
        used += piece.width;
        continue;
      }
      const chars = Array.from(piece.text);
      let taken = '';
      for (const ch of chars) {
        const next = taken + ch;
        if (used + this.width(next, piece.style, size) > available && (taken !== '' || head.length > 0)) break;
        taken = next;
      }
      const rest = piece.text.slice(taken.length);
      if (taken) head.push({ text: taken, style: piece.style, width: this.width(taken, piece.style, size) });
      const tailPieces = [
        ...(rest ? [{ text: rest, style: piece.style, width: this.width(rest, piece.style, size) }] : []),
        ...word.pieces.slice(pi + 1),
      ];
      const headWidth = head.reduce((s, p) => s + p.width, 0);
      if (tailPieces.length === 0) return [{ pieces: head, width: headWidth, space: word.space }, undefined];
      return [
        { pieces: head, width: headWidth, space: 0 },
        { pieces: tailPieces, width: tailPieces.reduce((s, p) => s + p.width, 0), space: word.space },
      ];
    }
    return [word, undefined];
  }
}

/** A piece of content that must stay on one page. */
export interface Unit {
  height: number;
  /** Vertical space above it, dropped at the top of a page. */
  spaceBefore: number;
  /** false: keep with the previous unit (a page may not break just before it). */
  breakBefore: boolean;
  draw: (y: number) => void;
}

export interface Placement {
  page: number;
  y: number;
}

/**
 * Assigns every unit a page and a y. When a unit does not fit, the page breaks before the nearest earlier
 * unit that allows a break (so chains such as heading→paragraph or body→signature move together); a chain
 * that fills a whole page is broken where it overflows.
 */
export function paginate(units: Unit[], firstY: number, top: number, bottom: number): Placement[] {
  const placed: Placement[] = [];
  let page = 0;
  let y = firstY;
  let pageStart = 0;
  let i = 0;
  while (i < units.length) {
    const unit = units[i] as Unit;
    const gap = i === pageStart && page > 0 ? 0 : unit.spaceBefore;
    if (y + gap + unit.height <= bottom || i === pageStart) {
      placed[i] = { page, y: y + gap };
      y += gap + unit.height;
      i++;
      continue;
    }
    let j = i;
    while (j > pageStart && !(units[j] as Unit).breakBefore) j--;
    if (j === pageStart) j = i;
    page++;
    y = top;
    pageStart = j;
    i = j;
  }
  return placed;
}
