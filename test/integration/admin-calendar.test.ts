// The working-day calendar kept by administrators (calendar_years): bundled years seeded without overwriting an edit,
// a saved year changes due dates at once in this process and, after its revision poll, in another one on the same
// database; bad dates are 422 with fields; only administrators reach the API and the page.
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, dueDate, WorkingCalendar } from '../../src/calendar/working-days.js';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findCalendarYear } from '../../src/db/repositories/calendar.js';
import { AdminData } from '../../src/services/administration/admin-data.js';
import { loadCalendar, seedBundledCalendarYears } from '../../src/services/administration/calendar.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInPages } from '../helpers/page-session.js';

let env: TestEnvironment;
const tokens: Record<string, string> = {};

const api = (method: 'GET' | 'PUT', url: string, who?: string, payload?: unknown) => env.app.inject({
  method, url, payload: payload as object, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
});

beforeAll(async () => {
  env = await startTestEnvironment('production');
  for (const who of ['admin', 'clerk']) {
    tokens[who] = (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: who, password: 'demo' } })).json().token;
  }
});
afterAll(async () => { await env?.close(); });

describe('calendar API', () => {
  it('starts with the bundled years in the table', async () => {
    const res = await api('GET', '/api/admin/calendar', 'admin');
    expect(res.statusCode).toBe(200);
    const years = res.json().years;
    expect(years.map((y: { year: number }) => y.year)).toEqual(expect.arrayContaining([2025, 2026]));
    expect(years.find((y: { year: number }) => y.year === 2025)).toMatchObject({
      saved: true, holidays: ['2025-01-27', '2025-05-02', '2025-09-01'], workingWeekends: ['2025-04-26'], updatedBy: null,
    });
  });

  it('shows a year without an entry with the days in lieu the Labour Code gives', async () => {
    const res = await api('GET', '/api/admin/calendar/2028', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ year: 2028, saved: false, holidays: [], workingWeekends: [] });
    expect(res.json().days).toContainEqual(expect.objectContaining({ date: '2028-05-02', kind: 'day-in-lieu' }));
    expect(res.json().days).toContainEqual({ date: '2028-09-02', kind: 'public-holiday', label: 'Quốc khánh' });
  });

  it('a saved year moves due dates here at once and in another process after its poll; audited before/after', async () => {
    // A second process on the same database: its own admin data and its own calendar.
    const other = new WorkingCalendar();
    const otherAdminData = new AdminData(env.ctx.db, pino({ level: 'silent' }), 0);
    otherAdminData.register('calendar', (db) => loadCalendar(db, other));
    await otherAdminData.refresh();
    const receivedAt = new Date('2031-03-03T08:00:00+07:00'); // a Monday
    const sla = { workingDays: 2, cutoff: '15:00' };
    expect(dueDate(receivedAt, sla).dueDay).toBe('2031-03-04');

    const res = await api('PUT', '/api/admin/calendar/2031', 'admin', { holidays: ['2031-03-04'], workingWeekends: ['2031-03-08'], note: 'Thông báo số 1/TB' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ year: 2031, saved: true, holidays: ['2031-03-04'], workingWeekends: ['2031-03-08'], note: 'Thông báo số 1/TB', updatedBy: 'Phạm Quốc Huy (admin)' });
    expect(res.json().days).toEqual(expect.arrayContaining([
      expect.objectContaining({ date: '2031-03-04', kind: 'declared-holiday' }), expect.objectContaining({ date: '2031-03-08', kind: 'working-weekend' }),
    ]));
    // This process reloaded on commit.
    expect(dueDate(receivedAt, sla).dueDay).toBe('2031-03-05');
    expect(addWorkingDays('2031-03-07', 1)).toBe('2031-03-08');
    // The other one sees it once its poll finds the revision moved.
    expect(other.isWorkingDay('2031-03-04')).toBe(true);
    await otherAdminData.refresh();
    expect(other.isWorkingDay('2031-03-04')).toBe(false);
    expect(other.dueDate(receivedAt, sla).dueDay).toBe('2031-03-05');

    const [entry] = await listAuditEntries(env.ctx.db, { action: 'calendar.updated', target: '2031', limit: 5 });
    expect(entry).toMatchObject({
      actorName: 'Phạm Quốc Huy (admin)', target: '2031',
      details: { before: null, after: { holidays: ['2031-03-04'], workingWeekends: ['2031-03-08'], note: 'Thông báo số 1/TB' } },
    });
    const again = await api('PUT', '/api/admin/calendar/2031', 'admin', { holidays: [], workingWeekends: [] });
    expect(again.json()).toMatchObject({ holidays: [], workingWeekends: [], note: null });
    const [second] = await listAuditEntries(env.ctx.db, { action: 'calendar.updated', target: '2031', limit: 5 });
    expect(second!.details).toMatchObject({ before: { holidays: ['2031-03-04'] }, after: { holidays: [] } });
    expect(dueDate(receivedAt, sla).dueDay).toBe('2031-03-04');
  });

  it('loads without writing: a reload does not put back a bundled year (seeding is once, at start-up)', async () => {
    await env.ctx.db.execute(sql`delete from calendar_years where year = 2026`);
    await loadCalendar(env.ctx.db);
    expect(await findCalendarYear(env.ctx.db, 2026)).toBeUndefined();
    await seedBundledCalendarYears(env.ctx.db);
    await loadCalendar(env.ctx.db);
    expect(await findCalendarYear(env.ctx.db, 2026)).toBeDefined();
  });

  it("never overwrites an administrator's edit of a bundled year", async () => {
    expect((await api('PUT', '/api/admin/calendar/2025', 'admin', { holidays: ['2025-01-27', '2025-09-01'], workingWeekends: [] })).statusCode).toBe(200);
    await seedBundledCalendarYears(env.ctx.db); // as the next process to start does
    await loadCalendar(env.ctx.db);
    expect((await findCalendarYear(env.ctx.db, 2025))!.holidays).toEqual(['2025-01-27', '2025-09-01']);
    expect(addWorkingDays('2025-04-30', 1)).toBe('2025-05-02');
  });

  it('refuses bad dates with 422 and a message per list', async () => {
    const res = await api('PUT', '/api/admin/calendar/2031', 'admin', {
      holidays: ['2031-03-08', '2031-02-30', '2030-12-31', '2031-03-05', '2031-03-05'], workingWeekends: ['2031-03-06', '2031-03-05'],
    });
    expect(res.statusCode).toBe(422);
    const { code, fields } = res.json().error;
    expect(code).toBe('VALIDATION_FAILED');
    expect(fields.holidays).toContain('08/03/2031 là thứ Bảy');
    expect(fields.holidays).toContain('"2031-02-30" không phải ngày hợp lệ');
    expect(fields.holidays).toContain('31/12/2030 không thuộc năm 2031');
    expect(fields.holidays).toContain('05/03/2031 được khai báo hai lần');
    expect(fields.workingWeekends).toContain('06/03/2031 là thứ Năm');
    expect(fields.workingWeekends).toContain('05/03/2031 được khai báo hai lần');
    expect((await api('PUT', '/api/admin/calendar/2031', 'admin', { holidays: 'x' })).statusCode).toBe(422);
    expect((await api('PUT', '/api/admin/calendar/1999', 'admin', { holidays: [], workingWeekends: [] })).statusCode).toBe(422);
  });

  it('is for administrators only: 403 for other staff, 401 anonymous', async () => {
    expect((await api('GET', '/api/admin/calendar', 'clerk')).statusCode).toBe(403);
    expect((await api('GET', '/api/admin/calendar/2031', 'clerk')).statusCode).toBe(403);
    expect((await api('PUT', '/api/admin/calendar/2031', 'clerk', { holidays: ['2031-03-04'], workingWeekends: [] })).statusCode).toBe(403);
    expect((await api('PUT', '/api/admin/calendar/2031', undefined, { holidays: ['2031-03-04'], workingWeekends: [] })).statusCode).toBe(401);
    expect((await api('GET', '/api/admin/calendar')).statusCode).toBe(401);
    expect((await findCalendarYear(env.ctx.db, 2031))!.holidays).toEqual([]);
  });
});

