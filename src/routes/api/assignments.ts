// Routing endpoints for staff: claim/assign/reassign a dossier (optionally handing it to another unit), its control
// slip (hand-overs), the master-register lookup, the SLA alerts of the caller's units, and admission campaigns.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireStaff } from '../../plugins/caller.js';
import { assignDossier } from '../../services/processing/assign-dossier.js';
import { lookupForDossier } from '../../services/processing/master-register.js';
import { currentCampaigns, dossierHandovers, unitSlaAlerts } from '../../services/processing/routing-views.js';

const codeParams = z.object({ code: z.string().min(1).max(64) });
const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });

export const assignmentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/dossiers/:code/assignment', {
    schema: {
      tags: ['routing'], summary: 'Nhận xử lý, phân công, phân công lại hoặc chuyển hồ sơ sang đơn vị khác',
      description: 'Không có `staffId`: người gọi tự nhận hồ sơ. `staffId: null`: trả về hàng chờ của đơn vị. `unitId`: chuyển sang đơn vị khác (lãnh đạo hoặc một cửa), ghi vào phiếu kiểm soát.',
      params: codeParams,
      body: z.object({
        version: z.number().int().positive(), staffId: z.uuid().nullable().optional(), unitId: z.string().min(1).max(64).optional(),
        comment: z.string().max(2000).nullish(),
      }),
      response: {
        200: z.object({ version: z.number().int(), unitId: z.string(), assignee: z.object({ id: z.string(), name: z.string() }).nullable() }),
        403: errorResponse, 409: errorResponse, 422: errorResponse,
      },
    },
  }, async (request) => {
    requireStaff(request);
    return assignDossier(ctx, { code: request.params.code, caller: request.caller, ...request.body });
  });

  app.get('/api/dossiers/:code/handovers', {
    schema: { tags: ['routing'], summary: 'Phiếu kiểm soát quá trình giải quyết: các lần chuyển giữa đơn vị', params: codeParams },
  }, async (request) => dossierHandovers(ctx, request.params.code, request.caller));

  app.get('/api/dossiers/:code/register-lookup', {
    schema: {
      tags: ['routing'], summary: 'Tra cứu sổ gốc cho hồ sơ cấp bản sao văn bằng; trả về dữ liệu điền sẵn cho bước đối chiếu',
      params: codeParams,
    },
  }, async (request) => {
    requireStaff(request);
    return lookupForDossier(ctx, request.params.code, request.caller);
  });

  app.get('/api/sla-alerts', {
    schema: { tags: ['routing'], summary: 'Cảnh báo sắp đến hạn / quá hạn của các đơn vị của cán bộ' },
  }, async (request) => unitSlaAlerts(ctx, requireStaff(request)));

  app.get('/api/campaigns', {
    schema: { tags: ['procedures'], summary: 'Các kỳ tuyển sinh đang và sắp mở: thời gian, trường tham gia, chỉ tiêu và số đã trúng tuyển' },
  }, async () => currentCampaigns(ctx));
};
