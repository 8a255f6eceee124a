// Serif TTF family for result documents (Decree 30 asks for Times New Roman; Liberation Serif and Tinos are
// metric-compatible free substitutes, DejaVu Serif is the always-present npm fallback).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';

export interface SerifFontFiles {
  family: string;
  dir: string;
  files: Record<FontStyle, string>;
  buffers: Record<FontStyle, Buffer>;
}

/** What pdfkit's `font()`/`registerFont()` accept: a parsed fontkit font (fast path) or the raw TTF. */
export type PdfFontSource = Buffer | FontkitFont;

export interface PdfFonts {
  family: string;
  /** true when parsed fontkit fonts are shared between documents; false when every document re-parses. */
  shared: boolean;
  fonts: Record<FontStyle, PdfFontSource>;
}

// The part of fontkit's Font we touch; pdfkit only duck-types `layout`.
interface GlyphPosition {
  xAdvance: number;
  [key: string]: number;
}
interface GlyphRun {
  glyphs: unknown[];
  positions: GlyphPosition[];
  readonly advanceWidth: number;
}
export interface FontkitFont {
  layout: (text: string, features?: unknown, ...rest: unknown[]) => GlyphRun;
  hasGlyphForCodePoint: (codePoint: number) => boolean;
  postscriptName: string;
}
interface Fontkit {
  create: (data: Uint8Array) => FontkitFont;
}

interface Candidate {
  family: string;
  dir: () => string | undefined;
  names: Record<FontStyle, string>;
}

const localRequire = createRequire(import.meta.url);

const liberation = (dir: string): Candidate => ({
  family: 'Liberation Serif',
  dir: () => dir,
  names: {
    regular: 'LiberationSerif-Regular.ttf',
    bold: 'LiberationSerif-Bold.ttf',
    italic: 'LiberationSerif-Italic.ttf',
    boldItalic: 'LiberationSerif-BoldItalic.ttf',
  },
});

