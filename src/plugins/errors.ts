// One error format for every JSON response: { error: { code, message, fields? } }, with the stable codes of errors.ts.
// Framework and plugin errors are translated to the same codes; a 5xx never shows internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors.js';
import { redactUrl, throttledLog } from '../logger.js';

const FRAMEWORK_CODES: Record<string, [ErrorCode, string]> = {
  FST_REQ_FILE_TOO_LARGE: ['FILE_TOO_LARGE', 'Tệp tải lên vượt quá dung lượng cho phép.'],
  FST_FILES_LIMIT: ['TOO_MANY_FILES', 'Số tệp tải lên vượt quá giới hạn.'],
  FST_PARTS_LIMIT: ['TOO_MANY_FILES', 'Số phần của biểu mẫu vượt quá giới hạn.'],
  FST_FIELDS_LIMIT: ['PAYLOAD_TOO_LARGE', 'Số trường của biểu mẫu vượt quá giới hạn.'],
  FST_REQ_FIELD_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'Dữ liệu biểu mẫu quá lớn.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'Dữ liệu gửi lên quá lớn.'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'Yêu cầu phải là multipart/form-data.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'Kiểu nội dung không được hỗ trợ.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['BAD_REQUEST', 'Dữ liệu JSON không hợp lệ.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['BAD_REQUEST', 'Thiếu dữ liệu JSON.'],
};

/** What a client is told to wait (Retry-After, seconds) on a 503. */
export const RETRY_AFTER_SECONDS = 5;
export const UNAVAILABLE_MESSAGE = 'Dịch vụ tạm thời gián đoạn, vui lòng thử lại sau ít phút.';

// A dependency we cannot reach — PostgreSQL stopped, restarting, refusing connections or out of them — is the
// service being unavailable (503, retry later), not a fault of ours (500). postgres.js rejects with Node's socket
// codes or its own CONNECT_TIMEOUT / CONNECTION_*; PostgreSQL itself with SQLSTATE class 08 (connection exception),
// 57P01-57P03 (admin/crash shutdown, cannot connect now) or 53300 (too many connections). drizzle wraps them
// (DrizzleQueryError with `cause`), so the whole cause chain is looked at.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P02', '57P03', '53300',
]);

export function isServiceUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return e.statusCode === 503;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isServiceUnavailable(inner))) return true;
  }
  return false;
}

// Text PostgreSQL cannot hold — a NUL byte in a field, a file name, a username or a dossier code — is a malformed
// request (400), not a fault of ours: 22021 (character not in repertoire: NUL in a text parameter) and 22P05
// (untranslatable character: \u0000 in JSON for a jsonb column). Same cause-chain walk as above (drizzle wraps).
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);
const UNSTORABLE_TEXT_MESSAGE = 'Dữ liệu gửi lên chứa ký tự không hợp lệ (ví dụ ký tự NUL).';
// So is a number or a time PostgreSQL cannot hold or read — a cursor, page or date past bigint or the timestamp range
// that slipped by a request schema: 22003 (numeric value out of range), 22008 (datetime field overflow), 22007
// (invalid datetime format). Request schemas should bound such values first; this keeps a miss from being a 5xx.
const OUT_OF_RANGE_CODES = new Set(['22003', '22008', '22007']);
const OUT_OF_RANGE_MESSAGE = 'Dữ liệu gửi lên có số hoặc ngày giờ nằm ngoài phạm vi cho phép.';

/** The client's fault behind a database error, as the AppError to answer with; undefined for anything else. */
export function clientFault(error: unknown): AppError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return undefined;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNSTORABLE_TEXT_CODES.has(code)) return new AppError('BAD_REQUEST', UNSTORABLE_TEXT_MESSAGE);
    if (typeof code === 'string' && OUT_OF_RANGE_CODES.has(code)) return new AppError('BAD_REQUEST', OUT_OF_RANGE_MESSAGE);
  }
  return undefined;
}

export function errorBody(code: ErrorCode, message: string, fields?: Record<string, string>) {
  return { error: fields && Object.keys(fields).length > 0 ? { code, message, fields } : { code, message } };
}

function translate(error: FastifyError | AppError): { status: number; body: ReturnType<typeof errorBody>; internal: boolean } {
  if (!(error instanceof AppError) && isServiceUnavailable(error)) {
    return { status: 503, body: errorBody('SERVICE_UNAVAILABLE', UNAVAILABLE_MESSAGE), internal: false };
  }
  const fault = error instanceof AppError ? undefined : clientFault(error);
  if (fault) return { status: fault.statusCode, body: errorBody(fault.code, fault.message), internal: false };
  if (error instanceof AppError) {
    const internal = error.statusCode >= 500;
    return { status: error.statusCode, body: errorBody(error.code, internal ? 'Đã xảy ra lỗi, vui lòng thử lại sau.' : error.message, error.fields), internal };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields: Record<string, string> = {};
    for (const issue of error.validation) {
      const name = issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || String(issue.params?.missingProperty ?? 'body');
      fields[name] ??= issue.message ?? 'Không hợp lệ.';
    }
    return { status: 422, body: errorBody('VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.', fields), internal: false };
  }
  const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
  if (mapped) return { status: ERROR_STATUS[mapped[0]], body: errorBody(mapped[0], mapped[1]), internal: false };
  if (error.statusCode === 429) return { status: 429, body: errorBody('RATE_LIMITED', 'Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.'), internal: false };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: errorBody('BAD_REQUEST', 'Yêu cầu không hợp lệ.'), internal: false };
  }
  return { status: 500, body: errorBody('INTERNAL_ERROR', 'Đã xảy ra lỗi, vui lòng thử lại sau.'), internal: true };
}

/**
 * Fastify's own refusals before any route runs (buildApp's `frameworkErrors`): a URL that does not decode
 * (`%FF`, a lone `%`) and a path parameter past the router's length limit, in our error format.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const [code, message]: [ErrorCode, string] = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? ['URI_TOO_LONG', 'Đường dẫn quá dài.']
    : error.code === 'FST_ERR_BAD_URL' ? ['BAD_REQUEST', 'Đường dẫn không hợp lệ.'] : ['INTERNAL_ERROR', 'Đã xảy ra lỗi, vui lòng thử lại sau.'];
  if (code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'request failed');
  return reply.status(ERROR_STATUS[code]).send(errorBody(code, message));
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  // During an outage every request fails the same way: the first is logged, then one line a minute.
  const unavailable = throttledLog((obj, msg) => app.log.warn(obj, msg));
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, internal } = translate(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    else if (status === 503 && !(error instanceof AppError)) unavailable({ err: error, url: redactUrl(request.url) }, 'service unavailable: a dependency does not answer');
    else request.log.info({ code: body.error.code }, 'request refused');
    if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
    if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(status).send(body);
  });
  // Graceful shutdown: a request that still arrives (on a kept-alive connection) gets our error format and a
  // Retry-After, not fastify's own 503 body (buildApp sets return503OnClosing: false for this).
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    return reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close')
      .send(errorBody('SERVICE_UNAVAILABLE', 'Máy chủ đang dừng để khởi động lại, vui lòng thử lại sau giây lát.'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('NOT_FOUND', `Không tìm thấy ${request.method} ${request.url.split('?')[0]}.`)));
});
