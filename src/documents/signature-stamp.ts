// The visible part of the digital signatures (Decree 30/2020, appendix I): in the signer's block, the signer's
// signature image (if configured) and a frame with name, title, organisation and signing time (Vietnam time,
// ISO 8601 with +07:00); the organisation's seal image over the left third of it, with the organisation's name
// and time. Each stamp is the appearance of its own signature's widget, not page content: the rendered page only
// holds empty signature fields where the stamps go, and each signature, when applied, fills its field with its
// stamp (drawn at the time it is signed), as Acrobat and Foxit expect of a visible signature.
import PDFDocument from 'pdfkit';
import { serifPdfFonts, type FontStyle } from './fonts.js';

type Doc = PDFKit.PDFDocument;

export interface SignatureStamp {
  kind: 'signature' | 'seal';
  name: string;
  title?: string;
  organisation: string;
  signedAt: Date;
  /** PNG (transparent background) of the signature or the seal. */
  image?: Buffer;
}

interface TypesetterLike { use(style: FontStyle, size: number): Doc }

/** "2026-11-22T21:03:05+07:00": Vietnam has no daylight saving, so +07:00 is always right. */
export function vietnamTimestamp(at: Date): string {
  return `${new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

export function stampLines(stamp: SignatureStamp): string[] {
  const time = `Thời gian ký: ${vietnamTimestamp(stamp.signedAt)}`;
  const lines = stamp.kind === 'seal'
    ? [`Cơ quan: ${stamp.organisation}`, time]
    : [`Ký bởi: ${stamp.name}`, ...(stamp.title ? [`Chức vụ: ${stamp.title}`] : []), `Cơ quan: ${stamp.organisation}`, time];
  return lines.map((l) => l.normalize('NFC'));
}

const BLUE = '#1f4e9c';
const RED = '#c00000';

/** The room the signer's block leaves for the stamps (render-result.ts), and the size of each appearance. */
export const SIGNATURE_BOX = { width: 200, height: 64 } as const;

/** The empty signature field for signer `index` (0-based, in the order of the result's signers). */
export function signatureFieldName(index: number): string {
  return `Signature${index + 1}`;
}

/**
 * Draws the stamps inside `rect` ([x1, y1, x2, y2], PDF user space) on the current page; with `only`, just that
 * stamp's part of the shared layout (its image and its lines; the first stamp also the frame), so the appearances
 * of the separate signatures, laid over each other, make the whole stamp.
 */
export function drawSignatureStamps(doc: Doc, ts: TypesetterLike, rect: [number, number, number, number], pageHeight: number, stamps: SignatureStamp[], only?: number): void {
  if (stamps.length === 0) return;
  const mine = (i: number): boolean => only === undefined || only === i;
  const [x1, y1, x2, y2] = rect;
  const top = pageHeight - y2;
  const width = x2 - x1;
  const height = y2 - y1;
  stamps.forEach((stamp, i) => {
    if (stamp.kind === 'signature' && stamp.image && mine(i)) {
      doc.image(stamp.image, x1 + width / 3, top, { fit: [width / 3, height], align: 'center', valign: 'center' });
    }
  });
  // Decree 30: the seal image covers about the left third of the signature.
  stamps.forEach((stamp, i) => {
    if (stamp.kind === 'seal' && stamp.image && mine(i)) {
      doc.image(stamp.image, x1, top, { fit: [width / 3 + 10, height], align: 'center', valign: 'center' });
    }
  });

  const lines = stamps.flatMap((s, i) => stampLines(s).map((text) => ({ text, color: s.kind === 'seal' ? RED : BLUE, stamp: i })));
  const size = Math.min(7.5, (height - 4) / (lines.length * 1.18));
  doc.save();
  if (mine(0)) doc.roundedRect(x1 + 0.3, top + 0.3, width - 0.6, height - 0.6, 3).lineWidth(0.6).strokeColor(BLUE).stroke();
  let y = top + 2;
  for (const line of lines) {
    if (mine(line.stamp)) ts.use('regular', size).fillColor(line.color).text(line.text, x1 + 3, y, { width: width - 6, lineBreak: false, ellipsis: true });
    y += size * 1.18;
  }
  doc.restore();
  doc.fillColor('black');
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

const FONT_NAMES: Record<FontStyle, string> = { regular: 'R', bold: 'B', italic: 'I', boldItalic: 'BI' };

/**
 * Stamp `index` of `stamps` alone on a page the size of the signature box: the signing code makes it the
 * appearance of that signature's widget (signing/sign-pdf.ts), so viewers show it with the signature itself.
 */
export async function renderStampAppearance(stamps: SignatureStamp[], index: number): Promise<Buffer> {
  const { width, height } = SIGNATURE_BOX;
  // No default font (see render-result.ts): only the serif family is registered and embedded. Uncompressed: the
  // signer deflates the streams it imports at a faster level than pdfkit's (the font subset dominated the cost).
  const doc = new PDFDocument({ size: [width, height], margin: 0, compress: false, font: null as unknown as string });
  const output = collect(doc);
  const fonts = serifPdfFonts();
  doc.registerFont(FONT_NAMES.regular, fonts.fonts.regular as unknown as PDFKit.Mixins.PDFFontSource);
  const ts: TypesetterLike = { use: (_style, size) => doc.font(FONT_NAMES.regular).fontSize(size) };
  drawSignatureStamps(doc, ts, [0, 0, width, height], height, stamps, index);
  doc.end();
  return output;
}

// pdfkit has no signature fields, and its form support (initForm) adds /NeedAppearances and a default font that a
// document to be signed must not carry. So the widgets are plain objects on the page, and the catalog's /AcroForm
// is handed to pdfkit's own form state, whose end() then writes it.
interface PdfkitInternals {
  _root: { data: Record<string, unknown> };
  _acroform?: { fonts: Record<string, unknown>; defaultFont: unknown };
  ref(data: Record<string, unknown>): { end(): void };
  page: { annotations: unknown[]; dictionary: unknown };
}

/**
 * One empty signature field per stamp on the current page, all at `rect` (PDF user space) and named by
 * signatureFieldName: each signature fills its own field and shows its stamp there.
 */
export function addSignatureFields(doc: Doc, rect: [number, number, number, number], count: number): void {
  if (count === 0) return;
  const pdfkit = doc as unknown as PdfkitInternals;
  if (pdfkit._root.data.AcroForm) throw new Error('the document already has a form');
  const fields = Array.from({ length: count }, (_, i) => {
    // eslint-disable-next-line no-new-wrappers -- pdfkit writes String objects as PDF strings, plain strings as names
    const field = pdfkit.ref({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: new String(signatureFieldName(i)), Rect: rect, F: 4, P: pdfkit.page.dictionary });
    pdfkit.page.annotations.push(field);
    // Written now (as pdfkit's own annotations are); its end() ends only fields with /Kids, and the form.
    field.end();
    return field;
  });
  pdfkit._acroform = { fonts: {}, defaultFont: 'none' };
  pdfkit._root.data.AcroForm = pdfkit.ref({ Fields: fields, DR: { Font: {} } });
}