const CANDIDATES: Candidate[] = [
  liberation('/usr/share/fonts/truetype/liberation2'),
  liberation('/usr/share/fonts/truetype/liberation'),
  {
    family: 'Tinos',
    dir: () => '/usr/share/fonts/truetype/croscore',
    names: {
      regular: 'Tinos-Regular.ttf',
      bold: 'Tinos-Bold.ttf',
      italic: 'Tinos-Italic.ttf',
      boldItalic: 'Tinos-BoldItalic.ttf',
    },
  },
  {
    family: 'DejaVu Serif',
    dir: () => {
      try {
        return join(dirname(localRequire.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
      } catch {
        return undefined;
      }
    },
    names: {
      regular: 'DejaVuSerif.ttf',
      bold: 'DejaVuSerif-Bold.ttf',
      italic: 'DejaVuSerif-Italic.ttf',
      boldItalic: 'DejaVuSerif-BoldItalic.ttf',
    },
  },
];

const STYLES: readonly FontStyle[] = ['regular', 'bold', 'italic', 'boldItalic'];

// Letters whose absence would print Vietnamese names as blanks or boxes (ệ, ữ, ơ, ư, đ, ỹ, Ặ).
const VIETNAMESE_PROBE = [0x1ec7, 0x1eef, 0x01a1, 0x01b0, 0x0111, 0x1ef9, 0x1eb6];

let loaded: { files: SerifFontFiles; pdf: PdfFonts } | undefined;

function loadFontkit(): Fontkit | undefined {
  // fontkit is pdfkit's own dependency: resolve it from pdfkit's location so we get the copy pdfkit uses
  // whether npm hoisted it or not. pdfkit accepts any object with layout(), so a different module
  // instance (CJS here, ESM inside pdfkit) is fine.
  try {
    const pdfkitRequire = createRequire(localRequire.resolve('pdfkit'));
    return pdfkitRequire('fontkit') as Fontkit;
  } catch {
    return undefined;
  }
}

/**
 * fontkit caches one glyph object per glyph id, with the code points it was first asked for. Subsetting a compound
 * glyph (Á, Ạ ...) creates its components (A) with none, and on a shared font that cached, code-point-less glyph is
 * what later documents get when they use A itself: pdfkit then writes no ToUnicode entry for it, so the letter
 * prints but cannot be searched, copied or read by pdftotext and screen readers. Fill the code points in when a
 * caller (cmap lookup during layout) supplies them.
 */
function keepCodePoints(font: FontkitFont): void {
  const target = font as unknown as { getGlyph: (id: number, codePoints?: number[]) => { codePoints: number[] } };
  const getGlyph = target.getGlyph.bind(font);
  target.getGlyph = (id: number, codePoints: number[] = []) => {
    const glyph = getGlyph(id, codePoints);
    if (codePoints.length > 0 && glyph.codePoints.length === 0) glyph.codePoints = codePoints;
    return glyph;
  };
}

const MAX_CACHED_RUNS = 20_000;

/**
 * Memoises text shaping on our own font instance. pdfkit lays out every word of every document through
 * font.layout (GSUB/GPOS shaping, the costliest step after subsetting) and caches the result only per
 * document; the same template words come back in every document. pdfkit scales the returned positions in
 * place, so each call gets fresh position objects; glyphs are only read. Calls with explicit features or
 * script/direction arguments bypass the cache.
 */
function memoiseLayout(font: FontkitFont): void {
  const layout = font.layout.bind(font);
  const cache = new Map<string, { glyphs: unknown[]; positions: GlyphPosition[] }>();
  font.layout = (text: string, features?: unknown, ...rest: unknown[]): GlyphRun => {
    if (features !== undefined || rest.length > 0) return layout(text, features, ...rest);
    let hit = cache.get(text);
    if (!hit) {
      const run = layout(text);
      hit = { glyphs: run.glyphs, positions: run.positions.map((p) => ({ ...p })) };
      if (cache.size >= MAX_CACHED_RUNS) cache.clear();
      cache.set(text, hit);
    }
    const positions = hit.positions.map((p) => ({ ...p }));
    return {
      glyphs: hit.glyphs,
      positions,
      get advanceWidth() {
        return positions.reduce((sum, p) => sum + p.xAdvance, 0);
      },
    };
  };
}

function load(): { files: SerifFontFiles; pdf: PdfFonts } {
  const fontkit = loadFontkit();
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    const dir = candidate.dir();
    if (!dir) continue;
    const paths = Object.fromEntries(STYLES.map((s) => [s, join(dir, candidate.names[s])])) as Record<
      FontStyle,
      string
    >;
    if (!STYLES.every((s) => existsSync(paths[s]))) {
      tried.push(`${candidate.family} (${dir}): not installed`);
      continue;
    }
    const buffers = Object.fromEntries(STYLES.map((s) => [s, readFileSync(paths[s])])) as Record<
      FontStyle,
      Buffer
    >;
    const chosen: SerifFontFiles = { family: candidate.family, dir, files: paths, buffers };
    if (!fontkit) return { files: chosen, pdf: { family: chosen.family, shared: false, fonts: { ...buffers } } };

    const parsed = Object.fromEntries(STYLES.map((s) => [s, fontkit.create(buffers[s])])) as Record<
      FontStyle,
      FontkitFont
    >;
    const missing = VIETNAMESE_PROBE.filter((cp) => !STYLES.every((s) => parsed[s].hasGlyphForCodePoint(cp)));
    if (missing.length > 0) {
      tried.push(`${candidate.family} (${dir}): lacks ${missing.map((cp) => String.fromCodePoint(cp)).join(' ')}`);
      continue;
    }
    for (const style of STYLES) {
      keepCodePoints(parsed[style]);
      memoiseLayout(parsed[style]);
    }
    return { files: chosen, pdf: { family: chosen.family, shared: true, fonts: parsed } };
  }
  throw new Error(`No serif TTF family with Vietnamese coverage found; tried: ${tried.join('; ')}`);
}

/** The first installed candidate family that covers Vietnamese, read once into memory. */
export function serifFontFiles(): SerifFontFiles {
  if (!loaded) loaded = load();
  return loaded.files;
}

/**
 * Fonts ready for pdfkit. Parsing a TTF and warming its layout tables costs ~40-50 ms; pdfkit 0.20 accepts an
 * already parsed fontkit font, so we parse once per process and every document only pays for subsetting
 * (~3-4 ms per style used). Sharing is safe: pdfkit keeps per-document state (subset, widths) in its own
 * EmbeddedFont wrapper and all font work runs synchronously, so two renders never interleave inside it.
 */
export function serifPdfFonts(): PdfFonts {
  if (!loaded) loaded = load();
  return loaded.pdf;
}

/** Family name for the startup log, e.g. "Liberation Serif (/usr/share/fonts/truetype/liberation2)". */
export function serifFontDescription(): string {
  const chosen = serifFontFiles();
  return `${chosen.family} (${chosen.dir})`;
}

/** Load and parse at boot so the first document is not slow and a missing font fails the start, not a job. */
export function preloadFonts(): PdfFonts {
  return serifPdfFonts();
}
