// The working calendar takes the administrators' table in place of the bundled overrides: a declared year is complete
// (no day in lieu inferred), a year the table lacks falls back to the statutory rules, and derived answers are forgotten.
import { describe, expect, it } from 'vitest';
import { bundledCalendarYears, WorkingCalendar } from '../../src/calendar/working-days.js';
import { fromVnLocalDateTime, vnLocalDateTime } from '../../src/calendar/vn-time.js';

describe('WorkingCalendar.replaceOverrides', () => {
  it('replaces the overrides and forgets what it derived from the old ones', () => {
    const calendar = new WorkingCalendar();
    expect(calendar.isWorkingDay('2025-05-02')).toBe(false); // bundled: Fri 2/5/2025 off
    expect(calendar.addWorkingDays('2031-03-03', 1)).toBe('2031-03-04');
    calendar.replaceOverrides(new Map([[2031, { daysOff: ['2031-03-04'], workingDays: ['2031-03-08'] }]]));
    expect(calendar.hasOverride(2031)).toBe(true);
    expect(calendar.hasOverride(2025)).toBe(false);
    // 2025 lost its entry: Fri 2/5 is a working day again, and the statutory fallback applies.
    expect(calendar.isWorkingDay('2025-05-02')).toBe(true);
    expect(calendar.isWorkingDay('2031-03-04')).toBe(false);
    expect(calendar.isWorkingDay('2031-03-08')).toBe(true);
    expect(calendar.addWorkingDays('2031-03-03', 1)).toBe('2031-03-05');
    expect(calendar.dueDate(new Date('2031-03-03T08:00:00+07:00'), { workingDays: 2, cutoff: '15:00' }).dueDay).toBe('2031-03-05');
  });

  it('refuses an invalid table and keeps the previous overrides', () => {
    const calendar = new WorkingCalendar();
    expect(() => calendar.replaceOverrides(new Map([[2031, { daysOff: ['2032-01-05'], workingDays: [] }]]))).toThrow(/không thuộc năm 2031/);
    expect(calendar.isWorkingDay('2025-05-02')).toBe(false);
  });

  it('a declared year is complete: no day in lieu inferred; without an entry the Labour Code rules fill in', () => {
    const calendar = new WorkingCalendar({ overrides: {} });
    // 2028: 30/4 is a Sunday, so Tuesday 2/5 is off in lieu (Monday 1/5 being a holiday itself).
    expect(calendar.isWorkingDay('2028-05-02')).toBe(false);
    expect(calendar.yearDays(2028)).toContainEqual(expect.objectContaining({ date: '2028-05-02', kind: 'day-in-lieu' }));
    calendar.replaceOverrides(new Map([[2028, { daysOff: [], workingDays: [] }]]));
    expect(calendar.isWorkingDay('2028-05-02')).toBe(true);
  });

  it('yearDays lists public holidays by name, declared days and weekends worked; an override can be previewed', () => {
    const calendar = new WorkingCalendar();
    const days = calendar.yearDays(2025);
    expect(days).toContainEqual({ date: '2025-04-30', kind: 'public-holiday', label: 'Ngày Giải phóng miền Nam' });
    expect(days).toContainEqual(expect.objectContaining({ date: '2025-05-02', kind: 'declared-holiday' }));
    expect(days).toContainEqual(expect.objectContaining({ date: '2025-04-26', kind: 'working-weekend' }));
    const preview = calendar.yearDays(2025, { daysOff: ['2025-12-31'], workingDays: [] });
    expect(preview).toContainEqual(expect.objectContaining({ date: '2025-12-31', kind: 'declared-holiday' }));
    expect(preview.find((d) => d.date === '2025-05-02')).toBeUndefined();
    expect(calendar.isWorkingDay('2025-12-31')).toBe(true); // previewing changed nothing
  });

  it('bundledCalendarYears gives the bundled file as table rows with its notes', () => {
    const years = bundledCalendarYears();
    expect(years.map((y) => y.year)).toEqual([2025, 2026]);
    const y2025 = years.find((y) => y.year === 2025)!;
    expect(y2025.holidays).toEqual(['2025-01-27', '2025-05-02', '2025-09-01']);
    expect(y2025.workingWeekends).toEqual(['2025-04-26']);
    expect(y2025.note).toContain('2025-04-26: Thứ Bảy đi làm bù');
  });
});

describe('datetime-local in Vietnam time', () => {
  it('round-trips and refuses what is not a date and time', () => {
    const at = fromVnLocalDateTime('2026-06-01T07:30')!;
    expect(at.toISOString()).toBe('2026-06-01T00:30:00.000Z');
    expect(vnLocalDateTime(at)).toBe('2026-06-01T07:30');
    for (const bad of ['', '2026-02-30T07:30', '2026-06-01 07:30', '2026-06-01T24:00', 'x']) expect(fromVnLocalDateTime(bad)).toBeUndefined();
  });
});

describe('public holiday names', () => {
  it('names Tết by its eve and then "Tết Nguyên Đán"', () => {
    const names = new WorkingCalendar().publicHolidayNames(2027);
    expect(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-09'].map((d) => names.get(d)))
      .toEqual(['Giao thừa Tết Nguyên Đán', 'Tết Nguyên Đán', 'Tết Nguyên Đán', 'Tết Nguyên Đán']);
    expect(names.get('2027-09-02')).toBe('Quốc khánh');
  });
});
