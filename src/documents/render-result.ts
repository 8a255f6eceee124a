// Result documents (the signed PDF a citizen receives) laid out per Decree 30/2020/NĐ-CP, Appendix I.
//
// Body markup — a handlebars template under templates/documents/ produces the BODY only, as lines:
//   (blank line)        ends a paragraph
//   plain lines         consecutive ones join (with a space) into one justified paragraph, first line indented 1 cm
//   ## text             centred bold sub-heading
//   - text              list item: a dash at 1 cm, hanging indent
//   Label:: value       two-column row; the label column gets a trailing colon
//   **bold**  *italic*  inline, inside any of the above (`***x***` is bold italic)
//   \x                  the literal character x
// User data cannot produce markup: the handlebars context is deep-copied with every string NFC-normalised,
// stripped of control characters (line breaks become spaces, so a value never opens a block) and escaped
// (`\`, `*`, `:` everywhere; a leading `#`/`-`). Templates are compiled with noEscape (HTML escaping would
// print "&amp;"), so this escaping is the only one. Document-level fields are available to templates as
// `@doc.agencyName`, `@doc.parentName`, `@doc.dossierCode`, `@doc.documentNumber`, `@doc.place`,
// `@doc.issuedAt`, `@doc.title`, `@doc.signerName`, `@doc.signerTitle`, `@doc.verifyUrl`.
// Helpers: {{date x}} → dd/mm/yyyy (Vietnam time; "yyyy-mm-dd" kept as that calendar day),
// {{dateText x}} → "ngày 05 tháng 02 năm 2026", {{default x "fallback"}}, {{upper x}},
// {{basis x}} → a legal-basis entry without a leading "Căn cứ" or trailing punctuation.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { serifPdfFonts, type FontStyle } from './fonts.js';
import { formatDateVN, formatDateWordsVN, placeDateLine } from './format.js';
import {
  cleanLines,
  cleanText,
  parseBody,
  sanitizeContext,
  sanitizeValue,
  unescapeMarkup,
  type Block,
  type Run,
} from './markup.js';
import { paginate, styleOf, Typesetter, type Align, type Placement, type Unit } from './text-layout.js';
import { addSignatureFields, SIGNATURE_BOX } from './signature-stamp.js';

export interface ResultDocumentInput {
  /** Relative to the templates dir, e.g. 'documents/diploma-copy.hbs'. */
  template: string;
  templatesDir?: string;
  title: string;
  dossierCode: string;
  /** The number and symbol from the issuing agency's register, "05/QĐ-SGDĐT"; a leading "Số:" is accepted and not doubled. */
  documentNumber: string;
  /**
   * 'header' (default): "Số: 05/QĐ-SGDĐT" under the issuing body (Decree 30). 'body': the template prints it
   * (`@doc.documentNumber`) — a copy from the master register reads "Số vào sổ cấp bản sao: 01/BS-SGDĐT" in its body.
   */
  numberPlacement?: 'header' | 'body';
  verifyUrl: string;
  issuer: { parentName: string; agencyName: string };
  place: string;
  issuedAt: Date;
  /** `title` may hold line breaks ("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"). */
  signer: { name: string; title: string };
  recipients?: string[];
  context: Record<string, unknown>;
  /**
   * How many digital signatures follow: each gets an empty signature field over the signer's block, which its
   * signature fills with its stamp as the field's appearance (services/results/signature-appearance.ts; nothing is
   * drawn here).
   */
  signatureFields?: number;
}

/** Where the signer's block left room for a visible signature (PDF user space, origin bottom-left). */
export interface SignatureBox {
  /** 0-based page index. */
  page: number;
  rect: [x1: number, y1: number, x2: number, y2: number];
}

export interface RenderedResult {
  pdf: Buffer;
  pages: number;
  signatureBox: SignatureBox;
}

type Doc = PDFKit.PDFDocument;

