import { describe, expect, it } from 'vitest';
import { formatDateVN, formatDateWordsVN, placeDateLine } from '../../src/documents/format.js';
import {
  cleanLines,
  cleanText,
  parseBody,
  parseInline,
  sanitizeContext,
  sanitizeValue,
  type Block,
} from '../../src/documents/markup.js';
import { paginate, type Unit } from '../../src/documents/text-layout.js';

const plain = (blocks: Block[]): unknown[] =>
  blocks.map((b) =>
    b.kind === 'row'
      ? { kind: b.kind, label: b.label.map((r) => r.text).join(''), value: b.value.map((r) => r.text).join('') }
      : { kind: b.kind, text: b.runs.map((r) => r.text).join('') },
  );

describe('body markup', () => {
  it('parses paragraphs, headings, items and rows', () => {
    const blocks = parseBody(
      ['Căn cứ a;', 'tiếp tục', '', '## CHỨNG NHẬN', '- một', 'Họ và tên:: **Nguyễn Văn A**', 'Đoạn cuối.'].join('\n'),
    );
    expect(plain(blocks)).toEqual([
      { kind: 'paragraph', text: 'Căn cứ a; tiếp tục' },
      { kind: 'heading', text: 'CHỨNG NHẬN' },
      { kind: 'item', text: 'một' },
      { kind: 'row', label: 'Họ và tên', value: 'Nguyễn Văn A' },
      { kind: 'paragraph', text: 'Đoạn cuối.' },
    ]);
    const row = blocks[3];
    expect(row?.kind === 'row' && row.value[0]?.bold).toBe(true);
  });

  it('toggles bold and italic inline and honours escapes', () => {
    expect(parseInline('a **b** *c* ***d*** \\*e\\*')).toEqual([
      { text: 'a ', bold: false, italic: false },
      { text: 'b', bold: true, italic: false },
      { text: ' ', bold: false, italic: false },
      { text: 'c', bold: false, italic: true },
      { text: ' ', bold: false, italic: false },
      { text: 'd', bold: true, italic: true },
      { text: ' *e*', bold: false, italic: false },
    ]);
  });

  it('NFC-normalises and strips control characters', () => {
    const nfd = 'Nguyễn Thị Hồng Nhung'.normalize('NFD');
    expect(cleanText(`  ${nfd}\r\n\tx\u0000y\u202e  `)).toBe('Nguyễn Thị Hồng Nhung xy');
    expect(cleanText(nfd)).toBe('Nguyễn Thị Hồng Nhung'.normalize('NFC'));
    expect(cleanLines('KT. GIÁM ĐỐC\n\nPHÓ GIÁM ĐỐC')).toEqual(['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC']);
  });

  it('keeps user data from producing markup', () => {
    const attacks = ['## TIÊU ĐỀ GIẢ', '- mục giả', 'Nhãn:: giá trị', '**đậm** *nghiêng*', 'a\n\n## b', '\\', 'x\\'];
    for (const attack of attacks) {
      const value = sanitizeValue(attack);
      // Wherever a template puts the value — start of a line, inside a row, inside a paragraph — it stays text.
      for (const template of [value, `Nhãn:: ${value}`, `Văn bản ${value} tiếp`]) {
        const blocks = parseBody(template);
        expect(blocks).toHaveLength(1);
        const block = blocks[0] as Block;
        const runs = block.kind === 'row' ? block.value : block.runs;
        expect(block.kind === 'row' || block.kind === 'paragraph').toBe(true);
        expect(runs.every((r) => !r.bold && !r.italic)).toBe(true);
        expect(runs.map((r) => r.text).join('')).toContain(cleanText(attack));
      }
    }
  });

  it('sanitises a context deeply and leaves non-strings alone', () => {
    const date = new Date('2026-11-22T00:00:00Z');
    const context = sanitizeContext({
      name: 'Nguyễn'.normalize('NFD'),
      nested: { list: ['## a', 3, true, null], date },
      ['__proto__']: 'x',
    }) as Record<string, unknown>;
    expect(context['name']).toBe('Nguyễn');
    expect(context['nested']).toEqual({ list: ['\\## a', 3, true, null], date });
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(context, '__proto__')).toBe(true);
  });
});

describe('Vietnamese dates', () => {
  it('formats dd/mm/yyyy in Vietnam time, keeping bare dates as calendar days', () => {
    expect(formatDateVN('2003-02-05')).toBe('05/02/2003');
    expect(formatDateVN(new Date('2026-11-21T17:30:00Z'))).toBe('22/11/2026');
    expect(formatDateVN('2026-11-21T16:59:00Z')).toBe('21/11/2026');
    expect(formatDateVN('2026-02-30')).toBeUndefined();
    expect(formatDateVN('không phải ngày')).toBeUndefined();
  });

  it('writes the Decree 30 place and date line with its leading-zero rule', () => {
    expect(formatDateWordsVN('2026-02-05')).toBe('ngày 05 tháng 02 năm 2026');
    expect(formatDateWordsVN('2026-03-15')).toBe('ngày 15 tháng 3 năm 2026');
    expect(placeDateLine('Thanh Hóa', new Date('2026-11-22T03:00:00Z'))).toBe(
      'Thanh Hóa, ngày 22 tháng 11 năm 2026',
    );
  });
});

describe('paginate', () => {
  const unit = (height: number, breakBefore = true, spaceBefore = 0): Unit => ({
    height,
    breakBefore,
    spaceBefore,
    draw: () => {},
  });

  it('moves a unit that does not fit to the next page', () => {
    expect(paginate([unit(60), unit(60)], 0, 10, 100)).toEqual([
      { page: 0, y: 0 },
      { page: 1, y: 10 },
    ]);
  });

  it('keeps a chain together: the signature block takes the last body unit with it', () => {
    const placed = paginate([unit(40), unit(40), unit(30, false)], 0, 0, 100);
    expect(placed.map((p) => p.page)).toEqual([0, 1, 1]);
  });

  it('breaks a chain that cannot fit on any page where it overflows', () => {
    const placed = paginate([unit(60), unit(60, false), unit(60, false)], 0, 0, 100);
    expect(placed.map((p) => p.page)).toEqual([0, 1, 2]);
  });

  it('drops the space above a unit at the top of a page', () => {
    expect(paginate([unit(90), unit(20, true, 8)], 0, 5, 100)[1]).toEqual({ page: 1, y: 5 });
  });
});
