import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  dueDate,
  isWorkingDay,
  startDayFor,
  WorkingCalendar,
  workingCalendar,
  workingDaysBetween,
} from '../../src/calendar/working-days.js';
import { vnDay, vnInstant } from '../../src/calendar/vn-time.js';

/** An instant given as Vietnam wall-clock time. */
const vn = (local: string) => new Date(`${local}+07:00`);
const diploma = { workingDays: 1, cutoff: '15:00' };

describe('public holidays and yearly overrides', () => {
  it('takes Tết as a range from date-holidays (2026: 16–20 Feb)', () => {
    expect(workingCalendar.publicHolidays(2026)).toEqual(
      expect.arrayContaining(['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-04-26', '2026-04-30', '2026-05-01', '2026-09-02']),
    );
  });

  it('Tết Bính Ngọ 2026: no working day from Sat 14/2 to Sun 22/2', () => {
    expect(isWorkingDay('2026-02-13')).toBe(true);
    for (let d = 14; d <= 22; d++) expect(isWorkingDay(`2026-02-${d}`)).toBe(false);
    expect(isWorkingDay('2026-02-23')).toBe(true);
  });

  it('Tết Ất Tỵ 2025: Mon 27/1 (missing from date-holidays) is off too', () => {
    expect(isWorkingDay('2025-01-24')).toBe(true);
    for (const d of ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']) expect(isWorkingDay(d)).toBe(false);
    expect(isWorkingDay('2025-02-03')).toBe(true);
  });

  it('2025: Fri 2/5 swapped with Sat 26/4, which is worked', () => {
    expect(isWorkingDay('2025-04-26')).toBe(true);
    expect(isWorkingDay('2025-04-27')).toBe(false);
    expect(isWorkingDay('2025-05-02')).toBe(false);
  });

  it('National Day 2025: Mon 1/9 and Tue 2/9 off', () => {
    expect(isWorkingDay('2025-08-29')).toBe(true);
    expect(isWorkingDay('2025-09-01')).toBe(false);
    expect(isWorkingDay('2025-09-02')).toBe(false);
    expect(isWorkingDay('2025-09-03')).toBe(true);
  });

  it('Hùng Kings 2026 falls on a Sunday: Monday 27/4 is the day in lieu', () => {
    expect(isWorkingDay('2026-04-27')).toBe(false);
    expect(isWorkingDay('2026-04-28')).toBe(true);
  });

  it('years without overrides get the statutory fallback (day in lieu, second National Day day)', () => {
    // 2027: 1 May is a Saturday → Monday 3 May off; 2 Sep is a Thursday → Friday 3 Sep off.
    expect(isWorkingDay('2027-05-03')).toBe(false);
    expect(isWorkingDay('2027-09-03')).toBe(false);
    // Tết 2027 (5–9 Feb) covers a weekend: two days in lieu after it.
    expect(workingCalendar.daysOff(2027)).toEqual(expect.arrayContaining(['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11']));
    expect(isWorkingDay('2027-02-12')).toBe(true);
  });

  it('a province can supply its own table; a year listed there is complete', () => {
    const cal = new WorkingCalendar({
      overrides: { '2027': { daysOff: ['2027-03-01'], workingDays: [{ date: '2027-03-06', note: 'làm bù' }] } },
    });
    expect(cal.isWorkingDay('2027-03-01')).toBe(false);
    expect(cal.isWorkingDay('2027-03-06')).toBe(true);
    expect(cal.isWorkingDay('2027-05-03')).toBe(true); // no fallback day in lieu for a listed year
    expect(cal.isWorkingDay('2027-02-08')).toBe(false); // date-holidays still applies
    expect(cal.isWorkingDay('2026-02-16')).toBe(false);
  });

  it('rejects a malformed override table', () => {
    expect(() => new WorkingCalendar({ overrides: { '2027': { daysOff: ['2027-02-30'] } } })).toThrow();
    expect(() => new WorkingCalendar({ overrides: { '2027': { daysOff: ['2026-05-04'] } } })).toThrow(/2027/);
    expect(() => new WorkingCalendar({ overrides: { '2027': { daysOff: ['2027-05-04'], extra: 1 } as never } })).toThrow();
    expect(() => new WorkingCalendar({ overrides: { next: { daysOff: [] } } })).toThrow(/năm/);
  });

  it('weekends are off', () => {
    expect(isWorkingDay('2026-03-07')).toBe(false);
    expect(isWorkingDay('2026-03-08')).toBe(false);
    expect(isWorkingDay('2026-03-09')).toBe(true);
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('start day and the 15:00 cut-off', () => {
  it('same day before the cut-off, next working day at or after it', () => {
    expect(startDayFor(vn('2026-03-10T14:59:59.999'), '15:00')).toBe('2026-03-10');
    expect(startDayFor(vn('2026-03-10T15:00:00'), '15:00')).toBe('2026-03-11');
    expect(startDayFor(vn('2026-03-10T23:59:59'), '15:00')).toBe('2026-03-11');
  });

  it('uses the Vietnam calendar day, not UTC', () => {
    // 00:30 on 13/2 in Vietnam is still 12/2 in UTC.
    expect(startDayFor(new Date('2026-02-12T17:30:00Z'), '15:00')).toBe('2026-02-13');
  });

  it('a dossier filed on a weekend or holiday starts on the next working day', () => {
    expect(startDayFor(vn('2026-03-07T09:00:00'), '15:00')).toBe('2026-03-09');
    expect(startDayFor(vn('2026-02-17T09:00:00'), '15:00')).toBe('2026-02-23');
  });
});

describe('dueDate', () => {
  it('diploma copy before Tết 2026: 10:00 Friday 13/2 → due that day at 17:00', () => {
    const due = dueDate(vn('2026-02-13T10:00:00'), diploma);
    expect(due).toEqual({ startDay: '2026-02-13', dueDay: '2026-02-13', dueAt: vn('2026-02-13T17:00:00') });
  });

  it('diploma copy before Tết 2026: 16:00 Friday 13/2 → due Monday 23/2', () => {
    const due = dueDate(vn('2026-02-13T16:00:00'), diploma);
    expect(due.dueDay).toBe('2026-02-23');
    expect(due.dueAt.toISOString()).toBe('2026-02-23T10:00:00.000Z');
  });

  it('exactly 15:00:00 counts as after the cut-off', () => {
    expect(dueDate(vn('2026-03-10T15:00:00'), diploma).dueDay).toBe('2026-03-11');
    expect(dueDate(vn('2026-03-10T14:59:59'), diploma).dueDay).toBe('2026-03-10');
  });

  it('Friday after the cut-off → Monday', () => {
    expect(dueDate(vn('2026-03-13T15:30:00'), diploma).dueDay).toBe('2026-03-16');
  });

  it('the swapped Saturday 26/4/2025 is a working day a dossier can fall due on', () => {
    expect(dueDate(vn('2025-04-25T16:00:00'), diploma).dueDay).toBe('2025-04-26');
    // After 15:00 on Tue 29/4: 30/4, 1/5, 2/5 off, then the weekend.
    expect(dueDate(vn('2025-04-29T16:00:00'), diploma).dueDay).toBe('2025-05-05');
  });

  it('National Day 2025: Friday 29/8 after the cut-off → Wednesday 3/9', () => {
    expect(dueDate(vn('2025-08-29T16:00:00'), diploma).dueDay).toBe('2025-09-03');
  });

  it('counts the start day as the first of N working days', () => {
    // Start Mon 9/2/2026; 5 working days: 9,10,11,12,13 Feb.
    expect(dueDate(vn('2026-02-09T08:00:00'), { workingDays: 5, cutoff: '15:00' }).dueDay).toBe('2026-02-13');
    // One more day jumps the whole Tết break.
    expect(dueDate(vn('2026-02-09T08:00:00'), { workingDays: 6, cutoff: '15:00' }).dueDay).toBe('2026-02-23');
    // 15 working days (tutoring licence) from Wed 22/4/2026 across Hùng Kings (27/4), 30/4 and 1/5.
    expect(dueDate(vn('2026-04-22T09:00:00'), { workingDays: 15, cutoff: '15:00' }).dueDay).toBe('2026-05-15');
  });

  it('closing time is configurable', () => {
    expect(dueDate(vn('2026-03-10T09:00:00'), diploma, '16:30').dueAt).toEqual(vn('2026-03-10T16:30:00'));
    expect(new WorkingCalendar({ closeAt: '11:30' }).dueDate(vn('2026-03-10T09:00:00'), diploma).dueAt).toEqual(vn('2026-03-10T11:30:00'));
  });

  it('rejects a non-positive SLA', () => {
    expect(() => dueDate(vn('2026-03-10T09:00:00'), { workingDays: 0, cutoff: '15:00' })).toThrow(RangeError);
  });
});

describe('addWorkingDays and workingDaysBetween', () => {
  it('adds working days, skipping weekends and holidays', () => {
    expect(addWorkingDays('2026-02-13', 0)).toBe('2026-02-13');
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-23');
    expect(addWorkingDays('2025-08-28', 2)).toBe('2025-09-03');
    expect(() => addWorkingDays('2026-02-13', -1)).toThrow(RangeError);
  });

  it('counts working days in (from, to], negative when reversed', () => {
    expect(workingDaysBetween('2026-02-13', '2026-02-23')).toBe(1);
    expect(workingDaysBetween('2026-02-23', '2026-02-13')).toBe(-1);
    expect(workingDaysBetween('2026-03-09', '2026-03-09')).toBe(0);
    expect(workingDaysBetween('2026-03-06', '2026-03-13')).toBe(5);
  });

  it('accepts instants, taking their Vietnam day', () => {
    expect(workingDaysBetween(vn('2026-03-09T23:30:00'), vn('2026-03-10T00:30:00'))).toBe(1);
  });

  it('is the inverse of addWorkingDays', () => {
    for (let i = 0; i < 40; i++) {
      const day = `2026-02-${String((i % 28) + 1).padStart(2, '0')}`;
      const n = i % 9;
      expect(workingDaysBetween(day, addWorkingDays(day, n))).toBe(n);
    }
  });
});

describe('Vietnam time helpers', () => {
  it('converts between instants and Vietnam days/times', () => {
    expect(vnDay(new Date('2026-02-12T16:59:59Z'))).toBe('2026-02-12');
    expect(vnDay(new Date('2026-02-12T17:00:00Z'))).toBe('2026-02-13');
    expect(vnInstant('2026-02-13', '17:00').toISOString()).toBe('2026-02-13T10:00:00.000Z');
  });
});
