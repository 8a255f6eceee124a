// The visible signature is the signature's own appearance: the rendered result holds one empty signature field
// per signer over the signer's block (nothing drawn there), and each signature fills its field with its stamp as
// the widget's /AP /N, in an incremental update that leaves every earlier byte alone. Checked with pdf-lib (the
// structure), pdfsig and our verifier (the signatures), qpdf (the file) and pdftoppm (what a reader sees).
import { execFile } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFString } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderResult, type ResultDocumentInput, type SignatureBox } from '../../src/documents/render-result.js';
import { renderStampAppearance, signatureFieldName, type SignatureStamp } from '../../src/documents/signature-stamp.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { PdfReader } from '../../src/signing/pdf-increment.js';
import { prepareDetachedCms } from '../../src/signing/cms.js';
import { embedCms, preparePdfSignature, reopenPrepared, signPdf, type SignPdfOptions } from '../../src/signing/sign-pdf.js';
import { parseCertificates, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const run = promisify(execFile);
const A4_HEIGHT = 841.89;

async function withFile<T>(pdf: Buffer, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-visible-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return await fn(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Dark pixels (grey < 160) of page 1 inside `rect` (PDF user space), rendered at 72 dpi by pdftoppm. */
function inkIn(pdf: Buffer, rect: SignatureBox['rect'], options: { hideAnnotations?: boolean } = {}): Promise<number> {
  const [x1, y1, x2, y2] = rect.map(Math.round) as [number, number, number, number];
  return withFile(pdf, async (file, dir) => {
    const args = ['-r', '72', '-gray', '-f', '1', '-l', '1', '-x', String(x1), '-y', String(Math.round(A4_HEIGHT) - y2), '-W', String(x2 - x1), '-H', String(y2 - y1)];
    if (options.hideAnnotations) args.push('-hide-annotations');
    await run('pdftoppm', [...args, file, path.join(dir, 'crop')]);
    const pgm = await readFile(path.join(dir, 'crop-1.pgm'));
    // "P5\n<w> <h>\n255\n" then one byte a pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40));
    if (!header) throw new Error('not a PGM');
    return pgm.subarray(header[0].length).filter((v) => v < 160).length;
  });
}

/** `qpdf --check` finds nothing, warnings included (skipped where qpdf is missing; scripts/test-setup.sh installs it). */
async function expectQpdfClean(pdf: Buffer): Promise<void> {
  try {
    await run('qpdf', ['--version']);
  } catch {
    return;
  }
  const output = await withFile(pdf, async (file) => {
    try {
      const { stdout, stderr } = await run('qpdf', ['--check', file]);
      return stdout + stderr;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return `exit status != 0: ${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  });
  expect(output).toContain('No syntax or stream encoding errors found');
  expect(output).not.toMatch(/WARNING|exit status/);
}

interface Widget { dict: PDFDict; name: string | undefined }

/** Every signature field's (merged) widget, with its /T. */
async function signatureWidgets(pdf: Buffer): Promise<{ doc: PDFDocument; widgets: Widget[]; sigFlags: number | undefined }> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const acroForm = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fields = acroForm?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const widgets = (fields?.asArray() ?? []).map((ref) => {
    const dict = doc.context.lookup(ref, PDFDict);
    const t = dict.get(PDFName.of('T'));
    return { dict, name: t instanceof PDFString || t instanceof PDFHexString ? t.decodeText() : undefined };
  }).filter((w) => w.dict.get(PDFName.of('FT')) === PDFName.of('Sig'));
  const flags = acroForm?.get(PDFName.of('SigFlags'));
  return { doc, widgets, sigFlags: flags instanceof PDFNumber ? flags.asNumber() : undefined };
}

const rectOf = (widget: PDFDict): number[] => widget.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());

describe('the visible signature as the signature field\'s appearance', () => {
  let ca: CertificateAndKey;
  let leader: SignPdfOptions;
  let seal: SignPdfOptions;
  let stamps: SignatureStamp[];
  let unsigned: Buffer;
  let box: SignatureBox;
  // Whole seconds (/M has none), a minute ahead so never before the notBefore of the certificates issued below.
  const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);

  const input = (withStamps: SignatureStamp[] | undefined): ResultDocumentInput => ({
    template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'X-1', documentNumber: '01/BS-SGDĐT', verifyUrl: 'http://motcua.test/verify/X-1',
    issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: signedAt,
    signer: { name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' }, recipients: [], context: {}, ...(withStamps ? { signatureFields: withStamps.length } : {}),
  });

  /** Leader then seal, each filling its own field with its own part of the stamp. */
  const signBoth = async (pdf: Buffer): Promise<{ first: Buffer; second: Buffer }> => {
    const first = await signPdf(pdf, { ...leader, signingTime: signedAt, appearance: { pdf: await renderStampAppearance(stamps, 0), field: signatureFieldName(0) } });
    const second = await signPdf(first, { ...seal, signingTime: signedAt, appearance: { pdf: await renderStampAppearance(stamps, 1), field: signatureFieldName(1) } });
    return { first, second };
  };

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Unit CA', organisation: 'Sở Giáo dục và Đào tạo' });
    const party = async (commonName: string): Promise<SignPdfOptions> => {
      const c = await issueCertificate(ca, { commonName, organisation: 'Sở Giáo dục và Đào tạo' });
      return { key: createPrivateKey(c.privateKeyPem), certificatePem: c.certificatePem, chainPem: [ca.certificatePem], name: commonName, reason: 'Phó Giám đốc, Sở Giáo dục và Đào tạo', location: 'Thanh Hóa' };
    };
    leader = await party('Nguyễn Đức Thắng');
    seal = await party('Sở Giáo dục và Đào tạo');
    stamps = [
      { kind: 'signature', name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc', organisation: 'Sở Giáo dục và Đào tạo', signedAt },
      { kind: 'seal', name: 'Sở Giáo dục và Đào tạo', organisation: 'Sở Giáo dục và Đào tạo', signedAt },
    ];
    const rendered = await renderResult(input(stamps));
    unsigned = rendered.pdf;
    box = rendered.signatureBox;
  });

  it('the rendered result has one empty signature field per signer over the signer\'s block, and nothing drawn there', async () => {
    const { widgets, sigFlags } = await signatureWidgets(unsigned);
    expect(widgets.map((w) => w.name)).toEqual(['Signature1', 'Signature2']);
    for (const { dict } of widgets) {
      expect(dict.has(PDFName.of('V'))).toBe(false);
      expect(dict.has(PDFName.of('AP'))).toBe(false);
      rectOf(dict).forEach((v, i) => expect(v).toBeCloseTo(box.rect[i] as number, 2));
    }
    // No signature yet, so no claim that one exists; and no /NeedAppearances (pdfkit's form default).
    expect(sigFlags).toBeUndefined();
    expect(unsigned.includes('/NeedAppearances')).toBe(false);
    expect(await inkIn(unsigned, box.rect)).toBe(0);
    await expectQpdfClean(unsigned);
  });

  it('each signature fills its field: /V, /Rect on the page, /F print, /AP /N a form showing its stamp', async () => {
    const { first, second } = await signBoth(unsigned);
    // Incremental updates: each file starts with the bytes of the one before.
    expect(first.subarray(0, unsigned.length).equals(unsigned)).toBe(true);
    expect(second.subarray(0, first.length).equals(first)).toBe(true);

    const { doc, widgets, sigFlags } = await signatureWidgets(second);
    expect(sigFlags).toBe(3);
    expect(widgets.map((w) => w.name)).toEqual(['Signature1', 'Signature2']);
    const page = doc.getPage(0).node;
    const annots = page.lookup(PDFName.of('Annots'), PDFArray).asArray().map((r) => (r as PDFRef).objectNumber);
    for (const { dict } of widgets) {
      expect(dict.lookup(PDFName.of('V'), PDFDict).get(PDFName.of('Type'))).toBe(PDFName.of('Sig'));
      expect(dict.get(PDFName.of('F'))).toEqual(PDFNumber.of(4));
      expect((dict.get(PDFName.of('P')) as PDFRef).objectNumber).toBe(doc.getPage(0).ref.objectNumber);
      rectOf(dict).forEach((v, i) => expect(v).toBeCloseTo(box.rect[i] as number, 2));
      const normal = dict.lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N'));
      expect(normal).toBeInstanceOf(PDFRawStream);
      expect((normal as PDFRawStream).dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('Form'));
      expect((normal as PDFRawStream).dict.has(PDFName.of('Resources'))).toBe(true);
    }
    // Both widgets are on the page, each once.
    const widgetNumbers = (await signatureWidgets(second)).doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict)
      .lookup(PDFName.of('Fields'), PDFArray).asArray().map((r) => (r as PDFRef).objectNumber);
    for (const n of widgetNumbers) expect(annots.filter((a) => a === n)).toHaveLength(1);

    const report = verifyPdfSignatures(second, parseCertificates(ca.certificatePem));
    expect(report.reasons).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.signatures.map((s) => s.valid)).toEqual([true, true]);
    const sig = await pdfsig(second);
    expect(sig.match(/Signature is Valid/g)).toHaveLength(2);
    expect(sig).toContain('Total document signed');
    expect(sig).toContain('Signature Field Name: Signature1');
    expect(sig).toContain('Signature Field Name: Signature2');
    await expectQpdfClean(second);

    // A reader shows the stamp with the signature, and only as its appearance (hidden with the annotations).
    const afterLeader = await inkIn(first, box.rect);
    const afterSeal = await inkIn(second, box.rect);
    expect(afterLeader).toBeGreaterThan(200);
    expect(afterSeal).toBeGreaterThan(afterLeader);
    expect(await inkIn(second, box.rect, { hideAnnotations: true })).toBe(0);
  });

  it('the signature dictionary keeps Vietnamese text strings exact (UTF-16BE) and /M the signing time', async () => {
    const { second } = await signBoth(unsigned);
    const { widgets } = await signatureWidgets(second);
    const sig = widgets[0]!.dict.lookup(PDFName.of('V'), PDFDict);
    const text = (key: string) => (sig.get(PDFName.of(key)) as PDFHexString | PDFString).decodeText();
    expect(text('Name')).toBe('Nguyễn Đức Thắng');
    expect(text('Reason')).toBe('Phó Giám đốc, Sở Giáo dục và Đào tạo');
    expect(text('Location')).toBe('Thanh Hóa');
    expect(verifyPdfSignatures(second, parseCertificates(ca.certificatePem)).signatures[0]!.signedAt).toBe(signedAt.toISOString());
  });

  it('without an appearance, or on a document without fields, the signature gets a new invisible widget', async () => {
    // Fields left for the stamps stay empty; the new field takes a name none of them has.
    const plain = await signPdf(unsigned, leader);
    const { widgets } = await signatureWidgets(plain);
    expect(widgets.map((w) => [w.name, w.dict.has(PDFName.of('V'))])).toEqual([['Signature1', false], ['Signature2', false], ['Signature3', true]]);
    expect(rectOf(widgets[2]!.dict)).toEqual([0, 0, 0, 0]);

    // A document rendered without stamps (e.g. a draft stored before fields existed): no field to fill.
    const bare = (await renderResult(input(undefined))).pdf;
    const signed = await signPdf(bare, { ...leader, appearance: { pdf: await renderStampAppearance(stamps, 0), field: 'Signature1' } });
    const bareWidgets = (await signatureWidgets(signed)).widgets;
    expect(bareWidgets).toHaveLength(1);
    expect(bareWidgets[0]!.dict.has(PDFName.of('AP'))).toBe(false);
    expect(verifyPdfSignatures(signed, parseCertificates(ca.certificatePem)).intact).toBe(true);
  });

  it('a widget of its own at a given page and rect, next to the page\'s other annotations', async () => {
    const rect: [number, number, number, number] = [100, 100, 300, 164];
    const signed = await signPdf(unsigned, { ...leader, appearance: { pdf: await renderStampAppearance(stamps, 0), page: 0, rect } });
    const { widgets } = await signatureWidgets(signed);
    expect(widgets.map((w) => w.name)).toEqual(['Signature1', 'Signature2', 'Signature3']);
    expect(rectOf(widgets[2]!.dict)).toEqual(rect);
    const doc = await PDFDocument.load(signed);
    expect(doc.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray).size()).toBe(3);
    expect(await inkIn(signed, rect)).toBeGreaterThan(200);
    await expectQpdfClean(signed);
  });

  it('reads files whose cross-reference is a stream with objects in object streams (other producers)', async () => {
    const compact = Buffer.from(await (await PDFDocument.load(unsigned)).save({ useObjectStreams: true }));
    expect(compact.includes('/ObjStm')).toBe(true);
    expect(PdfReader.open(compact).pageRefs()).toHaveLength(1);
    const first = await signPdf(compact, { ...leader, appearance: { pdf: await renderStampAppearance(stamps, 0) } });
    const second = await signPdf(first, { ...seal, appearance: { pdf: await renderStampAppearance(stamps, 1) } });
    const { widgets } = await signatureWidgets(second);
    expect(widgets.map((w) => [w.name, w.dict.has(PDFName.of('AP'))])).toEqual([['Signature1', true], ['Signature2', true]]);
    const report = verifyPdfSignatures(second, parseCertificates(ca.certificatePem));
    expect(report.intact).toBe(true);
    await expectQpdfClean(second);
  });

  it('two phases (token, remote signer): the prepared file already carries the appearance; the CMS completes it', async () => {
    const prepared = preparePdfSignature(unsigned, {
      certificatePem: leader.certificatePem, chainPem: leader.chainPem, name: leader.name, signingTime: signedAt, reserveBytes: 24 * 1024,
      appearance: { pdf: await renderStampAppearance(stamps, 0), field: signatureFieldName(0) },
    });
    const reopened = reopenPrepared(prepared.pdf);
    expect(reopened.contentDigest.equals(prepared.contentDigest)).toBe(true);
    const cms = prepareDetachedCms({ contentDigest: reopened.contentDigest, certificate: leader.certificatePem, chain: leader.chainPem });
    const signed = embedCms(reopened, cms.assemble(sign('sha256', cms.signedAttributes, leader.key)));
    const { widgets } = await signatureWidgets(signed);
    expect(widgets[0]!.dict.lookup(PDFName.of('AP'), PDFDict).get(PDFName.of('N'))).toBeInstanceOf(PDFRef);
    expect(verifyPdfSignatures(signed, parseCertificates(ca.certificatePem)).intact).toBe(true);
    expect(await inkIn(signed, box.rect)).toBeGreaterThan(200);
  });

  it('prepare stays synchronous and sizes /Contents for the certificates', () => {
    const prepared = preparePdfSignature(unsigned, { certificatePem: leader.certificatePem, chainPem: leader.chainPem, name: 'X', reserveBytes: 24 * 1024 });
    expect(prepared.contentsHexLength).toBe(48 * 1024);
    expect(prepared.pdf.toString('latin1', prepared.contentsOffset, prepared.contentsOffset + 1)).toBe('<');
  });
});
