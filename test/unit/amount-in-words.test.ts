import { describe, expect, it } from 'vitest';
import { amountInWords, formatAmount } from '../../src/documents/amount-in-words.js';

describe('amounts in Vietnamese words', () => {
  it.each([
    [0, 'Không đồng'],
    [5, 'Năm đồng'],
    [10, 'Mười đồng'],
    [15, 'Mười lăm đồng'],
    [21, 'Hai mươi mốt đồng'],
    [24, 'Hai mươi tư đồng'],
    [105, 'Một trăm linh năm đồng'],
    [110, 'Một trăm mười đồng'],
    [111, 'Một trăm mười một đồng'],
    [150_000, 'Một trăm năm mươi nghìn đồng'],
    [1_005_000, 'Một triệu không trăm linh năm nghìn đồng'],
    [1_000_500, 'Một triệu năm trăm đồng'],
    [2_050_000, 'Hai triệu không trăm năm mươi nghìn đồng'],
    [35_000, 'Ba mươi lăm nghìn đồng'],
    [1_000_000_000, 'Một tỷ đồng'],
    [1_250_000_000, 'Một tỷ hai trăm năm mươi triệu đồng'],
    [2_000_000_000_000, 'Hai nghìn tỷ đồng'],
  ])('%i → %s', (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });

  it('refuses amounts that are not whole đồng', () => {
    expect(() => amountInWords(-1)).toThrow(RangeError);
    expect(() => amountInWords(1.5)).toThrow(RangeError);
  });

  it('writes figures with the Vietnamese thousands separator', () => {
    expect(formatAmount(150_000)).toBe('150.000');
    expect(formatAmount(1_005_000)).toBe('1.005.000');
    expect(formatAmount(999)).toBe('999');
  });
});
