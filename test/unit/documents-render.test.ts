import { describe, expect, it } from 'vitest';
import { serifFontDescription } from '../../src/documents/fonts.js';
import type { Block } from '../../src/documents/markup.js';
import { renderBody, renderResult, type ResultDocumentInput } from '../../src/documents/render-result.js';

function diplomaCopyInput(overrides: Partial<ResultDocumentInput['context']> = {}): ResultDocumentInput {
  return {
    template: 'documents/diploma-copy.hbs',
    title: 'Bản sao văn bằng',
    dossierCode: '000.00.xx.H56-261122-0001',
    documentNumber: '0001/SGDĐT-QLCL',
    verifyUrl: 'http://localhost:3000/verify/AB12CD34EF',
    issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' },
    place: 'Thanh Hóa',
    issuedAt: new Date('2026-11-22T03:00:00Z'),
    signer: { name: 'Lê Văn Bình', title: 'KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC' },
    recipients: ['Ông (bà) Nguyễn Thị Hồng Nhung', 'Lưu: VT, QLCL'],
    context: {
      holderName: 'Nguyễn Thị Hồng Nhung',
      holderBirthDate: '2003-02-05',
      diplomaTypeLabel: 'Bằng tốt nghiệp trung học phổ thông',
      school: 'Trường THPT chuyên Lam Sơn',
      graduationYear: 2021,
      copies: 2,
      applicantName: 'Nguyễn Thị Hồng Nhung',
      forms: {
        register_check: { registerBookNumber: '03/2021', entryNumber: '1234', diplomaNumber: 'B0123456', issuedDate: '2021-08-15' },
      },
      legalBasis: [
        'Thông tư số 21/2019/TT-BGDĐT ngày 29 tháng 11 năm 2019 của Bộ trưởng Bộ Giáo dục và Đào tạo',
        'Căn cứ Nghị định số 23/2015/NĐ-CP ngày 16 tháng 02 năm 2015 của Chính phủ;',
      ],
      ...overrides,
    },
  };
}

const text = (blocks: Block[]): string =>
  blocks
    .map((b) =>
      b.kind === 'row'
        ? `${b.label.map((r) => r.text).join('')}: ${b.value.map((r) => r.text).join('')}`
        : b.runs.map((r) => r.text).join(''),
    )
    .join('\n');

describe('diploma-copy body template', () => {
  it('writes the legal basis in italics, one per line, and the register rows', async () => {
    const blocks = await renderBody(diplomaCopyInput());
    const body = text(blocks);
    const bases = blocks.filter((b) => b.kind === 'paragraph' && b.runs[0]?.text.startsWith('Căn cứ'));
    expect(bases).toHaveLength(2);
    expect(bases.every((b) => b.kind === 'paragraph' && b.runs.every((r) => r.italic))).toBe(true);
    expect(body).toMatch(/Đào tạo;\n/);
    // A basis that already says "Căn cứ ...;" is not doubled, and the last one ends with a full stop.
    expect(body).toMatch(/\nCăn cứ Nghị định số 23\/2015\/NĐ-CP .* Chính phủ\.\n/);
    expect(body).toContain('Họ và tên người được cấp văn bằng: NGUYỄN THỊ HỒNG NHUNG');
    expect(body).toContain('Ngày sinh: 05/02/2003');
    expect(body).toContain('Ngày cấp văn bằng, chứng chỉ: 15/08/2021');
    expect(body).toContain('Số hiệu văn bằng, chứng chỉ: B0123456');
    expect(body).toContain('Số bản sao được cấp: 2 (bản)');
    expect(body).toContain('SỞ GIÁO DỤC VÀ ĐÀO TẠO chứng nhận:');
    expect(body).toContain('Quyển sổ gốc số: 03/2021');
    expect(body).not.toContain('Xếp loại'); // classification is optional
  });

  it('prints hostile values literally', async () => {
    const blocks = await renderBody(
      diplomaCopyInput({ holderName: '## GIẢ MẠO', school: '**Trường**:: x\n\n- y', applicantName: '*A*' }),
    );
    expect(blocks.some((b) => b.kind === 'heading' || b.kind === 'item')).toBe(false);
    const body = text(blocks);
    expect(body).toContain('## GIẢ MẠO');
    expect(body).toContain('**Trường**:: x - y');
    expect(body).toContain('*A*');
  });
});

describe('renderResult', () => {
  it('renders an A4 PDF and reports the signature box', async () => {
    const result = await renderResult(diplomaCopyInput());
    expect(result.pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(result.pages).toBe(1);
    const [x1, y1, x2, y2] = result.signatureBox.rect;
    expect(x2).toBeGreaterThan(x1);
    expect(y2).toBeGreaterThan(y1);
    expect(serifFontDescription()).toMatch(/Serif|Tinos/);
  });

  it('flows a long body onto further pages and keeps the signature with the last body lines', async () => {
    const legalBasis = Array.from({ length: 14 }, (_, i) => `văn bản số ${i + 1} với đoạn mô tả đủ dài để xuống dòng`);
    const result = await renderResult(diplomaCopyInput({ legalBasis }));
    expect(result.pages).toBeGreaterThan(1);
    expect(result.signatureBox.page).toBe(result.pages - 1);
  });

  it('is deterministic for the same input', async () => {
    const a = await renderResult(diplomaCopyInput());
    const b = await renderResult(diplomaCopyInput());
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });

  it('refuses template paths outside the templates folder', async () => {
    await expect(renderBody({ ...diplomaCopyInput(), template: '../package.json' })).rejects.toThrow(/escapes/);
  });
});