describe('calendar page', () => {
  it('draws the year and saves the form (dates as dd/mm/yyyy, one a line)', async () => {
    const admin = await signInPages(env, 'admin');
    const page = await admin.get('/quan-tri/lich/2032');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Lịch ngày làm việc năm 2032');
    expect(page.body).toContain('chưa được khai báo');
    expect(page.body).toMatch(/<td class="public-holiday" title="30\/04\/2032: Ngày Giải phóng miền Nam">30<\/td>/);
    expect(page.body).toContain('<td class="weekend" title="04/01/2032: Nghỉ cuối tuần">4</td>');

    const saved = await admin.post('/quan-tri/lich/2032', { holidays: '05/01/2032\n2032-01-06', workingWeekends: '10/01/2032', note: 'Thử' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/quan-tri/lich/2032?tb=da-luu');
    expect((await admin.get(saved.location!)).body).toContain('Đã lưu lịch ngày làm việc năm 2032');
    expect(await findCalendarYear(env.ctx.db, 2032)).toMatchObject({ holidays: ['2032-01-05', '2032-01-06'], workingWeekends: ['2032-01-10'], note: 'Thử' });
    const after = await admin.get('/quan-tri/lich/2032');
    expect(after.body).toContain('<td class="declared-holiday" title="05/01/2032: Ngày nghỉ theo thông báo của Chính phủ">5</td>');
    expect(after.body).toContain('<td class="working-weekend" title="10/01/2032: Làm việc bù ngày cuối tuần">10</td>');

    const bad = await admin.post('/quan-tri/lich/2032', { holidays: '10/01/2032', workingWeekends: '', note: '' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('10/01/2032 là thứ Bảy, không phải ngày làm việc thường');
    expect(bad.body).toContain('>10/01/2032</textarea>');
    expect((await admin.get('/quan-tri/lich?nam=2033')).location).toBe('/quan-tri/lich/2033');
  });

  it('refuses other staff with a 403 page', async () => {
    const clerk = await signInPages(env, 'clerk');
    expect((await clerk.get('/quan-tri/lich/2032')).status).toBe(403);
    expect((await clerk.post('/quan-tri/lich/2032', { holidays: '', workingWeekends: '' })).status).toBe(403);
    expect((await findCalendarYear(env.ctx.db, 2032))!.holidays).toHaveLength(2);
  });
});
