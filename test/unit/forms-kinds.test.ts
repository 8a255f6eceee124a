import { describe, expect, it } from 'vitest';
import { formLabel, formNumber, parseStoredKind, storedKind } from '../../src/documents/forms.js';

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

  it('numbers a form by the dossier sequence, the year and the form symbol', () => {
    const at = new Date('2026-02-03T03:00:00Z');
    expect(formNumber('receipt', '000.00.12.H56-260203-0042', at, 1)).toBe('0042/2026/TNHS');
    expect(formNumber('supplement-request', '000.00.12.H56-260203-0042', at, 2)).toBe('0042.2/2026/YCBS');
  });
});
