// Hostile uploads for the administration's file endpoints, made in memory: a zip that unpacks a thousand times larger
// (an XLSX bomb), YAML whose aliases multiply (billion laughs), a CSV past the import's row limit, and files that only
// pretend to be a PKCS#12 key or an image.
import { deflateRawSync } from 'node:zlib';

/**
 * A zip of deflated entries. CRCs are left at 0: neither exceljs (JSZip without checkCRC32) nor the size check reads
 * them, so they change nothing about how much a reader must unpack.
 */
export function zipOf(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = deflateRawSync(e.data, { level: 9 });
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(body.length, 18); local.writeUInt32LE(e.data.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(body.length, 20); central.writeUInt32LE(e.data.length, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet workbook whose sheet is `megabytes` of blanks: a few hundred KB that unpack to that much. */
export function xlsxBomb(megabytes: number): Buffer {
  const xml = (text: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>${text}`);
  const sheet = Buffer.concat([xml(`<worksheet xmlns="${MAIN}"><sheetData>`), Buffer.alloc(megabytes * 1024 * 1024, 0x20), Buffer.from('</sheetData></worksheet>')]);
  return zipOf([
    {
      name: '[Content_Types].xml',
      data: xml('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    },
    { name: '_rels/.rels', data: xml(`<Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`) },
    { name: 'xl/workbook.xml', data: xml(`<workbook xmlns="${MAIN}" xmlns:r="${OFFICE_RELS}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    { name: 'xl/_rels/workbook.xml.rels', data: xml(`<Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`) },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ]);
}

/** Billion laughs: ten levels of nine aliases each, 9^10 strings once expanded, in under a kilobyte. */
export function yamlBomb(): string {
  const levels = 'abcdefghij'.split('');
  const lines = [`${levels[0]}: &${levels[0]} [${Array(9).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels.length; i++) lines.push(`${levels[i]}: &${levels[i]} [${Array(9).fill(`*${levels[i - 1]}`).join(', ')}]`);
  return `id: bom-yaml\ntitle: Bom\n${lines.join('\n')}\n`;
}

/** The unit import's header and `rows` lines of schools; `kind` decides whether a line is acceptable. */
export function unitCsv(rows: number, kind = 'school'): string {
  const lines = ['id,name,agencyCode,kind'];
  for (let i = 0; i < rows; i++) lines.push(`truong-${i},Trường ${i},000.00.12.H56,${kind}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** Bytes that start like a DER SEQUENCE claiming about 2 GB, as a PKCS#12 file would start. */
export const ASN1_HUGE_LENGTH = Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03]), Buffer.alloc(64, 0x41)]);

/** A PNG signature and a header claiming 100,000 × 100,000 pixels, and no image data. */
export function pngHeaderOnly(width = 100_000, height = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 6;
  const length = Buffer.alloc(4); length.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, Buffer.from('IHDR'), ihdr, Buffer.alloc(4)]);
}
