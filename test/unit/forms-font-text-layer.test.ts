// Regression: fonts are parsed once per process and shared by every document. A form whose text has Á/À/Ạ (compound
// glyphs built on A) used to leave fontkit's cached A glyph without code points, so the next document's A had no
// ToUnicode entry: it printed, but pdftotext read "ỦY B N NHÂN DÂN" (documents/fonts.ts keepCodePoints).
import { expect, it } from 'vitest';
import { renderFormPdf } from '../../src/documents/forms.js';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { pdfText } from '../helpers/pdf-tools.js';

it('keeps every letter extractable in a document rendered after a form that used the same glyphs as components', async () => {
  await renderFormPdf({
    kind: 'receipt', ordinal: 1, documentNumber: '01/TNHS-SGDĐT', dossierCode: '000.00.12.H56-260105-0001', trackingUrl: 'http://motcua.test/tra-cuu?ma=1',
    issuer: { parentName: 'Sở Giáo dục và Đào tạo', agencyName: 'Bộ phận Tiếp nhận và Trả kết quả' }, place: 'Thanh Hóa',
    issuedAt: new Date('2026-01-05T03:00:00Z'), signerName: 'Lê Thị Thu Hà',
    context: { applicant: { name: 'Nguyễn Văn An' }, documents: [], unitName: 'Bộ phận Tiếp nhận và Trả kết quả', agencyName: 'Sở Giáo dục và Đào tạo' },
  });
  const text = await pdfText(await renderResultPdf({
    template: 'documents/diploma-copy.hbs', title: 'GIẤY PHÉP TỔ CHỨC HOẠT ĐỘNG DẠY THÊM', dossierCode: 'X', documentNumber: '1/KQ',
    verifyUrl: 'http://motcua.test/verify/X', issuer: { parentName: 'Ủy ban nhân dân tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' },
    place: 'Thanh Hóa', issuedAt: new Date('2026-01-05T03:00:00Z'), signer: { name: 'Nguyễn Đức Thắng', title: 'GIÁM ĐỐC' },
    context: { holderName: 'Hoa', legalBasis: ['Thông tư số 17/2012/TT-BGDĐT'] },
  }));
  expect(text).toContain('ỦY BAN NHÂN DÂN TỈNH');
  expect(text).toContain('THANH HÓA');
  expect(text).toContain('HOẠT ĐỘNG DẠY THÊM');
});
