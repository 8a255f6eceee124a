// The local-agent upload check (signing/incremental-update.ts) on real files: what the stand-in agent writes and
// an honest hand-written update pass; each forgery is refused with its own code, whatever the signature says.
import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { checkIncrement, IncrementRefusal, locateNewSignature } from '../../src/signing/incremental-update.js';
import { signPdf as serverSign } from '../../src/signing/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { createPrivateKey } from 'node:crypto';
import { readXmp, xmpChanges } from '../../src/signing/xmp-metadata.js';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { openPkcs12, restampXmp, signPdf as agentSign, type SignOptions, type TokenIdentity } from '../../tools/signing-agent/sign.js';
import { servedStructure, signatureIncrement, withEntries, type ServedStructure } from '../helpers/forged-increment.js';

function twoPagePdf(): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(14).text('QUYET DINH so 01/QD-SGDDT');
    doc.addPage().text('Trang 2');
    doc.end();
  });
}

/** The honest signature update plus a new XMP stream (`dict` its dictionary) the catalog points at. */
function withNewMetadata(served: Buffer, identity: TokenIdentity, acroForm: string, xml: string, dict = '/Type /Metadata /Subtype /XML'): Promise<Buffer> {
  return servedStructure(served).then((s) => {
    const number = s.nextNumber + 10;
    const bytes = Buffer.from(xml, 'utf8');
    return signatureIncrement(served, identity, {
    catalogBody: withEntries(s, s.catalog, { AcroForm: acroForm, Metadata: `${number} 0 R` }),
      extra: { [number]: `<< ${dict} /Length ${bytes.length} >>\nstream\n${bytes.toString('latin1')}\nendstream` },
    });
  });
}

/** 'ok', or the refusal's code and reason. */
async function check(served: Buffer, uploaded: Buffer, fieldName = 'Signature1'): Promise<string> {
  try {
    const signature = locateNewSignature(served, uploaded);
    await checkIncrement(served, uploaded, signature, fieldName);
    return 'ok';
  } catch (error) {
    if (error instanceof IncrementRefusal) return `${error.code}: ${error.reason}`;
    throw error;
  }
}