const MM = 72 / 25.4;
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const MAX_Y = A4.height - MARGIN.bottom;
const HEADER_LEFT_WIDTH = CONTENT_WIDTH * 0.4;
const RIGHT_X = MARGIN.left + HEADER_LEFT_WIDTH;
const RIGHT_WIDTH = CONTENT_WIDTH - HEADER_LEFT_WIDTH;
const BODY_SIZE = 13;
const LINE_GAP = 1;
const PARAGRAPH_GAP = 6;
const INDENT = 10 * MM;
// A run of consecutive rows shares one label column, as wide as its widest label within these bounds.
const ROW_LABEL_MIN = CONTENT_WIDTH * 0.3;
const ROW_LABEL_MAX = CONTENT_WIDTH * 0.5;
const ROW_GAP = 8;
// Room for the signature image with the seal overlapping its left third (Decree 30 electronic signature).
const SIGNATURE_SPACE = SIGNATURE_BOX.height + 4;
const QR_SIZE = 56;

const FONT_NAMES: Record<FontStyle, string> = { regular: 'R', bold: 'B', italic: 'I', boldItalic: 'BI' };

const upper = (s: string): string => s.toLocaleUpperCase('vi-VN');

// ---------------------------------------------------------------------------------------------------------
// Templates

const hbs = Handlebars.create();
type HelperArgs = unknown[];
// Handlebars passes its options object last; the real arguments are everything before it.
const args = (all: HelperArgs): unknown[] => all.slice(0, -1);
hbs.registerHelper('date', (...all: HelperArgs) => {
  const [value] = args(all);
  const raw = typeof value === 'string' ? unescapeMarkup(value) : value;
  return formatDateVN(raw) ?? (typeof value === 'string' ? value : '');
});
hbs.registerHelper('dateText', (...all: HelperArgs) => {
  const [value] = args(all);
  const raw = typeof value === 'string' ? unescapeMarkup(value) : value;
  return formatDateWordsVN(raw) ?? (typeof value === 'string' ? value : '');
});
hbs.registerHelper('default', (...all: HelperArgs) => {
  const [value, fallback] = args(all);
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  return empty ? fallback : value;
});
// Legal-basis entries come from workflow files written by different people: some already say "Căn cứ ..."
// or end with ";". The template adds both itself, so strip them here.
hbs.registerHelper('basis', (...all: HelperArgs) => {
  const [value] = args(all);
  if (typeof value !== 'string') return value;
  return value.replace(/^căn cứ\s+/iu, '').replace(/[\s;.,]+$/u, '');
});
hbs.registerHelper('upper', (...all: HelperArgs) => {
  const [value] = args(all);
  return typeof value === 'string' ? upper(value) : value;
});

const templateCache = new Map<string, Promise<Handlebars.TemplateDelegate>>();

let defaultTemplatesDir: string | undefined;

