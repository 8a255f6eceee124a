// An issued result (approve → the issue job renders and applies the leader's signature and the seal) shows each
// stamp as its signature's appearance: both signature fields filled, each widget's /AP /N drawn by a reader in the
// signer's block, the stamp time equal to that signature's /M, and nothing of the stamp in the page content.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDocument } from '../../src/services/results/verify-document.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { approvedResultPdf } from '../helpers/dossiers.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';

const run = promisify(execFile);

/** Dark pixels of page `page` (1-based) inside `rect`, rendered at 72 dpi; optionally without annotations. */
async function inkIn(pdf: Buffer, page: number, pageHeight: number, rect: number[], hideAnnotations = false): Promise<number> {
  const [x1, y1, x2, y2] = rect.map(Math.round) as [number, number, number, number];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-stamp-'));
  try {
    await writeFile(path.join(dir, 'a.pdf'), pdf);
    await run('pdftoppm', ['-r', '72', '-gray', '-f', String(page), '-l', String(page), '-x', String(x1), '-y', String(Math.round(pageHeight) - y2),
      '-W', String(x2 - x1), '-H', String(y2 - y1), ...(hideAnnotations ? ['-hide-annotations'] : []), path.join(dir, 'a.pdf'), path.join(dir, 'crop')]);
    // pdftoppm pads the page number in the name by the page count: find the one image.
    const file = (await readdir(dir)).find((n) => n.endsWith('.pgm'))!;
    const pgm = await readFile(path.join(dir, file));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40))!;
    return pgm.subarray(header[0].length).filter((v) => v < 160).length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('issued result: the stamps are the signatures\' appearances', () => {
  let env: TestEnvironment;

  beforeAll(async () => { env = await startTestEnvironment('embedded'); });
  afterAll(async () => { await env?.close(); });

  it('fills Signature1 (leader) and Signature2 (seal) with their stamps, at the signer\'s block, timed as their /M', async () => {
    const pdf = await approvedResultPdf(env.ctx);

    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    const fields = doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict).lookup(PDFName.of('Fields'), PDFArray).asArray()
      .map((ref) => doc.context.lookup(ref, PDFDict));
    const name = (d: PDFDict) => (d.get(PDFName.of('T')) as PDFString | PDFHexString).decodeText();
    expect(fields.map(name)).toEqual(['Signature1', 'Signature2']);
    const pageRefs = doc.getPages().map((p) => p.ref.objectNumber);
    const verdict = await verifyDocument(env.ctx, pdf);
    expect(verdict.valid).toBe(true);
    const signature = await pdfsig(pdf);
    expect(signature.match(/Signature is Valid/g)).toHaveLength(2);
    expect(signature).toContain('Total document signed');

    for (const [i, field] of fields.entries()) {
      const rect = field.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());
      expect(rect[2]! - rect[0]!).toBeGreaterThan(100);
      const normal = field.lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N'));
      expect(normal).toBeInstanceOf(PDFRawStream);
      const page = pageRefs.indexOf((field.get(PDFName.of('P')) as PDFRef).objectNumber);
      expect(page).toBeGreaterThanOrEqual(0);
      const height = doc.getPage(page).getHeight();
      expect(await inkIn(pdf, page + 1, height, rect)).toBeGreaterThan(200);
      // Hidden annotations, the block is blank: the stamp is not page content.
      expect(await inkIn(pdf, page + 1, height, rect, true)).toBe(0);
      // The signature behind this field is signature i of the file (signing order).
      const sig = field.lookup(PDFName.of('V'), PDFDict);
      const m = (sig.get(PDFName.of('M')) as PDFString).decodeDate();
      expect(m.toISOString()).toBe(verdict.signatures[i]!.signedAt);
    }
    // Each stamp prints the time of its own signature (Vietnam time), seen by a reader of the appearances.
    const text = (await pdfText(pdf)).replace(/[ \t]+/g, ' ');
    const times = [...text.matchAll(/Thời gian ký: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)/g)].map((m) => new Date(m[1]!).toISOString());
    expect(times).toEqual(verdict.signatures.map((s) => s.signedAt));
  });
});
