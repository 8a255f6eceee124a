import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { readMultipart } from '../../plugins/multipart.js';
import { dossierDocument, dossierResult, dossierView } from '../../services/viewing/dossier-view.js';
import { adjustChoices } from '../../services/admissions/adjustment.js';
import { changeTrackingToken } from '../../services/processing/change-tracking-token.js';
import { performAction } from '../../services/processing/perform-action.js';
import { submitDossier } from '../../services/intake/submit-dossier.js';
import { documentRefsFromFields } from '../../services/citizens/document-store.js';
import { intakeRouteLimit } from '../intake-limit.js';
import { bodyLength } from '../../storage/index.js';

const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });
const codeParams = z.object({ code: z.string().min(1).max(64) });

const submitted = z.object({
  code: z.string(), status: z.string(), dueDate: z.string(), dueAt: z.string(), trackingToken: z.string(),
  links: z.object({ self: z.string(), result: z.string() }),
});

// `version` is a JSON integer (`"1"`, `true` or `[1]` are 422, not 1); a multipart part is digits (versionPart).
const actionBody = z.object({
  version: z.number().int().positive(),
  comment: z.string().max(2000).nullish(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** Form data is an object of plain values; deeper nesting is refused before any code walks it (JSON.stringify recurses). */
const MAX_JSON_DEPTH = 8;

function parseJsonField(raw: string | undefined, name: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Dữ liệu biểu mẫu không phải JSON hợp lệ.', { [name]: 'JSON không hợp lệ.' });
  }
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new AppError('VALIDATION_FAILED', 'Dữ liệu biểu mẫu lồng nhau quá sâu.', { [name]: `Tối đa ${MAX_JSON_DEPTH} cấp.` });
  }
  return value;
}

/** How deep `value` nests, counted without recursion and only up to `limit + 1`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function asciiFileName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\w.-]+/g, '_');
}

function contentDisposition(fileName: string, inline: boolean): string {
  return `${inline ? 'inline' : 'attachment'}; filename="${asciiFileName(fileName)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export const dossierRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/dossiers', {
    config: intakeRouteLimit(ctx),
    schema: {
      tags: ['dossiers'], summary: 'Nộp hồ sơ trực tuyến',
      description: 'multipart/form-data: `procedure` (mã thủ tục), `data` (JSON các trường biểu mẫu), mỗi giấy tờ một phần tệp đặt tên theo khóa giấy tờ. Header Idempotency-Key tùy chọn. '
        + 'Công dân đăng nhập VNeID: `filedFor` (self | child | proxy), `childPersonalId` (con theo dữ liệu VNeID); ủy quyền: `principalName`, `principalPersonalId`, `principalEmail`. '
        + 'Các trường được nhà nước xác thực lấy theo VNeID, giá trị gửi lên bị bỏ qua (422 NOT_YOUR_CHILD, FILING_NOT_ALLOWED; 401 UNAUTHENTICATED khi gửi các phần này mà chưa đăng nhập). '
        + `Giới hạn: ${ctx.config.intake.ratePerMinute || 'không giới hạn'} hồ sơ mỗi phút cho mỗi địa chỉ IP; `
        + `${ctx.config.intake.perContactHour || 'không giới hạn'} hồ sơ mỗi giờ và ${ctx.config.intake.perContactDay || 'không giới hạn'} hồ sơ mỗi ngày cho cùng một email hoặc số điện thoại người nộp `
        + '(429 RATE_LIMITED kèm Retry-After; gửi lại cùng Idempotency-Key không bị tính).',
      consumes: ['multipart/form-data'],
      headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
      response: { 200: submitted, 201: submitted, 413: errorResponse, 415: errorResponse, 422: errorResponse, 429: errorResponse },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.');
    const body = await readMultipart(request);
    if (!body.fields.procedure) throw new AppError('VALIDATION_FAILED', 'Thiếu mã thủ tục.', { procedure: 'Bắt buộc.' });
    const caller = request.caller;
    const result = await submitDossier(ctx, {
      procedureId: body.fields.procedure,
      data: parseJsonField(body.fields.data, 'data') ?? {},
      files: body.files,
      idempotencyKey: request.headers['idempotency-key'],
      // A citizen signed in with VNeID (cookie, CSRF-checked): the server fills the vouched fields and links the
      // dossier to them and to the person it is for.
      filer: caller.kind === 'citizen' ? { citizen: caller.citizen, loa: caller.loa } : undefined,
      filing: {
        filedFor: body.fields.filedFor, childPersonalId: body.fields.childPersonalId,
        principal: { fullName: body.fields.principalName, personalId: body.fields.principalPersonalId, email: body.fields.principalEmail },
      },
      // `ref:<documentKey>` parts: documents of the signed-in citizen's store attached instead of uploaded.
      documentRefs: documentRefsFromFields(body.fields).refs,
    });
    const { replayed, ...payload } = result;
    return reply.status(replayed ? 200 : 201).header('location', payload.links.self).send(payload);
  });

  app.get('/api/dossiers/:code', {
    // The status look-up: a Bearer is checked as the dossier's tracking token before any staff session look-up.
    config: { trackingBearer: true },
    schema: {
      tags: ['dossiers'], summary: 'Xem hồ sơ: trạng thái, lịch sử, giấy tờ và các thao tác được phép',
      description: 'Công dân: `Authorization: Bearer <trackingToken>`; cán bộ: phiên đăng nhập.',
      params: codeParams,
    },
  }, async (request) => dossierView(ctx, request.params.code, request.caller));

  app.post('/api/dossiers/:code/actions/:action', {
    schema: {
      tags: ['dossiers'], summary: 'Thực hiện một thao tác theo quy trình',
      description: 'JSON `{ version, comment?, data? }`, hoặc multipart (phần `version`, `comment`, `data` dạng JSON, và các tệp) khi thao tác kèm giấy tờ.',
      params: codeParams.extend({ action: z.string().min(1).max(64) }),
      response: { 200: z.object({ status: z.string(), version: z.number().int() }), 403: errorResponse, 409: errorResponse, 422: errorResponse },
    },
  }, async (request) => {
    let input: z.infer<typeof actionBody>;
    let files: Awaited<ReturnType<typeof readMultipart>>['files'] = [];
    if (request.isMultipart()) {
      const body = await readMultipart(request);
      files = body.files;
      input = parseActionBody({ version: versionPart(body.fields.version), comment: body.fields.comment, data: parseJsonField(body.fields.data, 'data') });
    } else {
      input = parseActionBody(request.body);
    }
    const outcome = await performAction(ctx, {
      code: request.params.code, action: request.params.action, caller: request.caller,
      version: input.version, comment: input.comment, data: input.data, files,
    });
    return { status: outcome.status, version: outcome.version };
  });

  app.post('/api/dossiers/:code/tracking-token', {
    schema: {
      tags: ['dossiers'], summary: 'Đổi (thu hồi) mã tra cứu của công dân',
      description: 'Công dân (`Authorization: Bearer <trackingToken>` hiện tại) hoặc cán bộ của đơn vị đang giữ hồ sơ. Mã cũ không còn dùng được; '
        + 'mã mới được gửi tới email công dân đã khai, và chỉ trả về (một lần) cho chính công dân đổi mã — cán bộ thu hồi mã thì nhận `trackingToken: null`. '
          + 'Lịch sử ghi sự kiện `tracking_token_changed`.',
      params: codeParams,
      response: { 200: z.object({ code: z.string(), trackingToken: z.string().nullable(), version: z.number().int() }), 403: errorResponse, 404: errorResponse },
    },
  }, async (request) => changeTrackingToken(ctx, request.params.code, request.caller));

  app.put('/api/dossiers/:code/choices', {
    schema: {
      tags: ['dossiers'], summary: 'Điều chỉnh nguyện vọng của hồ sơ đăng ký tuyển sinh (trong thời gian điều chỉnh)',
      description: 'Người đăng ký (phiên VNeID của người nộp, hoặc `Authorization: Bearer <trackingToken>`). JSON `{ choice1, …, choiceN }`: toàn bộ '
        + 'nguyện vọng mới (trường bỏ trống = không đăng ký); trường khác trong thân yêu cầu: 422. Cùng các quy tắc như khi nộp (số nguyện vọng, nhóm, '
        + 'không bỏ trống giữa chừng, không trùng trường trong một nhóm): 422 VALIDATION_FAILED. Ngoài thời gian điều chỉnh: 409 ADMISSION_WINDOW_CLOSED. '
        + 'Lịch sử ghi sự kiện `choices_adjusted` (trước/sau); hồ sơ còn ở trạng thái "Đã đăng ký" thì chuyển sang trường nguyện vọng 1 mới.',
      params: codeParams,
      // Validated by the service after the access check: a stranger gets 404/403, never a 422 about the body.
      body: z.unknown(),
      response: {
        200: z.object({ code: z.string(), version: z.number().int(), unitId: z.string(), choices: z.record(z.string(), z.string()) }),
        403: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse,
      },
    },
  }, async (request) => adjustChoices(ctx, request.params.code, request.caller, request.body, request.ip));

  app.get('/api/dossiers/:code/documents/:id', {
    schema: { tags: ['dossiers'], summary: 'Tải tệp giấy tờ đã nộp', params: codeParams.extend({ id: z.string() }) },
  }, async (request, reply) => {
    const { document, data } = await dossierDocument(ctx, request.params.code, request.params.id, request.caller);
    // Announced for streams too (object storage): a download cut short by the hash check is visibly incomplete.
    const length = bodyLength(data);
    if (length !== undefined) reply.header('content-length', length);
    return reply.type(document.mimeType).header('content-disposition', contentDisposition(document.fileName, true))
      .header('x-content-type-options', 'nosniff').send(data);
  });

  app.get('/api/dossiers/:code/result', {
    schema: { tags: ['dossiers'], summary: 'Tải kết quả đã ký số (PDF)', params: codeParams },
  }, async (request, reply) => {
    const { fileName, data } = await dossierResult(ctx, request.params.code, request.caller);
    const length = bodyLength(data);
    if (length !== undefined) reply.header('content-length', length);
    return reply.type('application/pdf').header('content-disposition', contentDisposition(fileName, false)).send(data);
  });
};

/** A multipart `version` part: digits only ("1.0", "1e0", " 1" stay strings, which the schema refuses). */
function versionPart(raw: string | undefined): unknown {
  return raw !== undefined && /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : raw;
}

function parseActionBody(raw: unknown): z.infer<typeof actionBody> {
  const parsed = actionBody.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'body', i.path[0] === 'version' ? 'Thiếu hoặc sai phiên bản hồ sơ.' : i.message]));
  throw new AppError('VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.', fields);
}
