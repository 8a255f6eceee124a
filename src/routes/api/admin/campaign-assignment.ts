// /api/admin/campaigns/:id/{scores,assignment,results,cutoffs}: the exam scores import, assignment runs (a job), their
// results, cut-offs, publication and the changes of a re-run. HTTP only: services/admissions holds the rules.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { readImportFile } from '../../../plugins/multipart.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import { readRun, startAssignment } from '../../../services/admissions/assignment-runs.js';
import { SEASON_MAX_BYTES, seasonTooLargeMessage } from '../../../services/admissions/import-file.js';
import { readNotices, startNotices } from '../../../services/admissions/notices.js';
import { publishResults, readChanges, readCutoffs, readResults, resultsCsv } from '../../../services/admissions/results.js';
import { importScores } from '../../../services/admissions/scores.js';
import { errorResponse } from '../error-response.js';

const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 422: errorResponse };
const tags = ['admin'];
const idParams = z.object({ id: z.string().min(1).max(64) });
const runParams = idParams.extend({ runId: z.string().min(1).max(64) });
const outcome = z.object({ school: z.string().nullable(), category: z.string().nullable(), choiceRank: z.number().int().nullable() });

export const adminCampaignAssignmentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/admin/campaigns/:id/scores', {
    schema: {
      tags, summary: 'Nhập điểm thi và điểm ưu tiên của kỳ tuyển sinh (CSV/XLSX, tất cả hoặc không dòng nào)',
      description: 'multipart/form-data, phần `file`. Dòng tiêu đề: pupilIdNumber,score,priorityPoints và các cột tiêu chí phụ của kỳ '
        + '(ví dụ grade9Average). Số có dấu chấm hoặc dấu phẩy thập phân, tối đa 2 chữ số sau dấu. Tệp mới THAY toàn bộ điểm đã nhập, trừ điểm đã được phúc khảo thay đổi (giữ điểm sau phúc khảo, liệt kê trong `remarkedKept`). '
        + 'Lỗi: 422 với `fields` theo "line N" (dòng 1 là tiêu đề).',
      params: idParams, consumes: ['multipart/form-data'],
      response: {
        200: z.object({
          imported: z.number().int(), replaced: z.number().int(),
          remarkedKept: z.array(z.object({ pupilIdNumber: z.string(), fileScore: z.number(), score: z.number() })),
        }),
        ...errors,
      },
    },
  }, async (request, reply) => {
    administratorOf(request.caller); // before reading the upload
return importScores(ctx, request.caller, request.params.id, await readImportFile(request, reply, SEASON_MAX_BYTES, seasonTooLargeMessage));
  });

  app.post('/api/admin/campaigns/:id/assignment', {
    schema: {
      tags, summary: 'Chạy xét tuyển (một tác vụ nền); 409 ASSIGNMENT_RUNNING khi một lượt khác đang chạy',
      description: 'JSON tùy chọn `{ round: "main" | "supplementary" }` (mặc định main). Tuyển bổ sung chỉ chạy sau khi hết thời gian xác nhận nhập học '
        + '(409 ADMISSION_WINDOW_CLOSED), cho học sinh đã đăng ký nguyện vọng bổ sung và chưa xác nhận nhập học, vào chỉ tiêu còn lại.',
      params: idParams,
      body: z.object({ round: z.enum(['main', 'supplementary'], { error: 'Vòng xét tuyển là main hoặc supplementary.' }).default('main') }).strict().nullish(),
      response: { 202: z.object({ runId: z.string() }), ...errors },
    },
  }, async (request, reply) => reply.status(202).send(await startAssignment(ctx, request.caller, request.params.id, request.body?.round ?? 'main')));

  app.get('/api/admin/campaigns/:id/assignment/:runId', {
    schema: {
      tags, summary: 'Một lượt xét tuyển: trạng thái, tiến độ, số trúng tuyển, hạt giống bốc thăm',
      params: runParams,
      response: {
        200: z.object({
          runId: z.string(), status: z.enum(['running', 'done', 'failed']), progress: z.number(), admitted: z.number().int(), unassigned: z.number().int(),
          startedAt: z.string(), finishedAt: z.string().nullable(), seed: z.string(), publishedAt: z.string().nullable(),
          stats: z.record(z.string(), z.unknown()).nullable(), error: z.string().nullable(),
        }),
        ...errors,
      },
    },
  }, async (request) => readRun(ctx, request.caller, request.params.id, request.params.runId));

  app.post('/api/admin/campaigns/:id/assignment/:runId/publish', {
    schema: {
      tags, summary: 'Công bố một lượt xét tuyển đã hoàn tất (điểm chuẩn công khai, tra cứu kết quả)',
      params: runParams, response: { 200: z.object({ runId: z.string(), publishedAt: z.string() }), ...errors },
    },
  }, async (request) => publishResults(ctx, request.caller, request.params.id, request.params.runId));

  app.post('/api/admin/campaigns/:id/assignment/:runId/notices', {
    schema: {
      tags, summary: 'Đưa kết quả xét tuyển đã công bố vào hồ sơ đăng ký: thông báo trúng tuyển được ký số hàng loạt (tác vụ nền)',
      description: 'Chỉ lượt đã hoàn tất và là lượt công bố mới nhất của kỳ (409 NOTICES_NOT_ALLOWED). Gọi lại không xếp hàng lần nữa.',
      params: runParams, response: { 202: z.object({ runId: z.string(), total: z.number().int() }), ...errors },
    },
  }, async (request, reply) => reply.status(202).send(await startNotices(ctx, request.caller, request.params.id, request.params.runId)));

  app.get('/api/admin/campaigns/:id/assignment/:runId/notices', {
    schema: {
      tags, summary: 'Tiến độ đưa kết quả vào hồ sơ và ký thông báo: tổng số, đã áp dụng, đã ký, lỗi, hồ sơ đã xử lý trước',
      params: runParams,
      response: {
        200: z.object({
          runId: z.string(), total: z.number().int(), admitted: z.number().int(), applied: z.number().int(), signed: z.number().int(),
          failed: z.number().int(), decided: z.number().int(), queuedAt: z.string().nullable(), supersededBy: z.string().nullable(),
          issues: z.array(z.object({ pupilIdNumber: z.string(), dossierId: z.string(), kind: z.enum(['decided', 'failed']), status: z.string(), message: z.string() })),
        }),
        ...errors,
      },
    },
  }, async (request) => readNotices(ctx, request.caller, request.params.id, request.params.runId));

  app.get('/api/admin/campaigns/:id/assignment/:runId/changes', {
    schema: {
      tags, summary: 'Học sinh có trường hoặc nguyện vọng trúng tuyển khác nhau giữa hai lượt xét tuyển (chạy lại sau phúc khảo)',
      params: runParams, querystring: z.object({ since: z.string().min(1).max(64) }),
      response: {
        200: z.array(z.object({
          pupilIdNumber: z.string(), before: outcome.nullable(), after: outcome.nullable(),
          remarked: z.object({ before: z.number(), after: z.number() }).optional().describe('điểm thi trước và sau phúc khảo, khi điểm đổi do phúc khảo giữa hai lượt'),
        })),
        ...errors,
      },
    },
  }, async (request) => readChanges(ctx, request.caller, request.params.id, request.params.runId, request.query.since));

  app.get('/api/admin/campaigns/:id/results', {
    schema: {
      tags, summary: 'Kết quả xét tuyển: quản trị xem tất cả, hiệu trưởng xem học sinh trúng tuyển vào trường mình',
      description: '`run` mặc định là lượt hoàn tất gần nhất. `format=csv`: tệp CSV UTF-8 có BOM. total = điểm + điểm ưu tiên.',
      params: idParams,
      querystring: z.object({ run: z.string().min(1).max(64).optional(), format: z.enum(['json', 'csv']).default('json') }),
      response: {
        200: z.array(z.object({ pupilIdNumber: z.string(), school: z.string().nullable(), category: z.string().nullable(), choiceRank: z.number().int().nullable(), total: z.number() }))
          .describe('JSON; với format=csv là tệp text/csv'),
        ...errors,
      },
    },
  }, async (request, reply) => {
    const items = await readResults(ctx, request.caller, request.params.id, request.query.run);
    if (request.query.format === 'json') return items;
    // A Buffer is sent as it is, never through the JSON schema above.
    const file: FastifyReply = reply;
    return file.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ket-qua-${request.params.id}.csv"`)
      .header('cache-control', 'private, no-store').send(Buffer.from(resultsCsv(items), 'utf8'));
  });

  app.get('/api/admin/campaigns/:id/cutoffs', {
    schema: {
      tags, summary: 'Điểm chuẩn từng trường: quản trị xem bất cứ lúc nào, mọi người xem khi kết quả đã công bố',
      params: idParams, querystring: z.object({ run: z.string().min(1).max(64).optional() }),
      response: {
        200: z.array(z.object({ school: z.string(), category: z.string().nullable(), quota: z.number().int(), admitted: z.number().int(), cutoff: z.number().nullable() })),
        ...errors,
      },
    },
  }, async (request) => readCutoffs(ctx, request.caller, request.params.id, request.query.run));
};
