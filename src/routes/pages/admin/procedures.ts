// Thủ tục (/quan-tri/thu-tuc): every procedure with its on/off switch, its versions with the dossiers on each (open and
// in all), each version's workflow file to read or download, and the upload of a new workflow file with the loader's
// problems listed as file:path. services/administration/procedures.ts decides.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { isAppError } from '../../../errors.js';
import {
  listProcedureAdministration, MAX_WORKFLOW_FILE_BYTES, procedureVersionSource, setProcedureEnabled, uploadWorkflow,
} from '../../../services/administration/procedures.js';
import { WORKFLOW_UPLOAD_LIMITS } from '../../api/admin/procedures.js';
import { render } from '../common.js';
import { enc } from '../staff/shared.js';
import { adminMenu, adminOr, flashText, readUploadForm } from './shared.js';

const PAGE = '/quan-tri/thu-tuc';

interface UploadState { message: string; problems: Array<{ where: string; message: string }> }

const sourceApi = (id: string, version: number) => `/api/admin/procedures/${enc(id)}/versions/${version}/source`;

/**
 * The notice after a redirect: `?tb=<key>&thu-tuc=<id>[&phien-ban=<n>]` names a fixed text; the procedure's title and
 * version are read from the list (an unknown id or version shows nothing), never taken from the link.
 */
function procedureNotice(request: FastifyRequest, procedures: Array<{ id: string; title: string; versions: Array<{ version: number }> }>): string | undefined {
  const query = request.query as Record<string, unknown>;
  const procedure = procedures.find((p) => p.id === query['thu-tuc']);
  if (!procedure) return undefined;
  const version = procedure.versions.find((v) => String(v.version) === query['phien-ban'])?.version;
  const { id, title } = procedure;
  const messages: Record<string, string> = {
    'da-bat': `Đã bật thủ tục "${title}": nhận hồ sơ mới.`,
    'da-tat': `Đã tắt thủ tục "${title}": không nhận hồ sơ mới; hồ sơ đã nộp vẫn được xử lý.`,
  };
  if (version !== undefined) {
    messages.trung = `Tệp trùng nội dung phiên bản ${version} của thủ tục ${id}: không có gì thay đổi.`;
    messages['da-nap'] = `Đã lưu phiên bản ${version} của thủ tục ${id}; hồ sơ nộp từ nay theo phiên bản này, hồ sơ đã nộp giữ phiên bản cũ.`;
    messages['da-nap-moi'] = `Đã lưu phiên bản ${version} của thủ tục mới ${id}; hồ sơ nộp từ nay theo phiên bản này, hồ sơ đã nộp giữ phiên bản cũ.`
      + ' Hãy phân công đơn vị tiếp nhận, chủ trì và lãnh đạo cho thủ tục mới (mục Tổ chức).';
  }
  return flashText(request, messages);
}

async function showProcedures(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, upload?: UploadState) {
  const procedures = (await listProcedureAdministration(ctx, request.caller)).map((p) => ({
    ...p,
    toggleUrl: `${PAGE}/${enc(p.id)}/${p.enabled ? 'tat' : 'bat'}`,
    dossiers: p.versions.reduce((sum, v) => sum + v.dossiers, 0),
    openDossiers: p.versions.reduce((sum, v) => sum + v.openDossiers, 0),
    versions: p.versions.map((v) => ({
      ...v, viewUrl: `${PAGE}/${enc(p.id)}/phien-ban/${v.version}`, downloadUrl: sourceApi(p.id, v.version),
    })),
  }));
  return render(request, reply, 'admin-procedures', {
    title: 'Thủ tục và quy trình', adminMenu: adminMenu(PAGE), flash: procedureNotice(request, procedures), procedures,
    upload: upload ?? { message: '', problems: [] }, maxKb: MAX_WORKFLOW_FILE_BYTES / 1024,
  }, upload ? 422 : 200);
}

export function procedurePages(app: FastifyInstance, ctx: AppContext): void {
  app.get(PAGE, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    return showProcedures(ctx, request, reply);
  });

  for (const [verb, enabled] of [['bat', true], ['tat', false]] as const) {
    app.post(`${PAGE}/:id/${verb}`, { preHandler: app.csrfProtection }, async (request, reply) => {
      if (!(await adminOr(request, reply))) return reply;
      const { id } = request.params as { id: string };
      await setProcedureEnabled(ctx, request.caller, id, enabled);
      return reply.redirect(`${PAGE}?tb=${enabled ? 'da-bat' : 'da-tat'}&thu-tuc=${enc(id)}`, 303);
    });
  }

  // Multipart: the CSRF token comes in the query (`?_csrf=`), the body is read here.
  app.post(`${PAGE}/nap`, { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    try {
      const { files } = await readUploadForm(request, reply, WORKFLOW_UPLOAD_LIMITS);
      const file = files.find((f) => f.fieldName === 'file');
      if (!file) return await showProcedures(ctx, request, reply, { message: 'Chưa chọn tệp quy trình (.yaml).', problems: [] });
      const outcome = await uploadWorkflow(ctx, request.caller, { fileName: file.fileName, data: file.data });
      const done = !outcome.changed ? 'trung' : outcome.newProcedure ? 'da-nap-moi' : 'da-nap';
      return reply.redirect(`${PAGE}?tb=${done}&thu-tuc=${enc(outcome.procedureId)}&phien-ban=${outcome.version}#${enc(outcome.procedureId)}`, 303);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500) throw error;
      const problems = Object.entries(error.fields ?? {}).map(([where, message]) => ({ where, message }));
      return showProcedures(ctx, request, reply, { message: error.message, problems });
    }
  });

  app.get(`${PAGE}/:id/phien-ban/:version`, async (request, reply) => {
    if (!(await adminOr(request, reply))) return reply;
    const { id, version } = request.params as { id: string; version: string };
    const number = /^[1-9][0-9]{0,6}$/.test(version) ? Number(version) : 0;
    const source = await procedureVersionSource(ctx, request.caller, id, number);
    return render(request, reply, 'admin-procedures-source', {
      title: `Quy trình ${id}, phiên bản ${number}`, adminMenu: adminMenu(PAGE), procedureId: id, version: number, source,
      downloadUrl: sourceApi(id, number), backUrl: `${PAGE}#${enc(id)}`,
    });
  });
}
