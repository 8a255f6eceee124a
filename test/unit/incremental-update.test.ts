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
import { openPkcs12, signPdf as agentSign, type TokenIdentity } from '../../tools/signing-agent/sign.js';
import { servedStructure, signatureIncrement, withEntries } from '../helpers/forged-increment.js';

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