/** Walks up from this file until a folder holding templates/documents: works from src/ (tsx) and dist/src/. */
export function findTemplatesDir(): string {
  if (defaultTemplatesDir) return defaultTemplatesDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates', 'documents'))) {
      defaultTemplatesDir = join(dir, 'templates');
      return defaultTemplatesDir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('templates/documents not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

function loadTemplate(templatesDir: string, template: string): Promise<Handlebars.TemplateDelegate> {
  const root = resolve(templatesDir);
  const path = resolve(root, template);
  if (!path.startsWith(root + sep)) throw new Error(`Template path escapes the templates dir: ${template}`);
  let cached = templateCache.get(path);
  if (!cached) {
    cached = readFile(path, 'utf8').then((source) =>
      hbs.compile(source.normalize('NFC'), { noEscape: true }),
    );
    // A missing file should be retried next time (it may be deployed later), not remembered as a failure.
    cached.catch(() => templateCache.delete(path));
    templateCache.set(path, cached);
  }
  return cached;
}

/** Runs the body template and parses its markup; exported for tests and previews. */
export async function renderBody(input: ResultDocumentInput): Promise<Block[]> {
  const template = await loadTemplate(input.templatesDir ?? findTemplatesDir(), input.template);
  const doc = {
    agencyName: sanitizeValue(input.issuer.agencyName),
    parentName: sanitizeValue(input.issuer.parentName),
    dossierCode: sanitizeValue(input.dossierCode),
    documentNumber: sanitizeValue(input.documentNumber),
    place: sanitizeValue(input.place),
    issuedAt: input.issuedAt,
    title: sanitizeValue(input.title),
    signerName: sanitizeValue(input.signer.name),
    signerTitle: sanitizeValue(input.signer.title),
    verifyUrl: sanitizeValue(input.verifyUrl),
  };
  const text = template(sanitizeContext(input.context), { data: { doc } });
  return parseBody(text);
}

// ---------------------------------------------------------------------------------------------------------
// Drawing

// Header, closing and caption lines go through the Typesetter too: pdfkit's own wrapper re-measures every
// word on every call, which cost more than the whole body.
const runOf = (text: string, style: FontStyle): Run => ({
  text,
  bold: style === 'bold' || style === 'boldItalic',
  italic: style === 'italic' || style === 'boldItalic',
});

/** Draws each text as its own wrapped paragraph from y down; returns the y below the last line. */
function drawTexts(
  ts: Typesetter,
  texts: string[],
  style: FontStyle,
  size: number,
  x: number,
  y: number,
  width: number,
  align: Align = 'center',
): number {
  const lineHeight = ts.lineHeight(size, 1);
  let cursor = y;
  for (const text of texts) {
    for (const line of ts.breakLines([runOf(text, style)], width, size)) {
      ts.drawLine(line, x, cursor, width, align, size);
      cursor += lineHeight;
    }
  }
  return cursor;
}

function textsHeight(ts: Typesetter, texts: string[], style: FontStyle, size: number, width: number): number {
  const count = texts.reduce((n, text) => n + ts.breakLines([runOf(text, style)], width, size).length, 0);
  return count * ts.lineHeight(size, 1);
}

function hline(doc: Doc, centreX: number, y: number, length: number): void {
  doc
    .moveTo(centreX - length / 2, y)
    .lineTo(centreX + length / 2, y)
    .lineWidth(0.6)
    .strokeColor('black')
    .stroke();
}

/** Largest size ≤ preferred (down to min) at which the text fits on one line of the given width. */
function fitSize(ts: Typesetter, text: string, style: FontStyle, preferred: number, min: number, width: number): number {
  const natural = ts.width(text, style, preferred);
  if (natural <= width) return preferred;
  return Math.max(min, Math.floor(((preferred * width) / natural) * 4) / 4);
}

// Vector QR: one filled path of horizontal runs. Sharper than a PNG at any zoom and ~1 ms instead of a PNG
// encode plus image embedding.
function drawQr(doc: Doc, url: string, x: number, y: number, size: number): void {
  const modules = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
  const n = modules.size;
  const cell = size / n;
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      doc.rect(x + start * cell, y + row * cell, (col - start) * cell, cell);
    }
  }
  doc.fillColor('black').fill('nonzero');
}

// ---------------------------------------------------------------------------------------------------------
// Layout

interface Prepared {
  title: string;
  dossierCode: string;
  /** The header's number line; empty when the body prints the number. */
  number: string;
  verifyUrl: string;
  parentName: string;
  agencyName: string;
  placeDate: string;
  signerName: string;
  signerTitle: string[];
  recipients: string[];
}

function prepare(input: ResultDocumentInput): Prepared {
  const number = cleanText(input.documentNumber);
  const recipients = (input.recipients ?? []).map(cleanText).filter((r) => r.length > 0);
  return {
    title: upper(cleanText(input.title)),
    dossierCode: cleanText(input.dossierCode),
    // `\b` would not do: "ố" is not a word character to a JavaScript RegExp, so "Số:" has no boundary after it.
    number: input.numberPlacement === 'body' ? '' : /^số\s*:/iu.test(number) ? number : `Số: ${number}`,
    verifyUrl: cleanText(input.verifyUrl),
    parentName: upper(cleanText(input.issuer.parentName)),
    agencyName: upper(cleanText(input.issuer.agencyName)),
    placeDate: placeDateLine(cleanText(input.place), input.issuedAt),
    signerName: cleanText(input.signer.name),
    signerTitle: cleanLines(input.signer.title).map(upper),
    // Decree 30: each recipient line ends with ";" and the last one (usually "Lưu: VT, ...") with ".".
    recipients: recipients.map((r, i) => {
      const bare = r.replace(/[;.,]+$/, '');
      return `- ${bare}${i === recipients.length - 1 ? '.' : ';'}`;
    }),
  };
}

