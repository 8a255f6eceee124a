// calendar/vn-time.ts vnDateText: the pages' date helpers (plugins/views.ts) draw dates with it instead of ICU, so its
// text must be exactly Intl's vi-VN text on Asia/Ho_Chi_Minh clocks wherever it answers.
import { describe, expect, it } from 'vitest';
import { vnDateText } from '../../src/calendar/vn-time.js';

const intlDay = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
const intlTime = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric',
});

describe('vnDateText', () => {
  it('gives Intl’s text around Vietnam midnight, month and year ends, leap days and single-digit parts', () => {
    const instants = [
      '2026-12-02T03:07:43.123Z', '2026-01-01T16:59:59.999Z', '2026-01-01T17:00:00Z', '2025-12-31T16:59:00Z', '2025-12-31T17:00:00Z',
      '2024-02-28T17:00:00Z', '2024-02-29T16:59:59Z', '1976-01-01T00:00:00Z', '2001-02-03', '2019-07-01', '9999-12-31T16:00:00Z',
    ];
    for (const text of instants) {
      const at = new Date(text);
      expect(vnDateText(at, false), text).toBe(intlDay.format(at));
      expect(vnDateText(at, true), text).toBe(intlTime.format(at));
    }
  });

  it('gives Intl’s text for instants spread over fifty years', () => {
    // A fixed walk (no randomness): every 21 h 53 min 17.3 s from 1976 on, 20 000 instants (any minute of the day comes up).
    const step = ((21 * 60 + 53) * 60 + 17.3) * 1000;
    for (let i = 0, t = Date.UTC(1976, 0, 1); i < 20_000; i++, t += step) {
      const at = new Date(t);
      expect(vnDateText(at, true)).toBe(intlTime.format(at));
      expect(vnDateText(at, false)).toBe(intlDay.format(at));
    }
  });

  it('leaves to Intl what a fixed offset would get wrong or cannot write: before 1976 (UTC+8 in the South), after 9999, invalid', () => {
    expect(intlTime.format(new Date('1960-05-06'))).toBe('08:00 06/05/1960'); // why the fixed offset stops at 1976
    expect(vnDateText(new Date('1960-05-06'), true)).toBeUndefined();
    expect(vnDateText(new Date('1975-12-31T16:59:59Z'), false)).toBeUndefined();
    expect(vnDateText(new Date('+010000-01-01T00:00:00Z'), false)).toBeUndefined();
    expect(vnDateText(new Date('not a date'), false)).toBeUndefined();
  });
});
