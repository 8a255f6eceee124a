// The request bench/intake.ts sends: POST /api/dossiers as multipart/form-data for procedure `diploma-copy` — a valid
// form and one small, real PDF as the `identity` document. Built once, byte for byte, and sent unchanged by every
// connection (autocannon replays a fixed body).
import PDFDocument from 'pdfkit';

export const BOUNDARY = '----motcua-bench-7d1f0c2a9e';
export const HEADERS = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

export const FORM = {
  applicantName: 'Nguyễn Văn An',
  applicantIdNumber: '038090001234',
  applicantPhone: '0912345678',
  applicantAddress: 'Số 1 Lê Lợi, Thanh Hóa',
  relation: 'self',
  holderName: 'Nguyễn Văn An',
  holderBirthDate: '2000-05-01',
  diplomaType: 'thpt',
  school: 'THPT Lam Sơn',
  graduationYear: 2018,
  copies: 1,
};

/** A small, real PDF (built-in font, so no TTF parsing): what a citizen's scanned ID stands in for. */
export function makePdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: 'Can cuoc cong dan', CreationDate: new Date(0) } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(18).text('CAN CUOC CONG DAN', { align: 'center' });
    doc.moveDown().fontSize(12).text('Ho va ten: NGUYEN VAN AN').text('So: 038090001234').text('Ngay sinh: 01/05/2000');
    doc.end();
  });
}

export type Part = { name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer };

export function multipartBody(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ('data' in part) head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), 'data' in part ? part.data : Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export async function intakeRequestBody(): Promise<{ body: Buffer; pdf: Buffer }> {
  const pdf = await makePdf();
  const body = multipartBody(BOUNDARY, [
    { name: 'procedure', value: 'diploma-copy' },
    { name: 'data', value: JSON.stringify(FORM) },
    { name: 'identity', filename: 'cccd.pdf', contentType: 'application/pdf', data: pdf },
  ]);
  return { body, pdf };
}

/**
 * BENCH_FILES=realistic (issue 15): what a citizen really uploads — a ~300 KB JPEG photo of the ID card and a ~600 KB
 * scanned PDF of the diploma. Random bytes inside real headers: scans do not compress, and neither do these.
 */
export async function realisticRequestBody(): Promise<{ body: Buffer; fileBytes: number }> {
  const { randomBytes } = await import('node:crypto');
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    randomBytes(300 * 1024), Buffer.from([0xff, 0xd9]),
  ]);
  const page = await makePdf();
  const pdf = Buffer.concat([page, Buffer.from('%scan\n'), randomBytes(600 * 1024), Buffer.from('\n%%EOF\n')]);
  const body = multipartBody(BOUNDARY, [
    { name: 'procedure', value: 'diploma-copy' },
    { name: 'data', value: JSON.stringify(FORM) },
    { name: 'identity', filename: 'cccd.jpg', contentType: 'image/jpeg', data: jpeg },
    { name: 'diplomaScan', filename: 'van-bang.pdf', contentType: 'application/pdf', data: pdf },
  ]);
  return { body, fileBytes: jpeg.length + pdf.length };
}
