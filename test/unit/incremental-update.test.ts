// The local-agent upload check (signing/incremental-update.ts) on real files: what the stand-in agent writes and
// an honest hand-written update pass; each forgery is refused with its own code, whatever the signature says.
import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { checkIncrement, IncrementRefusal, locateNewSignature } from '../../src/signing/incremental-update.js';
import { signPdf as serverSign } from '../../src/signing/sign-pdf.js';
import { verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { createPrivateKey } from 'node:crypto';
import { readXmp, xmpChanges } from '../../src/signing/xmp-metadata.js';
import { PDFDict, PDFName, PDFRef } from 'pdf-lib';
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
async function check(served: Buffer, uploaded: Buffer): Promise<string> {
  try {
    const signature = locateNewSignature(served, uploaded);
    await checkIncrement(served, uploaded, signature);
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
    const twice = await signatureIncrement(once, official);
    expect(await check(once, twice)).toBe('ok');
    expect(verifyPdfSignatures(twice, []).signatures).toHaveLength(2);
    // @signpdf/placeholder-plain misreads an existing AcroForm's /Fields and drops the first field: refused.
    expect(await check(once, await agentSign(once, official))).toMatch(/^SIGNED_FILE_EXTRA_CHANGES: .*AcroForm/);
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
      extra: { [s.nextNumber + 1]: `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/Rect [0 0 595 842]\n/V ${s.nextNumber} 0 R\n/T (Signature1)\n/F 4\n/P ${s.firstPage.toString()}\n>>` },
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
function resultLikePdf(version: '1.3' | '1.7', title = 'BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC'): Promise<Buffer> {
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
    // eslint-disable-next-line no-new-wrappers -- pdfkit writes String objects as PDF strings
    const field = pdfkit.ref({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: new String('Signature1'), Rect: [330, 120, 530, 200], F: 4, P: pdfkit.page.dictionary });
    pdfkit.page.annotations.push(field);
    field.end();
    pdfkit._acroform = { fonts: {}, defaultFont: 'none' };
    pdfkit._root.data.AcroForm = pdfkit.ref({ Fields: [field], DR: { Font: {} } });
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
