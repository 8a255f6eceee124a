// /api/admin/campaigns/:id/roster: the pre-verification roster (tiền kiểm) — its import, the list with counts per
// status, and the answer the desk records for a parent without VNeID. HTTP only: services/admissions/roster.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { readImportFile } from '../../../plugins/multipart.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import { SEASON_MAX_BYTES, seasonTooLargeMessage } from '../../../services/admissions/import-file.js';
import { answerRosterAtDesk, importRoster, readRoster, ROSTER_STATUSES, rosterAnswer, rosterQuery } from '../../../services/admissions/roster.js';
import { errorResponse } from '../error-response.js';

const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 422: errorResponse };
const tags = ['admin'];
const idParams = z.object({ id: z.string().min(1).max(64) });

export const rosterRow = z.object({
  campaignId: z.string(), pupilIdNumber: z.string(), fullName: z.string(), birthDate: z.string().describe('yyyy-mm-dd'),
  gender: z.string().nullable(), currentSchool: z.string().nullable(), residence: z.string().nullable(), guardianIdNumber: z.string().nullable(),
  status: z.enum(ROSTER_STATUSES),
  corrections: z.record(z.string(), z.object({ from: z.string().nullable(), to: z.string() })),
  confirmedBy: z.string().nullable().describe("Số định danh của cha mẹ, 'staff:<id>' khi bàn tiếp nhận ghi nhận, 'deadline' khi hết hạn"),
  confirmedAt: z.string().nullable(),
});

export const adminCampaignRosterRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/admin/campaigns/:id/roster', {
    schema: {
      tags, summary: 'Nhập danh sách tiền kiểm học sinh (CSV/XLSX, tất cả hoặc không dòng nào)',
      description: 'multipart/form-data, phần `file`. Dòng tiêu đề: pupilIdNumber,fullName,birthDate,gender,currentSchool,residence,guardianIdNumber '
        + '(bắt buộc 3 cột đầu). birthDate yyyy-mm-dd hoặc dd/mm/yyyy; gender Nam/Nữ hoặc male/female; số định danh 12 chữ số. '
        + 'Nhập lại: các dòng còn `pending` được thay bằng tệp mới, các dòng cha mẹ đã trả lời được giữ nguyên (`kept`). '
        + 'Tệp phải chứa toàn bộ danh sách: CSV tối đa 300.000 dòng và 40 MB, XLSX tối đa 50.000 dòng. '
        + 'Lỗi: 422 với `fields` theo "line N" (hoặc `file` khi quá số dòng); 413 FILE_TOO_LARGE khi quá 40 MB; 409 ADMISSION_WINDOW_CLOSED khi thời gian tiền kiểm đã kết thúc.',
      params: idParams, consumes: ['multipart/form-data'],
      response: { 200: z.object({ imported: z.number().int(), kept: z.number().int(), removed: z.number().int() }), ...errors },
    },
  }, async (request, reply) => {
    administratorOf(request.caller); // before reading the upload
return importRoster(ctx, request.caller, request.params.id, await readImportFile(request, reply, SEASON_MAX_BYTES, seasonTooLargeMessage));
  });

  app.get('/api/admin/campaigns/:id/roster', {
    schema: {
      tags, summary: 'Danh sách tiền kiểm: các dòng (50 dòng một trang) và số dòng theo trạng thái',
      description: '`q` toàn chữ số: số định danh bắt đầu bằng `q`; khác: họ tên hoặc số định danh chứa `q`. `status` lọc theo trạng thái.',
      params: idParams, querystring: rosterQuery,
      response: {
        200: z.object({
          items: z.array(rosterRow), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
          counts: z.object(Object.fromEntries(ROSTER_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof ROSTER_STATUSES)[number], z.ZodNumber>),
        }),
        ...errors,
      },
    },
  }, async (request) => readRoster(ctx, request.caller, request.params.id, request.query));

  app.post('/api/admin/campaigns/:id/roster/:pupilIdNumber', {
    schema: {
      tags, summary: 'Ghi nhận xác nhận/điều chỉnh thông tin tiền kiểm tại bàn tiếp nhận (cha mẹ không có VNeID)',
      description: '`{ "confirm": true }` hoặc `{ "corrections": { fullName?, birthDate?, gender?, currentSchool?, residence? } }`, trong thời gian tiền kiểm. '
        + "Người xác nhận ghi là 'staff:<id>'.",
      params: idParams.extend({ pupilIdNumber: z.string().min(1).max(20) }), body: rosterAnswer,
      response: { 200: rosterRow, ...errors },
    },
  }, async (request) => answerRosterAtDesk(ctx, request.caller, request.params.id, request.params.pupilIdNumber, request.body));
};