/** Issuing body and national heading, number and date, title. Returns the y where the body starts. */
function drawFirstPageTop(doc: Doc, ts: Typesetter, p: Prepared): number {
  const leftCentre = MARGIN.left + HEADER_LEFT_WIDTH / 2;
  const rightCentre = RIGHT_X + RIGHT_WIDTH / 2;
  const top = MARGIN.top;

  // Issuing body: parent body upright capitals, issuing body bold capitals, a short rule under it.
  let left = top;
  if (p.parentName) left = drawTexts(ts, [p.parentName], 'regular', 12.5, MARGIN.left, left, HEADER_LEFT_WIDTH);
  left = drawTexts(ts, [p.agencyName], 'bold', 12.5, MARGIN.left, left, HEADER_LEFT_WIDTH);
  const agencyWidth = Math.min(ts.width(p.agencyName, 'bold', 12.5), HEADER_LEFT_WIDTH);
  hline(doc, leftCentre, left + 3, agencyWidth * 0.4);

  // National heading and motto; the motto's rule is as long as the motto.
  const heading = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
  const motto = 'Độc lập - Tự do - Hạnh phúc';
  const headingSize = fitSize(ts, heading, 'bold', 12.5, 11, RIGHT_WIDTH);
  let right = drawTexts(ts, [heading], 'bold', headingSize, RIGHT_X, top, RIGHT_WIDTH);
  right = drawTexts(ts, [motto], 'bold', 13, RIGHT_X, right, RIGHT_WIDTH);
  hline(doc, rightCentre, right + 3, ts.width(motto, 'bold', 13));

  // Number and symbol (left) level with place and date (right, italic).
  const y = Math.max(left, right) + 10;
  let leftBottom = p.number ? drawTexts(ts, [p.number], 'regular', 13, MARGIN.left, y, HEADER_LEFT_WIDTH) + 2 : y;
  leftBottom = drawTexts(ts, [`Mã hồ sơ: ${p.dossierCode}`], 'regular', 11, MARGIN.left, leftBottom, HEADER_LEFT_WIDTH);
  const rightBottom = drawTexts(ts, [p.placeDate], 'italic', 13, RIGHT_X, y, RIGHT_WIDTH);

  const titleTop = Math.max(leftBottom, rightBottom) + 16;
  return drawTexts(ts, [p.title], 'bold', 14, MARGIN.left, titleTop, CONTENT_WIDTH) + 12;
}

function rowLabel(block: Extract<Block, { kind: 'row' }>): Run[] {
  const label = block.label.map((r) => ({ ...r }));
  const last = label[label.length - 1];
  if (last && !last.text.endsWith(':')) last.text += ':';
  return label;
}

/** Label column width for each row, shared by every row of a consecutive group. */
function rowLabelWidths(ts: Typesetter, blocks: Block[]): Map<Block, number> {
  const widths = new Map<Block, number>();
  let group: Extract<Block, { kind: 'row' }>[] = [];
  const close = (): void => {
    const widest = Math.max(
      0,
      ...group.map((row) => rowLabel(row).reduce((w, r) => w + ts.width(r.text, styleOf(r), BODY_SIZE), 0)),
    );
    const width = Math.min(ROW_LABEL_MAX, Math.max(ROW_LABEL_MIN, widest + 1));
    for (const row of group) widths.set(row, width);
    group = [];
  };
  for (const block of blocks) {
    if (block.kind === 'row') group.push(block);
    else close();
  }
  close();
  return widths;
}

