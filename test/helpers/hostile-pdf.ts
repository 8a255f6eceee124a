// Files for the verifier's denial-of-service tests and benchmark (security audit: many /ByteRange entries).
// Neither is a real PDF beyond its header; both only have to reach the signature scan.

/**
 * The audit's file: one large hex string every entry claims as its /Contents, then thousands of signature
 * dictionaries whose ranges stay inside the file. The verifier before the fix decoded that hex and hashed the file
 * once per entry, searched backwards to the start of the file for each "<<", and ran one query per entry.
 */
export function manyByteRangesPdf(targetBytes = 600 * 1024): Buffer {
  const head = '%PDF-1.7\n';
  const hex = `<${'0'.repeat(Math.floor(targetBytes / 2))}>\n`;
  const open = head.length;
  const close = open + hex.length - 1; // just past '>'
  const entry = `/Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange [0 ${open} ${close} 1]\n`;
  const count = Math.max(1, Math.floor((targetBytes - head.length - hex.length) / entry.length));
  return Buffer.from(head + hex + entry.repeat(count) + '%%EOF\n', 'latin1');
}

/**
 * The most work the verifier's bounds allow: a file just under `totalBytes` with `signatures` dictionaries, each
 * claiming a range over the whole file (so each one hashes all of it) around a /Contents holding `cms` (a real CMS
 * from another file, so it parses and its digest is computed and compared; without one, junk that fails to parse).
 */
export function heaviestAllowedPdf(totalBytes: number, signatures: number, cms?: Buffer): Buffer {
  const contentsHex = cms ? cms.toString('hex') : '30'.repeat(4096);
  const contentsBytes = contentsHex.length / 2;
  const width = String(totalBytes).length;
  const num = (n: number) => String(n).padStart(width, '0');
  const parts: string[] = ['%PDF-1.7\n'];
  let offset = parts[0]!.length;
  const holes: Array<{ at: number; open: number }> = [];
  for (let i = 0; i < signatures; i++) {
    const prefix = `${i + 1} 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /M (D:20260101000000Z) /ByteRange [0 `;
    const rangeText = `${num(0)} ${num(0)} ${num(0)}] /Contents `;
    holes.push({ at: offset + prefix.length, open: offset + prefix.length + rangeText.length });
    const dict = `${prefix}${rangeText}<${contentsHex}> >>\nendobj\n`;
    parts.push(dict);
    offset += dict.length;
  }
  const filler = Math.max(0, totalBytes - offset - 6);
  const text = parts.join('') + '%'.repeat(filler) + '\n%%EOF';
  const pdf = Buffer.from(text, 'latin1');
  for (const hole of holes) {
    const close = hole.open + 2 + contentsBytes * 2; // just past '>'
    pdf.write(`${num(hole.open)} ${num(close)} ${num(pdf.length - close)}`, hole.at, 'latin1');
  }
  return pdf;
}
