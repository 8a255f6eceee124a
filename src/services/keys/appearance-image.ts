// Signature and seal images are drawn into every result PDF by pdfkit, long after the upload: a file pdfkit cannot
// open would make each result fail to render. So an upload is checked here the way pdfkit will read it — PNG or JPEG,
// headers that parse — and bounded in bytes and in pixels (a small file can still claim a huge canvas).
import PDFDocument from 'pdfkit';

export const MAX_APPEARANCE_BYTES = 512 * 1024;
/** A stamp is a few centimetres wide; 2,000 pixels is more than any scan needs. */
export const MAX_APPEARANCE_PIXELS = 2000;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export type AppearanceImageType = 'image/png' | 'image/jpeg';

/** The image's type when pdfkit can draw it within the bounds, else null. */
export function appearanceImageType(image: Buffer): AppearanceImageType | null {
  const type = image.subarray(0, 8).equals(PNG_MAGIC) ? 'image/png' : image.subarray(0, 3).equals(JPEG_MAGIC) ? 'image/jpeg' : null;
  if (!type) return null;
  try {
    const opened = (new PDFDocument({ autoFirstPage: false }) as PDFKit.PDFDocument & { openImage(src: Buffer): { width: number; height: number } }).openImage(image);
    const fits = (n: number) => Number.isInteger(n) && n > 0 && n <= MAX_APPEARANCE_PIXELS;
    return fits(opened.width) && fits(opened.height) ? type : null;
  } catch {
    return null;
  }
}

/** The stored image's media type, for the preview (images stored before JPEG was allowed are PNG). */
export function storedImageType(image: Buffer): AppearanceImageType {
  return image.subarray(0, 3).equals(JPEG_MAGIC) ? 'image/jpeg' : 'image/png';
}