function bodyUnits(ts: Typesetter, blocks: Block[]): Unit[] {
  const units: Unit[] = [];
  const lineHeight = ts.lineHeight(BODY_SIZE);
  let previous: Block['kind'] | undefined;
  let keepWithNext = false;
  const add = (unit: Omit<Unit, 'breakBefore'> & { breakBefore?: boolean }): void => {
    units.push({ ...unit, breakBefore: (unit.breakBefore ?? true) && !keepWithNext });
    keepWithNext = false;
  };
  const labelWidths = rowLabelWidths(ts, blocks);
  for (const block of blocks) {
    const tight = previous === block.kind && (block.kind === 'row' || block.kind === 'item');
    const spaceBefore = previous === undefined ? 0 : tight ? 1 : PARAGRAPH_GAP;
    previous = block.kind;
    switch (block.kind) {
      case 'paragraph': {
        const lines = ts.breakLines(block.runs, CONTENT_WIDTH, BODY_SIZE, INDENT);
        const n = lines.length;
        lines.forEach((line, k) => {
          // No single first or last line of a paragraph alone on a page (orphans and widows).
          const breakable = k === 0 || (k >= 2 && n - k >= 2);
          add({
            height: lineHeight,
            spaceBefore: k === 0 ? spaceBefore : 0,
            breakBefore: breakable,
            draw: (y) => ts.drawLine(line, MARGIN.left, y, CONTENT_WIDTH, 'justify', BODY_SIZE),
          });
        });
        break;
      }
      case 'heading': {
        const runs = block.runs.map((r) => ({ ...r, bold: true }));
        const lines = ts.breakLines(runs, CONTENT_WIDTH, BODY_SIZE);
        add({
          height: lines.length * lineHeight,
          spaceBefore: spaceBefore + 4,
          draw: (y) =>
            lines.forEach((line, k) =>
              ts.drawLine(line, MARGIN.left, y + k * lineHeight, CONTENT_WIDTH, 'center', BODY_SIZE),
            ),
        });
        keepWithNext = true;
        break;
      }
      case 'item': {
        const dashX = MARGIN.left + INDENT;
        const textX = dashX + 10;
        const width = MARGIN.left + CONTENT_WIDTH - textX;
        const lines = ts.breakLines(block.runs, width, BODY_SIZE);
        add({
          height: lines.length * lineHeight,
          spaceBefore,
          draw: (y) => {
            ts.use('regular', BODY_SIZE).text('-', dashX, y, { lineBreak: false });
            lines.forEach((line, k) => ts.drawLine(line, textX, y + k * lineHeight, width, 'justify', BODY_SIZE));
          },
        });
        break;
      }
      case 'row': {
        const labelX = MARGIN.left + INDENT;
        const labelWidth = labelWidths.get(block) ?? ROW_LABEL_MIN;
        const valueX = labelX + labelWidth + ROW_GAP;
        const valueWidth = MARGIN.left + CONTENT_WIDTH - valueX;
        const label = rowLabel(block);
        const labelLines = ts.breakLines(label, labelWidth, BODY_SIZE);
        const valueLines = ts.breakLines(block.value, valueWidth, BODY_SIZE);
        add({
          height: Math.max(labelLines.length, valueLines.length, 1) * lineHeight,
          spaceBefore,
          draw: (y) => {
            labelLines.forEach((line, k) => ts.drawLine(line, labelX, y + k * lineHeight, labelWidth, 'left', BODY_SIZE));
            valueLines.forEach((line, k) => ts.drawLine(line, valueX, y + k * lineHeight, valueWidth, 'left', BODY_SIZE));
          },
        });
        break;
      }
    }
  }
  return units;
}

/**
 * The closing block: recipients, then the QR code with its caption (left column) beside the signer's title,
 * room for the signature and the signer's name (right column). Kept as one unit so the QR never drifts away
 * from the signature it lets people check.
 */
function closingUnit(doc: Doc, ts: Typesetter, p: Prepared, onPlaced: (rect: SignatureBox['rect']) => void): Unit {
  const leftWidth = HEADER_LEFT_WIDTH + 10;
  const captionX = MARGIN.left + QR_SIZE + 6;
  // The caption column ends where the signature column starts.
  const captionWidth = RIGHT_X - captionX - 4;
  const captions = ['Quét mã QR để tra cứu văn bản', 'Mã hồ sơ:', p.dossierCode];
  // The URL gets a full-width line of its own so it is never cut (and stays one string for text extraction).
  const urlLine = [`Tra cứu: ${p.verifyUrl}`];
  const recipientsHeight =
    p.recipients.length === 0
      ? 0
      : textsHeight(ts, ['Nơi nhận:'], 'boldItalic', 12, leftWidth) +
        textsHeight(ts, p.recipients, 'regular', 11, leftWidth) +
        8;
  const qrHeight = Math.max(QR_SIZE, textsHeight(ts, captions, 'regular', 9, captionWidth));
  const leftHeight = recipientsHeight + qrHeight;
  const rightHeight =
    textsHeight(ts, p.signerTitle, 'bold', 13, RIGHT_WIDTH) +
    SIGNATURE_SPACE +
    textsHeight(ts, [p.signerName], 'bold', 13, RIGHT_WIDTH);
  const columnsHeight = Math.max(leftHeight, rightHeight);
  return {
    height: columnsHeight + 3 + textsHeight(ts, urlLine, 'regular', 9, CONTENT_WIDTH),
    spaceBefore: 10,
    // The signature never sits alone on a page: it takes the last lines of the body with it.
    breakBefore: false,
    draw: (y) => {
      if (p.recipients.length > 0) {
        const itemsTop = drawTexts(ts, ['Nơi nhận:'], 'boldItalic', 12, MARGIN.left, y, leftWidth, 'left');
        drawTexts(ts, p.recipients, 'regular', 11, MARGIN.left, itemsTop, leftWidth, 'left');
      }
      const qrTop = y + recipientsHeight;
      drawQr(doc, p.verifyUrl, MARGIN.left, qrTop, QR_SIZE);
      drawTexts(ts, captions, 'regular', 9, captionX, qrTop + QR_SIZE / 2 - 10, captionWidth, 'left');
      drawTexts(ts, urlLine, 'regular', 9, MARGIN.left, y + columnsHeight + 3, CONTENT_WIDTH, 'left');

      const titleBottom = drawTexts(ts, p.signerTitle, 'bold', 13, RIGHT_X, y, RIGHT_WIDTH);
      const nameTop = titleBottom + SIGNATURE_SPACE;
      drawTexts(ts, [p.signerName], 'bold', 13, RIGHT_X, nameTop, RIGHT_WIDTH);
      const boxWidth = Math.min(RIGHT_WIDTH, SIGNATURE_BOX.width);
      const boxX = RIGHT_X + (RIGHT_WIDTH - boxWidth) / 2;
      onPlaced([boxX, A4.height - (nameTop - 2), boxX + boxWidth, A4.height - (titleBottom + 2)]);
    },
  };
}

