// Lịch ngày làm việc theo năm (/quan-tri/lich/:year): the year as a month grid (weekends, public holidays, declared
// days off, days in lieu, weekends worked) and the form that declares the year's days off and weekends worked.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { addDays, vnToday, weekday } from '../../../calendar/vn-time.js';
import type { CalendarDay } from '../../../calendar/working-days.js';
import { CALENDAR_YEARS, getCalendarYear, listCalendar, saveCalendarYear, type CalendarYearView } from '../../../services/administration/calendar.js';
import { isAppError } from '../../../errors.js';
import { readPageForm, render } from '../common.js';
import { adminMenu, adminOr, flashText } from './shared.js';

const MONTHS = Array.from({ length: 12 }, (_, i) => `Tháng ${i + 1}`);
const WEEKDAYS = ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'];

/** dd/mm/yyyy, the way the textareas show and take dates (yyyy-mm-dd is taken too). */
const vnDate = (iso: string) => iso.split('-').reverse().join('/');

/** One date a line (or separated by spaces, commas, semicolons), dd/mm/yyyy or yyyy-mm-dd, as yyyy-mm-dd. */
export function parseDayList(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean).map((token) => {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(token);
    return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : token;
  });
}

interface Cell { day: number; date: string; kind: string; title: string }

/** Twelve months of Monday-first weeks, each day marked with what makes it special (if anything). */
function monthGrid(year: number, days: CalendarDay[]): Array<{ name: string; weeks: Array<Array<Cell | null>> }> {
  const byDate = new Map(days.map((d) => [d.date, d]));
  return MONTHS.map((name, m) => {
    const first = `${year}-${String(m + 1).padStart(2, '0')}-01`;
    const weeks: Array<Array<Cell | null>> = [];
    let week: Array<Cell | null> = Array.from({ length: (weekday(first) + 6) % 7 }, () => null);
    for (let date = first; date.slice(5, 7) === first.slice(5, 7); date = addDays(date, 1)) {
      const special = byDate.get(date);
      const weekend = weekday(date) === 0 || weekday(date) === 6;
      week.push({
        day: Number(date.slice(8)), date,
        kind: special?.kind ?? (weekend ? 'weekend' : 'working'),
        title: `${vnDate(date)}: ${special?.label ?? (weekend ? 'Nghỉ cuối tuần' : 'Ngày làm việc')}`,
      });
      if (week.length === 7) { weeks.push(week); week = []; }
    }
    if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)]);
    return { name, weeks };
  });
}

async function showYear(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply, view: CalendarYearView,
  form?: { holidays: string; workingWeekends: string; note: string; errors: Record<string, string>; message: string },
) {
  const years = (await listCalendar(ctx, request.caller)).map((y) => ({ year: y.year, url: `/quan-tri/lich/${y.year}`, current: y.year === view.year }));
  // A year without a row shows what the statutory rules infer, so saving it keeps those days unless they are removed.
  const proposedHolidays = view.saved ? view.holidays : view.days.filter((d) => d.kind === 'day-in-lieu').map((d) => d.date);
  const list = (kind: CalendarDay['kind']) => view.days.filter((d) => d.kind === kind).map((d) => ({ ...d, shown: vnDate(d.date) }));
  return render(request, reply, 'admin-calendar', {
    title: `Lịch ngày làm việc năm ${view.year}`, adminMenu: adminMenu('/quan-tri/lich'),
    view, years, months: monthGrid(view.year, view.days), weekdays: WEEKDAYS,
    prevUrl: view.year > CALENDAR_YEARS.min ? `/quan-tri/lich/${view.year - 1}` : null,
    nextUrl: view.year < CALENDAR_YEARS.max ? `/quan-tri/lich/${view.year + 1}` : null,
    publicHolidays: list('public-holiday'), declared: [...list('declared-holiday'), ...list('day-in-lieu')], workingWeekends: list('working-weekend'),
    form: form ?? {
      holidays: proposedHolidays.map(vnDate).join('\n'), workingWeekends: view.workingWeekends.map(vnDate).join('\n'), note: view.note ?? '', errors: {},
    },
    // A fixed notice named by the link (?tb=da-luu), with the year of the page itself.
    flash: flashText(request, { 'da-luu': `Đã lưu lịch ngày làm việc năm ${view.year}; thời hạn xử lý hồ sơ mới được tính theo lịch này.` }),
    minYear: CALENDAR_YEARS.min, maxYear: CALENDAR_YEARS.max,
  }, form ? 422 : 200);
}

function yearParam(request: FastifyRequest): number {
  const raw = (request.params as { year: string }).year;
  return /^\d{4}$/.test(raw) ? Number(raw) : Number.NaN;
}

export function calendarPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/quan-tri/lich', async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const wanted = (request.query as Record<string, string | undefined>).nam;
    const year = wanted && /^\d{4}$/.test(wanted) ? wanted : vnToday().slice(0, 4);
    return reply.redirect(`/quan-tri/lich/${year}`, 303);
  });

  app.get('/quan-tri/lich/:year', async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showYear(ctx, request, reply, await getCalendarYear(ctx, request.caller, yearParam(request)));
  });

  app.post('/quan-tri/lich/:year', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const year = yearParam(request);
    const { fields } = await readPageForm(request);
    const input = { holidays: parseDayList(fields.holidays ?? ''), workingWeekends: parseDayList(fields.workingWeekends ?? ''), note: fields.note ?? '' };
    try {
      await saveCalendarYear(ctx, request.caller, year, input);
      return reply.redirect(`/quan-tri/lich/${year}?tb=da-luu`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      return showYear(ctx, request, reply, await getCalendarYear(ctx, request.caller, year), {
        holidays: fields.holidays ?? '', workingWeekends: fields.workingWeekends ?? '', note: fields.note ?? '', errors: error.fields ?? {}, message: error.message,
      });
    }
  });
}