describe('the agent upload check (one signature, nothing else)', () => {
  let ca: CertificateAndKey;
  let official: TokenIdentity;
  let seal: CertificateAndKey;
  let served: Buffer;

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Test CA', organisation: 'Test' });
    const leader = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở GD&ĐT' });
    seal = await issueCertificate(ca, { commonName: 'Sở GD&ĐT', organisation: 'Sở GD&ĐT' });
    official = openPkcs12(createPkcs12(leader.privateKeyPem, leader.certificatePem, [ca.certificatePem], 'pw'), 'pw');
    served = await twoPagePdf();
  });

  it('accepts what the stand-in agent writes, and the honest hand-written update', async () => {
    const signed = await agentSign(served, official);
    expect(await check(served, signed)).toBe('ok');
    const verified = verifyPdfSignatures(signed, []);
    expect(verified.signatures[0]!.reasons.filter((r) => !/tin cậy/.test(r))).toEqual([]);
    expect(verified.signatures[0]!.coversWholeDocument).toBe(true);
    expect(await check(served, await signatureIncrement(served, official))).toBe('ok');
  });

  it('accepts a second signature on a file that already has one (the AcroForm gains a field), not one that drops a field', async () => {
    const once = await serverSign(served, { key: createPrivateKey(seal.privateKeyPem), certificatePem: seal.certificatePem, name: 'Seal' });
    // One signature on it already: this signer's field is the second (signatureFieldName(1)), new here.
    const twice = await signatureIncrement(once, official);
    expect(await check(once, twice, 'Signature2')).toBe('ok');
    expect(verifyPdfSignatures(twice, []).signatures).toHaveLength(2);
    // @signpdf/placeholder-plain misreads an existing AcroForm's /Fields (writes "/Fields [EO 0 R …]", dropping the
    // first field), which the object parser cannot even read: refused.
    expect(await check(once, await agentSign(once, official), 'Signature2')).toMatch(/^SIGNED_FILE_UNREADABLE: /);
  });

  it('refuses a changed byte of the served part, a second update, bytes after the signature', async () => {
    const signed = await agentSign(served, official);
    const altered = Buffer.from(signed);
    altered[200] = altered[200]! ^ 0x01;
    expect(await check(served, altered)).toMatch(/^SIGNED_FILE_MODIFIED:/);
    expect(await check(served, served)).toMatch(/^SIGNED_FILE_MODIFIED:/);
    expect(await check(served, await agentSign(signed, official))).toMatch(/^SIGNATURE_COUNT_INVALID:/);
    expect(await check(served, Buffer.concat([served, Buffer.from('\n% nothing\n')]))).toMatch(/^SIGNATURE_COUNT_INVALID:/);
    expect(await check(served, Buffer.concat([signed, Buffer.from('\n1 0 obj\n<< >>\nendobj\n')]))).toMatch(/^SIGNATURE_COVERAGE_INVALID:/);
  });

  it('refuses an update that also adds a page, changes the content, adds an annotation or another object', async () => {
    const s = await servedStructure(served);
    const pagesDict = s.context.lookup(s.pages)!.toString();
    const extraPage = s.nextNumber + 10;
    const kids = /\/Kids \[([^\]]*)\]/.exec(pagesDict)![1]!;
    const addedPage = await signatureIncrement(served, official, {
      extra: {
        [extraPage]: withEntries(s, s.firstPage, {}),
        [s.pages.objectNumber]: pagesDict.replace(/\/Kids \[[^\]]*\]/, `/Kids [${kids} ${extraPage} 0 R]`).replace(/\/Count \d+/, '/Count 3'),
      },
    });
    expect(await check(served, addedPage)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*đối tượng \d+ \(Pages\)/);

    const contents = s.context.lookup(s.firstPage)!.toString();
    const contentRef = /\/Contents (\d+) 0 R/.exec(contents)![1]!;
    const body = 'BT /F1 40 Tf 100 700 Td (KHONG DUYET) Tj ET';
    const changedContent = await signatureIncrement(served, official, { extra: { [Number(contentRef)]: `<< /Length ${body.length} >>\nstream\n${body}\nendstream` } });
    expect(await check(served, changedContent)).toMatch(new RegExp(`^SIGNED_FILE_EXTRA_CHANGES: .*sửa đối tượng ${contentRef} `));

    const note = s.nextNumber + 10;
    const annotated = await signatureIncrement(served, official, {
      pageBody: withEntries(s, s.firstPage, { Annots: `[${s.nextNumber + 1} 0 R ${note} 0 R]` }),
      extra: { [note]: '<< /Type /Annot /Subtype /FreeText /Rect [100 100 400 200] /Contents (Da huy) /DA (/Helv 12 Tf 0 g) >>' },
    });
    expect(await check(served, annotated)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*chú thích/);

    const openAction = await signatureIncrement(served, official, {
      catalogBody: withEntries(s, s.catalog, { AcroForm: `${s.nextNumber + 2} 0 R`, OpenAction: '<< /S /JavaScript /JS (app.alert(1)) >>' }),
    });
    expect(await check(served, openAction)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*\/OpenAction/);

    const orphan = await signatureIncrement(served, official, { extra: { [s.nextNumber + 10]: '<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 0 >>\nstream\n\nendstream' } });
    expect(await check(served, orphan)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*không thuộc chữ ký/);

    const cover = await signatureIncrement(served, official, {
      extra: { [s.nextNumber + 1]: `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/Rect [0 0 595 841]\n/V ${s.nextNumber} 0 R\n/T (Signature1)\n/F 4\n/P ${s.firstPage.toString()}\n>>` },
    });
    expect(await check(served, cover)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*một phần tư trang/);
  });

  it('refuses an object defined twice in the update (the xref could point a reader at the hidden one)', async () => {
    const s = await servedStructure(served);
    const doubled = await signatureIncrement(served, official, { raw: `\n${s.firstPage.objectNumber} 0 obj\n<< /Type /Page /Contents [] >>\nendobj` });
    expect(await check(served, doubled)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*hai lần/);
    const garbage = await signatureIncrement(served, official, { raw: '\n% a comment a reader skips\n' });
    expect(await check(served, garbage)).toMatch(/^SIGNED_FILE_UNREADABLE:/);
  });
});

/**
 * A result-like file: pdfkit's /Info and — from PDF 1.4 on — its XMP packet (title, creator, description,
 * producer), and one empty signature field as render-result.ts places one per signer.
 */
