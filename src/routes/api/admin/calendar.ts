// /api/admin/calendar: the working-day calendar per year (weekdays off beyond the public holidays, weekends worked).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { requireStaff } from '../../../plugins/caller.js';
import { CALENDAR_YEARS, calendarYearInput, getCalendarYear, listCalendar, saveCalendarYear } from '../../../services/administration/calendar.js';
import { errorResponse } from '../error-response.js';

const yearParams = z.object({ year: z.coerce.number().int().min(CALENDAR_YEARS.min).max(CALENDAR_YEARS.max) });

const calendarYear = z.object({
  year: z.number().int(),
  saved: z.boolean().describe('false: năm chưa được khai báo, ngày nghỉ bù được suy ra theo Bộ luật Lao động'),
  holidays: z.array(z.string()).describe('Ngày thường được nghỉ, ngoài các ngày lễ (yyyy-mm-dd)'),
  workingWeekends: z.array(z.string()).describe('Thứ Bảy/Chủ nhật làm việc bù (yyyy-mm-dd)'),
  note: z.string().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  days: z.array(z.object({
    date: z.string(),
    kind: z.enum(['public-holiday', 'declared-holiday', 'day-in-lieu', 'working-weekend']),
    label: z.string(),
  })).describe('Kết quả: ngày lễ, các ngày thường được nghỉ (kèm lý do) và các ngày cuối tuần làm bù'),
});

export const adminCalendarRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/admin/calendar', {
    schema: {
      tags: ['admin'], summary: 'Các năm đã khai báo lịch ngày làm việc',
      response: { 200: z.object({ years: z.array(calendarYear) }), 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return { years: await listCalendar(ctx, request.caller) };
  });

  app.get('/api/admin/calendar/:year', {
    schema: {
      tags: ['admin'], summary: 'Lịch ngày làm việc của một năm: các ngày đã khai báo và kết quả tính ngày nghỉ, ngày làm bù',
      params: yearParams,
      response: { 200: calendarYear, 401: errorResponse, 403: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return getCalendarYear(ctx, request.caller, request.params.year);
  });

  app.put('/api/admin/calendar/:year', {
    schema: {
      tags: ['admin'], summary: 'Khai báo lịch ngày làm việc của một năm (năm đã khai báo được coi là đầy đủ)',
      description: '`holidays`: ngày thường được nghỉ ngoài các ngày lễ của Bộ luật Lao động (nghỉ Tết, nghỉ bù, ngày liền kề Quốc khánh); '
        + '`workingWeekends`: thứ Bảy/Chủ nhật đi làm bù. Có hiệu lực ngay với thời hạn xử lý hồ sơ mới.',
      params: yearParams,
      body: calendarYearInput,
      response: { 200: calendarYear, 401: errorResponse, 403: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    requireStaff(request);
    return saveCalendarYear(ctx, request.caller, request.params.year, request.body);
  });
};
