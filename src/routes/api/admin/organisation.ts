// /api/admin: settings (province, the Department), agencies, units (and their CSV/XLSX import), unit roles.
// HTTP only: services/administration/organisation.ts holds the rules, the schemas and the transactions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { readImportFile } from '../../../plugins/multipart.js';
import { administratorOf } from '../../../services/administration/administrator.js';
import {
  agencyChanges, agencyInput, agencyView, changeAgency, changeUnit, createAgency, createUnit, importResult, importUnits,
  listAgencyViews, listUnitViews, MAX_IMPORT_BYTES, readSettings, readUnitRoles, saveSettings, saveUnitRoles, settingsInput,
  settingsView, tooLargeMessage, unitChanges, unitInput, unitRolesInput, unitRolesView, unitView,
} from '../../../services/administration/organisation.js';
import { errorResponse } from '../error-response.js';

const errors = { 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 422: errorResponse };
const tags = ['admin'];

export const adminOrganisationRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {

  app.get('/api/admin/settings', {
    schema: { tags, summary: 'Tên tỉnh và cơ quan là Sở (tên trang, văn bản, thư)', response: { 200: settingsView, ...errors } },
  }, async (request) => readSettings(ctx, request.caller));

  app.put('/api/admin/settings', {
    schema: { tags, summary: 'Đặt tên tỉnh và chọn cơ quan là Sở', body: settingsInput, response: { 200: settingsView, ...errors } },
  }, async (request) => saveSettings(ctx, request.caller, request.body));

  app.get('/api/admin/agencies', {
    schema: { tags, summary: 'Các cơ quan (mã QCVN 102:2016)', response: { 200: z.object({ items: z.array(agencyView) }), ...errors } },
  }, async (request) => ({ items: await listAgencyViews(ctx, request.caller) }));

  app.post('/api/admin/agencies', {
    schema: {
      tags, summary: 'Thêm cơ quan; parentName và place mặc định theo cơ quan cấp trên và tên tỉnh',
      body: agencyInput, response: { 201: agencyView, ...errors },
    },
  }, async (request, reply) => reply.status(201).send(await createAgency(ctx, request.caller, request.body)));

  app.patch('/api/admin/agencies/:code', {
    schema: {
      tags, summary: 'Sửa cơ quan (mã không đổi: nó nằm trong mã hồ sơ)',
      params: z.object({ code: z.string().max(20) }), body: agencyChanges, response: { 200: agencyView, ...errors },
    },
  }, async (request) => changeAgency(ctx, request.caller, request.params.code, request.body));

  app.get('/api/admin/units', {
    schema: { tags, summary: 'Cây đơn vị, theo thứ tự cây (depth = cấp)', response: { 200: z.object({ items: z.array(unitView) }), ...errors } },
  }, async (request) => ({ items: await listUnitViews(ctx, request.caller) }));

  app.post('/api/admin/units', {
    schema: { tags, summary: 'Thêm đơn vị', body: unitInput, response: { 201: unitView, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createUnit(ctx, request.caller, request.body)));

  app.patch('/api/admin/units/:id', {
    schema: {
      tags, summary: 'Sửa đơn vị (tên, cơ quan, loại, đơn vị cấp trên, chữ viết tắt)',
      params: z.object({ id: z.string().max(63) }), body: unitChanges, response: { 200: unitView, ...errors },
    },
  }, async (request) => changeUnit(ctx, request.caller, request.params.id, request.body));

  app.post('/api/admin/units/import', {
    schema: {
      tags, summary: 'Nhập đơn vị, trường từ tệp CSV/XLSX (tất cả hoặc không dòng nào)',
      description: 'multipart/form-data, phần `file`. Dòng tiêu đề: id,name,agencyCode,kind,parentId,abbreviation[,agencyName]. '
        + 'Lỗi: 422 với `fields` theo "line N" (dòng 1 là tiêu đề).',
      consumes: ['multipart/form-data'], response: { 200: importResult, ...errors },
    },
  }, async (request, reply) => {
    administratorOf(request.caller); // before reading the upload
return importUnits(ctx, request.caller, await readImportFile(request, reply, MAX_IMPORT_BYTES, tooLargeMessage));
  });

  app.get('/api/admin/unit-roles', {
    schema: { tags, summary: 'Đơn vị tiếp nhận, chủ trì, lãnh đạo của mọi thủ tục (*) và từng thủ tục', response: { 200: unitRolesView, ...errors } },
  }, async (request) => readUnitRoles(ctx, request.caller));

  app.put('/api/admin/unit-roles', {
    schema: {
      tags, summary: 'Phân công đơn vị: các cặp (thủ tục, vai trò) gửi lên; unitId null = theo mặc định',
      body: unitRolesInput, response: { 200: unitRolesView, ...errors },
    },
  }, async (request) => saveUnitRoles(ctx, request.caller, request.body));
};