function resultLikePdf(version: '1.3' | '1.7', title = 'BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC', fieldCount = 1): Promise<Buffer> {
  return new Promise((resolve) => {
    const at = new Date('2026-12-01T07:30:00Z');
    const doc = new PDFDocument({
      size: 'A4', pdfVersion: version, displayTitle: true,
      info: { Title: title, Author: 'SỞ GIÁO DỤC VÀ ĐÀO TẠO', Subject: `${title} — 000.00.12.H56-261201-0001`, Creator: 'motcua', Producer: 'motcua (pdfkit)', CreationDate: at, ModDate: at },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(14).text('QUYET DINH so 03/QD-SGDDT');
    const pdfkit = doc as unknown as {
      _root: { data: Record<string, unknown> }; _acroform?: unknown; page: { annotations: unknown[]; dictionary: unknown };
      ref(data: Record<string, unknown>): { end(): void };
    };
    const fields = Array.from({ length: fieldCount }, (_, i) => {
      // eslint-disable-next-line no-new-wrappers -- pdfkit writes String objects as PDF strings
      const field = pdfkit.ref({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: new String(`Signature${i + 1}`), Rect: [330, 120, 530, 200], F: 4, P: pdfkit.page.dictionary });
      pdfkit.page.annotations.push(field);
      field.end();
      return field;
    });
    pdfkit._acroform = { fonts: {}, defaultFont: 'none' };
    pdfkit._root.data.AcroForm = pdfkit.ref({ Fields: fields, DR: { Font: {} } });
    doc.end();
  });
}

const acroFormOf = (s: ServedStructure) => s.context.lookup(s.catalog, PDFDict).get(PDFName.of('AcroForm'))!.toString();

const ITEXT: SignOptions = { subFilter: 'adbe.pkcs7.detached', ess: 'none', likeItext: true };

describe('XMP metadata and /Info restamped by the agent (iText-style)', () => {
  let official: TokenIdentity;
  let withXmp: Buffer;
  let withoutXmp: Buffer;

  beforeAll(async () => {
    const ca = await createCertificateAuthority({ commonName: 'XMP CA', organisation: 'Test' });
    const leader = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở GD&ĐT' });
    official = openPkcs12(createPkcs12(leader.privateKeyPem, leader.certificatePem, [ca.certificatePem], 'pw'), 'pw');
    withXmp = await resultLikePdf('1.7');
    withoutXmp = await resultLikePdf('1.3');
    expect(withXmp.toString('latin1')).toContain('/Type /Metadata');
    expect(withoutXmp.toString('latin1')).not.toContain('/Type /Metadata');
  });

  it('accepts the served XMP restamped in place (dates, producer, IDs, its own layout) with /Info /ModDate and /Producer, in adbe.pkcs7.detached', async () => {
    const signed = await agentSign(withXmp, official, ITEXT);
    const update = signed.toString('latin1', withXmp.length);
    expect(update).toContain('xmpMM:InstanceID');
    expect(update).toContain('/Producer (iText\\256');
    expect(await check(withXmp, signed)).toBe('ok');
    expect(verifyPdfSignatures(signed, []).signatures[0]).toMatchObject({ subFilter: 'adbe.pkcs7.detached', coversWholeDocument: true });
  });

  it('accepts a new XMP made from /Info when the served file has none (the catalog points at it)', async () => {
    const signed = await agentSign(withoutXmp, official, ITEXT);
    expect(signed.toString('latin1', withoutXmp.length)).toMatch(/\/Metadata \d+ 0 R/);
    expect(await check(withoutXmp, signed)).toBe('ok');
  });

  it('refuses an XMP whose title changed, in place or in a new packet', async () => {
    expect(await check(withXmp, await agentSign(withXmp, official, { ...ITEXT, changeTitle: 'GIẤY PHÉP' })))
      .toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*siêu dữ liệu XMP.*dc:title/);
    // No XMP served: the baseline is /Info, so a packet with another description is refused.
    const s = await servedStructure(withoutXmp);
    const xmp = restampXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
      + '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt><rdf:li xml:lang="x-default">Đã thu hồi</rdf:li></rdf:Alt></dc:description></rdf:Description>'
      + '</rdf:RDF></x:xmpmeta>', new Date());
    const forged = await withNewMetadata(withoutXmp, official, acroFormOf(s), xmp);
    expect(await check(withoutXmp, forged)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*siêu dữ liệu XMP.*dc:description/);
  });

  it('refuses a /Metadata that is not a bounded, well-formed XMP stream', async () => {
    const form = acroFormOf(await servedStructure(withoutXmp));
    const cases: Array<[string, RegExp]> = [
      ['<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>', /không phải XML hợp lệ/],
      ['<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/"/>', /không phải XML hợp lệ/],
      [`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!--${' '.repeat(300 * 1024)}--></x:xmpmeta>`, /quá lớn/],
    ];
    for (const [xml, reason] of cases) {
      expect(await check(withoutXmp, await withNewMetadata(withoutXmp, official, form, xml))).toMatch(new RegExp(`^SIGNED_FILE_EXTRA_CHANGES: .*${reason.source}`));
    }
    const notXmp = await withNewMetadata(withoutXmp, official, form, '<a/>', '/Type /Metadata /Subtype /JSON');
    expect(await check(withoutXmp, notXmp)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*không phải XMP/);
    const withJs = await withNewMetadata(withoutXmp, official, form, restampXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>', new Date()), '/Type /Metadata /Subtype /XML /AA << >>');
    expect(await check(withoutXmp, withJs)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*mục lạ: \/AA/);
    // The served packet itself overwritten by something that is not XML.
    const served = await servedStructure(withXmp);
    const metadataRef = (served.context.lookup(served.catalog, PDFDict).get(PDFName.of('Metadata')) as PDFRef).objectNumber;
    const broken = await signatureIncrement(withXmp, official, { extra: { [metadataRef]: '<< /Type /Metadata /Subtype /XML /Length 5 >>\nstream\nhello\nendstream' } });
    expect(await check(withXmp, broken)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*XMP không hợp lệ/);
  });

  it('still refuses a changed /Title in the document information', async () => {
    const s = await servedStructure(withXmp);
    const info = s.context.trailerInfo.Info as PDFRef;
    const retitled = await signatureIncrement(withXmp, official, { extra: { [info.objectNumber]: withEntries(s, info, { Title: '(GIAY PHEP)' }) } });
    expect(await check(withXmp, retitled)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*Info.*\/Title/);
  });
});

describe('what a viewer reads is what is checked (layout, fields, numbering)', () => {
  let official: TokenIdentity;
  let served: Buffer;
  let s: ServedStructure;
  let contentRef: number;
  /** A new widget (object nextNumber + 1) on the first page, with `entries` (PDF text) and the appearance `ap`. */
  const widgetWith = (entries: string, ap?: number) => `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/Rect [0 0 0 0]\n/V ${s.nextNumber} 0 R\n/T (Signature1)\n/F 4\n/P ${s.firstPage.toString()}\n${ap ? `/AP << /N ${ap} 0 R >>\n` : ''}${entries}>>`;
  const form = (data: string, dict = '') => `<< /Type /XObject /Subtype /Form /BBox [0 0 10 10]${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;

  beforeAll(async () => {
    const ca = await createCertificateAuthority({ commonName: 'Layout CA', organisation: 'Test' });
    const leader = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở GD&ĐT' });
    official = openPkcs12(createPkcs12(leader.privateKeyPem, leader.certificatePem, [ca.certificatePem], 'pw'), 'pw');
    served = await twoPagePdf();
    s = await servedStructure(served);
    contentRef = Number(/\/Contents (\d+) 0 R/.exec(s.context.lookup(s.firstPage)!.toString())![1]);
  });

  it('refuses a page content hidden in an appearance stream\'s data with the xref pointing into it', async () => {
    const ap = s.nextNumber + 10;
    const forged = 'BT /F1 40 Tf 100 700 Td (KHONG DUYET) Tj ET';
    const hidden = `\nendstream\nendobj\n${contentRef} 0 obj\n<< /Length ${forged.length} >>\nstream\n${forged}`;
    const upload = await signatureIncrement(served, official, {
      extra: { [s.nextNumber + 1]: widgetWith('', ap), [ap]: form(hidden) },
      pointAt: { [contentRef]: `${contentRef} 0 obj\n<< /Length ${forged.length}` },
    });
    expect(await check(served, upload)).toMatch(new RegExp(`^SIGNED_FILE_EXTRA_CHANGES: Mục của đối tượng ${contentRef} trong bảng tham chiếu chéo`));
  });

  it('reads "endobj" inside a string as text: an honest field named so is accepted', async () => {
    const upload = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('/TU (endobj endstream stream \\) endobj)\n') } });
    expect(await check(served, upload)).toBe('ok');
  });

  it('refuses a stream whose data is not its /Length, a key named twice, an old object under a new generation', async () => {
    const ap = s.nextNumber + 10;
    const lengthRef = s.nextNumber + 11;
    const longer = await signatureIncrement(served, official, {
      extra: {
        [s.nextNumber + 1]: widgetWith('', ap),
        [ap]: `<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length ${lengthRef} 0 R >>\nstream\n0 0 m 10 10 l S\nendstream`,
        [lengthRef]: '5',
      },
    });
    expect(await check(served, longer)).toMatch(/^SIGNED_FILE_UNREADABLE: .*\/Length/);

    // pdf-lib keeps the last /Rect, other readers the first: a whole-page widget the area check would not see.
    const twice = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('/Rect [0 0 595 841]\n').replace('/Rect [0 0 0 0]\n', '/Rect [0 0 595 841]\n/Rect [0 0 10 10]\n') } });
    expect(twice.toString('latin1', served.length)).toContain('/Rect [0 0 595 841]\n/Rect [0 0 10 10]');
    expect(await check(served, twice)).toMatch(/^SIGNED_FILE_UNREADABLE:/);

    // Generation 1 of the page's content stream: every "N 0 R" to it would read as null (a blank page).
    const regenerated = await signatureIncrement(served, official, {
      extra: { [s.nextNumber + 1]: widgetWith('', ap), [ap]: form('/X Do', ` /Resources << /XObject << /X ${contentRef} 1 R >> >>`), [contentRef]: form('') },
      generations: { [contentRef]: 1 },
    });
    expect(await check(served, regenerated)).toMatch(new RegExp(`^SIGNED_FILE_EXTRA_CHANGES: .*đối tượng ${contentRef} bằng một thế hệ`));
  });

  it('refuses a widget with actions or other strange keys, outside the page, or claiming another page', async () => {
    const js = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('/AA << /PO << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\n') } });
    expect(await check(served, js)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Trường chữ ký có mục không được phép: \/AA/);
    const action = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('/A << /S /URI /URI (https://example.com) >>\n/OC << >>\n') } });
    expect(await check(served, action)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*\/A, \/OC/);
    const outside = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('').replace('/Rect [0 0 0 0]', '/Rect [500 800 700 900]') } });
    expect(await check(served, outside)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Ô hiển thị chữ ký nằm ngoài trang/);
    const secondPage = ((s.context.lookup(s.pages, PDFDict).get(PDFName.of('Kids'))) as PDFArray).get(1)!.toString();
    const elsewhere = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('').replace(`/P ${s.firstPage.toString()}`, `/P ${secondPage}`) } });
    expect(await check(served, elsewhere)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*\(\/P\) khác trang/);
  });

  it('requires the signer\'s own field when the served file has it: not the seal\'s, not a moved one, not a namesake', async () => {
    const two = await resultLikePdf('1.3', 'QUYẾT ĐỊNH', 2);
    expect(await check(two, await signatureIncrement(two, official))).toBe('ok');
    expect(await check(two, await signatureIncrement(two, official, { fill: 'Signature2' }))).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Chữ ký phải điền vào trường chữ ký "Signature1"/);
    // The seal's turn (Signature2) with the official's field left: filling Signature1 is refused too.
    expect(await check(two, await signatureIncrement(two, official), 'Signature2')).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Chữ ký phải điền vào trường chữ ký "Signature2"/);
    // A new field beside the served one, named like it or not.
    expect(await check(two, await signatureIncrement(two, official, { fill: false, fieldName: 'Signature1' }))).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Chữ ký phải điền vào trường chữ ký "Signature1"/);
    const one = await resultLikePdf('1.3', 'QUYẾT ĐỊNH', 1);
    expect(await check(one, await signatureIncrement(one, official), 'Signature2')).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Văn bản không có trường chữ ký "Signature2"/);
    expect(await check(one, await signatureIncrement(one, official, { fill: false, fieldName: 'Signature1' }), 'Signature2')).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Trường chữ ký mới phải có tên \(\/T\) khác/);
    expect(await check(one, await signatureIncrement(one, official, { fill: false, fieldName: 'Signature2' }), 'Signature2')).toBe('ok');
    // Filling the right field but moving it.
    const fieldRef = (await servedStructure(one)).context.lookup((await servedStructure(one)).firstPage, PDFDict).get(PDFName.of('Annots'));
    const field = ((fieldRef instanceof PDFArray ? fieldRef : undefined)!.get(0) as PDFRef);
    const so = await servedStructure(one);
    const moved = await signatureIncrement(one, official, { extra: { [field.objectNumber]: withEntries(so, field, { V: `${so.nextNumber} 0 R`, Rect: '[0 0 595 300]' }) } });
    expect(await check(one, moved)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Phần cập nhật sửa trường chữ ký có sẵn: \/Rect/);
  });

  it('refuses a trailer /Size or new object numbers far past what the update needs, and strange trailer keys', async () => {
    const huge = await signatureIncrement(served, official, { size: 9_999_999_999 });
    expect(await check(served, huge)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: \/Size trong trailer/);
    const small = await signatureIncrement(served, official, { size: s.nextNumber });
    expect(await check(served, small)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: \/Size trong trailer/);
    const far = 5_000_000;
    const farObject = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('', far), [far]: form('') } });
    expect(await check(served, farObject)).toMatch(new RegExp(`^SIGNED_FILE_EXTRA_CHANGES: Đối tượng mới ${far} 0 được đánh số bất thường`));
    const encrypted = await signatureIncrement(served, official, { trailerExtra: `/Encrypt ${s.catalog.toString()}\n` });
    expect(await check(served, encrypted)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: Trailer .*\/Encrypt/);
  });

  it('keeps pdf-lib\'s warnings about malformed uploads out of the logs', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const bigNumber = await signatureIncrement(served, official, { extra: { [s.nextNumber + 1]: widgetWith('/Ff 123456789012345678901234567890\n') } });
      expect(await check(served, bigNumber)).toBe('ok');
      const broken = await signatureIncrement(served, official, { extra: { [s.nextNumber + 10]: '<< /A [ 1 2 >>' } });
      expect(await check(served, broken)).toMatch(/^SIGNED_FILE_UNREADABLE:/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('reads an 8 MB upload in linear time: thousands of small objects, then a large one', async () => {
    const small: Record<number, string> = {};
    for (let i = 0; i < 9_000; i++) small[s.nextNumber + 20 + i] = `<< /I ${i} >>`;
    // No "stream" in it: the old reader searched from every object to the next "stream", across this one.
    small[s.nextNumber + 20 + 9_000] = `<< /Data <${'ab'.repeat(3.6 * 1024 * 1024)}> >>`;
    const big = await signatureIncrement(served, official, { extra: small });
    expect(big.length).toBeGreaterThan(7 * 1024 * 1024);
    const started = performance.now();
    // Read to the end (every object, the xref): then refused for the objects nothing points at.
    expect(await check(served, big)).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*không thuộc chữ ký/);
    // A generous bound (about 0.2 s here); the quadratic reader took minutes on this file.
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('reading XMP (xmp-metadata.ts)', () => {
  const packet = (body: string) => Buffer.from(`<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`);
  it('compares values, not their serialisation: attribute or element form, prefixes, whitespace, date notation', () => {
    const a = readXmp(packet('<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2026-12-01T07:30:00Z"/>'
      + '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Quyết định</rdf:li></rdf:Alt></dc:title></rdf:Description>'));
    const b = readXmp(packet('<rdf:Description rdf:about="" xmlns:t="http://purl.org/dc/elements/1.1/" xmlns:x2="http://ns.adobe.com/xap/1.0/">\n  <t:title>\n <rdf:Alt>\n<rdf:li xml:lang="x-default">  Quyết định </rdf:li></rdf:Alt></t:title>'
      + '<x2:CreateDate>2026-12-01T14:30:00+07:00</x2:CreateDate><x2:ModifyDate>2026-12-02T00:00:00Z</x2:ModifyDate><t:format>application/pdf</t:format></rdf:Description>'));
    expect(xmpChanges(a, b)).toEqual([]);
    expect(xmpChanges(a, readXmp(packet('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Quyết định</rdf:li></rdf:Alt></dc:title><dc:format>text/html</dc:format></rdf:Description>'
      + '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2026-12-01T07:30:01Z"/>'))))
      .toEqual(['xmp:CreateDate', 'dc:format']);
    // Left out, the creation date is no change; the title is.
    expect(xmpChanges(a, readXmp(packet('')))).toEqual(['dc:title']);
    expect(() => readXmp(packet('<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="a"/><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="b"/>'))).toThrow(/lặp lại/);
  });
});
