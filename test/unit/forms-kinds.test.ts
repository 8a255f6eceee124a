import { describe, expect, it } from 'vitest';
import { formLabel, parseStoredKind, storedKind } from '../../src/documents/forms.js';

describe('one-stop form kinds', () => {
  it('numbers repeated issues and reads the numbers back', () => {
    expect(storedKind('supplement-request', 1)).toBe('supplement-request');
    expect(storedKind('supplement-request', 3)).toBe('supplement-request-3');
    expect(parseStoredKind('supplement-request')).toEqual({ kind: 'supplement-request', ordinal: 1 });
    expect(parseStoredKind('supplement-request-3')).toEqual({ kind: 'supplement-request', ordinal: 3 });
    expect(parseStoredKind('control-slip')).toEqual({ kind: 'control-slip', ordinal: 1 });
    for (const bad of ['result', 'receipt-1', 'receipt-0', 'receipt-x', 'RECEIPT', '', 'supplement', '../receipt']) {
      expect(parseStoredKind(bad), bad).toBeUndefined();
    }
    expect(formLabel('apology-2')).toBe('Phiếu xin lỗi và hẹn lại ngày trả kết quả (lần 2)');
  });
});
