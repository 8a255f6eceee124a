// The visible part of the digital signatures (Decree 30/2020, appendix I): in the signer's block, the signer's
// signature image (if configured) and a frame with name, title, organisation and signing time (Vietnam time,
// ISO 8601 with +07:00); the organisation's seal image over the left third of it, with the organisation's name
// and time. The cryptographic signatures are applied right after, over the page that shows this.
import type { FontStyle } from './fonts.js';

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

/** Draws the stamps inside `rect` ([x1, y1, x2, y2], PDF user space) on the current page. */
export function drawSignatureStamps(doc: Doc, ts: TypesetterLike, rect: [number, number, number, number], pageHeight: number, stamps: SignatureStamp[]): void {
  if (stamps.length === 0) return;
  const [x1, y1, x2, y2] = rect;
  const top = pageHeight - y2;
  const width = x2 - x1;
  const height = y2 - y1;
  const signature = stamps.find((s) => s.kind === 'signature');
  const seals = stamps.filter((s) => s.kind === 'seal');
  if (signature?.image) doc.image(signature.image, x1 + width / 3, top, { fit: [width / 3, height], align: 'center', valign: 'center' });
  // Decree 30: the seal image covers about the left third of the signature.
  for (const seal of seals) if (seal.image) doc.image(seal.image, x1, top, { fit: [width / 3 + 10, height], align: 'center', valign: 'center' });

  const lines = stamps.flatMap((s) => stampLines(s).map((text) => ({ text, color: s.kind === 'seal' ? RED : BLUE })));
  const size = Math.min(7.5, (height - 4) / (lines.length * 1.18));
  doc.save();
  doc.roundedRect(x1, top, width, height, 3).lineWidth(0.6).strokeColor(BLUE).stroke();
  let y = top + 2;
  for (const line of lines) {
    ts.use('regular', size).fillColor(line.color).text(line.text, x1 + 3, y, { width: width - 6, lineBreak: false, ellipsis: true });
    y += size * 1.18;
  }
  doc.restore();
  doc.fillColor('black');
}