// Decree 30: pages are numbered from the second page, Arabic numerals, centred in the top margin.
function numberPages(doc: Doc, ts: Typesetter): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start + 1; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    ts.use('regular', 13).text(String(i - range.start + 1), MARGIN.left, MARGIN.top / 2 - 6, {
      width: CONTENT_WIDTH,
      align: 'center',
      lineBreak: false,
    });
  }
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolvePromise(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** Renders and also reports where the signature appearance belongs (for a visible signature widget). */
export async function renderResult(input: ResultDocumentInput): Promise<RenderedResult> {
  const blocks = await renderBody(input);
  const p = prepare(input);
  const fonts = serifPdfFonts();

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    autoFirstPage: true,
    bufferPages: true,
    compress: true,
    pdfVersion: '1.7',
    lang: 'vi-VN',
    displayTitle: true,
    // No default font: pdfkit would parse its Helvetica AFM for every document, and opening our registered
    // fonts after another font of the same name triggers a costly name-table comparison (isEqualFont).
    font: null as unknown as string,
    info: {
      Title: p.title,
      Author: p.agencyName,
      Subject: `${p.title} — ${p.dossierCode}`,
      Creator: 'motcua',
      Producer: 'motcua (pdfkit)',
      // Fixed from the input so the same input renders the same bytes (the file ID derives from Info).
      CreationDate: input.issuedAt,
      ModDate: input.issuedAt,
    },
  });
  const output = collect(doc);
  for (const style of Object.keys(FONT_NAMES) as FontStyle[]) {
    doc.registerFont(FONT_NAMES[style], fonts.fonts[style] as unknown as PDFKit.Mixins.PDFFontSource);
  }
  doc.fillColor('black');
  const ts = new Typesetter(doc, FONT_NAMES, LINE_GAP);

  const bodyTop = drawFirstPageTop(doc, ts, p);
  let signatureBox: SignatureBox | undefined;
  let page = 0;
  const units = [
    ...bodyUnits(ts, blocks),
    closingUnit(doc, ts, p, (rect) => {
      signatureBox = { page: doc.bufferedPageRange().count - 1, rect };
    }),
  ];
  const placements = paginate(units, bodyTop, MARGIN.top, MAX_Y);
  units.forEach((unit, i) => {
    const at = placements[i] as Placement;
    while (page < at.page) {
      doc.addPage();
      page++;
    }
    unit.draw(at.y);
  });
  if (input.signatureFields && signatureBox) {
    doc.switchToPage(signatureBox.page);
    addSignatureFields(doc, signatureBox.rect, input.signatureFields);
  }
  numberPages(doc, ts);
  const pages = doc.bufferedPageRange().count;
  doc.end();
  if (!signatureBox) throw new Error('signature block was not drawn');
  return { pdf: await output, pages, signatureBox };
}

export async function renderResultPdf(input: ResultDocumentInput): Promise<Buffer> {
  return (await renderResult(input)).pdf;
}
