// The bad-input corpus, as data: every public endpoint (JSON API and HTML pages) × hostile or malformed input, each
// with the exact answer the product must give. No input may get a 5xx. Families are generated (endpoints × payload
// mutations); each case still names its own expected status and stable code (JSON) or page (HTML).
// Placeholders (corpus-runner.ts): {code}/{token} a submitted diploma-copy dossier and its tracking token, {doc} one
// of its documents, {code2}/{token2} a second dossier (the actions' target: every mutation must leave it untouched);
// {paidCode}/{paidToken} a dossier of the paid diploma-copy version whose fee was taken at the desk ({reference}).
import type { Body, Expected, HttpCase, Method, Part } from './corpus-runner.js';
import { paymentChecksum } from '../../src/integrations/payment-platform/checksum.js';
import { ASN1_HUGE_LENGTH, pngHeaderOnly, unitCsv, xlsxBomb, yamlBomb, zipOf } from './hostile-files.js';

const NUL = '\u0000';
const enc = encodeURIComponent;
const J = (status: number, code: string): Expected => ({ status, code });
const PAGE = (status: number): Expected => ({ status, html: true });
const REDIRECT = (location: RegExp | 'same-site' = 'same-site'): Expected => ({ status: 303, location });

/** 10,000 nested arrays: fine for JSON.parse, a trap for recursive code after it. */
export const DEEP_JSON = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
const DEEP_OBJECT_BODY: Body = { raw: DEEP_OBJECT, type: 'application/json' };
const LATIN1 = Buffer.from([0x7b, 0x22, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x22, 0x3a, 0x22, 0xe9, 0xff, 0xfe, 0x22, 0x7d]); // {"comment":"<é ÿ þ in latin1>"}

/** Replaced by the bytes of a real PDF (corpus-runner.ts: a part whose whole value is `{pdf}`). */
export const PDF_PLACEHOLDER = '{pdf}';

/** A valid diploma-copy request; the corpus mutates one field at a time. */
export const DIPLOMA = {
  applicantName: 'Nguyễn Văn Kiểm', applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
  relation: 'self', holderName: 'Nguyễn Văn Kiểm', holderBirthDate: '2001-02-03', diplomaType: 'thpt', school: 'THPT Hàm Rồng',
  graduationYear: 2019, copies: 1,
};

// ---------------------------------------------------------------------------------------------------------------
// Path parameters: every `:code` (and `:id`, `:kind`, `:action`) endpoint × hostile values.

/** A code value and what it is: unknown, NUL, too long for the schema, too long for the router, … */
const CODES: Array<{ label: string; value: string; kind: 'unknown' | 'nul' | 'schema-long' | 'router-long' | 'bad-encoding' }> = [
  { label: 'unknown code', value: 'KHONG-CO-HO-SO', kind: 'unknown' },
  { label: 'NUL byte', value: `AB${enc(NUL)}CD`, kind: 'nul' },
  { label: 'CR/LF', value: enc('X\r\nSet-Cookie: a=b'), kind: 'unknown' },
  { label: 'SQL-ish', value: enc("' OR 1=1 --"), kind: 'unknown' },
  { label: 'path traversal', value: enc('../../etc/passwd'), kind: 'unknown' },
  { label: '65 characters', value: 'A'.repeat(65), kind: 'schema-long' },
  { label: '5,000 characters', value: 'A'.repeat(5_000), kind: 'router-long' },
  { label: 'non-UTF-8 percent-encoding', value: '%C3%28%FF', kind: 'bad-encoding' },
];

interface CodeEndpoint {
  endpoint: string; method: Method; path: (code: string) => string; who: string; body?: Body; csrf?: boolean;
  /** What an unknown (or CR/LF, SQL-ish, traversal) code gets. */
  unknown: Expected;
  /** Whether a code over 64 characters is refused by the route's schema (API) or just not found (pages). */
  schema: boolean;
  /** What a code with a NUL byte gets, when not the database's 400. */
  nul?: Expected;
  page?: boolean;
}

const API_CODE_ENDPOINTS: CodeEndpoint[] = [
  { endpoint: 'GET /api/dossiers/:code', method: 'GET', path: (c) => `/api/dossiers/${c}`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code', method: 'GET', path: (c) => `/api/dossiers/${c}`, who: 'anon', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/actions/:action', method: 'POST', path: (c) => `/api/dossiers/${c}/actions/receive`, who: 'clerk', body: { json: { version: 1 } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/assignment', method: 'POST', path: (c) => `/api/dossiers/${c}/assignment`, who: 'clerk', body: { json: { version: 1 } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/documents/:id', method: 'GET', path: (c) => `/api/dossiers/${c}/documents/{doc}`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/result', method: 'GET', path: (c) => `/api/dossiers/${c}/result`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/register-lookup', method: 'GET', path: (c) => `/api/dossiers/${c}/register-lookup`, who: 'specialist', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/handovers', method: 'GET', path: (c) => `/api/dossiers/${c}/handovers`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/forms/:kind', method: 'GET', path: (c) => `/api/dossiers/${c}/forms/receipt`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/survey', method: 'POST', path: (c) => `/api/dossiers/${c}/survey`, who: 'anon', body: { json: { rating: 'satisfied' } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/tracking-token', method: 'POST', path: (c) => `/api/dossiers/${c}/tracking-token`, who: 'anon', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'PUT /api/dossiers/:code/choices', method: 'PUT', path: (c) => `/api/dossiers/${c}/choices`, who: 'anon', body: { json: { choice1: 'thpt-lam-son' } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/signatures/prepare', method: 'POST', path: (c) => `/api/dossiers/${c}/signatures/prepare`, who: 'leader', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/signatures/sign', method: 'POST', path: (c) => `/api/dossiers/${c}/signatures/sign`, who: 'leader', body: { json: { pin: '123456' } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  {
    endpoint: 'POST /api/dossiers/:code/signatures/:preparationId/complete', method: 'POST', path: (c) => `/api/dossiers/${c}/signatures/00000000-0000-4000-8000-000000000000/complete`,
    who: 'leader', body: { json: { signature: 'AAAA', certificate: 'x' } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true,
  },
  { endpoint: 'GET /api/dossiers/:code/payments', method: 'GET', path: (c) => `/api/dossiers/${c}/payments`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/payments', method: 'POST', path: (c) => `/api/dossiers/${c}/payments`, who: 'anon', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'POST /api/dossiers/:code/payments/desk', method: 'POST', path: (c) => `/api/dossiers/${c}/payments/desk`, who: 'clerk', body: { json: { amount: 150_000 } }, unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
  { endpoint: 'GET /api/dossiers/:code/payments/:reference/receipt', method: 'GET', path: (c) => `/api/dossiers/${c}/payments/{reference}/receipt`, who: 'clerk', unknown: J(404, 'DOSSIER_NOT_FOUND'), schema: true },
];

const PAGE_CODE_ENDPOINTS: CodeEndpoint[] = [
  { endpoint: 'GET /ho-so/:code', method: 'GET', path: (c) => `/ho-so/${c}`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /ho-so/:code/bien-nhan', method: 'GET', path: (c) => `/ho-so/${c}/bien-nhan`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /ho-so/:code/tep/:id', method: 'GET', path: (c) => `/ho-so/${c}/tep/{doc}`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /ho-so/:code/ket-qua', method: 'GET', path: (c) => `/ho-so/${c}/ket-qua`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /ho-so/:code/mau/:kind', method: 'GET', path: (c) => `/ho-so/${c}/mau/receipt`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /ho-so/:code/bo-sung', method: 'POST', path: (c) => `/ho-so/${c}/bo-sung`, who: 'anon', csrf: true, body: { form: { version: '1' } }, unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /ho-so/:code/doi-ma-tra-cuu', method: 'POST', path: (c) => `/ho-so/${c}/doi-ma-tra-cuu`, who: 'anon', csrf: true, body: { form: {} }, unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /ho-so/:code/danh-gia', method: 'POST', path: (c) => `/ho-so/${c}/danh-gia`, who: 'anon', csrf: true, body: { form: { rating: 'satisfied' } }, unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /can-bo/ho-so/:code', method: 'GET', path: (c) => `/can-bo/ho-so/${c}`, who: 'clerk', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'GET /ho-so/:code/bien-lai/:reference', method: 'GET', path: (c) => `/ho-so/${c}/bien-lai/{reference}`, who: 'anon', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /ho-so/:code/nop-phi', method: 'POST', path: (c) => `/ho-so/${c}/nop-phi`, who: 'anon', csrf: true, body: { form: {} }, unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /can-bo/ho-so/:code/thanh-toan/tai-quay', method: 'POST', path: (c) => `/can-bo/ho-so/${c}/thanh-toan/tai-quay`, who: 'clerk', csrf: true, body: { form: { amount: '150000' } }, unknown: REDIRECT(/^\/can-bo\/ho-so\//), schema: false, page: true },
  { endpoint: 'POST /can-bo/ho-so/:code/thao-tac/:action', method: 'POST', path: (c) => `/can-bo/ho-so/${c}/thao-tac/receive`, who: 'clerk', csrf: true, body: { form: { version: '1' } }, unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /can-bo/ho-so/:code/nhan-xu-ly', method: 'POST', path: (c) => `/can-bo/ho-so/${c}/nhan-xu-ly`, who: 'clerk', csrf: true, body: { form: { version: '1' } }, unknown: REDIRECT(/^\/can-bo\/ho-so\//), schema: false, page: true },
  { endpoint: 'POST /can-bo/ho-so/:code/thu-hoi-ma-tra-cuu', method: 'POST', path: (c) => `/can-bo/ho-so/${c}/thu-hoi-ma-tra-cuu`, who: 'clerk', csrf: true, body: { form: {} }, unknown: REDIRECT(/^\/can-bo\/ho-so\//), schema: false, page: true },
  { endpoint: 'GET /can-bo/ho-so/:code/xem-truoc', method: 'GET', path: (c) => `/can-bo/ho-so/${c}/xem-truoc`, who: 'leader', unknown: PAGE(404), schema: false, page: true },
  { endpoint: 'POST /can-bo/ho-so/:code/ky-so', method: 'POST', path: (c) => `/can-bo/ho-so/${c}/ky-so`, who: 'leader', csrf: true, body: { form: { pin: '123456' } }, unknown: REDIRECT(/^\/can-bo\/ho-so\//), schema: false, page: true },
  // Without the key of the QR link the page is the same for every code, existing or not (nothing is looked up).
  { endpoint: 'GET /verify/:code', method: 'GET', path: (c) => `/verify/${c}`, who: 'anon', unknown: PAGE(200), nul: PAGE(200), schema: false, page: true },
  { endpoint: 'GET /verify/:code', method: 'GET', path: (c) => `/verify/${c}?k=AAAAAAAAAAAAAAAA`, who: 'anon', unknown: PAGE(200), nul: J(400, 'BAD_REQUEST'), schema: false, page: true },
];

function codeCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const e of [...API_CODE_ENDPOINTS, ...PAGE_CODE_ENDPOINTS]) {
    for (const code of CODES) {
      let expected: Expected;
      switch (code.kind) {
        case 'unknown': expected = e.unknown; break;
        // PostgreSQL cannot even compare text holding NUL: the request is malformed (400), never a 500.
        case 'nul': expected = e.nul ?? (e.page ? PAGE(400) : J(400, 'BAD_REQUEST')); break;
        case 'schema-long': expected = e.schema ? J(422, 'VALIDATION_FAILED') : e.unknown; break;
        // Longer than the router's parameter limit (100 characters): refused before any route runs.
        case 'router-long': expected = J(414, 'URI_TOO_LONG'); break;
        // Refused by the router before any route (or page scope) runs: the JSON error format.
        case 'bad-encoding': expected = J(400, 'BAD_REQUEST'); break;
      }
      cases.push({ endpoint: e.endpoint, name: `${e.who} · ${code.label}`, method: e.method, path: e.path(code.value), who: e.who, body: e.body, csrf: e.csrf, expect: expected });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON bodies: every JSON POST × malformed or mistyped bodies.

interface JsonEndpoint {
  endpoint: string; path: string; who: string; valid: Record<string, unknown>;
  /** The answer when the first field is the string "1" (right type for a text field, wrong for a number). */
  asString: Expected;
}

const JSON_ENDPOINTS: JsonEndpoint[] = [
  { endpoint: 'POST /api/dossiers/:code/actions/:action', path: '/api/dossiers/{code2}/actions/receive', who: 'clerk', valid: { version: 99 }, asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/dossiers/:code/assignment', path: '/api/dossiers/{code2}/assignment', who: 'clerk', valid: { version: 99 }, asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/dossiers/:code/survey', path: '/api/dossiers/{code2}/survey', who: 'citizen2', valid: { rating: 'satisfied' }, asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/dossiers/:code/signatures/sign', path: '/api/dossiers/{code2}/signatures/sign', who: 'leader', valid: { pin: '123456' }, asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/signatures/batch', path: '/api/signatures/batch', who: 'leader', valid: { codes: ['{code2}'], pin: '123456' }, asString: J(422, 'VALIDATION_FAILED') },
  // More than was paid: a well-formed body is still refused, so no case records a refund.
  { endpoint: 'POST /api/payments/:reference/refunds', path: '/api/payments/{reference}/refunds', who: 'clerk', valid: { reason: 'Hoàn trả thử', amount: 150_001 }, asString: J(422, 'REFUND_EXCEEDS_PAYMENT') },
  { endpoint: 'POST /api/auth/login', path: '/api/auth/login', who: 'anon', valid: { username: 'ghost-json', password: 'x' }, asString: J(401, 'INVALID_CREDENTIALS') },
  { endpoint: 'POST /api/auth/password', path: '/api/auth/password', who: 'anon', valid: { currentPassword: 'demo', newPassword: 'Mat-khau-moi-2026' }, asString: J(401, 'UNAUTHENTICATED') },
];

/** Bodies no JSON endpoint accepts, and the answer: framework-level refusals first. */
const JSON_BODY_MUTATIONS: Array<{ name: string; body: Body; expect: Expected | 'schema' }> = [
  { name: 'truncated JSON', body: { raw: '{"version": 1', type: 'application/json' }, expect: J(400, 'BAD_REQUEST') },
  { name: 'empty JSON body', body: { raw: '', type: 'application/json' }, expect: J(400, 'BAD_REQUEST') },
  { name: '__proto__ key', body: { raw: '{"__proto__":{"admin":true},"version":1}', type: 'application/json' }, expect: J(400, 'BAD_REQUEST') },
  { name: 'constructor.prototype key', body: { raw: '{"constructor":{"prototype":{"admin":true}}}', type: 'application/json' }, expect: J(400, 'BAD_REQUEST') },
  // fastify reads text/plain as a string, which no endpoint's schema takes.
  { name: 'text/plain', body: { raw: 'version=1', type: 'text/plain' }, expect: 'schema' },
  { name: 'application/xml', body: { raw: '<version>1</version>', type: 'application/xml' }, expect: J(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'urlencoded on the API', body: { raw: 'version=1', type: 'application/x-www-form-urlencoded' }, expect: J(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'over 1 MB', body: { raw: `{"comment":"${'x'.repeat(1_100_000)}"}`, type: 'application/json' }, expect: J(413, 'PAYLOAD_TOO_LARGE') },
  { name: 'JSON null', body: { raw: 'null', type: 'application/json' }, expect: 'schema' },
  { name: 'JSON array', body: { raw: '[1]', type: 'application/json' }, expect: 'schema' },
  { name: 'JSON string', body: { raw: '"version"', type: 'application/json' }, expect: 'schema' },
  { name: 'JSON number', body: { raw: '1e309', type: 'application/json' }, expect: 'schema' },
  { name: '10,000 nested arrays', body: { raw: DEEP_JSON, type: 'application/json' }, expect: 'schema' },
  { name: '5,000 nested objects', body: DEEP_OBJECT_BODY, expect: 'schema' },
];

/** Field-level mutations of each endpoint's valid body: wrong types, out of range, overlong. */
const FIELD_MUTATIONS: Array<{ name: string; value: unknown }> = [
  { name: 'a string', value: '1' },
  { name: 'an array', value: [1] },
  { name: 'a boolean', value: true },
  { name: 'a negative number', value: -1 },
  { name: 'an object', value: { $gt: '' } },
  { name: '100,000 characters', value: 'x'.repeat(100_000) },
];

function jsonCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const e of JSON_ENDPOINTS) {
    const base = { endpoint: e.endpoint, method: 'POST' as const, path: e.path, who: e.who };
    // The survey's body is checked by the service, after the dossier: the second dossier is not finished.
    const schemaError = J(422, 'VALIDATION_FAILED');
    for (const m of JSON_BODY_MUTATIONS) {
      cases.push({ ...base, name: m.name, body: m.body, expect: m.expect === 'schema' ? schemaError : m.expect });
    }
    // The first field of the valid body, mistyped.
    const [field] = Object.keys(e.valid);
    for (const m of FIELD_MUTATIONS) {
      cases.push({ ...base, name: `${field} as ${m.name}`, body: { json: { ...e.valid, [field!]: m.value } }, expect: m.value === '1' ? e.asString : schemaError });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Specific JSON API cases: versions, comments, NUL bytes, unknown ids, query strings.

function apiCases(): HttpCase[] {
  const act = (name: string, json: unknown, expect: Expected, action = 'receive'): HttpCase => ({
    endpoint: 'POST /api/dossiers/:code/actions/:action', name, method: 'POST', path: `/api/dossiers/{code2}/actions/${action}`, who: 'clerk', body: { json }, expect,
  });
  const assign = (name: string, json: unknown, expect: Expected): HttpCase => ({
    endpoint: 'POST /api/dossiers/:code/assignment', name, method: 'POST', path: '/api/dossiers/{code2}/assignment', who: 'clerk', body: { json }, expect,
  });
  const get = (endpoint: string, name: string, path: string, who: string, expect: Expected): HttpCase => ({ endpoint, name, method: 'GET', path, who, expect });
  const post = (endpoint: string, name: string, path: string, who: string, body: Body | undefined, expect: Expected): HttpCase => ({ endpoint, name, method: 'POST', path, who, body, expect });
  const V = J(422, 'VALIDATION_FAILED');
  return [
    // Versions: only a positive JSON integer.
    act('version "1"', { version: '1' }, V),
    act('version 0', { version: 0 }, V),
    act('version 1.5', { version: 1.5 }, V),
    act('version 2^53 + 2', { version: 2 ** 53 + 2 }, V),
    { ...act('version 1e309', {}, V), body: { raw: '{"version":1e309}', type: 'application/json' } },
    act('version null', { version: null }, V),
    act('no version', {}, V),
    act('stale version', { version: 99 }, J(409, 'STALE_VERSION')),
    act('comment 2,001 characters', { version: 1, comment: 'x'.repeat(2001) }, V),
    act('comment as an object', { version: 1, comment: { a: 1 } }, V),
    act('data as an array', { version: 1, data: [1, 2] }, V),
    act('data as a string', { version: 1, data: 'x' }, V),
    act('NUL in the comment (stale version)', { version: 99, comment: `a${NUL}b` }, J(409, 'STALE_VERSION')),
    act('NUL in the comment', { version: 1, comment: `Đã nhận${NUL}` }, J(400, 'BAD_REQUEST'), 'request_supplement'),
    act('unknown action', { version: 1 }, J(422, 'ACTION_NOT_AVAILABLE'), 'khong-co'),
    act('action with NUL', { version: 1 }, J(422, 'ACTION_NOT_AVAILABLE'), enc(`receive${NUL}`)),
    act('action 65 characters', { version: 1 }, V, 'a'.repeat(65)),
    act('SLA action without a reason', { version: 1 }, J(422, 'ACTION_NOT_AVAILABLE'), 'extend'),
    act('a citizen action in another state', { version: 1 }, J(422, 'ACTION_NOT_AVAILABLE'), 'resubmit'),
    { ...act('deep data, comment missing', {}, J(422, 'COMMENT_REQUIRED'), 'request_supplement'), body: { raw: `{"version":1,"data":{"a":${DEEP_JSON}}}`, type: 'application/json' } },
    { ...act('action by the citizen (Bearer token)', { version: 1 }, J(403, 'ACTION_FORBIDDEN')), who: 'citizen2' },
    { ...act('wrong tracking token', { version: 1 }, J(404, 'DOSSIER_NOT_FOUND')), who: 'anon', headers: { authorization: 'Bearer not-a-token' } },
    { ...act('Bearer of 10,000 characters', { version: 1 }, J(404, 'DOSSIER_NOT_FOUND')), who: 'anon', headers: { authorization: `Bearer ${'A'.repeat(10_000)}` } },
    assign('staffId not a uuid', { version: 1, staffId: 'clerk' }, V),
    assign('unknown staff', { version: 1, staffId: '00000000-0000-4000-8000-000000000000' }, V),
    assign('unitId 65 characters', { version: 1, unitId: 'u'.repeat(65) }, V),
    assign('unknown unit', { version: 1, unitId: 'khong-co' }, V),
    assign('unit with NUL', { version: 1, unitId: `qlcl${NUL}` }, J(400, 'BAD_REQUEST')),
    assign('version as a string', { version: '1' }, V),
    { ...assign('anonymous', { version: 1 }, J(401, 'UNAUTHENTICATED')), who: 'anon' },

    // Survey: the citizen's, once the dossier is finished.
    post('POST /api/dossiers/:code/survey', 'rating unknown', '/api/dossiers/{code2}/survey', 'citizen2', { json: { rating: 'great' } }, V),
    post('POST /api/dossiers/:code/survey', 'reason 10,000 characters', '/api/dossiers/{code2}/survey', 'citizen2', { json: { rating: 'unsatisfied', reason: 'x'.repeat(10_000) } }, V),
    post('POST /api/dossiers/:code/survey', 'unknown criterion', '/api/dossiers/{code2}/survey', 'citizen2', { json: { rating: 'satisfied', criteria: { bribe: 'yes' } } }, V),
    post('POST /api/dossiers/:code/survey', 'NUL in the reason, not finished', '/api/dossiers/{code2}/survey', 'citizen2', { json: { rating: 'unsatisfied', reason: `x${NUL}` } }, J(422, 'SURVEY_NOT_OPEN')),
    post('POST /api/dossiers/:code/survey', 'not finished yet', '/api/dossiers/{code2}/survey', 'citizen2', { json: { rating: 'satisfied' } }, J(422, 'SURVEY_NOT_OPEN')),
    post('POST /api/dossiers/:code/survey', 'by staff', '/api/dossiers/{code2}/survey', 'clerk', { json: { rating: 'satisfied' } }, J(403, 'FORBIDDEN')),

    // Signing: PINs, preparations, the batch; a staff member without a signing key is refused, not a 500.
    post('POST /api/dossiers/:code/signatures/sign', 'PIN of 3 digits', '/api/dossiers/{code2}/signatures/sign', 'leader', { json: { pin: '123' } }, V),
    post('POST /api/dossiers/:code/signatures/sign', 'PIN of 13 digits', '/api/dossiers/{code2}/signatures/sign', 'leader', { json: { pin: '1234567890123' } }, V),
    post('POST /api/dossiers/:code/signatures/sign', 'not waiting for a signature', '/api/dossiers/{code2}/signatures/sign', 'leader', { json: { pin: '123456' } }, J(409, 'SIGNING_NOT_PENDING')),
    post('POST /api/dossiers/:code/signatures/sign', 'clerk without a key', '/api/dossiers/{code2}/signatures/sign', 'clerk', { json: { pin: '123456' } }, J(409, 'SIGNING_NOT_PENDING')),
    post('POST /api/dossiers/:code/signatures/sign', 'anonymous', '/api/dossiers/{code2}/signatures/sign', 'anon', { json: { pin: '123456' } }, J(401, 'UNAUTHENTICATED')),
    post('POST /api/dossiers/:code/signatures/prepare', 'not waiting for a signature', '/api/dossiers/{code2}/signatures/prepare', 'leader', undefined, J(409, 'SIGNING_NOT_PENDING')),
    post('POST /api/dossiers/:code/signatures/prepare', 'anonymous', '/api/dossiers/{code2}/signatures/prepare', 'anon', undefined, J(401, 'UNAUTHENTICATED')),
    post('POST /api/dossiers/:code/signatures/prepare', 'JSON garbage body', '/api/dossiers/{code2}/signatures/prepare', 'leader', { raw: '{', type: 'application/json' }, J(400, 'BAD_REQUEST')),
    post('POST /api/dossiers/:code/signatures/:preparationId/complete', 'unknown preparation', '/api/dossiers/{code2}/signatures/00000000-0000-4000-8000-000000000000/complete', 'leader',
      { json: { signature: 'AAAA', certificate: 'x' } }, J(404, 'PREPARATION_NOT_FOUND')),
    post('POST /api/dossiers/:code/signatures/:preparationId/complete', 'preparation id with NUL', `/api/dossiers/{code2}/signatures/${enc(`p${NUL}`)}/complete`, 'leader',
      { json: { signature: 'AAAA', certificate: 'x' } }, J(404, 'PREPARATION_NOT_FOUND')),
    post('POST /api/dossiers/:code/signatures/:preparationId/complete', 'preparation id 65 characters', `/api/dossiers/{code2}/signatures/${'p'.repeat(65)}/complete`, 'leader',
      { json: { signature: 'AAAA', certificate: 'x' } }, V),
    post('POST /api/dossiers/:code/signatures/:preparationId/complete', 'signature over 8 KB', '/api/dossiers/{code2}/signatures/x/complete', 'leader',
      { json: { signature: 'A'.repeat(8193), certificate: 'x' } }, V),
    post('POST /api/dossiers/:code/signatures/:preparationId/complete', 'empty signature', '/api/dossiers/{code2}/signatures/x/complete', 'leader',
      { json: { signature: '', certificate: 'x' } }, V),
    post('POST /api/signatures/batch', 'clerk without a signing key', '/api/signatures/batch', 'clerk', { json: { codes: ['{code2}'], pin: '123456' } }, J(403, 'NO_SIGNING_KEY')),
    post('POST /api/signatures/batch', 'admin without a signing key', '/api/signatures/batch', 'admin', { json: { codes: ['{code2}'], pin: '123456' } }, J(403, 'NO_SIGNING_KEY')),
    post('POST /api/signatures/batch', 'anonymous', '/api/signatures/batch', 'anon', { json: { codes: ['{code2}'], pin: '123456' } }, J(401, 'UNAUTHENTICATED')),
    post('POST /api/signatures/batch', 'no codes', '/api/signatures/batch', 'leader', { json: { codes: [], pin: '123456' } }, V),
    post('POST /api/signatures/batch', '501 codes', '/api/signatures/batch', 'leader', { json: { codes: Array.from({ length: 501 }, (_, i) => `C${i}`), pin: '123456' } }, V),
    post('POST /api/signatures/batch', 'a code of 65 characters', '/api/signatures/batch', 'leader', { json: { codes: ['c'.repeat(65)], pin: '123456' } }, V),
    post('POST /api/signatures/batch', 'codes with NUL and unknown', '/api/signatures/batch', 'leader', { json: { codes: [`A${NUL}`, 'KHONG-CO'], pin: '123456' } }, { status: 200 }),
    get('GET /api/signatures/pending', 'anonymous', '/api/signatures/pending', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/signatures/pending', 'clerk without a key', '/api/signatures/pending', 'clerk', { status: 200 }),

    // Sign-in: each wrong guess goes to its own made-up account, so no real account is throttled.
    post('POST /api/auth/login', 'NUL in the username', '/api/auth/login', 'anon', { json: { username: `clerk${NUL}`, password: 'demo' } }, J(400, 'BAD_REQUEST')),
    post('POST /api/auth/login', 'NUL in the password', '/api/auth/login', 'anon', { json: { username: 'ghost-nul', password: `demo${NUL}` } }, J(401, 'INVALID_CREDENTIALS')),
    post('POST /api/auth/login', 'username of 101 characters', '/api/auth/login', 'anon', { json: { username: 'u'.repeat(101), password: 'x' } }, V),
    post('POST /api/auth/login', 'password of 201 characters', '/api/auth/login', 'anon', { json: { username: 'ghost-long', password: 'p'.repeat(201) } }, V),
    post('POST /api/auth/login', 'no password', '/api/auth/login', 'anon', { json: { username: 'clerk' } }, V),
    post('POST /api/auth/login', 'unknown account', '/api/auth/login', 'anon', { json: { username: 'ghost-unknown', password: 'demo' } }, J(401, 'INVALID_CREDENTIALS')),
    post('POST /api/auth/login', 'non-UTF-8 bytes', '/api/auth/login', 'anon', { raw: Buffer.from([0x7b, 0x22, 0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x2c, 0x22, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x22, 0x3a, 0x22, 0x78, 0x22, 0x7d]), type: 'application/json' }, J(401, 'INVALID_CREDENTIALS')),
    post('POST /api/auth/password', 'signed in, weak new password', '/api/auth/password', 'school3', { json: { currentPassword: 'demo', newPassword: 'short' } }, J(422, 'PASSWORD_WEAK')),
    post('POST /api/auth/password', 'anonymous, well-formed', '/api/auth/password', 'anon', { json: { currentPassword: 'demo', newPassword: 'Mat-khau-moi-2026' } }, J(401, 'UNAUTHENTICATED')),
    post('POST /api/auth/logout', 'garbage Bearer', '/api/auth/logout', 'anon', undefined, { status: 204 }),
    { ...post('POST /api/auth/logout', 'garbage Bearer header', '/api/auth/logout', 'anon', undefined, { status: 204 }), headers: { authorization: 'Bearer \u00ff\u00fe' } },
    get('GET /api/auth/me', 'anonymous', '/api/auth/me', 'anon', J(401, 'UNAUTHENTICATED')),
    { ...get('GET /api/auth/me', 'Bearer of 10,000 characters', '/api/auth/me', 'anon', J(401, 'UNAUTHENTICATED')), headers: { authorization: `Bearer ${'x'.repeat(10_000)}` } },
    { ...get('GET /api/auth/me', 'Basic credentials', '/api/auth/me', 'anon', J(401, 'UNAUTHENTICATED')), headers: { authorization: 'Basic Y2xlcms6ZGVtbw==' } },

    // Procedures and static reads.
    get('GET /api/procedures', 'junk query', `/api/procedures?x=${enc(NUL)}&x=2&__proto__=1`, 'anon', { status: 200 }),
    get('GET /api/procedures/:id', 'unknown procedure', '/api/procedures/khong-co', 'anon', J(404, 'PROCEDURE_NOT_FOUND')),
    get('GET /api/procedures/:id', 'NUL', `/api/procedures/diploma-copy${enc(NUL)}`, 'anon', J(404, 'PROCEDURE_NOT_FOUND')),
    get('GET /api/procedures/:id', '__proto__', '/api/procedures/__proto__', 'anon', J(404, 'PROCEDURE_NOT_FOUND')),
    get('GET /api/procedures/:id', 'constructor', '/api/procedures/constructor', 'anon', J(404, 'PROCEDURE_NOT_FOUND')),
    get('GET /api/procedures/:id', 'non-UTF-8 percent-encoding', '/api/procedures/%FF', 'anon', J(400, 'BAD_REQUEST')),
    get('GET /api/procedures/:id', '5,000 characters', `/api/procedures/${'p'.repeat(5000)}`, 'anon', J(414, 'URI_TOO_LONG')),
    get('GET /api/dossiers/:code/documents/:id', 'id not a uuid', '/api/dossiers/{code}/documents/abc', 'clerk', J(404, 'DOCUMENT_NOT_FOUND')),
    get('GET /api/dossiers/:code/documents/:id', 'unknown uuid', '/api/dossiers/{code}/documents/00000000-0000-4000-8000-000000000000', 'clerk', J(404, 'DOCUMENT_NOT_FOUND')),
    get('GET /api/dossiers/:code/documents/:id', 'id with NUL', `/api/dossiers/{code}/documents/${enc(NUL)}`, 'clerk', J(404, 'DOCUMENT_NOT_FOUND')),
    get('GET /api/dossiers/:code/documents/:id', "another dossier's document", '/api/dossiers/{code2}/documents/{doc}', 'clerk', J(404, 'DOCUMENT_NOT_FOUND')),
    get('GET /api/dossiers/:code/forms/:kind', 'unknown form', '/api/dossiers/{code}/forms/khong-co', 'clerk', J(404, 'FORM_NOT_FOUND')),
    get('GET /api/dossiers/:code/forms/:kind', 'form with NUL', `/api/dossiers/{code}/forms/receipt${enc(NUL)}`, 'clerk', J(404, 'FORM_NOT_FOUND')),
    get('GET /api/dossiers/:code/forms/:kind', 'form 65 characters', `/api/dossiers/{code}/forms/${'k'.repeat(65)}`, 'clerk', V),
    get('GET /api/dossiers/:code/forms/:kind', 'receipt not issued yet', '/api/dossiers/{code}/forms/receipt', 'citizen', J(404, 'FORM_NOT_FOUND')),
    get('GET /api/dossiers/:code/result', 'not issued yet', '/api/dossiers/{code}/result', 'citizen', J(404, 'RESULT_NOT_READY')),
    get('GET /api/dossiers/:code/register-lookup', 'anonymous', '/api/dossiers/{code}/register-lookup', 'anon', J(401, 'UNAUTHENTICATED')),

    // Staff lists and reports: repeated or mistyped query parameters.
    get('GET /api/inbox', 'anonymous', '/api/inbox', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/inbox', 'status repeated', '/api/inbox?status=a&status=b', 'clerk', V),
    get('GET /api/inbox', 'procedure repeated', '/api/inbox?procedure=a&procedure=b', 'clerk', V),
    get('GET /api/inbox', 'limit 0', '/api/inbox?limit=0', 'clerk', V),
    get('GET /api/inbox', 'limit 1e309', '/api/inbox?limit=1e309', 'clerk', V),
    get('GET /api/inbox', 'limit not a number', '/api/inbox?limit=abc', 'clerk', V),
    get('GET /api/inbox', 'overdue maybe', '/api/inbox?overdue=maybe', 'clerk', V),
    get('GET /api/inbox', 'after not a cursor', '/api/inbox?after=abc', 'clerk', V),
    get('GET /api/inbox', 'after repeated', '/api/inbox?after=a&after=b', 'clerk', V),
    get('GET /api/inbox', 'after past the year 9999', '/api/inbox?after=0_x_253402300800000000_00000000-0000-0000-0000-000000000000', 'clerk', V),
    get('GET /api/inbox', 'NUL in the status', `/api/inbox?status=${enc(NUL)}`, 'clerk', J(400, 'BAD_REQUEST')),
    get('GET /api/inbox', 'NUL in the procedure', `/api/inbox?procedure=${enc(NUL)}`, 'clerk', J(400, 'BAD_REQUEST')),
    get('GET /api/inbox', 'status 10,000 characters', `/api/inbox?status=${'s'.repeat(10_000)}`, 'clerk', { status: 200 }),
    get('GET /api/stats', 'anonymous', '/api/stats', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/stats', 'clerk', '/api/stats', 'clerk', J(403, 'FORBIDDEN')),
    get('GET /api/stats', 'from not a date', '/api/stats?from=yesterday', 'leader', V),
    get('GET /api/stats', 'month 13', '/api/stats?from=2026-13-01', 'leader', V),
    get('GET /api/stats', 'from after to', '/api/stats?from=2026-05-01&to=2026-01-01', 'leader', V),
    get('GET /api/stats', 'from repeated', '/api/stats?from=2026-01-01&from=2026-02-01', 'leader', V),
    get('GET /api/stats', 'procedure 65 characters', `/api/stats?procedure=${'p'.repeat(65)}`, 'leader', V),
    get('GET /api/stats', 'NUL in the procedure', `/api/stats?procedure=${enc(NUL)}`, 'leader', J(400, 'BAD_REQUEST')),
    get('GET /api/stats', 'ten thousand years', '/api/stats?from=0001-01-01&to=9999-12-31', 'leader', V),
    get('GET /api/reports/tracking-book', 'anonymous', '/api/reports/tracking-book', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/reports/tracking-book', 'specialist', '/api/reports/tracking-book', 'specialist', J(403, 'FORBIDDEN')),
    get('GET /api/reports/tracking-book', 'format pdf', '/api/reports/tracking-book?format=pdf', 'clerk', V),
    get('GET /api/reports/tracking-book', 'format repeated', '/api/reports/tracking-book?format=csv&format=xlsx', 'clerk', V),
    get('GET /api/reports/tracking-book', 'more than 366 days', '/api/reports/tracking-book?from=2024-01-01&to=2026-01-01', 'clerk', V),
    get('GET /api/reports/tracking-book', 'NUL in from', `/api/reports/tracking-book?from=${enc(NUL)}`, 'clerk', V),
    get('GET /api/reports/tracking-book', 'year 10000', '/api/reports/tracking-book?from=9999-12-31&to=10000-01-01', 'clerk', V),
    get('GET /api/sla-alerts', 'anonymous', '/api/sla-alerts', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/sla-alerts', 'junk query', `/api/sla-alerts?unit=${enc(NUL)}`, 'clerk', { status: 200 }),
    get('GET /api/campaigns', 'junk query', '/api/campaigns?id=a&id=b', 'anon', { status: 200 }),
    get('GET /api/admin/effects', 'anonymous', '/api/admin/effects', 'anon', J(401, 'UNAUTHENTICATED')),
    get('GET /api/admin/effects', 'clerk', '/api/admin/effects', 'clerk', J(403, 'FORBIDDEN')),
    get('GET /api/admin/effects', 'admin, junk query', `/api/admin/effects?limit=${enc(NUL)}`, 'admin', { status: 200 }),
    post('POST /api/admin/effects/:id/retry', 'id not a number', '/api/admin/effects/abc/retry', 'admin', undefined, V),
    post('POST /api/admin/effects/:id/retry', 'id 0', '/api/admin/effects/0/retry', 'admin', undefined, V),
    post('POST /api/admin/effects/:id/retry', 'id 2^53 + 2', '/api/admin/effects/9007199254740994/retry', 'admin', undefined, V),
    post('POST /api/admin/effects/:id/retry', 'id 1e3', '/api/admin/effects/1e3/retry', 'admin', undefined, J(404, 'NOT_FOUND')),
    post('POST /api/admin/effects/:id/retry', 'unknown id', '/api/admin/effects/424242/retry', 'admin', undefined, J(404, 'NOT_FOUND')),
    post('POST /api/admin/effects/:id/retry', 'clerk', '/api/admin/effects/1/retry', 'clerk', undefined, J(403, 'FORBIDDEN')),
    post('POST /api/admin/effects/:id/retry', 'anonymous', '/api/admin/effects/1/retry', 'anon', undefined, J(401, 'UNAUTHENTICATED')),

    // Health, docs, static files, unknown routes and methods.
    get('GET /healthz', 'junk query', `/healthz?${enc(NUL)}=1`, 'anon', { status: 200 }),
    get('GET /readyz', 'junk query', '/readyz?a=1&a=2', 'anon', { status: 200 }),
    get('GET /docs', 'json', '/docs/json', 'anon', { status: 200 }),
    get('GET /docs', 'traversal', `/docs/${enc('../../package.json')}`, 'anon', J(404, 'NOT_FOUND')),
    get('GET /docs', 'NUL', `/docs/static/${enc(NUL)}`, 'anon', J(403, 'BAD_REQUEST')),
    get('GET /assets/*', 'traversal', '/assets/..%2F..%2Fpackage.json', 'anon', J(404, 'NOT_FOUND')),
    get('GET /assets/*', 'NUL', `/assets/site.css${enc(NUL)}`, 'anon', J(403, 'BAD_REQUEST')),
    get('GET /assets/*', 'double-encoded traversal', '/assets/%252e%252e%252fpackage.json', 'anon', J(404, 'NOT_FOUND')),
    { endpoint: 'unknown routes', name: 'PUT /api/dossiers', method: 'PUT', path: '/api/dossiers', expect: J(404, 'NOT_FOUND') },
    { endpoint: 'unknown routes', name: 'DELETE /api/dossiers/:code', method: 'DELETE', path: '/api/dossiers/{code}', expect: J(404, 'NOT_FOUND') },
    { endpoint: 'unknown routes', name: 'OPTIONS /api/procedures', method: 'OPTIONS', path: '/api/procedures', expect: J(404, 'NOT_FOUND') },
    { endpoint: 'unknown routes', name: 'PATCH /can-bo', method: 'PATCH', path: '/can-bo', expect: J(404, 'NOT_FOUND') },
    { endpoint: 'unknown routes', name: 'NUL in an unknown path', method: 'GET', path: `/khong-co/${enc(NUL)}`, expect: J(404, 'NOT_FOUND') },
    { endpoint: 'unknown routes', name: 'bad percent-encoding in an unknown path', method: 'GET', path: '/khong-co/%', expect: J(400, 'BAD_REQUEST') },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Multipart: intake, verification, actions with files, key registration; truncated and malformed bodies, limits.

const file = (name: string, filename: string, data: string | Buffer, contentType = 'application/pdf'): Part => ({ name, filename, value: data, contentType });

/** The intake's parts with one change; `{pdf}` is replaced by the test's real PDF bytes. */
function intake(data: unknown, files: Part[] = [file('identity', 'cccd.pdf', PDF_PLACEHOLDER)], procedure = 'diploma-copy'): Part[] {
  return [{ name: 'procedure', value: procedure }, { name: 'data', value: typeof data === 'string' ? data : JSON.stringify(data) }, ...files];
}

function multipartCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const submit = (name: string, body: Body, expect: Expected, headers?: Record<string, string>): HttpCase => ({
    endpoint: 'POST /api/dossiers', name, method: 'POST', path: '/api/dossiers', body, expect, headers,
  });
  const mp = (parts: Part[], extra: Partial<Extract<Body, { multipart: Part[] }>> = {}): Body => ({ multipart: parts, ...extra });
  // Past the app's 100 text parts (app.ts MAX_FORM_FIELDS), with intake's own two.
  const manyFields = Array.from({ length: 99 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
  const manyFiles = Array.from({ length: 21 }, (_, i) => file('diplomaScan', `s${i}.pdf`, PDF_PLACEHOLDER));
  const withField = (field: string, value: unknown) => intake({ ...DIPLOMA, [field]: value });
  const cases: HttpCase[] = [
    submit('JSON instead of multipart', { json: { procedure: 'diploma-copy', data: DIPLOMA } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    submit('text/plain', { raw: 'procedure=diploma-copy', type: 'text/plain' }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    submit('no content type', { raw: 'procedure=diploma-copy' }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    submit('multipart without a boundary', mp(intake(DIPLOMA), { boundary: null }), J(400, 'BAD_REQUEST')),
    submit('boundary that never occurs', mp(intake(DIPLOMA), { type: 'multipart/form-data; boundary=nothing-like-it' }), J(400, 'BAD_REQUEST')),
    submit('truncated in a part header', mp(intake(DIPLOMA), { truncate: 60 }), J(400, 'BAD_REQUEST')),
    submit('truncated in the file', mp(intake(DIPLOMA), { truncate: 900 }), J(400, 'BAD_REQUEST')),
    submit('no closing boundary', mp(intake(DIPLOMA), { noClose: true }), J(400, 'BAD_REQUEST')),
    submit('garbage bytes', { raw: Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x2d, 0x2d]), type: 'multipart/form-data; boundary=x' }, J(400, 'BAD_REQUEST')),
    submit('a part without a name', mp([{ name: '', value: 'x' }, ...intake(DIPLOMA)]), { status: 201 }),
    submit('no procedure', mp(intake(DIPLOMA).slice(1)), V),
    submit('unknown procedure', mp(intake(DIPLOMA, undefined, 'khong-co')), J(404, 'PROCEDURE_NOT_FOUND')),
    submit('procedure with NUL', mp(intake(DIPLOMA, undefined, `diploma-copy${NUL}`)), J(404, 'PROCEDURE_NOT_FOUND')),
    submit('procedure __proto__', mp(intake(DIPLOMA, undefined, '__proto__')), J(404, 'PROCEDURE_NOT_FOUND')),
    submit('data not JSON', mp(intake('{not json')), V),
    submit('data a JSON array', mp(intake('[1,2]')), V),
    submit('data a JSON string', mp(intake('"x"')), V),
    submit('data null', mp(intake('null')), V),
    submit('data 10,000 nested arrays', mp(intake(DEEP_JSON)), V),
    submit('data 10,000 nested arrays + Idempotency-Key', mp(intake(DEEP_JSON)), V, { 'idempotency-key': 'corpus-deep-0001' }),
    submit('data 5,000 nested objects + Idempotency-Key', mp(intake(DEEP_OBJECT)), V, { 'idempotency-key': 'corpus-deep-0002' }),
    submit('data with __proto__', mp(intake(`{"__proto__":{"polluted":1},${JSON.stringify(DIPLOMA).slice(1)}`)), { status: 201 }),
    submit('NUL in a text field', mp(withField('applicantName', `Nguyễn${NUL}Văn`)), V),
    submit('NUL in the address', mp(withField('applicantAddress', `${NUL}`.repeat(5))), V),
    submit('NUL as a select value', mp(withField('relation', NUL)), V),
    submit('CR/LF and tabs in a text field', mp(withField('applicantAddress', 'Số 1\r\n\tThanh Hóa')), { status: 201 }),
    submit('applicantName 100,000 characters', mp(withField('applicantName', 'x'.repeat(100_000))), V),
    submit('copies as a string', mp(withField('copies', '1')), { status: 201 }),
    submit('copies as [1]', mp(withField('copies', [1])), V),
    submit('copies true', mp(withField('copies', true)), V),
    submit('copies -1', mp(withField('copies', -1)), V),
    submit('copies 1e309', mp(intake(JSON.stringify(DIPLOMA).replace('"copies":1', '"copies":1e309'))), V),
    submit('graduationYear 99999', mp(withField('graduationYear', 99999)), V),
    submit('birth date 30 February', mp(withField('holderBirthDate', '2001-02-30')), V),
    submit('birth date in the future', mp(withField('holderBirthDate', '2999-01-01')), V),
    submit('unknown select option', mp(withField('diplomaType', 'phd')), V),
    submit('id number with letters', mp(withField('applicantIdNumber', '03809000123A')), V),
    submit('file name with NUL', mp(intake(DIPLOMA, [file('identity', `cccd${NUL}.pdf`, PDF_PLACEHOLDER)])), J(400, 'BAD_REQUEST')),
    submit('file name with CR/LF', mp(intake(DIPLOMA, [file('identity', 'cccd\r\n.pdf', PDF_PLACEHOLDER)])), { status: 201 }),
    submit('file name 1,000 characters', mp(intake(DIPLOMA, [file('identity', `${'n'.repeat(1000)}.pdf`, PDF_PLACEHOLDER)])), { status: 201 }),
    submit('file name ../../etc/passwd', mp(intake(DIPLOMA, [file('identity', '../../etc/passwd', PDF_PLACEHOLDER)])), { status: 201 }),
    submit('unknown field name with NUL (ignored)', mp([...intake(DIPLOMA), { name: `x${NUL}`, value: '1' }]), { status: 201 }),
    submit('field named __proto__', mp([...intake(DIPLOMA), { name: '__proto__', value: '1' }]), J(400, 'BAD_REQUEST')),
    submit('text pretending to be a PDF', mp(intake(DIPLOMA, [file('identity', 'cccd.pdf', 'This is not a PDF at all.')])), J(415, 'UNSUPPORTED_FILE_TYPE')),
    submit('empty file', mp(intake(DIPLOMA, [file('identity', 'cccd.pdf', '')])), V),
    submit('missing required document', mp(intake(DIPLOMA, [])), V),
    submit('unknown document key', mp(intake(DIPLOMA, [file('identity', 'cccd.pdf', PDF_PLACEHOLDER), file('passport', 'p.pdf', PDF_PLACEHOLDER)])), V),
    submit('file under the data name', mp([{ name: 'procedure', value: 'diploma-copy' }, file('data', 'data.json', JSON.stringify(DIPLOMA), 'application/json')]), V),
    submit('document over its 5 MB limit', mp(intake(DIPLOMA, [file('identity', 'big.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5.5 * 1024 * 1024, 0x20)]))])), J(413, 'FILE_TOO_LARGE')),
    submit('file over the 10 MB request limit', mp(intake(DIPLOMA, [file('identity', 'huge.pdf', Buffer.alloc(10.5 * 1024 * 1024, 0x20))])), J(413, 'FILE_TOO_LARGE')),
    submit('101 text fields', mp([...intake(DIPLOMA), ...manyFields]), J(413, 'PAYLOAD_TOO_LARGE')),
    submit('21 files', mp(intake(DIPLOMA, manyFiles)), J(413, 'TOO_MANY_FILES')),
    submit('a text field over 256 KB', mp([...intake(DIPLOMA), { name: 'note', value: 'x'.repeat(300 * 1024) }]), J(413, 'PAYLOAD_TOO_LARGE')),
    submit('Idempotency-Key of 7 characters', mp(intake(DIPLOMA)), V, { 'idempotency-key': 'short-k' }),
    submit('Idempotency-Key of 201 characters', mp(intake(DIPLOMA)), V, { 'idempotency-key': 'k'.repeat(201) }),
    submit('Idempotency-Key reused for another request', mp(intake({ ...DIPLOMA, copies: 2 })), J(422, 'IDEMPOTENCY_KEY_REUSED'), { 'idempotency-key': '{idemKey}' }),
    submit('Idempotency-Key replayed', mp(intake(DIPLOMA)), { status: 200 }, { 'idempotency-key': '{idemKey}' }),
  ];

  const verify = (name: string, body: Body, expect: Expected): HttpCase => ({ endpoint: 'POST /api/verify', name, method: 'POST', path: '/api/verify', body, expect });
  cases.push(
    verify('JSON', { json: { file: 'x' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    verify('no file part', mp([{ name: 'note', value: 'x' }]), V),
    verify('not a PDF', mp([file('file', 'x.pdf', 'plain text')]), J(415, 'UNSUPPORTED_FILE_TYPE')),
    verify('a PDF header and garbage', mp([file('file', 'x.pdf', '%PDF-1.7\n%garbage\n1 0 obj <<\n')]), { status: 200 }),
    verify('two files', mp([file('file', 'a.pdf', PDF_PLACEHOLDER), file('file', 'b.pdf', PDF_PLACEHOLDER)]), J(413, 'TOO_MANY_FILES')),
    verify('truncated', mp([file('file', 'a.pdf', PDF_PLACEHOLDER)], { truncate: 120 }), J(400, 'BAD_REQUEST')),
    verify('no boundary', mp([file('file', 'a.pdf', PDF_PLACEHOLDER)], { boundary: null }), J(400, 'BAD_REQUEST')),
    verify('file name with NUL (not kept)', mp([file('file', `a${NUL}.pdf`, PDF_PLACEHOLDER)]), { status: 200 }),
    verify('empty file', mp([file('file', 'a.pdf', '')]), J(415, 'UNSUPPORTED_FILE_TYPE')),
  );

  const actMp = (name: string, parts: Part[], expect: Expected, extra: Partial<Extract<Body, { multipart: Part[] }>> = {}): HttpCase => ({
    endpoint: 'POST /api/dossiers/:code/actions/:action', name: `multipart · ${name}`, method: 'POST', path: '/api/dossiers/{code2}/actions/receive', who: 'clerk', body: mp(parts, extra), expect,
  });
  cases.push(
    actMp('version "1.0"', [{ name: 'version', value: '1.0' }], V),
    actMp('version "1e0"', [{ name: 'version', value: '1e0' }], V),
    actMp('version " 1"', [{ name: 'version', value: ' 1' }], V),
    actMp('version 99 (stale)', [{ name: 'version', value: '99' }], J(409, 'STALE_VERSION')),
    actMp('data not JSON', [{ name: 'version', value: '1' }, { name: 'data', value: '{' }], V),
    actMp('data 10,000 nested arrays', [{ name: 'version', value: '1' }, { name: 'data', value: DEEP_JSON }], V),
    actMp('truncated', [{ name: 'version', value: '1' }, file('identity', 'a.pdf', PDF_PLACEHOLDER)], J(400, 'BAD_REQUEST'), { truncate: 100 }),
    actMp('document not taken by the action', [{ name: 'version', value: '1' }, file('identity', 'a.pdf', PDF_PLACEHOLDER)], V),
    actMp('file name with NUL, stale version', [{ name: 'version', value: '99' }, file('identity', `a${NUL}.pdf`, PDF_PLACEHOLDER)], J(409, 'STALE_VERSION')),
    actMp('a field over 256 KB', [{ name: 'version', value: '1' }, { name: 'comment', value: 'x'.repeat(300 * 1024) }], J(413, 'PAYLOAD_TOO_LARGE')),
  );

  const admin = (endpoint: string, path: string, name: string, body: Body, expect: Expected, who = 'admin'): HttpCase => ({ endpoint, name, method: 'POST', path, who, body, expect });
  const KEYS = 'POST /api/signing-keys';
  const LOOKS = 'POST /api/signing-appearances';
  cases.push(
    admin(KEYS, '/api/signing-keys', 'anonymous', mp([{ name: 'staff', value: 'leader' }]), J(401, 'UNAUTHENTICATED'), 'anon'),
    admin(KEYS, '/api/signing-keys', 'clerk', mp([{ name: 'staff', value: 'leader' }]), J(403, 'FORBIDDEN'), 'clerk'),
    admin(KEYS, '/api/signing-keys', 'JSON', { json: { staff: 'leader' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    admin(KEYS, '/api/signing-keys', 'no owner', mp([{ name: 'password', value: 'x' }]), V),
    admin(KEYS, '/api/signing-keys', 'unknown staff', mp([{ name: 'staff', value: 'khong-co' }, file('pkcs12', 'k.p12', 'garbage', 'application/x-pkcs12')]), V),
    admin(KEYS, '/api/signing-keys', 'staff with NUL', mp([{ name: 'staff', value: `leader${NUL}` }, file('pkcs12', 'k.p12', 'garbage', 'application/x-pkcs12')]), J(400, 'BAD_REQUEST')),
    admin(KEYS, '/api/signing-keys', 'garbage PKCS#12', mp([{ name: 'staff', value: 'clerk' }, { name: 'password', value: 'x' }, file('pkcs12', 'k.p12', 'garbage', 'application/x-pkcs12')]), V),
    admin(KEYS, '/api/signing-keys', 'garbage certificate', mp([{ name: 'staff', value: 'clerk' }, { name: 'certificate', value: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }]), V),
    admin(KEYS, '/api/signing-keys', 'PIN of letters', mp([{ name: 'staff', value: 'clerk' }, { name: 'pin', value: 'abcdef' }, file('pkcs12', 'k.p12', 'garbage')]), V),
    admin(KEYS, '/api/signing-keys', 'truncated', mp([{ name: 'staff', value: 'clerk' }, file('pkcs12', 'k.p12', 'garbage')], { truncate: 80 }), J(400, 'BAD_REQUEST')),
    admin(LOOKS, '/api/signing-appearances', 'anonymous', mp([{ name: 'staff', value: 'leader' }]), J(401, 'UNAUTHENTICATED'), 'anon'),
    admin(LOOKS, '/api/signing-appearances', 'leader', mp([{ name: 'staff', value: 'leader' }]), J(403, 'FORBIDDEN'), 'leader'),
    admin(LOOKS, '/api/signing-appearances', 'not a PNG', mp([{ name: 'staff', value: 'leader' }, file('image', 'a.png', 'GIF89a', 'image/png')]), V),
    admin(LOOKS, '/api/signing-appearances', 'no image', mp([{ name: 'unit', value: 'so-gddt' }]), V),
    admin(LOOKS, '/api/signing-appearances', 'unit with NUL', mp([{ name: 'unit', value: `so${NUL}` }, file('image', 'a.png', 'x', 'image/png')]), J(400, 'BAD_REQUEST')),
    admin(LOOKS, '/api/signing-appearances', 'no boundary', mp([{ name: 'unit', value: 'so-gddt' }], { boundary: null }), J(400, 'BAD_REQUEST')),
  );
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Pages: forms, query strings, sign-in redirects, body-parse errors (the page error handler must answer, as a page).

function pageCases(): HttpCase[] {
  const page = (endpoint: string, name: string, method: Method, path: string, expect: Expected, extra: Partial<HttpCase> = {}): HttpCase => ({
    endpoint, name, method, path, expect, ...extra,
  });
  const g = (endpoint: string, name: string, path: string, expect: Expected, who = 'anon') => page(endpoint, name, 'GET', path, expect, { who });
  const p = (endpoint: string, name: string, path: string, body: Body | undefined, expect: Expected, who = 'anon', csrf = true) =>
    page(endpoint, name, 'POST', path, expect, { who, body, csrf });
  const cases: HttpCase[] = [
    g('GET /', 'search with NUL', `/?q=${enc(NUL)}`, PAGE(200)),
    g('GET /', 'search repeated', '/?q=a&q=b', PAGE(200)),
    g('GET /', 'search 10,000 characters', `/?q=${'chuyen '.repeat(1500)}`, PAGE(200)),
    g('GET /', 'bad percent-encoding in the query', '/?q=%E0%A4%A', PAGE(200)),
    g('GET /thu-tuc/:id', 'unknown procedure', '/thu-tuc/khong-co', PAGE(404)),
    g('GET /tuyen-sinh/:campaignId', 'NUL in the id', `/tuyen-sinh/${enc(NUL)}`, PAGE(404)),
    g('GET /tuyen-sinh/:campaignId', 'markup in the id', `/tuyen-sinh/${enc('<script>')}`, PAGE(404)),
    p('POST /tuyen-sinh/:campaignId/tra-cuu', 'NUL in the pupil ID', '/tuyen-sinh/ts10-demo/tra-cuu', { form: { pupilIdNumber: `0383${NUL}`, birthDate: '2011-01-01' } }, PAGE(422)),
    p('POST /tuyen-sinh/:campaignId/tra-cuu', 'birth date 30 February', '/tuyen-sinh/ts10-demo/tra-cuu', { form: { pupilIdNumber: '038311000001', birthDate: '2011-02-30' } }, PAGE(422)),
    p('POST /tuyen-sinh/:campaignId/tra-cuu', '10,000-character pupil ID', '/tuyen-sinh/ts10-demo/tra-cuu', { form: { pupilIdNumber: '1'.repeat(10_000), birthDate: '2011-01-01' } }, PAGE(422)),
    p('POST /tuyen-sinh/:campaignId/tra-cuu', 'bad JSON', '/tuyen-sinh/ts10-demo/tra-cuu', { raw: '{', type: 'application/json' }, PAGE(400)),
    p('POST /tuyen-sinh/:campaignId/tra-cuu', 'unknown campaign', '/tuyen-sinh/khong-co/tra-cuu', { form: { pupilIdNumber: '038311000001', birthDate: '2011-01-01' } }, PAGE(404)),
    g('GET /thu-tuc/:id', 'NUL', `/thu-tuc/${enc(NUL)}`, PAGE(404)),
    g('GET /thu-tuc/:id', '__proto__', '/thu-tuc/__proto__', PAGE(404)),
    g('GET /thu-tuc/:id', 'non-UTF-8 percent-encoding', '/thu-tuc/%FF', J(400, 'BAD_REQUEST')),
    g('GET /thu-tuc/:id/nop', 'unknown procedure', '/thu-tuc/khong-co/nop', PAGE(404)),
    g('GET /thu-tuc/:id/nop', 'constructor', '/thu-tuc/constructor/nop', PAGE(404)),

    // The page application form.
    p('POST /thu-tuc/:id/nop', 'no CSRF token', '/thu-tuc/diploma-copy/nop', { form: { applicantName: 'A' } }, PAGE(403), 'anon', false),
    p('POST /thu-tuc/:id/nop', 'unknown procedure', '/thu-tuc/khong-co/nop', { form: { applicantName: 'A' } }, PAGE(404)),
    p('POST /thu-tuc/:id/nop', 'NUL in a text field', '/thu-tuc/diploma-copy/nop', { form: { ...stringify(DIPLOMA), applicantName: `A${NUL}` } }, PAGE(422)),
    p('POST /thu-tuc/:id/nop', 'a field repeated', '/thu-tuc/diploma-copy/nop', { form: { ...stringify(DIPLOMA), copies: ['1', '2', 'x'] } }, PAGE(422)),
    p('POST /thu-tuc/:id/nop', 'urlencoded over 64 KB', '/thu-tuc/diploma-copy/nop', { form: { applicantName: 'x'.repeat(70 * 1024) } }, PAGE(413)),
    p('POST /thu-tuc/:id/nop', 'truncated JSON body', '/thu-tuc/diploma-copy/nop', { raw: '{"applicantName":', type: 'application/json' }, PAGE(400)),
    p('POST /thu-tuc/:id/nop', 'JSON 10,000 nested arrays', '/thu-tuc/diploma-copy/nop', { raw: `{"applicantName":${DEEP_JSON}}`, type: 'application/json' }, PAGE(422)),
    p('POST /thu-tuc/:id/nop', 'text/plain body', '/thu-tuc/diploma-copy/nop', { raw: 'a=b', type: 'text/plain' }, PAGE(422)),
    p('POST /thu-tuc/:id/nop', 'truncated multipart', '/thu-tuc/diploma-copy/nop', { multipart: intake(DIPLOMA), truncate: 50 }, PAGE(400)),
    p('POST /thu-tuc/:id/nop', 'multipart without boundary', '/thu-tuc/diploma-copy/nop', { multipart: intake(DIPLOMA), boundary: null }, PAGE(400)),
    p('POST /thu-tuc/:id/nop', 'multipart, file name with NUL', '/thu-tuc/diploma-copy/nop', { multipart: [...Object.entries(stringify(DIPLOMA)).map(([name, value]) => ({ name, value })), file('identity', `a${NUL}.pdf`, PDF_PLACEHOLDER)] }, PAGE(400)),
    p('POST /thu-tuc/:id/nop', 'multipart, 21 files', '/thu-tuc/diploma-copy/nop', { multipart: Array.from({ length: 21 }, (_, i) => file('diplomaScan', `s${i}.pdf`, PDF_PLACEHOLDER)) }, PAGE(413)),
    p('POST /thu-tuc/:id/nop', 'multipart, 101 fields', '/thu-tuc/diploma-copy/nop', { multipart: Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, value: 'x' })) }, PAGE(413)),
    { ...p('POST /thu-tuc/:id/nop', 'JSON error for the upload script', '/thu-tuc/diploma-copy/nop', { form: { applicantName: `A${NUL}` } }, J(422, 'VALIDATION_FAILED')), headers: { accept: 'application/json' } },

    // Tracking.
    g('GET /tra-cuu', 'code with NUL and a token', `/tra-cuu?code=${enc(NUL)}&token=x`, PAGE(400)),
    g('GET /tra-cuu', 'code repeated', '/tra-cuu?code=a&code=b&token=c&token=d', PAGE(200)),
    g('GET /tra-cuu', 'unknown code and token', '/tra-cuu?code=KHONG-CO&token=x', PAGE(404)),
    g('GET /tra-cuu', 'flash of 10,000 characters', `/tra-cuu?tb=${'x'.repeat(10_000)}`, PAGE(200)),
    g('GET /tra-cuu', 'a code without a token', '/tra-cuu?code={code}', PAGE(200)),
    p('POST /tra-cuu', 'no CSRF token', '/tra-cuu', { form: { code: '{code}', token: '{token}' } }, PAGE(403), 'anon', false),
    p('POST /tra-cuu', 'code with NUL', '/tra-cuu', { form: { code: `A${NUL}`, token: 'x' } }, PAGE(400)),
    p('POST /tra-cuu', 'wrong token', '/tra-cuu', { form: { code: '{code}', token: 'x' } }, PAGE(404)),
    p('POST /tra-cuu', 'no token', '/tra-cuu', { form: { code: '{code}' } }, PAGE(422)),
    p('POST /tra-cuu', 'fields repeated (the last counts)', '/tra-cuu', { form: { code: ['x', '{code}'], token: ['x', '{token}'] } }, REDIRECT(/^\/ho-so\//)),
    p('POST /tra-cuu', 'JSON body, token in an array', '/tra-cuu', { json: { code: '{code}', token: ['{token}'] } }, REDIRECT(/^\/ho-so\//)),
    p('POST /tra-cuu', 'JSON body, token an object', '/tra-cuu', { json: { code: '{code}', token: { t: '{token}' } } }, PAGE(422)),
    p('POST /tra-cuu', 'malformed urlencoded', '/tra-cuu', { raw: 'code=%&token=%E0%A4%A', type: 'application/x-www-form-urlencoded' }, PAGE(404)),
    p('POST /tra-cuu', 'bad JSON', '/tra-cuu', { raw: '{', type: 'application/json' }, PAGE(400)),
    p('POST /tra-cuu/quen-thiet-bi', 'no CSRF token', '/tra-cuu/quen-thiet-bi', { form: {} }, PAGE(403), 'anon', false),
    p('POST /tra-cuu/quen-thiet-bi', 'bad JSON', '/tra-cuu/quen-thiet-bi', { raw: '[', type: 'application/json' }, PAGE(400)),
    p('POST /tra-cuu/quen-thiet-bi', 'with CSRF', '/tra-cuu/quen-thiet-bi', undefined, REDIRECT(/^\/tra-cuu\?/)),

    // The citizen's dossier pages with the remembered token.
    g('GET /ho-so/:code', 'flash unknown', '/ho-so/{code}?tb=khong-co&tb=x', PAGE(200), 'citizen'),
    g('GET /ho-so/:code', 'no remembered token', '/ho-so/{code}', PAGE(404)),
    { ...g('GET /ho-so/:code', 'remembered cookie not base64 JSON', '/ho-so/{code}', PAGE(404)), cookies: { motcua_track: '%%%{not json' } },
    { ...g('GET /ho-so/:code', 'remembered cookie a deep array', '/ho-so/{code}', PAGE(404)), cookies: { motcua_track: Buffer.from(DEEP_JSON).toString('base64url') } },
    g('GET /ho-so/:code/tep/:id', 'document id not a uuid', '/ho-so/{code}/tep/abc', PAGE(404), 'citizen'),
    g('GET /ho-so/:code/tep/:id', 'document id with NUL', `/ho-so/{code}/tep/${enc(NUL)}`, PAGE(404), 'citizen'),
    g('GET /ho-so/:code/ket-qua', 'not issued', '/ho-so/{code}/ket-qua', PAGE(404), 'citizen'),
    g('GET /ho-so/:code/mau/:kind', 'unknown form', '/ho-so/{code}/mau/khong-co', PAGE(404), 'citizen'),
    p('POST /ho-so/:code/bo-sung', 'no CSRF', '/ho-so/{code}/bo-sung', { form: { version: '1' } }, PAGE(403), 'citizen', false),
    p('POST /ho-so/:code/bo-sung', 'version 1e0', '/ho-so/{code}/bo-sung', { form: { version: '1e0' } }, PAGE(422), 'citizen'),
    p('POST /ho-so/:code/bo-sung', 'not waiting for a supplement', '/ho-so/{code}/bo-sung', { form: { version: '1' } }, PAGE(422), 'citizen'),
    p('POST /ho-so/:code/bo-sung', 'truncated multipart', '/ho-so/{code}/bo-sung', { multipart: [{ name: 'version', value: '1' }, file('identity', 'a.pdf', PDF_PLACEHOLDER)], truncate: 90 }, PAGE(400), 'citizen'),
    p('POST /ho-so/:code/bo-sung', 'bad JSON', '/ho-so/{code}/bo-sung', { raw: '{"version":', type: 'application/json' }, PAGE(400), 'citizen'),
    p('POST /ho-so/:code/danh-gia', 'not finished', '/ho-so/{code}/danh-gia', { form: { rating: 'satisfied' } }, PAGE(422), 'citizen'),
    p('POST /ho-so/:code/danh-gia', 'rating repeated', '/ho-so/{code}/danh-gia', { form: { rating: ['satisfied', 'x'] } }, PAGE(422), 'citizen'),
    p('POST /ho-so/:code/danh-gia', 'text/plain', '/ho-so/{code}/danh-gia', { raw: 'rating=satisfied', type: 'text/plain' }, PAGE(422), 'citizen'),
    p('POST /ho-so/:code/doi-ma-tra-cuu', 'wrong token cookie', '/ho-so/{code}/doi-ma-tra-cuu', { form: {} }, PAGE(404), 'citizen2'),

    // Sign-in: `next` only ever leads to a path on this site.
    g('GET /dang-nhap', 'next with NUL', `/dang-nhap?next=${enc(`/can-bo${NUL}`)}`, PAGE(200)),
    g('GET /dang-nhap', 'next repeated', '/dang-nhap?next=/can-bo&next=//evil.example', PAGE(200)),
    ...[
      '/%09/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example', '/%0D%0ASet-Cookie:%20x=y', '/\t/evil.example',
      '%2F%2Fevil.example', '/%5Cevil.example', 'javascript:alert(1)', '/%E2%80%8B/evil.example', '/ /evil.example',
    ].map((next) => g('GET /dang-nhap', `signed in, next=${next}`, `/dang-nhap?next=${next.replace(/[\t ]/g, enc)}`, REDIRECT('same-site'), 'clerk')),
    g('GET /dang-nhap', 'signed in, next=/can-bo/phe-duyet', '/dang-nhap?next=/can-bo/phe-duyet', REDIRECT(/^\/can-bo\/phe-duyet$/), 'clerk'),
    p('POST /dang-nhap', 'no CSRF', '/dang-nhap', { form: { username: 'ghost-a', password: 'x' } }, PAGE(403), 'anon', false),
    p('POST /dang-nhap', 'wrong password', '/dang-nhap', { form: { username: 'ghost-b', password: 'x' } }, PAGE(401)),
    p('POST /dang-nhap', 'NUL in the username', '/dang-nhap', { form: { username: `clerk${NUL}`, password: 'demo' } }, PAGE(400)),
    p('POST /dang-nhap', 'username repeated', '/dang-nhap', { form: { username: ['ghost-c', 'ghost-d'], password: 'x' } }, PAGE(401)),
    p('POST /dang-nhap', 'username 10,000 characters', '/dang-nhap', { form: { username: 'u'.repeat(10_000), password: 'x' } }, PAGE(401)),
    p('POST /dang-nhap', 'bad JSON', '/dang-nhap', { raw: '{"username":', type: 'application/json' }, PAGE(400)),
    p('POST /dang-nhap', 'JSON with arrays', '/dang-nhap', { json: { username: ['ghost-e'], password: [1] } }, PAGE(401)),
    p('POST /dang-nhap', 'application/xml', '/dang-nhap', { raw: '<u/>', type: 'application/xml' }, PAGE(415)),
    p('POST /dang-nhap', 'multipart truncated', '/dang-nhap', { multipart: [{ name: 'username', value: 'ghost-f' }], truncate: 40 }, PAGE(400)),
    p('POST /dang-nhap', 'urlencoded over 64 KB', '/dang-nhap', { form: { username: 'x'.repeat(70 * 1024) } }, PAGE(413)),
    p('POST /dang-nhap', 'signing in, next with CR/LF', '/dang-nhap', { form: { username: 'specialist2', password: 'demo', next: '/can-bo\r\nSet-Cookie: x=y' } }, REDIRECT('same-site')),
    p('POST /dang-nhap', 'signing in, next=/%09/evil.example', '/dang-nhap', { form: { username: 'specialist2', password: 'demo', next: '/\t/evil.example' } }, REDIRECT('same-site')),
    p('POST /dang-nhap', 'signing in, next=//evil', '/dang-nhap', { form: { username: 'specialist2', password: 'demo', next: '//evil.example' } }, REDIRECT('same-site')),
    p('POST /dang-nhap', 'signing in, next=/\\evil', '/dang-nhap', { form: { username: 'specialist2', password: 'demo', next: '/\\evil.example' } }, REDIRECT('same-site')),
    p('POST /dang-nhap', 'signing in, next=https://evil', '/dang-nhap', { form: { username: 'specialist2', password: 'demo', next: 'https://evil.example' } }, REDIRECT('same-site')),
    p('POST /dang-xuat', 'no CSRF', '/dang-xuat', { form: {} }, PAGE(403), 'anon', false),
    p('POST /dang-xuat', 'bad JSON', '/dang-xuat', { raw: '{', type: 'application/json' }, PAGE(400)),

    // Staff pages: repeated query parameters make a field an array.
    g('GET /can-bo', 'anonymous', '/can-bo', REDIRECT(/^\/dang-nhap\?next=/)),
    g('GET /can-bo', 'status repeated', '/can-bo?status=a&status=b', PAGE(200), 'clerk'),
    g('GET /can-bo', 'search repeated', '/can-bo?q=a&q=b', PAGE(200), 'clerk'),
    g('GET /can-bo', 'procedure repeated', '/can-bo?procedure=diploma-copy&procedure=school-transfer', PAGE(200), 'clerk'),
    g('GET /can-bo', 'overdue repeated', '/can-bo?overdue=on&overdue=on', PAGE(200), 'clerk'),
    g('GET /can-bo', 'NUL in the procedure', `/can-bo?procedure=${enc(NUL)}`, PAGE(400), 'clerk'),
    g('GET /can-bo', 'search 10,000 characters', `/can-bo?q=${'a '.repeat(5000)}`, PAGE(200), 'clerk'),
    g('GET /can-bo', 'search of 3,000 different words', `/can-bo?q=${Array.from({ length: 3000 }, (_, i) => `w${i}`).join('+')}`, PAGE(200), 'clerk'),
    g('GET /can-bo', 'after not a cursor', '/can-bo?after=abc', PAGE(422), 'clerk'),
    g('GET /can-bo', 'garbage session cookie', '/can-bo', REDIRECT(/^\/dang-nhap\?next=/)),
    { ...g('GET /can-bo', 'session cookie of 4,000 characters', '/can-bo', REDIRECT(/^\/dang-nhap\?next=/)), cookies: { motcua_session: 'x'.repeat(4000) } },
    g('GET /can-bo/ho-so/:code', 'flash repeated', '/can-bo/ho-so/{code}?tb=a&tb=b', PAGE(200), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'no CSRF', '/can-bo/ho-so/{code2}/thao-tac/receive', { form: { version: '1' } }, PAGE(403), 'clerk', false),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'version not a number', '/can-bo/ho-so/{code2}/thao-tac/receive', { form: { version: 'abc' } }, PAGE(422), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'unknown action', '/can-bo/ho-so/{code2}/thao-tac/khong-co', { form: { version: '99' } }, PAGE(409), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'NUL in the comment', '/can-bo/ho-so/{code2}/thao-tac/request_supplement', { form: { version: '1', comment: `x${NUL}` } }, PAGE(400), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'truncated multipart', '/can-bo/ho-so/{code2}/thao-tac/receive', { multipart: [{ name: 'version', value: '1' }], truncate: 30 }, PAGE(400), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'bad JSON', '/can-bo/ho-so/{code2}/thao-tac/receive', { raw: '{', type: 'application/json' }, PAGE(400), 'clerk'),
    p('POST /can-bo/ho-so/:code/thao-tac/:action', 'anonymous', '/can-bo/ho-so/{code2}/thao-tac/receive', { form: { version: '1' } }, REDIRECT(/^\/dang-nhap/)),
    p('POST /can-bo/ho-so/:code/nhan-xu-ly', 'version not a number', '/can-bo/ho-so/{code2}/nhan-xu-ly', { form: { version: 'x' } }, REDIRECT(/^\/can-bo\/ho-so\//), 'clerk'),
    p('POST /can-bo/ho-so/:code/nhan-xu-ly', 'bad JSON', '/can-bo/ho-so/{code2}/nhan-xu-ly', { raw: '{', type: 'application/json' }, PAGE(400), 'clerk'),
    p('POST /can-bo/ho-so/:code/ky-so', 'clerk without a key', '/can-bo/ho-so/{code2}/ky-so', { form: { pin: '123456' } }, REDIRECT(/^\/can-bo\/ho-so\//), 'clerk'),
    p('POST /can-bo/ho-so/:code/ky-so', 'PIN repeated', '/can-bo/ho-so/{code2}/ky-so', { form: { pin: ['1', '2'] } }, REDIRECT(/^\/can-bo\/ho-so\//), 'leader'),
    g('GET /can-bo/ho-so/:code/xem-truoc', 'not waiting for approval', '/can-bo/ho-so/{code2}/xem-truoc', { status: 200 }, 'clerk'),
    g('GET /can-bo/phe-duyet', 'flash repeated', '/can-bo/phe-duyet?tb=a&tb=b', PAGE(200), 'leader'),
    p('POST /can-bo/phe-duyet', 'nothing picked', '/can-bo/phe-duyet', { form: {} }, REDIRECT(/^\/can-bo\/phe-duyet\?tb=/), 'leader'),
    p('POST /can-bo/phe-duyet', 'picks malformed', '/can-bo/phe-duyet', { form: { pick: ['a', 'b|c', '|||', 'KHONG-CO|approve|1'] } }, PAGE(200), 'leader'),
    p('POST /can-bo/phe-duyet', 'pick with NUL', '/can-bo/phe-duyet', { form: { pick: `A${NUL}|approve|1` } }, PAGE(400), 'leader'),
    p('POST /can-bo/phe-duyet', 'comment as a JSON object', '/can-bo/phe-duyet', { json: { pick: ['{code2}|approve|99'], comment: { a: 1 } } }, PAGE(200), 'leader'),
    p('POST /can-bo/phe-duyet', '101 picks', '/can-bo/phe-duyet', { form: { pick: Array.from({ length: 101 }, (_, i) => `C${i}|approve|1`) } }, PAGE(200), 'leader'),
    p('POST /can-bo/phe-duyet', 'bad JSON', '/can-bo/phe-duyet', { raw: '{', type: 'application/json' }, PAGE(400), 'leader'),
    p('POST /can-bo/ky-so', 'clerk without a signing key', '/can-bo/ky-so', { form: { sign: '{code2}', pin: '123456' } }, REDIRECT(/^\/can-bo\/phe-duyet\?tb=/), 'clerk'),
    p('POST /can-bo/ky-so', 'admin without a signing key', '/can-bo/ky-so', { form: { sign: ['{code2}', 'KHONG-CO'], pin: '123456' } }, REDIRECT(/^\/can-bo\/phe-duyet\?tb=/), 'admin'),
    p('POST /can-bo/ky-so', 'leader, nothing pending', '/can-bo/ky-so', { form: { sign: '{code2}', pin: '123456' } }, PAGE(200), 'leader'),
    p('POST /can-bo/ky-so', 'leader, codes with NUL', '/can-bo/ky-so', { form: { sign: [`A${NUL}`], pin: '123456' } }, PAGE(200), 'leader'),
    p('POST /can-bo/ky-so', 'PIN as a JSON array', '/can-bo/ky-so', { json: { sign: ['{code2}'], pin: ['1'] } }, PAGE(200), 'leader'),
    p('POST /can-bo/ky-so', 'nothing picked', '/can-bo/ky-so', { form: { pin: '123456' } }, REDIRECT(/^\/can-bo\/phe-duyet\?tb=/), 'leader'),
    g('GET /can-bo/chi-so', 'clerk', '/can-bo/chi-so', PAGE(403), 'clerk'),
    g('GET /can-bo/chi-so', 'from not a date', '/can-bo/chi-so?from=hom-qua', PAGE(422), 'leader'),
    g('GET /can-bo/chi-so', 'from repeated (the last counts)', '/can-bo/chi-so?from=2026-01-01&from=bad', PAGE(422), 'leader'),
    g('GET /can-bo/chi-so', 'procedure repeated', '/can-bo/chi-so?procedure=x&procedure=diploma-copy', PAGE(200), 'leader'),
    g('GET /can-bo/chi-so', 'NUL in the procedure', `/can-bo/chi-so?procedure=${enc(NUL)}`, PAGE(400), 'leader'),
    g('GET /can-bo/chi-so', 'ten thousand years', '/can-bo/chi-so?from=0001-01-01&to=9999-12-31', PAGE(422), 'leader'),
    g('GET /can-bo/tac-vu-loi', 'clerk', '/can-bo/tac-vu-loi', PAGE(403), 'clerk'),
    g('GET /can-bo/tac-vu-loi', 'admin, flash repeated', '/can-bo/tac-vu-loi?tb=a&tb=b', PAGE(200), 'admin'),
    p('POST /can-bo/tac-vu-loi/:id/chay-lai', 'id not a number', '/can-bo/tac-vu-loi/abc/chay-lai', undefined, REDIRECT(/^\/can-bo\/tac-vu-loi\?tb=/), 'admin'),
    p('POST /can-bo/tac-vu-loi/:id/chay-lai', 'id with NUL', `/can-bo/tac-vu-loi/${enc(NUL)}/chay-lai`, undefined, REDIRECT(/^\/can-bo\/tac-vu-loi\?tb=/), 'admin'),
    p('POST /can-bo/tac-vu-loi/:id/chay-lai', 'id 2^53 + 2', '/can-bo/tac-vu-loi/9007199254740994/chay-lai', undefined, REDIRECT(/^\/can-bo\/tac-vu-loi\?tb=/), 'admin'),
    p('POST /can-bo/tac-vu-loi/:id/chay-lai', 'clerk', '/can-bo/tac-vu-loi/1/chay-lai', undefined, REDIRECT(/^\/can-bo\/tac-vu-loi\?tb=/), 'clerk'),

    // The public verification page.
    g('GET /verify/:code', 'key repeated', '/verify/{code}?k=a&k=b', PAGE(200)),
    g('GET /verify/:code', 'key of 10,000 characters', `/verify/{code}?k=${'k'.repeat(10_000)}`, PAGE(200)),
    p('POST /verify/:code', 'no file', '/verify/{code}', { multipart: [{ name: 'x', value: 'y' }] }, PAGE(200), 'anon', false),
    p('POST /verify/:code', 'truncated multipart', '/verify/{code}', { multipart: [file('file', 'a.pdf', PDF_PLACEHOLDER)], truncate: 100 }, PAGE(200), 'anon', false),
    p('POST /verify/:code', 'not a PDF', '/verify/{code}', { multipart: [file('file', 'a.pdf', 'text')] }, PAGE(200), 'anon', false),
    p('POST /verify/:code', 'urlencoded', '/verify/{code}', { form: { file: 'x' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE'), 'anon', false),
    p('POST /verify/:code', 'bad JSON', '/verify/{code}', { raw: '{', type: 'application/json' }, J(400, 'BAD_REQUEST'), 'anon', false),
  ];
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// The administration (issue 10), as its administrator: every JSON write × the malformed bodies above and mistyped
// fields, then each endpoint's own hostile values, and the file uploads (unit import, workflow YAML, keys, images).
// Every body is one the service refuses even when well-formed (a taken code, an unknown id, the last administrator),
// so no case can change anything (bad-inputs.test.ts compares the administration's tables before and after).

const AGENCY = '000.00.12.H56';
/** About 300 KB that unpack to 300 MB (made once: both the API and the page get it). */
const XLSX_BOMB = xlsxBomb(300);
const NO_AGENCY = '000.99.99.H99';
const ADMIN_CAMPAIGN = {
  id: 'ts-corpus', name: 'Tuyển sinh lớp 10 (corpus)', grade: 10, schoolYear: '2026-2027', choices: 2,
  windows: { registration: { opensAt: '2026-06-01T07:00:00+07:00', closesAt: '2026-06-15T17:00:00+07:00' } },
  schools: [{ unitId: 'qlcl', quota: 10 }],
};

interface AdminJsonEndpoint {
  endpoint: string; method: Method; path: string; valid: Record<string, unknown>;
  /** What the valid body gets (it is refused too), and what it gets with its first field the string "1". */
  refused: Expected; asString: Expected;
  /** What a body of unknown keys only gets, when not a schema error (a non-strict PATCH: an empty change). */
  unknownOnly?: Expected;
}

const ADMIN_JSON_ENDPOINTS: AdminJsonEndpoint[] = [
  // An unknown agency as the Department: refused after the schema.
  { endpoint: 'PUT /api/admin/settings', method: 'PUT', path: '/api/admin/settings', valid: { provinceName: 'Thanh Hóa', departmentAgencyCode: NO_AGENCY }, refused: J(422, 'VALIDATION_FAILED'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/admin/agencies', method: 'POST', path: '/api/admin/agencies', valid: { code: AGENCY, name: 'Sở trùng mã', abbreviation: 'SGDDT' }, refused: J(409, 'AGENCY_EXISTS'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'PATCH /api/admin/agencies/:code', method: 'PATCH', path: `/api/admin/agencies/${NO_AGENCY}`, valid: { name: 'Không có' }, refused: J(404, 'NOT_FOUND'), asString: J(404, 'NOT_FOUND'), unknownOnly: J(404, 'NOT_FOUND') },
  { endpoint: 'POST /api/admin/units', method: 'POST', path: '/api/admin/units', valid: { id: 'qlcl', name: 'Phòng trùng mã', agencyCode: AGENCY, kind: 'office' }, refused: J(409, 'UNIT_EXISTS'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'PATCH /api/admin/units/:id', method: 'PATCH', path: '/api/admin/units/khong-co', valid: { name: 'Không có' }, refused: J(404, 'NOT_FOUND'), asString: J(404, 'NOT_FOUND'), unknownOnly: J(404, 'NOT_FOUND') },
  { endpoint: 'PUT /api/admin/unit-roles', method: 'PUT', path: '/api/admin/unit-roles', valid: { items: [{ procedureId: '*', role: 'desk', unitId: 'khong-co' }] }, refused: J(422, 'VALIDATION_FAILED'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/admin/staff', method: 'POST', path: '/api/admin/staff', valid: { username: 'clerk', fullName: 'Trùng Tên', roles: ['clerk'], unitId: 'mot-cua', title: 'Cán bộ' }, refused: J(409, 'USERNAME_TAKEN'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'PATCH /api/admin/staff/:username', method: 'PATCH', path: '/api/admin/staff/admin', valid: { roles: ['clerk'] }, refused: J(409, 'LAST_ADMIN'), asString: J(422, 'VALIDATION_FAILED'), unknownOnly: { status: 200 } },
  { endpoint: 'PUT /api/admin/calendar/:year', method: 'PUT', path: '/api/admin/calendar/2026', valid: { holidays: ['2026-13-45'], workingWeekends: [] }, refused: J(422, 'VALIDATION_FAILED'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'POST /api/admin/campaigns', method: 'POST', path: '/api/admin/campaigns', valid: ADMIN_CAMPAIGN, refused: J(422, 'VALIDATION_FAILED'), asString: J(422, 'VALIDATION_FAILED') },
  { endpoint: 'PATCH /api/admin/campaigns/:id', method: 'PATCH', path: '/api/admin/campaigns/khong-co', valid: { name: 'Kỳ không có' }, refused: J(404, 'NOT_FOUND'), asString: J(422, 'VALIDATION_FAILED') },
  {
    endpoint: 'POST /api/admin/setup', method: 'POST', path: '/api/admin/setup', refused: J(409, 'SETUP_ALREADY_DONE'), asString: J(422, 'VALIDATION_FAILED'),
    valid: { provinceName: 'Nghệ An', department: { code: '000.00.12.H40', name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDDT' }, board: { name: 'Ban Giám đốc' }, desk: { name: 'Một cửa' }, offices: [{ name: 'Phòng A' }] },
  },
];

function adminJsonCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const schemaError = J(422, 'VALIDATION_FAILED');
  for (const e of ADMIN_JSON_ENDPOINTS) {
    const base = { endpoint: e.endpoint, method: e.method, path: e.path, who: 'admin' };
    for (const m of JSON_BODY_MUTATIONS) {
      // 5,000 nested objects under one unknown key: dropped, which leaves a PATCH an empty change.
      const expect = m.body === DEEP_OBJECT_BODY && e.unknownOnly ? e.unknownOnly : m.expect === 'schema' ? schemaError : m.expect;
      cases.push({ ...base, name: m.name, body: m.body, expect });
    }
    const [field] = Object.keys(e.valid);
    for (const m of FIELD_MUTATIONS) {
      cases.push({ ...base, name: `${field} as ${m.name}`, body: { json: { ...e.valid, [field!]: m.value } }, expect: m.value === '1' ? e.asString : schemaError });
    }
    cases.push({ ...base, name: 'well-formed, refused', body: { json: e.valid }, expect: e.refused });
    // Unknown keys are dropped (campaigns are strict: refused).
    cases.push({ ...base, name: 'unknown keys and a NUL key', body: { json: { ...e.valid, isAdmin: true, [`x${NUL}`]: 1 } }, expect: e.endpoint.includes('campaigns') ? schemaError : e.refused });
  }
  return cases;
}

function adminApiCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const NF = J(404, 'NOT_FOUND');
  const call = (endpoint: string, method: Method, path: string, name: string, body: Body | undefined, expect: Expected): HttpCase => ({ endpoint, name, method, path, who: 'admin', body, expect });
  const json = (endpoint: string, name: string, value: unknown, expect: Expected) => {
    const [method, path] = endpoint.split(' ') as [Method, string];
    const concrete = ADMIN_JSON_ENDPOINTS.find((e) => e.endpoint === endpoint)?.path ?? path;
    return call(endpoint, method, concrete, name, { json: value }, expect);
  };
  const get = (endpoint: string, name: string, path: string, expect: Expected, who = 'admin') => ({ ...call(endpoint, 'GET', path, name, undefined, expect), who });
  const mp = (parts: Part[], extra: Partial<Extract<Body, { multipart: Part[] }>> = {}): Body => ({ multipart: parts, ...extra });
  const dates = (holidays: unknown, workingWeekends: unknown = []) => ({ holidays, workingWeekends });
  const year = (name: string, y: string, body: unknown, expect: Expected) => call('PUT /api/admin/calendar/:year', 'PUT', `/api/admin/calendar/${y}`, name, { json: body }, expect);
  const campaign = (name: string, change: Record<string, unknown>, expect: Expected = V) => json('POST /api/admin/campaigns', name, { ...ADMIN_CAMPAIGN, ...change }, expect);
  const window = (opensAt: unknown, closesAt: unknown) => ({ windows: { registration: { opensAt, closesAt } } });
  const newStaff = { username: 'corpus.moi', fullName: 'Cán Bộ Mới', roles: ['clerk'], unitId: 'khong-co', title: 'Cán bộ' };

  return [
    // Settings and agencies.
    json('PUT /api/admin/settings', 'province 101 characters', { provinceName: 'x'.repeat(101), departmentAgencyCode: NO_AGENCY }, V),
    json('PUT /api/admin/settings', 'NUL in the province', { provinceName: `Thanh${NUL}Hóa`, departmentAgencyCode: NO_AGENCY }, V),
    json('PUT /api/admin/settings', 'agency code lower case', { provinceName: 'Thanh Hóa', departmentAgencyCode: '000.00.12.h56' }, V),
    json('PUT /api/admin/settings', 'a school as the Department', { provinceName: 'Thanh Hóa', departmentAgencyCode: '000.20.12.H56' }, V),
    json('PUT /api/admin/settings', 'no Department on a site set up', { provinceName: 'Thanh Hóa', departmentAgencyCode: null }, V),
    json('POST /api/admin/agencies', 'code with NUL', { code: `000.00.12.H5${NUL}`, name: 'Sở', abbreviation: 'SGDDT' }, V),
    json('POST /api/admin/agencies', 'NUL in the name, new code', { code: '000.98.12.H56', name: `Trường${NUL}`, abbreviation: 'TRNUL' }, J(400, 'BAD_REQUEST')),
    json('POST /api/admin/agencies', 'unknown parent', { code: '000.98.12.H56', name: 'Trường Không Cha', abbreviation: 'TKC', parentCode: NO_AGENCY, kind: 'school' }, V),
    json('POST /api/admin/agencies', 'unknown kind', { code: '000.98.12.H56', name: 'Trường Lạ', abbreviation: 'TL', kind: 'ministry' }, V),
    json('POST /api/admin/agencies', 'abbreviation 10,000 characters', { code: '000.98.12.H56', name: 'Trường Lạ', abbreviation: 'A'.repeat(10_000) }, V),
    json('PATCH /api/admin/agencies/:code', 'its own parent', { parentCode: AGENCY }, NF),
    call('PATCH /api/admin/agencies/:code', 'PATCH', `/api/admin/agencies/${AGENCY}`, 'the Department its own parent', { json: { parentCode: AGENCY } }, V),
    call('PATCH /api/admin/agencies/:code', 'PATCH', `/api/admin/agencies/${enc(`000${NUL}`)}`, 'code with NUL', { json: { name: 'X' } }, J(400, 'BAD_REQUEST')),
    call('PATCH /api/admin/agencies/:code', 'PATCH', `/api/admin/agencies/${'9'.repeat(21)}`, 'code 21 characters', { json: { name: 'X' } }, V),
    call('PATCH /api/admin/agencies/:code', 'PATCH', `/api/admin/agencies/${enc('../../etc/passwd')}`, 'path traversal', { json: { name: 'X' } }, NF),

    // Units.
    json('POST /api/admin/units', 'id with capitals and spaces', { id: 'Phong A', name: 'Phòng A', agencyCode: AGENCY, kind: 'office' }, V),
    json('POST /api/admin/units', 'id 64 characters', { id: 'a'.repeat(64), name: 'Phòng A', agencyCode: AGENCY, kind: 'office' }, V),
    json('POST /api/admin/units', 'unknown agency', { id: 'phong-corpus', name: 'Phòng A', agencyCode: NO_AGENCY, kind: 'office' }, V),
    json('POST /api/admin/units', 'unknown parent', { id: 'phong-corpus', name: 'Phòng A', agencyCode: AGENCY, kind: 'office', parentId: 'khong-co' }, V),
    json('POST /api/admin/units', 'parent in another agency', { id: 'phong-corpus', name: 'Phòng A', agencyCode: AGENCY, kind: 'office', parentId: 'thpt-lam-son' }, V),
    json('POST /api/admin/units', 'NUL in the name, new id', { id: 'phong-corpus', name: `Phòng${NUL}`, agencyCode: AGENCY, kind: 'office' }, J(400, 'BAD_REQUEST')),
    call('PATCH /api/admin/units/:id', 'PATCH', '/api/admin/units/so-gddt', 'a loop: the board under its own division', { json: { parentId: 'qlcl' } }, V),
    call('PATCH /api/admin/units/:id', 'PATCH', '/api/admin/units/qlcl', 'its own parent', { json: { parentId: 'qlcl' } }, V),
    call('PATCH /api/admin/units/:id', 'PATCH', '/api/admin/units/qlcl', 'unknown agency', { json: { agencyCode: NO_AGENCY } }, V),
    call('PATCH /api/admin/units/:id', 'PATCH', `/api/admin/units/${'u'.repeat(64)}`, 'id 64 characters', { json: { name: 'X' } }, V),
    call('PATCH /api/admin/units/:id', 'PATCH', `/api/admin/units/${enc(`qlcl${NUL}`)}`, 'id with NUL', { json: { name: 'X' } }, J(400, 'BAD_REQUEST')),

    // Unit roles.
    json('PUT /api/admin/unit-roles', '1,001 items', { items: Array.from({ length: 1001 }, () => ({ procedureId: '*', role: 'desk', unitId: 'mot-cua' })) }, V),
    json('PUT /api/admin/unit-roles', 'unknown role', { items: [{ procedureId: '*', role: 'janitor', unitId: 'mot-cua' }] }, V),
    json('PUT /api/admin/unit-roles', 'unknown procedure', { items: [{ procedureId: 'khong-co', role: 'desk', unitId: 'khong-co' }] }, V),
    json('PUT /api/admin/unit-roles', 'a school as the leadership', { items: [{ procedureId: 'diploma-copy', role: 'leadership', unitId: 'thpt-lam-son' }, { procedureId: '*', role: 'desk', unitId: 'khong-co' }] }, V),
    json('PUT /api/admin/unit-roles', 'procedure with NUL', { items: [{ procedureId: `diploma-copy${NUL}`, role: 'desk', unitId: 'khong-co' }] }, V),
    json('PUT /api/admin/unit-roles', 'items an object', { items: { 0: { procedureId: '*' } } }, V),

    // Staff accounts.
    json('POST /api/admin/staff', 'username with NUL', { ...newStaff, username: `corpus${NUL}` }, V),
    json('POST /api/admin/staff', 'unknown unit', newStaff, V),
    json('POST /api/admin/staff', 'unknown role', { ...newStaff, roles: ['superuser'] }, V),
    json('POST /api/admin/staff', 'roles repeated past the list', { ...newStaff, roles: Array(6).fill('admin') }, V),
    json('POST /api/admin/staff', 'e-mail not an address', { ...newStaff, email: 'not-an-address' }, V),
    json('POST /api/admin/staff', 'half a signing authority', { ...newStaff, authority: { kind: 'KT' } }, V),
    json('POST /api/admin/staff', 'unknown authority kind', { ...newStaff, authority: { kind: 'XX', for: 'GIÁM ĐỐC' } }, V),
    json('POST /api/admin/staff', 'NUL in the name, unknown unit', { ...newStaff, fullName: `Cán${NUL}Bộ` }, V),
    json('PATCH /api/admin/staff/:username', 'active as a string', { active: 'false' }, V),
    json('PATCH /api/admin/staff/:username', 'two-factor turned on', { totp: true }, V),
    json('PATCH /api/admin/staff/:username', 'the last administrator locked', { active: false }, J(409, 'LAST_ADMIN')),
    json('PATCH /api/admin/staff/:username', 'an unknown unit', { unitId: 'khong-co' }, V),
    call('PATCH /api/admin/staff/:username', 'PATCH', `/api/admin/staff/${'u'.repeat(101)}`, 'username 101 characters (the router\'s limit)', { json: { title: 'X' } }, J(414, 'URI_TOO_LONG')),
    call('PATCH /api/admin/staff/:username', 'PATCH', `/api/admin/staff/${enc(`clerk${NUL}`)}`, 'username with NUL', { json: { title: 'X' } }, J(400, 'BAD_REQUEST')),
    call('POST /api/admin/staff/:username/password-reset', 'POST', `/api/admin/staff/${enc(`admin${NUL}`)}/password-reset`, 'username with NUL', undefined, J(400, 'BAD_REQUEST')),
    call('POST /api/admin/staff/:username/password-reset', 'POST', '/api/admin/staff/__proto__/password-reset', '__proto__', undefined, J(404, 'STAFF_NOT_FOUND')),
    get('GET /api/admin/staff', 'unknown role', '/api/admin/staff?role=superuser', V),
    get('GET /api/admin/staff', 'active maybe', '/api/admin/staff?active=maybe', V),
    get('GET /api/admin/staff', 'role repeated', '/api/admin/staff?role=clerk&role=admin', V),
    get('GET /api/admin/staff', 'search 101 characters', `/api/admin/staff?q=${'q'.repeat(101)}`, V),
    get('GET /api/admin/staff', 'NUL in the search', `/api/admin/staff?q=${enc(NUL)}`, J(400, 'BAD_REQUEST')),
    get('GET /api/admin/staff', 'SQL-ish search', `/api/admin/staff?q=${enc("%' OR 1=1 --")}`, { status: 200 }),
    get('GET /api/admin/staff/:username', 'unknown', '/api/admin/staff/khong-co-ai', J(404, 'STAFF_NOT_FOUND')),

    // Calendar: dates that are not dates, not in the year, on the wrong kind of day; too many.
    year('30 February', '2026', dates(['2026-02-30']), V),
    year('not a date', '2026', dates(['ngày mai']), V),
    year('a date of another year', '2026', dates(['2025-01-01']), V),
    year('a weekday as a working weekend', '2026', dates([], ['2026-03-04']), V),
    year('a Saturday as a day off', '2026', dates(['2026-03-07']), V),
    year('367 days off', '2026', dates(Array(367).fill('2026-03-04')), V),
    year('holidays a string', '2026', dates('2026-03-04'), V),
    year('note 4,001 characters', '2026', { ...dates(['2026-13-45']), note: 'x'.repeat(4001) }, V),
    year('NUL in the note, a bad day', '2026', { ...dates(['2026-13-45']), note: `a${NUL}` }, V),
    year('year 1800', '1800', dates([]), V),
    year('year not a number', 'abcd', dates([]), V),
    year('year 1e309', '1e309', dates([]), V),
    get('GET /api/admin/calendar/:year', 'year 99999', '/api/admin/calendar/99999', V),
    get('GET /api/admin/calendar/:year', 'year with NUL', `/api/admin/calendar/2026${enc(NUL)}`, V),

    // Campaigns: strict objects, windows, schools and quotas.
    campaign('windows closing before they open', window('2026-06-15T17:00:00+07:00', '2026-06-01T07:00:00+07:00')),
    campaign('30 February', window('2026-02-30T07:00:00+07:00', '2026-03-15T17:00:00+07:00')),
    campaign('time without an offset', window('2026-06-01T07:00:00', '2026-06-15T17:00:00')),
    campaign('year 275760', window('2026-06-01T07:00:00+07:00', '+275760-09-13T00:00:00.000Z')),
    campaign('grade 11', { grade: 11 }),
    campaign('school year not consecutive', { schoolYear: '2026-2028' }),
    campaign('no choices', { choices: 0 }),
    campaign('quota 0', { schools: [{ unitId: 'thpt-lam-son', quota: 0 }] }),
    campaign('quota a billion', { schools: [{ unitId: 'thpt-lam-son', quota: 1e9 }] }),
    campaign('a school twice', { schools: [{ unitId: 'thpt-lam-son', quota: 1 }, { unitId: 'thpt-lam-son', quota: 2 }] }),
    campaign('5,001 schools', { schools: Array.from({ length: 5001 }, (_, i) => ({ unitId: `u${i}`, quota: 1 })) }),
    campaign('unknown school', { schools: [{ unitId: 'khong-co', quota: 1 }] }),
    campaign('an unknown key in a school', { schools: [{ unitId: 'thpt-lam-son', quota: 1, admin: true }] }),
    campaign('11 tie-breaks', { tieBreak: Array(11).fill('score') }),
    campaign('tie-break with code', { tieBreak: ['process.exit()'] }),
    campaign('id taken', { id: 'ts10-demo', schools: [{ unitId: 'qlcl', quota: 1 }] }, J(409, 'CAMPAIGN_EXISTS')),
    call('PATCH /api/admin/campaigns/:id', 'PATCH', '/api/admin/campaigns/ts10-demo', 'no schools', { json: { schools: [] } }, V),
    call('PATCH /api/admin/campaigns/:id', 'PATCH', '/api/admin/campaigns/ts10-demo', 'the id changed', { json: { id: 'khac' } }, V),
    call('PATCH /api/admin/campaigns/:id', 'PATCH', '/api/admin/campaigns/ts10-demo', 'a division as a school', { json: { schools: [{ unitId: 'qlcl', quota: 5 }] } }, V),
    call('PATCH /api/admin/campaigns/:id', 'PATCH', `/api/admin/campaigns/${enc(`ts10-demo${NUL}`)}`, 'id with NUL', { json: { name: 'Kỳ đổi tên' } }, J(400, 'BAD_REQUEST')),
    get('GET /api/admin/campaigns/:id', 'id 65 characters', `/api/admin/campaigns/${'c'.repeat(65)}`, V),
    get('GET /api/admin/campaigns/:id', '__proto__', '/api/admin/campaigns/__proto__', NF),

    // Set-up: once only, and its lists are bounded.
    json('POST /api/admin/setup', '21 offices', { provinceName: 'Nghệ An', department: { code: '000.00.12.H40', name: 'Sở', abbreviation: 'SGDDT' }, board: { name: 'Ban' }, desk: { name: 'Một cửa' }, offices: Array.from({ length: 21 }, (_, i) => ({ name: `Phòng ${i}` })) }, V),
    json('POST /api/admin/setup', 'already done', ADMIN_JSON_ENDPOINTS.find((e) => e.endpoint === 'POST /api/admin/setup')!.valid, J(409, 'SETUP_ALREADY_DONE')),

    // Keys: ids, owners.
    call('POST /api/admin/keys/:id/deactivate', 'POST', '/api/admin/keys/abc/deactivate', 'id not a uuid', undefined, V),
    call('POST /api/admin/keys/:id/deactivate', 'POST', `/api/admin/keys/${enc(NUL)}/deactivate`, 'id a NUL', undefined, V),
    call('POST /api/admin/keys/:id/deactivate', 'POST', '/api/admin/keys/00000000-0000-4000-8000-000000000000/deactivate', 'unknown key', undefined, NF),
    get('GET /api/admin/appearances/:owner/image', 'owner of 2 characters', '/api/admin/appearances/ab/image', V),
    get('GET /api/admin/appearances/:owner/image', 'owner 201 characters (the router\'s limit)', `/api/admin/appearances/staff:${'a'.repeat(195)}/image`, J(414, 'URI_TOO_LONG')),
    get('GET /api/admin/appearances/:owner/image', 'no kind', '/api/admin/appearances/leader/image', NF),
    get('GET /api/admin/appearances/:owner/image', 'empty id', '/api/admin/appearances/staff:/image', NF),
    get('GET /api/admin/appearances/:owner/image', 'path traversal', `/api/admin/appearances/${enc('unit:../../etc/passwd')}/image`, NF),
    get('GET /api/admin/appearances/:owner/image', 'NUL', `/api/admin/appearances/${enc(`staff:leader${NUL}`)}/image`, NF),

    // Procedures: ids and versions.
    call('POST /api/admin/procedures/:id/disable', 'POST', `/api/admin/procedures/${'p'.repeat(65)}/disable`, 'id 65 characters', undefined, V),
    call('POST /api/admin/procedures/:id/disable', 'POST', `/api/admin/procedures/${enc(`diploma-copy${NUL}`)}/disable`, 'id with NUL', undefined, J(404, 'PROCEDURE_NOT_FOUND')),
    call('POST /api/admin/procedures/:id/enable', 'POST', '/api/admin/procedures/__proto__/enable', '__proto__', undefined, J(404, 'PROCEDURE_NOT_FOUND')),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'version 0', '/api/admin/procedures/diploma-copy/versions/0/source', V),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'version abc', '/api/admin/procedures/diploma-copy/versions/abc/source', V),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'version 1e309', '/api/admin/procedures/diploma-copy/versions/1e309/source', V),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'version 2^53', `/api/admin/procedures/diploma-copy/versions/${2 ** 53}/source`, V),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'version 99', '/api/admin/procedures/diploma-copy/versions/99/source', NF),
    get('GET /api/admin/procedures/:id/versions/:version/source', 'unknown procedure', '/api/admin/procedures/khong-co/versions/1/source', NF),

    // The audit log: filters, paging, the export's span.
    get('GET /api/admin/audit', 'from not a date', '/api/admin/audit?from=hom-qua', V),
    get('GET /api/admin/audit', 'from 30 February', '/api/admin/audit?from=2026-02-30', V),
    get('GET /api/admin/audit', 'from 11 characters', '/api/admin/audit?from=2026-01-011', V),
    get('GET /api/admin/audit', 'to before from', '/api/admin/audit?from=2026-02-01&to=2026-01-01', V),
    get('GET /api/admin/audit', 'before 0', '/api/admin/audit?before=0', V),
    get('GET /api/admin/audit', 'before 1e309', '/api/admin/audit?before=1e309', V),
    get('GET /api/admin/audit', 'limit 0', '/api/admin/audit?limit=0', V),
    get('GET /api/admin/audit', 'limit 100,000', '/api/admin/audit?limit=100000', V),
    get('GET /api/admin/audit', 'format xml', '/api/admin/audit?format=xml', V),
    get('GET /api/admin/audit', 'format repeated', '/api/admin/audit?format=csv&format=json', V),
    get('GET /api/admin/audit', 'unknown account', '/api/admin/audit?actor=khong-co-ai', V),
    // Actions are open-ended (a workflow names its own): only the form is checked.
    get('GET /api/admin/audit', 'an action nobody took', '/api/admin/audit?action=khong.co', { status: 200 }),
    get('GET /api/admin/audit', 'NUL in the dossier', `/api/admin/audit?dossier=${enc(NUL)}`, J(400, 'BAD_REQUEST')),
    get('GET /api/admin/audit', 'SQL-ish action group', `/api/admin/audit?action=${enc("%' OR 1=1 --.")}`, V),
    get('GET /api/admin/audit', 'CSV over ten thousand years', '/api/admin/audit?format=csv&from=0001-01-01&to=9999-12-31', V),
    get('GET /api/admin/audit', 'anonymous', '/api/admin/audit', J(401, 'UNAUTHENTICATED'), 'anon'),
    get('GET /api/admin/audit', 'a clerk', '/api/admin/audit?format=csv', J(403, 'FORBIDDEN'), 'clerk'),

    // ---------------------------------------------------------- uploads
    ...adminUploadCases(mp),
  ];
}

function adminUploadCases(mp: (parts: Part[], extra?: Partial<Extract<Body, { multipart: Part[] }>>) => Body): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const up = (endpoint: string, name: string, body: Body, expect: Expected): HttpCase => {
    const path = endpoint.split(' ')[1]!;
    return { endpoint, name, method: 'POST', path, who: 'admin', body, expect };
  };
  const csv = (text: string | Buffer, fileName = 'don-vi.csv') => mp([file('file', fileName, text, 'text/csv')]);
  const IMPORT = 'POST /api/admin/units/import';
  const WORKFLOW = 'POST /api/admin/procedures';
  const yaml = (text: string | Buffer, fileName = 'quy-trinh.yaml') => mp([file('file', fileName, text, 'application/yaml')]);
  const KEYS = 'POST /api/admin/keys';
  const p12 = (data: string | Buffer, extra: Part[] = []) => mp([{ name: 'staff', value: 'clerk' }, { name: 'password', value: 'x' }, file('pkcs12', 'khoa.p12', data, 'application/x-pkcs12'), ...extra]);
  const IMAGES = 'POST /api/admin/appearances';
  const image = (data: string | Buffer, type = 'image/png') => mp([{ name: 'unit', value: 'so-gddt' }, file('image', 'dau.png', data, type)]);
  const png = pngHeaderOnly(100, 100);
  const WORKFLOW_INVALID = J(422, 'WORKFLOW_INVALID');
  return [
    // Unit import (CSV/XLSX; all or nothing).
    up(IMPORT, 'JSON', { json: { file: 'x' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    up(IMPORT, 'no file', mp([{ name: 'note', value: 'x' }]), V),
    up(IMPORT, 'empty file', csv(''), V),
    up(IMPORT, 'truncated', { ...csv(unitCsv(3)), truncate: 80 }, J(400, 'BAD_REQUEST')),
    up(IMPORT, 'no boundary', { ...csv(unitCsv(1)), boundary: null }, J(400, 'BAD_REQUEST')),
    up(IMPORT, 'two files', mp([file('file', 'a.csv', unitCsv(1, 'x')), file('file', 'b.csv', unitCsv(1, 'x'))]), J(413, 'TOO_MANY_FILES')),
    up(IMPORT, '10,000 lines', csv(unitCsv(10_000)), V),
    up(IMPORT, '5,000 lines, every one wrong', csv(unitCsv(5_000, 'bogus')), V),
    up(IMPORT, 'header only', csv('id,name,agencyCode,kind\r\n'), V),
    up(IMPORT, 'unknown column', csv('id,name,agencyCode,kind,isAdmin\r\nx,y,z,school\r\n'), V),
    up(IMPORT, 'an unclosed quote', csv('id,name,agencyCode,kind\r\n"truong-a,Trường A,000.00.12.H56,school\r\n'), V),
    up(IMPORT, 'NUL bytes', csv(`id,name,agencyCode,kind\r\ntruong-nul,Trường${NUL},000.00.12.H56,school\r\n`), J(400, 'BAD_REQUEST')),
    up(IMPORT, 'a formula in a name, bad kind', csv('id,name,agencyCode,kind\r\ntruong-f,=HYPERLINK("http://evil"),000.00.12.H56,bogus\r\n'), V),
    up(IMPORT, 'a loop between two new units', csv('id,name,agencyCode,kind,parentId\r\nvong-a,Vòng A,000.00.12.H56,office,vong-b\r\nvong-b,Vòng B,000.00.12.H56,office,vong-a\r\n'), V),
    up(IMPORT, 'Latin-1 bytes', csv(Buffer.from('id,name,agencyCode,kind\r\ntruong-l,Tr\xfc\xf6ng,000.00.12.H56,bogus\r\n', 'latin1')), V),
    up(IMPORT, 'a PDF named .csv', mp([file('file', 'don-vi.csv', PDF_PLACEHOLDER)]), V),
    up(IMPORT, 'text named .xlsx', csv('id,name\r\n', 'don-vi.xlsx'), V),
    up(IMPORT, 'a zip that is no workbook', csv(zipOf([{ name: 'a.txt', data: Buffer.from('x') }]), 'don-vi.xlsx'), V),
    up(IMPORT, 'an XLSX that unpacks to 300 MB', csv(XLSX_BOMB, 'don-vi.xlsx'), V),
    up(IMPORT, 'over 5 MB', csv(Buffer.alloc(5 * 1024 * 1024 + 1, 0x2c)), J(413, 'FILE_TOO_LARGE')),
    { ...up(IMPORT, 'a clerk', csv(unitCsv(1)), J(403, 'FORBIDDEN')), who: 'clerk' },

    // Workflow upload (YAML, checked like at boot).
    up(WORKFLOW, 'JSON', { json: { file: 'x' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    up(WORKFLOW, 'no file', mp([{ name: 'note', value: 'x' }]), V),
    up(WORKFLOW, 'truncated', { ...yaml('id: a\n'), truncate: 60 }, J(400, 'BAD_REQUEST')),
    up(WORKFLOW, 'billion laughs', yaml(yamlBomb()), WORKFLOW_INVALID),
    up(WORKFLOW, 'YAML syntax error', yaml('id: [unclosed\n'), WORKFLOW_INVALID),
    up(WORKFLOW, 'a list, not a mapping', yaml('- a\n- b\n'), WORKFLOW_INVALID),
    up(WORKFLOW, 'a plain string', yaml('just text'), WORKFLOW_INVALID),
    up(WORKFLOW, '10,000 nested flow sequences', yaml(`x: ${DEEP_JSON}\n`), WORKFLOW_INVALID),
    up(WORKFLOW, 'duplicate keys', yaml('id: a\nid: b\n'), WORKFLOW_INVALID),
    up(WORKFLOW, '__proto__ keys', yaml('__proto__: { admin: true }\nid: proto\n'), WORKFLOW_INVALID),
    up(WORKFLOW, 'a JavaScript tag', yaml('id: !!js/function "function () { return 1 }"\n'), WORKFLOW_INVALID),
    up(WORKFLOW, 'NUL bytes', yaml(`id: a${NUL}b\n`), WORKFLOW_INVALID),
    up(WORKFLOW, 'not UTF-8', yaml(Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), WORKFLOW_INVALID),
    up(WORKFLOW, 'a PDF named .yaml', mp([file('file', 'quy-trinh.yaml', PDF_PLACEHOLDER)]), WORKFLOW_INVALID),
    up(WORKFLOW, 'named .exe', yaml('id: a\n', 'quy-trinh.exe'), WORKFLOW_INVALID),
    up(WORKFLOW, 'named ../../etc/passwd.yaml', yaml('id: [\n', '../../etc/passwd.yaml'), WORKFLOW_INVALID),
    up(WORKFLOW, 'over 256 KB', yaml(`# ${'x'.repeat(256 * 1024)}\n`), J(413, 'FILE_TOO_LARGE')),
    { ...up(WORKFLOW, 'a leader', yaml('id: a\n'), J(403, 'FORBIDDEN')), who: 'leader' },

    // Keys: a PKCS#12 that is not one.
    up(KEYS, 'JSON', { json: { staff: 'clerk' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    up(KEYS, 'garbage PKCS#12', p12('garbage'), V),
    up(KEYS, 'empty PKCS#12', p12(''), V),
    up(KEYS, 'DER claiming 2 GB', p12(ASN1_HUGE_LENGTH), V),
    up(KEYS, 'a PEM certificate as the PKCS#12', p12('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), V),
    up(KEYS, 'a zip as the PKCS#12', p12(zipOf([{ name: 'a', data: Buffer.from('x') }])), V),
    up(KEYS, 'a PNG as the PKCS#12', p12(png), V),
    up(KEYS, 'staff and unit both', p12('garbage', [{ name: 'unit', value: 'so-gddt' }]), V),
    up(KEYS, 'unknown unit', mp([{ name: 'unit', value: 'khong-co' }, file('pkcs12', 'k.p12', 'garbage')]), V),
    up(KEYS, 'PIN of 13 digits', p12('garbage', [{ name: 'pin', value: '1234567890123' }]), V),
    up(KEYS, 'password with NUL', mp([{ name: 'staff', value: 'clerk' }, { name: 'password', value: `x${NUL}` }, file('pkcs12', 'k.p12', 'garbage')]), V),
    up(KEYS, 'four files', mp([file('pkcs12', 'a.p12', 'x'), file('certificate', 'b.pem', 'x'), file('chain', 'c.pem', 'x'), file('chain', 'd.pem', 'x')]), J(413, 'TOO_MANY_FILES')),
    up(KEYS, 'a file over 1 MB', p12(Buffer.alloc(1024 * 1024 + 1, 0x30)), J(413, 'FILE_TOO_LARGE')),
    up(KEYS, 'truncated', { ...p12('garbage'), truncate: 90 }, J(400, 'BAD_REQUEST')),

    // Signature and seal images.
    up(IMAGES, 'JSON', { json: { unit: 'so-gddt' } }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    up(IMAGES, 'a GIF', image('GIF89a\x01\x00\x01\x00', 'image/gif'), V),
    up(IMAGES, 'an SVG with a script', image('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'), V),
    up(IMAGES, 'a PNG header only', image(png), V),
    up(IMAGES, 'a PNG claiming 100,000 × 100,000 pixels', image(pngHeaderOnly()), V),
    up(IMAGES, 'a JPEG signature and garbage', image(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 0x41)]), 'image/jpeg'), V),
    up(IMAGES, 'a PDF', image(PDF_PLACEHOLDER, 'application/pdf'), V),
    up(IMAGES, 'over 512 KB', image(Buffer.concat([png, Buffer.alloc(600 * 1024)])), V),
    up(IMAGES, 'unknown staff', mp([{ name: 'staff', value: 'khong-co-ai' }, file('image', 'a.png', png, 'image/png')]), V),
    up(IMAGES, 'no boundary', { ...image(png), boundary: null }, J(400, 'BAD_REQUEST')),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The administration pages as their administrator: forms with hostile values, multipart uploads, query strings.

function adminPageCases(): HttpCase[] {
  const page = (endpoint: string, name: string, method: Method, path: string, body: Body | undefined, expect: Expected, who = 'admin'): HttpCase => ({
    endpoint, name, method, path, who, body, csrf: method === 'POST', expect,
  });
  const g = (endpoint: string, name: string, path: string, expect: Expected) => page(endpoint, name, 'GET', path, undefined, expect);
  const p = (endpoint: string, name: string, body: Body | undefined, expect: Expected, path = endpoint.split(' ')[1]!) => page(endpoint, name, 'POST', path, body, expect);
  const upload = (name: string, data: string | Buffer, fileName = 'don-vi.csv'): Body => ({ multipart: [file(name, fileName, data, 'application/octet-stream')] });
  return [
    g('GET /quan-tri/can-bo', 'role repeated', '/quan-tri/can-bo?role=clerk&role=admin', PAGE(200)),
    g('GET /quan-tri/can-bo', 'NUL in the search', `/quan-tri/can-bo?q=${enc(NUL)}`, PAGE(400)),
    g('GET /quan-tri/can-bo', 'search 10,000 characters', `/quan-tri/can-bo?q=${'q'.repeat(10_000)}`, PAGE(422)),
    g('GET /quan-tri/can-bo/tai-khoan/:username', 'unknown', '/quan-tri/can-bo/tai-khoan/khong-co-ai', PAGE(404)),
    g('GET /quan-tri/can-bo/tai-khoan/:username', 'NUL', `/quan-tri/can-bo/tai-khoan/${enc(NUL)}`, PAGE(400)),
    p('POST /quan-tri/can-bo/tao-moi', 'roles repeated 1,000 times, unknown unit', { form: { username: 'corpus.moi', fullName: 'Cán Bộ', title: 'Cán bộ', unitId: 'khong-co', roles: Array(1000).fill('admin') } }, PAGE(422)),
    p('POST /quan-tri/can-bo/tao-moi', 'NUL in the username', { form: { username: `corpus${NUL}`, fullName: 'Cán Bộ', title: 'Cán bộ', unitId: 'mot-cua', roles: 'clerk' } }, PAGE(422)),
    p('POST /quan-tri/can-bo/tao-moi', 'bad JSON', { raw: '{', type: 'application/json' }, PAGE(400)),
    p('POST /quan-tri/can-bo/tai-khoan/:username', 'the last administrator demoted', { form: { fullName: 'Phạm Quốc Huy', title: 'Quản trị', unitId: 'so-gddt', roles: 'clerk' } }, PAGE(409), '/quan-tri/can-bo/tai-khoan/admin'),
    p('POST /quan-tri/to-chuc/cai-dat', 'province 10,000 characters', { form: { provinceName: 'x'.repeat(10_000) } }, PAGE(422)),
    p('POST /quan-tri/to-chuc/cai-dat', 'NUL in the province', { form: { provinceName: `Thanh${NUL}`, departmentAgencyCode: NO_AGENCY } }, PAGE(422)),
    p('POST /quan-tri/to-chuc/co-quan', 'code with NUL', { form: { code: `000${NUL}`, name: 'Sở', abbreviation: 'S' } }, PAGE(422)),
    p('POST /quan-tri/to-chuc/don-vi/:id', 'a loop', { form: { parentId: 'qlcl' } }, PAGE(422), '/quan-tri/to-chuc/don-vi/so-gddt'),
    g('GET /quan-tri/to-chuc/don-vi/:id', 'unknown', '/quan-tri/to-chuc/don-vi/khong-co', PAGE(404)),
    g('GET /quan-tri/to-chuc/co-quan/:code', 'unknown', `/quan-tri/to-chuc/co-quan/${NO_AGENCY}`, PAGE(404)),
    p('POST /quan-tri/to-chuc/nhap', 'not multipart', { form: { file: 'x' } }, PAGE(415)),
    p('POST /quan-tri/to-chuc/nhap', '10,000 lines', upload('file', unitCsv(10_000)), PAGE(422)),
    p('POST /quan-tri/to-chuc/nhap', 'an XLSX that unpacks to 300 MB', upload('file', XLSX_BOMB, 'don-vi.xlsx'), PAGE(422)),
    p('POST /quan-tri/to-chuc/nhap', 'truncated', { ...upload('file', unitCsv(2)), truncate: 70 }, PAGE(400)),
    p('POST /quan-tri/to-chuc/phan-cong', 'every select an unknown unit', { form: { 'role.*.desk': 'khong-co', 'role.*.office': `x${NUL}`, 'role.__proto__.desk': 'mot-cua' } }, PAGE(422)),
    p('POST /quan-tri/thu-tuc/nap', 'billion laughs', upload('file', yamlBomb(), 'quy-trinh.yaml'), PAGE(422)),
    // Whatever goes wrong with the upload comes back on the form.
    p('POST /quan-tri/thu-tuc/nap', 'truncated', { ...upload('file', 'id: a\n', 'quy-trinh.yaml'), truncate: 60 }, PAGE(422)),
    p('POST /quan-tri/thu-tuc/:id/tat', 'NUL id', undefined, PAGE(404), `/quan-tri/thu-tuc/${enc(NUL)}/tat`),
    g('GET /quan-tri/thu-tuc/:id/phien-ban/:version', 'version abc', '/quan-tri/thu-tuc/diploma-copy/phien-ban/abc', PAGE(404)),
    g('GET /quan-tri/thu-tuc/:id/phien-ban/:version', 'version 2^53', `/quan-tri/thu-tuc/diploma-copy/phien-ban/${2 ** 53}`, PAGE(404)),
    p('POST /quan-tri/khoa-ky-so/khoa', 'a PKCS#12 that is not one', { multipart: [{ name: 'owner', value: 'staff:clerk' }, { name: 'password', value: 'x' }, file('pkcs12', 'k.p12', ASN1_HUGE_LENGTH)] }, PAGE(422)),
    p('POST /quan-tri/khoa-ky-so/khoa', 'owner not a kind', { form: { owner: 'root' } }, PAGE(422)),
    p('POST /quan-tri/khoa-ky-so/anh', 'an SVG', { multipart: [{ name: 'owner', value: 'unit:so-gddt' }, file('image', 'a.svg', '<svg/>', 'image/svg+xml')] }, PAGE(422)),
    g('GET /quan-tri/khoa-ky-so/:id/thu-hoi', 'id not a uuid', '/quan-tri/khoa-ky-so/abc/thu-hoi', PAGE(404)),
    p('POST /quan-tri/khoa-ky-so/:id/thu-hoi', 'id with NUL', undefined, PAGE(404), `/quan-tri/khoa-ky-so/${enc(NUL)}/thu-hoi`),
    g('GET /quan-tri/lich/:year', 'year abcd', '/quan-tri/lich/abcd', PAGE(404)),
    g('GET /quan-tri/lich/:year', 'year 1800', '/quan-tri/lich/1800', PAGE(404)),
    g('GET /quan-tri/lich', 'year repeated', '/quan-tri/lich?nam=2026&nam=x', REDIRECT(/^\/quan-tri\/lich\/\d{4}$/)),
    p('POST /quan-tri/lich/:year', '3,000 lines of days', { form: { holidays: Array(3_000).fill('04/03/2026').join('\n') } }, PAGE(422), '/quan-tri/lich/2026'),
    p('POST /quan-tri/lich/:year', 'a form over 64 KB', { form: { holidays: Array(10_000).fill('04/03/2026').join('\n') } }, PAGE(413), '/quan-tri/lich/2026'),
    p('POST /quan-tri/lich/:year', 'NUL in the days', { form: { holidays: `04/03/2026${NUL}` } }, PAGE(422), '/quan-tri/lich/2026'),
    p('POST /quan-tri/lich/:year', 'year abcd', { form: { holidays: '' } }, PAGE(404), '/quan-tri/lich/abcd'),
    p('POST /quan-tri/tuyen-sinh/moi', 'dates that are not dates', { form: { id: 'ts-corpus', name: 'Kỳ corpus', grade: '10', schoolYear: '2026-2027', choices: '2', 'registration.opensAt': 'mai', 'registration.closesAt': '2026-02-30T07:00' } }, PAGE(422)),
    p('POST /quan-tri/tuyen-sinh/moi', 'bad JSON', { raw: '{', type: 'application/json' }, PAGE(400)),
    g('GET /quan-tri/tuyen-sinh/:id', 'unknown', '/quan-tri/tuyen-sinh/khong-co', PAGE(404)),
    g('GET /quan-tri/tuyen-sinh/:id/diem', 'unknown campaign', '/quan-tri/tuyen-sinh/khong-co/diem', PAGE(404)),
    p('POST /quan-tri/tuyen-sinh/:id/diem', 'a binary file', upload('file', Buffer.from([0, 1, 2, 255, 254, 0]), 'diem.csv'), PAGE(422), '/quan-tri/tuyen-sinh/ts10-demo/diem'),
    p('POST /quan-tri/tuyen-sinh/:id/diem', 'NUL in a line', upload('file', `pupilIdNumber,score,priorityPoints\n0383${NUL}11000001,40,0`, 'diem.csv'), PAGE(422), '/quan-tri/tuyen-sinh/ts10-demo/diem'),
    p('POST /quan-tri/tuyen-sinh/:id/diem', 'a form, not a file', { form: { file: 'diem.csv' } }, PAGE(415), '/quan-tri/tuyen-sinh/ts10-demo/diem'),
    p('POST /quan-tri/tuyen-sinh/:id/xet-tuyen', 'confirmation not "co"', { form: { 'xac-nhan': 'yes' } }, PAGE(422), '/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen'),
    g('GET /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId', 'run not a uuid', '/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/abc', PAGE(404)),
    g('GET /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId', 'NUL in the run', `/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/${enc(NUL)}`, PAGE(404)),
    p('POST /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId/cong-bo', 'run not a uuid', { form: { 'xac-nhan': 'co' } }, PAGE(404), '/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/abc/cong-bo'),
    g('GET /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId/ket-qua.csv', 'run not a uuid', '/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/abc/ket-qua.csv', PAGE(404)),
    g('GET /quan-tri/nhat-ky', 'from not a date', '/quan-tri/nhat-ky?from=hom-qua', PAGE(422)),
    g('GET /quan-tri/nhat-ky', 'before repeated', '/quan-tri/nhat-ky?before=1&before=x', PAGE(200)),
    g('GET /quan-tri/nhat-ky', 'NUL in the actor', `/quan-tri/nhat-ky?actor=${enc(NUL)}`, PAGE(400)),
    p('POST /quan-tri/thiet-lap', 'already done, 1,000 offices', { form: { provinceName: 'Nghệ An', offices: Array(1000).fill('Phòng') } }, REDIRECT(/^\/quan-tri\?tb=/)),
    p('POST /tai-khoan/doi-mat-khau', 'bad JSON', { raw: '{', type: 'application/json' }, PAGE(400), '/tai-khoan/doi-mat-khau'),
    p('POST /tai-khoan/doi-mat-khau', 'confirmation differs', { form: { currentPassword: 'x', newPassword: 'y'.repeat(10_000), confirmPassword: 'z' } }, PAGE(422), '/tai-khoan/doi-mat-khau'),
    p('POST /tai-khoan/xac-thuc-hai-lop/xac-nhan', 'code of 10,000 digits', { form: { otp: '1'.repeat(10_000) } }, PAGE(422), '/tai-khoan/xac-thuc-hai-lop/xac-nhan'),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Fees (issue 13): refunds and desk payments with amounts that are no amounts, the Payment Platform's callback with
// bodies that are not its message (forged, malformed, signed but wrong), the return page, the administrators' list,
// the public Decision 766 summary. Every body is refused, so no payment or refund is made (bad-inputs.test.ts compares).

/** The Payment Platform as bad-inputs.test.ts configures it (nothing listens there: no case reaches it). */
export const PAYMENT_PLATFORM_ENV = {
  PAYMENT_PLATFORM_URL: 'http://127.0.0.1:9', PAYMENT_PLATFORM_PARTNER_CODE: 'MOTCUA-CORPUS', PAYMENT_PLATFORM_SECRET: 'bi-mat-corpus-thanh-toan-0001',
};

/** A confirm message signed with the configured secret: authentic, so what is refused is its content. */
function signedConfirm(fields: Record<string, unknown>): Record<string, unknown> {
  const message = {
    LoaiBanTin: 'CONFIRM', MaLoi: '00', MaDoiTac: PAYMENT_PLATFORM_ENV.PAYMENT_PLATFORM_PARTNER_CODE, MaThamChieu: 'dvcKHONGCO2026010112000001',
    SoTien: 150_000, MaTienTe: 'VND', MaGiaoDich: 'GD-CORPUS-1', MaNganHang: 'NH', ThoiGianGD: '20260101120000', ThongTinGiaoDich: 'THANH TOAN', ...fields,
  };
  return { ...message, MaXacThuc: paymentChecksum('CONFIRM', message, PAYMENT_PLATFORM_ENV.PAYMENT_PLATFORM_SECRET) };
}

function paymentCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const refund = (name: string, body: Body, expect: Expected, reference = '{reference}', who = 'clerk'): HttpCase => ({
    endpoint: 'POST /api/payments/:reference/refunds', name, method: 'POST', path: `/api/payments/${reference}/refunds`, who, body, expect,
  });
  const amount = (value: unknown) => ({ json: { amount: value, reason: 'Hoàn trả thử' } });
  const desk = (name: string, body: Body, expect: Expected, who = 'clerk', code = '{paidCode}'): HttpCase => ({
    endpoint: 'POST /api/dossiers/:code/payments/desk', name, method: 'POST', path: `/api/dossiers/${code}/payments/desk`, who, body, expect,
  });
  const confirm = (name: string, body: Body, expect: Expected): HttpCase => ({
    endpoint: 'POST /api/payment-platform/confirm', name, method: 'POST', path: '/api/payment-platform/confirm', body, expect,
  });
  const forged = { ...signedConfirm({ MaThamChieu: '{reference}' }), MaXacThuc: 'a'.repeat(64) };
  const { MaXacThuc: _dropped, ...unsigned } = signedConfirm({});
  const FORGED = J(403, 'PAYMENT_CHECKSUM_INVALID');
  const get = (endpoint: string, name: string, path: string, expect: Expected, who = 'anon'): HttpCase => ({ endpoint, name, method: 'GET', path, who, expect });
  const page = (endpoint: string, name: string, path: string, body: Body, expect: Expected, csrf = true): HttpCase => ({
    endpoint, name, method: 'POST', path, who: 'clerk', body, csrf, expect,
  });
  const BACK = REDIRECT(/^\/can-bo\/ho-so\//);
  const index = '/api/public/index-766';
  return [
    // Refunds: only a positive whole number of đồng, never more than was paid.
    refund('amount 0', amount(0), V),
    refund('amount -1', amount(-1), V),
    refund('amount 1.5', amount(1.5), V),
    refund('amount 1e309', { raw: '{"amount":1e309,"reason":"Hoàn trả thử"}', type: 'application/json' }, V),
    refund('amount "abc"', amount('abc'), V),
    refund('amount ""', amount(''), V),
    refund('amount true', amount(true), V),
    refund('amount [1]', amount([1]), V),
    refund('amount null', amount(null), V),
    refund('amount "150001" (digits, more than paid)', amount('150001'), J(422, 'REFUND_EXCEEDS_PAYMENT')),
    refund('amount 2^53 + 2', amount(2 ** 53 + 2), V),
    refund('amount 10^12 (more than paid)', amount(1e12), J(422, 'REFUND_EXCEEDS_PAYMENT')),
    refund('no reason', { json: { amount: 1 } }, V),
    refund('reason of spaces', { json: { amount: 1, reason: '   ' } }, V),
    refund('reason 1,001 characters', { json: { amount: 1, reason: 'x'.repeat(1001) } }, V),
    refund('externalReference 101 characters', { json: { amount: 1, reason: 'x', externalReference: 'r'.repeat(101) } }, V),
    refund('an unknown key', { json: { amount: 1, reason: 'x', paymentId: '1' } }, V),
    refund('NUL in the reason (more than paid)', { json: { amount: 150_001, reason: `x${NUL}` } }, J(422, 'REFUND_EXCEEDS_PAYMENT')),
    refund('unknown reference', amount(1), J(404, 'PAYMENT_NOT_FOUND'), 'dvcKHONGCO2026010112000001'),
    // Past the router's 100 characters a parameter never reaches the route.
    refund('reference 101 characters', amount(1), J(414, 'URI_TOO_LONG'), 'r'.repeat(101)),
    refund('reference 100 characters', amount(1), J(404, 'PAYMENT_NOT_FOUND'), 'r'.repeat(100)),
    refund('reference with NUL', amount(1), J(400, 'BAD_REQUEST'), enc(`quay${NUL}`)),
    refund('reference SQL-ish', amount(1), J(404, 'PAYMENT_NOT_FOUND'), enc("' OR 1=1 --")),
    refund('anonymous', amount(1), J(401, 'UNAUTHENTICATED'), '{reference}', 'anon'),
    refund('the tracking token holder', amount(1), J(401, 'UNAUTHENTICATED'), '{reference}', 'citizen'),
    refund('a school of another unit', amount(1), J(403, 'UNIT_FORBIDDEN'), '{reference}', 'school3'),
    refund('a specialist of the holding unit', amount(1), J(403, 'ACTION_FORBIDDEN'), '{reference}', 'specialist'),

    // Desk payments: exactly the fee, once.
    desk('amount 0', { json: { amount: 0 } }, V),
    desk('amount -150000', { json: { amount: -150_000 } }, V),
    desk('amount 1e309', { raw: '{"amount":1e309}', type: 'application/json' }, V),
    desk('amount 10^16', { json: { amount: 1e16 } }, V),
    desk('amount "abc"', { json: { amount: 'abc' } }, V),
    // z.coerce in the desk payment's schema still reads these as 1 đồng (see refunds' schema): never the fee, so refused.
    desk('amount true', { json: { amount: true } }, J(422, 'VALIDATION_FAILED')),
    desk('amount [1]', { json: { amount: [1] } }, J(422, 'VALIDATION_FAILED')),
    desk('amount as an object', { json: { amount: { $gt: 0 } } }, V),
    desk('truncated JSON', { raw: '{"amount": 150000', type: 'application/json' }, J(400, 'BAD_REQUEST')),
    desk('JSON array', { raw: '[150000]', type: 'application/json' }, V),
    desk('10,000 nested arrays', { raw: DEEP_JSON, type: 'application/json' }, V),
    desk('application/xml', { raw: '<amount>150000</amount>', type: 'application/xml' }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    desk('amount 150000.5', { json: { amount: 150_000.5 } }, V),
    desk('reference 101 characters', { json: { amount: 150_000, reference: 'r'.repeat(101) } }, V),
    desk('note 501 characters', { json: { amount: 150_000, note: 'n'.repeat(501) } }, V),
    desk('an unknown key', { json: { amount: 150_000, status: 'paid' } }, V),
    desk('the right amount, already paid', { json: { amount: 150_000 } }, J(409, 'PAYMENT_ALREADY_MADE')),
    desk('a free procedure', { json: { amount: 150_000 } }, J(422, 'PAYMENT_NOT_REQUIRED'), 'clerk', '{code2}'),
    desk('anonymous', { json: { amount: 150_000 } }, J(401, 'UNAUTHENTICATED'), 'anon'),
    desk('a school of another unit', { json: { amount: 150_000 } }, J(403, 'UNIT_FORBIDDEN'), 'school3'),

    // The citizen's payment request and the dossier's payments.
    { endpoint: 'POST /api/dossiers/:code/payments', name: 'already paid at the desk', method: 'POST', path: '/api/dossiers/{paidCode}/payments', headers: { authorization: 'Bearer {paidToken}' }, expect: J(409, 'PAYMENT_ALREADY_MADE') },
    { endpoint: 'POST /api/dossiers/:code/payments', name: 'a free procedure', method: 'POST', path: '/api/dossiers/{code2}/payments', who: 'citizen2', expect: J(422, 'PAYMENT_NOT_REQUIRED') },
    { endpoint: 'POST /api/dossiers/:code/payments', name: 'another dossier\'s token', method: 'POST', path: '/api/dossiers/{paidCode}/payments', who: 'citizen', expect: J(404, 'DOSSIER_NOT_FOUND') },
    { endpoint: 'POST /api/dossiers/:code/payments', name: 'JSON garbage body', method: 'POST', path: '/api/dossiers/{paidCode}/payments', headers: { authorization: 'Bearer {paidToken}' }, body: { raw: '{', type: 'application/json' }, expect: J(400, 'BAD_REQUEST') },
    { endpoint: 'POST /api/dossiers/:code/payments', name: 'staff', method: 'POST', path: '/api/dossiers/{paidCode}/payments', who: 'clerk', expect: J(403, 'FORBIDDEN') },
    get('GET /api/dossiers/:code/payments', 'another dossier\'s token', '/api/dossiers/{paidCode}/payments', J(404, 'DOSSIER_NOT_FOUND'), 'citizen'),
    get('GET /api/dossiers/:code/payments/:reference/receipt', 'unknown reference', '/api/dossiers/{paidCode}/payments/dvcKHONGCO2026010112000001/receipt', J(404, 'PAYMENT_NOT_FOUND'), 'clerk'),
    get('GET /api/dossiers/:code/payments/:reference/receipt', 'another dossier\'s code', '/api/dossiers/{code}/payments/{reference}/receipt', J(404, 'PAYMENT_NOT_FOUND'), 'clerk'),
    get('GET /api/dossiers/:code/payments/:reference/receipt', 'reference 101 characters', `/api/dossiers/{paidCode}/payments/${'r'.repeat(101)}/receipt`, J(414, 'URI_TOO_LONG'), 'clerk'),
    get('GET /api/dossiers/:code/payments/:reference/receipt', 'reference with NUL', `/api/dossiers/{paidCode}/payments/${enc(`quay${NUL}`)}/receipt`, J(400, 'BAD_REQUEST'), 'clerk'),
    get('GET /ho-so/:code/bien-lai/:reference', 'unknown reference', '/ho-so/{paidCode}/bien-lai/dvcKHONGCO2026010112000001', PAGE(404), 'clerk'),
    get('GET /ho-so/:code/bien-lai/:reference', 'another dossier\'s code', '/ho-so/{code}/bien-lai/{reference}', PAGE(404), 'clerk'),

    // The platform's callback: the checksum authenticates; a body that is not the platform's message is refused, never 5xx.
    confirm('forged checksum', { json: forged }, FORGED),
    confirm('no MaXacThuc', { json: unsigned }, FORGED),
    confirm('MaXacThuc as a number', { json: { ...unsigned, MaXacThuc: 1 } }, FORGED),
    confirm('MaXacThuc 10,000 characters', { json: { ...unsigned, MaXacThuc: 'a'.repeat(10_000) } }, FORGED),
    confirm('an empty object', { json: {} }, FORGED),
    confirm('a JSON array', { json: [forged] }, FORGED),
    confirm('a JSON string', { raw: '"CONFIRM"', type: 'application/json' }, FORGED),
    confirm('JSON null', { raw: 'null', type: 'application/json' }, FORGED),
    confirm('nested fields', { json: { ...forged, MaThamChieu: { $ne: '' }, SoTien: [150_000] } }, FORGED),
    // Nested deep, yet small (a callback is a dozen short fields; larger bodies are refused before parsing).
    confirm('1,000 nested objects', { raw: `${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}`, type: 'application/json' }, FORGED),
    confirm('2,000 nested arrays', { raw: `${'['.repeat(2_000)}${']'.repeat(2_000)}`, type: 'application/json' }, FORGED),
    confirm('SoTien 1e309', { raw: JSON.stringify(forged).replace('"SoTien":150000', '"SoTien":1e309'), type: 'application/json' }, FORGED),
    confirm('__proto__ key', { raw: `{"__proto__":{"verified":true},${JSON.stringify(forged).slice(1)}`, type: 'application/json' }, J(400, 'BAD_REQUEST')),
    confirm('truncated JSON', { raw: '{"MaLoi":"00"', type: 'application/json' }, J(400, 'BAD_REQUEST')),
    confirm('empty body', { raw: '', type: 'application/json' }, J(400, 'BAD_REQUEST')),
    confirm('urlencoded', { raw: 'MaLoi=00', type: 'application/x-www-form-urlencoded' }, J(415, 'UNSUPPORTED_MEDIA_TYPE')),
    confirm('over 1 MB', { raw: `{"ThongTinGiaoDich":"${'x'.repeat(1_100_000)}"}`, type: 'application/json' }, J(413, 'PAYLOAD_TOO_LARGE')),
    // Signed with the right secret, but wrong: refused by content, with the platform's codes.
    confirm('signed, unknown reference', { json: signedConfirm({}) }, J(404, 'PAYMENT_NOT_FOUND')),
    confirm('signed, a desk payment\'s reference', { json: signedConfirm({ MaThamChieu: 'quayKHONGCO2026010112000001' }) }, J(404, 'PAYMENT_NOT_FOUND')),
    confirm('signed, another partner', { json: signedConfirm({ MaDoiTac: 'KE-GIA-MAO' }) }, J(422, 'PAYMENT_CALLBACK_MISMATCH')),
    confirm('signed, SoTien -1', { json: signedConfirm({ SoTien: -1 }) }, J(400, 'PAYMENT_CALLBACK_INVALID')),
    confirm('signed, SoTien "abc"', { json: signedConfirm({ SoTien: 'abc' }) }, J(400, 'PAYMENT_CALLBACK_INVALID')),
    confirm('signed, ThoiGianGD not a time', { json: signedConfirm({ ThoiGianGD: 'hom-qua' }) }, J(400, 'PAYMENT_CALLBACK_INVALID')),
    confirm('signed, MaThamChieu 101 characters', { json: signedConfirm({ MaThamChieu: 'r'.repeat(101) }) }, J(400, 'PAYMENT_CALLBACK_INVALID')),
    confirm('signed, ThongTinGiaoDich 501 characters', { json: signedConfirm({ ThongTinGiaoDich: 't'.repeat(501) }) }, J(400, 'PAYMENT_CALLBACK_INVALID')),

    // The return page: only a reference of ours is a payment; the query string proves nothing.
    get('GET /thanh-toan/ket-qua', 'no data', '/thanh-toan/ket-qua', PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'unknown reference', '/thanh-toan/ket-qua?data=dvcKHONGCO2026010112000001&responseCode=00', PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'data repeated', '/thanh-toan/ket-qua?data={reference}&data=x', PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'data 10,000 characters', `/thanh-toan/ket-qua?data=${'d'.repeat(10_000)}`, PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'NUL in data', `/thanh-toan/ket-qua?data=${enc(`{reference}${NUL}`)}`, PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'SQL-ish data', `/thanh-toan/ket-qua?data=${enc("' OR 1=1 --")}`, PAGE(404)),
    get('GET /thanh-toan/ket-qua', 'a real reference, no access to the dossier', '/thanh-toan/ket-qua?data={reference}', PAGE(200)),

    // The staff panel's forms: every refusal back on the dossier page.
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'amount "abc"', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { form: { amount: 'abc' } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'amount -1', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { form: { amount: '-1' } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'amount 1e309', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { form: { amount: '1e309' } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'amount repeated', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { form: { amount: ['1', '150000'] } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'bad JSON', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { raw: '{', type: 'application/json' }, PAGE(400)),
    page('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', 'no CSRF token', '/can-bo/ho-so/{paidCode}/thanh-toan/tai-quay', { form: { amount: '150000' } }, PAGE(403), false),
    ...['0', '-1', '1e309', 'abc', '', '1.5'].map((value) => page('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', `amount "${value}"`,
      '/can-bo/ho-so/{paidCode}/thanh-toan/{reference}/hoan-tra', { form: { amount: value, reason: 'Hoàn trả thử' } }, BACK)),
    page('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', 'reason 1,001 characters', '/can-bo/ho-so/{paidCode}/thanh-toan/{reference}/hoan-tra', { form: { amount: '1', reason: 'x'.repeat(1001) } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', 'unknown reference', '/can-bo/ho-so/{paidCode}/thanh-toan/khong-co/hoan-tra', { form: { amount: '1', reason: 'x' } }, BACK),
    page('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', 'no CSRF token', '/can-bo/ho-so/{paidCode}/thanh-toan/{reference}/hoan-tra', { form: { amount: '1', reason: 'x' } }, PAGE(403), false),

    // The administrators' list and its page.
    get('GET /api/admin/payments', 'anonymous', '/api/admin/payments', J(401, 'UNAUTHENTICATED')),
    get('GET /api/admin/payments', 'clerk', '/api/admin/payments', J(403, 'FORBIDDEN'), 'clerk'),
    get('GET /api/admin/payments', 'unknown status', '/api/admin/payments?status=refunded', V, 'admin'),
    get('GET /api/admin/payments', 'method repeated', '/api/admin/payments?method=online&method=desk', V, 'admin'),
    get('GET /api/admin/payments', 'month 13', '/api/admin/payments?from=2026-13-01', V, 'admin'),
    get('GET /api/admin/payments', 'from after to', '/api/admin/payments?from=2026-05-01&to=2026-01-01', V, 'admin'),
    get('GET /api/admin/payments', 'limit 0', '/api/admin/payments?limit=0', V, 'admin'),
    get('GET /api/admin/payments', 'limit 1e309', '/api/admin/payments?limit=1e309', V, 'admin'),
    get('GET /api/admin/payments', 'NUL in from', `/api/admin/payments?from=${enc(NUL)}`, V, 'admin'),
    get('GET /quan-tri/thanh-toan', 'unknown status', '/quan-tri/thanh-toan?status=refunded', PAGE(422), 'admin'),
    get('GET /quan-tri/thanh-toan', 'from 10,000 characters', `/quan-tri/thanh-toan?from=${'9'.repeat(10_000)}`, PAGE(422), 'admin'),
    get('GET /quan-tri/thanh-toan', 'outcome that is not counts', `/quan-tri/thanh-toan?doi_soat=${enc('<script>')}`, PAGE(200), 'admin'),
    get('GET /quan-tri/lien-thong/dong-bo', 'junk query', `/quan-tri/lien-thong/dong-bo?tb=${enc('<b>x</b>')}&tb=1`, PAGE(200), 'admin'),

    // The public Decision 766 summary (at most 30 asks a minute from one address: these stay under).
    get('GET /api/public/index-766', 'period week', `${index}?period=week`, V),
    get('GET /api/public/index-766', 'month 13', `${index}?period=month&month=13`, V),
    get('GET /api/public/index-766', 'quarter 5', `${index}?period=quarter&quarter=5`, V),
    get('GET /api/public/index-766', 'year abcd', `${index}?period=year&year=abcd`, V),
    get('GET /api/public/index-766', 'a year not begun', `${index}?period=year&year=2999`, V),
    get('GET /api/public/index-766', 'period 17 characters', `${index}?period=${'p'.repeat(17)}`, V),
    get('GET /api/public/index-766', 'NUL in the period', `${index}?period=${enc(NUL)}`, V),
    get('GET /chi-so-phuc-vu', 'period week', '/chi-so-phuc-vu?period=week', PAGE(422)),
    get('GET /chi-so-phuc-vu', 'year 99999999', '/chi-so-phuc-vu?period=year&year=99999999', PAGE(422)),
    get('GET /chi-so-phuc-vu', 'period repeated', '/chi-so-phuc-vu?period=month&period=x', PAGE(422)),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Confirmation of enrolment and the supplementary round: the family's bodies (validated before anything is looked up; a
// well-formed one about a pupil nobody registered is the dossiers' 404), the public offer's id, the desk's body and the
// assignment's round. Nothing confirms, chooses or starts a run (ts10-demo has no confirmation window).
function enrolmentCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const DNF = J(404, 'DOSSIER_NOT_FOUND');
  const ok = { campaign: 'ts10-demo', pupilIdNumber: '038299999999' };
  const E = '/api/admissions/enrolment';
  const S = '/api/admissions/supplementary';
  const confirm = (name: string, json: unknown, expect: Expected): HttpCase => ({ endpoint: `POST ${E}`, name, method: 'POST', path: E, who: 'anon', body: { json }, expect });
  const choose = (name: string, json: unknown, expect: Expected): HttpCase => ({ endpoint: `PUT ${S}`, name, method: 'PUT', path: S, who: 'anon', body: { json }, expect });
  const desk = (name: string, json: unknown, expect: Expected): HttpCase => ({
    endpoint: 'POST /api/admin/campaigns/:id/enrolments', name, method: 'POST', path: '/api/admin/campaigns/ts10-demo/enrolments', who: 'admin', body: { json }, expect,
  });
  const run = (name: string, json: unknown): HttpCase => ({
    endpoint: 'POST /api/admin/campaigns/:id/assignment', name, method: 'POST', path: '/api/admin/campaigns/khong-co/assignment', who: 'admin', body: { json }, expect: V,
  });
  return [
    confirm('nobody registered this pupil', ok, DNF),
    confirm('empty object', {}, V),
    confirm('an array', [ok], V),
    confirm('null', null, V),
    confirm('pupil id 11 digits', { ...ok, pupilIdNumber: '03829999999' }, V),
    confirm('pupil id a number', { ...ok, pupilIdNumber: 38299999999 }, V),
    confirm('campaign SQL-ish', { ...ok, campaign: "' OR 1=1 --" }, V),
    confirm('campaign with NUL', { ...ok, campaign: `ts10${NUL}` }, V),
    { endpoint: `POST ${E}`, name: 'nested 5,000 deep', method: 'POST', path: E, who: 'anon', body: DEEP_OBJECT_BODY, expect: V },
    choose('nobody registered this pupil', { ...ok, choices: ['thpt-lam-son'] }, DNF),
    choose('empty object', {}, V),
    choose('pupil id full-width digits', { ...ok, pupilIdNumber: '０３８２９９９９９９９９', choices: ['thpt-lam-son'] }, V),
    choose('campaign 5,000 characters', { ...ok, campaign: 'a'.repeat(5_000), choices: [] }, V),
    { endpoint: 'GET /api/campaigns/:id/supplementary', name: 'id SQL-ish', method: 'GET', path: `/api/campaigns/${encodeURIComponent("' OR 1=1 --")}/supplementary`, who: 'anon', expect: V },
    { endpoint: 'GET /api/campaigns/:id/supplementary', name: 'id 60 characters', method: 'GET', path: `/api/campaigns/${'a'.repeat(60)}/supplementary`, who: 'anon', expect: V },
    desk('empty object', {}, V),
    desk('pupil id with a letter', { pupilIdNumber: '03829999999a' }, V),
    desk('a string', '038299999999', V),
    run('round unknown', { round: 'third' }),
    run('round a number', { round: 2 }),
    run('an unknown field', { round: 'main', force: true }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Re-marking requests (phúc khảo): the citizen's request body and query (validated before anything is looked up; a
// well-formed request about a pupil nobody registered is the dossiers' 404), the administrator's list query and answers
// (an unknown or malformed request id is the same 404, before the body is read). No case files or answers anything.
function remarkingCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const NF = J(404, 'NOT_FOUND');
  const DNF = J(404, 'DOSSIER_NOT_FOUND');
  const R = '/api/admissions/remarking';
  const A = '/api/admin/campaigns';
  const REQ = '00000000-0000-4000-8000-000000000000';
  const ok = { campaign: 'ts10-demo', pupilIdNumber: '038299999999', subjects: ['Toán'] };
  const file = (name: string, json: unknown, expect: Expected): HttpCase => ({ endpoint: `POST ${R}`, name, method: 'POST', path: R, who: 'anon', body: { json }, expect });
  const read = (name: string, query: string, expect: Expected): HttpCase => ({ endpoint: `GET ${R}`, name, method: 'GET', path: `${R}?${query}`, who: 'anon', expect });
  const list = (name: string, path: string, expect: Expected): HttpCase => ({ endpoint: 'GET /api/admin/campaigns/:id/remarking', name, method: 'GET', path, who: 'admin', expect });
  const decide = (name: string, path: string, body: Body, expect: Expected): HttpCase => ({
    endpoint: 'POST /api/admin/campaigns/:id/remarking/:requestId', name, method: 'POST', path, who: 'admin', body, expect,
  });
  return [
    file('nobody registered this pupil', ok, DNF),
    file('empty object', {}, V),
    file('an array', [ok], V),
    file('a string', 'phuc khao', V),
    file('null', null, V),
    file('subjects empty', { ...ok, subjects: [] }, V),
    file('subjects a string', { ...ok, subjects: 'Toán' }, V),
    file('an unknown subject', { ...ok, subjects: ['Hóa học'] }, V),
    file('a subject twice', { ...ok, subjects: ['Toán', 'Toán'] }, V),
    file('10,000 subjects', { ...ok, subjects: Array<string>(10_000).fill('Toán') }, V),
    file('a subject with NUL', { ...ok, subjects: [`Toán${NUL}`] }, V),
    file('a subject as an object', { ...ok, subjects: [{ name: 'Toán' }] }, V),
    file('reason 5,000 characters', { ...ok, reason: 'x'.repeat(5_000) }, V),
    file('reason a number', { ...ok, reason: 7 }, V),
    file('pupil id 11 digits', { ...ok, pupilIdNumber: '03829999999' }, V),
    file('pupil id a number', { ...ok, pupilIdNumber: 38299999999 }, V),
    file('pupil id full-width digits', { ...ok, pupilIdNumber: '０３８２９９９９９９９９' }, V),
    file('campaign SQL-ish', { ...ok, campaign: "' OR 1=1 --" }, V),
    file('campaign with NUL', { ...ok, campaign: `ts10${NUL}` }, V),
    file('an unknown field', { ...ok, status: 'changed' }, V),
    { endpoint: `POST ${R}`, name: 'nested 5,000 deep', method: 'POST', path: R, who: 'anon', body: DEEP_OBJECT_BODY, expect: V },
    read('nobody registered this pupil', 'campaign=ts10-demo&pupilIdNumber=038299999999', DNF),
    read('no query', '', V),
    read('pupil id with a letter', 'campaign=ts10-demo&pupilIdNumber=03829999999a', V),
    read('pupil id repeated', 'campaign=ts10-demo&pupilIdNumber=038299999999&pupilIdNumber=038299999998', V),
    read('campaign 5,000 characters', `campaign=${'a'.repeat(5_000)}&pupilIdNumber=038299999999`, V),
    list('status unknown', `${A}/ts10-demo/remarking?status=xyz`, V),
    list('status repeated', `${A}/ts10-demo/remarking?status=changed&status=refused`, V),
    list('page 0', `${A}/ts10-demo/remarking?page=0`, V),
    list('page -1', `${A}/ts10-demo/remarking?page=-1`, V),
    list('page 1.5', `${A}/ts10-demo/remarking?page=1.5`, V),
    list('page 1e9', `${A}/ts10-demo/remarking?page=1e9`, V),
    list('page a word', `${A}/ts10-demo/remarking?page=mot`, V),
    list('unknown campaign', `${A}/khong-co/remarking`, NF),
    list('campaign 65 characters', `${A}/${'a'.repeat(65)}/remarking`, V),
    list('campaign SQL-ish', `${A}/${enc("' OR 1=1 --")}/remarking`, NF),
    decide('unknown request', `${A}/ts10-demo/remarking/${REQ}`, { json: { outcome: 'refused', note: 'x' } }, NF),
    decide('request id not a uuid', `${A}/ts10-demo/remarking/khong-phai-uuid`, { json: { outcome: 'refused', note: 'x' } }, NF),
    decide('request id with NUL', `${A}/ts10-demo/remarking/${REQ.slice(0, 35)}${enc(NUL)}`, { json: { outcome: 'refused', note: 'x' } }, NF),
    decide('request id 65 characters', `${A}/ts10-demo/remarking/${'a'.repeat(65)}`, { json: { outcome: 'refused', note: 'x' } }, V),
    decide('unknown request, body an array', `${A}/ts10-demo/remarking/${REQ}`, { json: [1, 2] }, NF),
    decide('unknown request, newScore 1e400', `${A}/ts10-demo/remarking/${REQ}`, { raw: '{"outcome":"changed","newScore":1e400,"note":"x"}', type: 'application/json' }, NF),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The admission season (issue 14): campaign and run ids, the results' and cut-offs' queries, the public look-up's
// pupil id and birth date, and the scores file (as the administrator, on ts10-demo: no case may import a row or start a
// run; bad-inputs.test.ts checks admissionState).
function admissionCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const NF = J(404, 'NOT_FOUND');
  const ARNF = J(404, 'ADMISSION_RESULT_NOT_FOUND');
  const A = '/api/admin/campaigns';
  const call = (endpoint: string, method: Method, path: string, name: string, expect: Expected, body?: Body, who = 'admin'): HttpCase => ({ endpoint, name, method, path, who, body, expect });
  const get = (endpoint: string, name: string, path: string, expect: Expected, who = 'admin') => call(endpoint, 'GET', path, name, expect, undefined, who);
  const ids: Array<[string, string, Expected]> = [
    ['unknown campaign', 'khong-co', NF], ['SQL-ish', enc("' OR 1=1 --"), NF], ['path traversal', enc('../../etc/passwd'), NF],
    ['NUL byte', `ts10${enc(NUL)}demo`, J(400, 'BAD_REQUEST')], ['65 characters', 'a'.repeat(65), V], ['5,000 characters', 'a'.repeat(5_000), J(414, 'URI_TOO_LONG')],
  ];
  const RUN = '00000000-0000-4000-8000-000000000000';
  const runs: Array<[string, string, Expected]> = [
    ['unknown run', RUN, NF], ['run id not a uuid', 'khong-phai-uuid', NF], ['run id upper case', RUN.toUpperCase(), NF],
    ['NUL in the run id', `${RUN.slice(0, 35)}${enc(NUL)}`, NF], ['run id 65 characters', 'a'.repeat(65), V], ['run id 5,000 characters', 'a'.repeat(5_000), J(414, 'URI_TOO_LONG')],
  ];
  const lookup = (name: string, query: string, expect: Expected) => get('GET /api/admissions/result', name, `/api/admissions/result?${query}`, expect, 'anon');
  const pupil = (id: string, birth = '2011-01-02') => `campaign=ts10-demo&pupilIdNumber=${id}&birthDate=${birth}`;
  const scores = (name: string, parts: Part[], expect: Expected, extra: Partial<Extract<Body, { multipart: Part[] }>> = {}, who = 'admin') =>
    call('POST /api/admin/campaigns/:id/scores', 'POST', `${A}/ts10-demo/scores`, name, expect, { multipart: parts, ...extra }, who);
  const csv = (name: string, text: string | Buffer, fileName = 'diem.csv') => ({ name: 'file', filename: fileName, contentType: 'text/csv', value: text }) satisfies Part;
  const HEADER = 'pupilIdNumber,score,priorityPoints\n';
  return [
    ...ids.flatMap(([label, id, expect]) => [
      get('GET /api/admin/campaigns/:id/results', label, `${A}/${id}/results`, expect),
      get('GET /api/admin/campaigns/:id/cutoffs', label, `${A}/${id}/cutoffs`, expect),
      call('POST /api/admin/campaigns/:id/assignment', 'POST', `${A}/${id}/assignment`, label, expect),
      // The run is looked up by its id first (the campaign is only compared): a NUL never reaches PostgreSQL.
      get('GET /api/admin/campaigns/:id/assignment/:runId', label, `${A}/${id}/assignment/${RUN}`, expect.status === 400 ? NF : expect),
      call('POST /api/admin/campaigns/:id/assignment/:runId/notices', 'POST', `${A}/${id}/assignment/${RUN}/notices`, label, expect.status === 400 ? NF : expect),
    ]),
    ...runs.flatMap(([label, run, expect]) => [
      get('GET /api/admin/campaigns/:id/assignment/:runId', label, `${A}/ts10-demo/assignment/${run}`, expect),
      call('POST /api/admin/campaigns/:id/assignment/:runId/publish', 'POST', `${A}/ts10-demo/assignment/${run}/publish`, label, expect),
      get('GET /api/admin/campaigns/:id/assignment/:runId/changes', label, `${A}/ts10-demo/assignment/${run}/changes?since=${RUN}`, expect),
      call('POST /api/admin/campaigns/:id/assignment/:runId/notices', 'POST', `${A}/ts10-demo/assignment/${run}/notices`, label, expect),
      get('GET /api/admin/campaigns/:id/assignment/:runId/notices', label, `${A}/ts10-demo/assignment/${run}/notices`, expect),
      // In the query, no router limit: the schema's 64 characters.
      get('GET /api/admin/campaigns/:id/results', `?run= ${label}`, `${A}/ts10-demo/results?run=${run}`, expect.status === 414 ? V : expect),
    ]),
    get('GET /api/admin/campaigns/:id/assignment/:runId/changes', 'no since', `${A}/ts10-demo/assignment/${RUN}/changes`, V),
    get('GET /api/admin/campaigns/:id/assignment/:runId/changes', 'since not a uuid', `${A}/ts10-demo/assignment/${RUN}/changes?since=x`, NF),
    get('GET /api/admin/campaigns/:id/assignment/:runId/changes', 'since repeated', `${A}/ts10-demo/assignment/${RUN}/changes?since=${RUN}&since=${RUN}`, V),
    get('GET /api/admin/campaigns/:id/assignment/:runId/changes', 'since 65 characters', `${A}/ts10-demo/assignment/${RUN}/changes?since=${'a'.repeat(65)}`, V),
    get('GET /api/admin/campaigns/:id/results', 'format xml', `${A}/ts10-demo/results?format=xml`, V),
    get('GET /api/admin/campaigns/:id/results', 'format repeated', `${A}/ts10-demo/results?format=csv&format=json`, V),
    get('GET /api/admin/campaigns/:id/results', 'run repeated', `${A}/ts10-demo/results?run=${RUN}&run=${RUN}`, V),
    get('GET /api/admin/campaigns/:id/cutoffs', 'run repeated', `${A}/ts10-demo/cutoffs?run=${RUN}&run=${RUN}`, V),
    get('GET /api/admin/campaigns/:id/cutoffs', 'run not a uuid', `${A}/ts10-demo/cutoffs?run=x`, NF),
    get('GET /api/admin/campaigns/:id/cutoffs', 'NUL in the run', `${A}/ts10-demo/cutoffs?run=${enc(NUL)}`, NF),
    // Not published: the same 404 to anyone not an administrator, whatever the run asked for.
    get('GET /api/admin/campaigns/:id/cutoffs', 'anonymous, run of nothing', `${A}/ts10-demo/cutoffs?run=${RUN}`, NF, 'anon'),

    // The public look-up: every malformed field 422, anything well-formed but unknown the one 404.
    lookup('unknown pupil', pupil('038211111111'), ARNF),
    lookup('pupil id 11 digits', pupil('03821111111'), V),
    lookup('pupil id 13 digits', pupil('0382111111111'), V),
    lookup('pupil id with a letter', pupil('03821111111a'), V),
    lookup('pupil id with NUL', pupil(`03821111111${enc(NUL)}`), V),
    lookup('pupil id with a space', pupil(enc(' 038211111111')), V),
    lookup('pupil id in full-width digits', pupil(enc('０３８２１１１１１１１１')), V),
    lookup('pupil id 10,000 digits', pupil('9'.repeat(10_000)), V),
    lookup('pupil id empty', pupil(''), V),
    lookup('pupil id repeated', `${pupil('038211111111')}&pupilIdNumber=038211111112`, V),
    lookup('no pupil id', 'campaign=ts10-demo&birthDate=2011-01-02', V),
    lookup('birth date 2026-02-30', pupil('038211111111', '2026-02-30'), V),
    lookup('birth date month 13', pupil('038211111111', '2011-13-01'), V),
    lookup('birth date without dashes', pupil('038211111111', '20110102'), V),
    lookup('birth date d/m/y', pupil('038211111111', enc('02/01/2011')), V),
    lookup('birth date with NUL', pupil('038211111111', `2011-01-0${enc(NUL)}`), V),
    lookup('birth date repeated', `${pupil('038211111111')}&birthDate=2011-01-03`, V),
    lookup('no birth date', 'campaign=ts10-demo&pupilIdNumber=038211111111', V),
    lookup('campaign upper case', 'campaign=TS10-DEMO&pupilIdNumber=038211111111&birthDate=2011-01-02', V),
    lookup('campaign 65 characters', `campaign=${'a'.repeat(65)}&pupilIdNumber=038211111111&birthDate=2011-01-02`, V),
    lookup('campaign with NUL', `campaign=ts10${enc(NUL)}&pupilIdNumber=038211111111&birthDate=2011-01-02`, V),
    lookup('campaign repeated', `${pupil('038211111111')}&campaign=ts10-2025`, V),
    lookup('no campaign', 'pupilIdNumber=038211111111&birthDate=2011-01-02', V),
    lookup('unknown campaign', 'campaign=khong-co&pupilIdNumber=038211111111&birthDate=2011-01-02', ARNF),
    lookup('SQL-ish campaign', `campaign=${enc("' OR 1=1 --")}&pupilIdNumber=038211111111&birthDate=2011-01-02`, V),
    // Demand: the id's pattern, then open or published.
    get('GET /api/campaigns/:id/demand', 'unknown campaign', '/api/campaigns/khong-co/demand', NF, 'anon'),
    get('GET /api/campaigns/:id/demand', 'closed, not published', '/api/campaigns/ts10-2025/demand', NF, 'anon'),
    get('GET /api/campaigns/:id/demand', 'upper case', '/api/campaigns/TS10-DEMO/demand', V, 'anon'),
    get('GET /api/campaigns/:id/demand', 'one character', '/api/campaigns/a/demand', V, 'anon'),
    get('GET /api/campaigns/:id/demand', 'NUL byte', `/api/campaigns/ts10${enc(NUL)}/demand`, V, 'anon'),
    get('GET /api/campaigns/:id/demand', '65 characters', `/api/campaigns/${'a'.repeat(65)}/demand`, V, 'anon'),
    get('GET /api/campaigns/:id/demand', '5,000 characters', `/api/campaigns/${'a'.repeat(5_000)}/demand`, J(414, 'URI_TOO_LONG'), 'anon'),
    get('GET /api/campaigns/:id/demand', 'SQL-ish', `/api/campaigns/${enc("' OR 1=1 --")}/demand`, V, 'anon'),

    // The scores file: all or nothing, so every bad file leaves the scores as they were.
    call('POST /api/admin/campaigns/:id/scores', 'POST', `${A}/ts10-demo/scores`, 'JSON instead of multipart', J(415, 'UNSUPPORTED_MEDIA_TYPE'), { json: { file: HEADER } }),
    scores('no file', [{ name: 'note', value: 'x' }], V),
    scores('a PDF', [csv('a PDF', PDF_PLACEHOLDER, 'diem.pdf')], V),
    scores('a PDF named .csv', [csv('x', PDF_PLACEHOLDER)], V),
    scores('empty file', [csv('x', '')], V),
    scores('binary bytes', [csv('x', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x0d, 0x0a, 0xc3, 0x28]))], V),
    scores('header only', [csv('x', HEADER)], V),
    scores('header only, no newline', [csv('x', HEADER.trim())], V),
    scores('a cell of 10,000 characters', [csv('x', `${HEADER}${'9'.repeat(10_000)},27.25,0\n`)], V),
    scores('a score of 10,000 characters', [csv('x', `${HEADER}038211111111,${'9'.repeat(10_000)},0\n`)], V),
    scores('unknown column', [csv('x', 'pupilIdNumber,score,priorityPoints,hack\n038211111111,27.25,0,1\n')], V),
    scores('no score column', [csv('x', 'pupilIdNumber,priorityPoints\n038211111111,0\n')], V),
    scores('pupil id 11 digits', [csv('x', `${HEADER}03821111111,27.25,0\n`)], V),
    scores('pupil id with NUL', [csv('x', `${HEADER}03821111111${NUL},27.25,0\n`)], V),
    scores('formula as the pupil id', [csv('x', `${HEADER}=HYPERLINK("x"),27.25,0\n`)], V),
    scores('the same pupil twice', [csv('x', `${HEADER}038211111111,27.25,0\n038211111111,20,0\n`)], V),
    scores('score -1', [csv('x', `${HEADER}038211111111,-1,0\n`)], V),
    scores('score 1e309', [csv('x', `${HEADER}038211111111,1e309,0\n`)], V),
    scores('score 27.255', [csv('x', `${HEADER}038211111111,27.255,0\n`)], V),
    scores('score abc', [csv('x', `${HEADER}038211111111,abc,0\n`)], V),
    scores('one good line, one bad', [csv('x', `${HEADER}038211111111,27.25,0\n038211111112,abc,0\n`)], V),
    scores('an XLSX bomb', [csv('x', xlsxBomb(50), 'diem.xlsx')], V),
    scores('an XLSX that is not a zip', [csv('x', 'not a zip', 'diem.xlsx')], V),
    scores('truncated multipart', [csv('x', `${HEADER}038211111111,27.25,0\n`)], J(400, 'BAD_REQUEST'), { truncate: 60 }),
    scores('multipart without a boundary', [csv('x', `${HEADER}038211111111,27.25,0\n`)], J(400, 'BAD_REQUEST'), { boundary: null }),
    // A good file, from anyone else: refused before the upload is read.
    scores('a good file from the clerk', [csv('x', `${HEADER}038211111111,27.25,0\n`)], J(403, 'FORBIDDEN'), {}, 'clerk'),
    scores('a good file from anyone', [csv('x', `${HEADER}038211111111,27.25,0\n`)], J(401, 'UNAUTHENTICATED'), {}, 'anon'),
    call('POST /api/admin/campaigns/:id/scores', 'POST', `${A}/khong-co/scores`, 'a good file, unknown campaign', NF, { multipart: [csv('x', `${HEADER}038211111111,27.25,0\n`)] }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-verification (tiền kiểm): the roster file, the list's query and the answers (as the administrator, on ts10-demo,
// which has no preVerification window: a good file is refused 409 after the file's checks, so no case imports a row;
// bad-inputs.test.ts checks admissionState). The parent's endpoint validates its body before asking who calls.
function rosterCases(): HttpCase[] {
  const V = J(422, 'VALIDATION_FAILED');
  const NF = J(404, 'NOT_FOUND');
  const A = '/api/admin/campaigns';
  const call = (endpoint: string, method: Method, path: string, name: string, expect: Expected, body?: Body, who = 'admin'): HttpCase => ({ endpoint, name, method, path, who, body, expect });
  const HEADER = 'pupilIdNumber,fullName,birthDate,gender,currentSchool,residence,guardianIdNumber\n';
  const GOOD = `${HEADER}038211111111,Nguyễn Văn An,2011-01-02,Nam,THCS Điện Biên,Thanh Hóa,038080000111\n`;
  const csv = (text: string | Buffer, fileName = 'tien-kiem.csv') => ({ name: 'file', filename: fileName, contentType: 'text/csv', value: text }) satisfies Part;
  const roster = (name: string, parts: Part[], expect: Expected, extra: Partial<Extract<Body, { multipart: Part[] }>> = {}, who = 'admin') =>
    call('POST /api/admin/campaigns/:id/roster', 'POST', `${A}/ts10-demo/roster`, name, expect, { multipart: parts, ...extra }, who);
  const list = (name: string, query: string, expect: Expected, id = 'ts10-demo') => call('GET /api/admin/campaigns/:id/roster', 'GET', `${A}/${id}/roster${query}`, name, expect);
  const desk = (name: string, body: Body, expect: Expected, pupil = '038299999999') =>
    call('POST /api/admin/campaigns/:id/roster/:pupilIdNumber', 'POST', `${A}/ts10-demo/roster/${pupil}`, name, expect, body);
  const parent = (name: string, body: Body, expect: Expected, path = '/api/admissions/roster/ts10-demo/038299999999') =>
    call('POST /api/admissions/roster/:campaignId/:pupilIdNumber', 'POST', path, name, expect, body, 'anon');
  return [
    call('POST /api/admin/campaigns/:id/roster', 'POST', `${A}/ts10-demo/roster`, 'JSON instead of multipart', J(415, 'UNSUPPORTED_MEDIA_TYPE'), { json: { file: GOOD } }),
    roster('no file', [{ name: 'note', value: 'x' }], V),
    roster('a PDF', [csv(PDF_PLACEHOLDER, 'ds.pdf')], V),
    roster('empty file', [csv('')], V),
    roster('binary bytes', [csv(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x0d, 0x0a, 0xc3, 0x28]))], V),
    roster('header only', [csv(HEADER)], V),
    roster('unknown column', [csv('pupilIdNumber,fullName,birthDate,hack\n038211111111,An,2011-01-02,1\n')], V),
    roster('no birthDate column', [csv('pupilIdNumber,fullName\n038211111111,An\n')], V),
    roster('pupil id 11 digits', [csv(`${HEADER}03821111111,An,2011-01-02,,,,\n`)], V),
    roster('pupil id with NUL', [csv(`${HEADER}03821111111${NUL},An,2011-01-02,,,,\n`)], V),
    roster('formula as the pupil id', [csv(`${HEADER}=HYPERLINK("x"),An,2011-01-02,,,,\n`)], V),
    roster('birth date 2011-02-30', [csv(`${HEADER}038211111111,An,2011-02-30,,,,\n`)], V),
    roster('birth date 30/02/2011', [csv(`${HEADER}038211111111,An,30/02/2011,,,,\n`)], V),
    roster('birth date in the future', [csv(`${HEADER}038211111111,An,2099-01-01,,,,\n`)], V),
    roster('gender unknown', [csv(`${HEADER}038211111111,An,2011-01-02,x,,,\n`)], V),
    roster('guardian id with letters', [csv(`${HEADER}038211111111,An,2011-01-02,,,,03808000011a\n`)], V),
    roster('a name of 10,000 characters', [csv(`${HEADER}038211111111,${'a'.repeat(10_000)},2011-01-02,,,,\n`)], V),
    roster('the same pupil twice', [csv(`${HEADER}038211111111,An,2011-01-02,,,,\n038211111111,Bình,2011-01-03,,,,\n`)], V),
    roster('an XLSX bomb', [csv(xlsxBomb(50), 'ds.xlsx')], V),
    roster('an XLSX that is not a zip', [csv('not a zip', 'ds.xlsx')], V),
    roster('truncated multipart', [csv(GOOD)], J(400, 'BAD_REQUEST'), { truncate: 60 }),
    roster('multipart without a boundary', [csv(GOOD)], J(400, 'BAD_REQUEST'), { boundary: null }),
    roster('a good file, no pre-verification window', [csv(GOOD)], J(409, 'ADMISSION_WINDOW_CLOSED')),
    roster('a good file from the clerk', [csv(GOOD)], J(403, 'FORBIDDEN'), {}, 'clerk'),
    roster('a good file from anyone', [csv(GOOD)], J(401, 'UNAUTHENTICATED'), {}, 'anon'),
    call('POST /api/admin/campaigns/:id/roster', 'POST', `${A}/khong-co/roster`, 'a good file, unknown campaign', NF, { multipart: [csv(GOOD)] }),
    list('status unknown', '?status=xyz', V),
    list('status repeated', '?status=pending&status=confirmed', V),
    list('page 0', '?page=0', V),
    list('page 1.5', '?page=1.5', V),
    list('page a word', '?page=mot', V),
    list('q 101 characters', `?q=${'a'.repeat(101)}`, V),
    list('q SQL-ish and LIKE wildcards', `?q=${enc("%' OR 1=1 --_")}`, { status: 200 }),
    list('unknown campaign', '', NF, 'khong-co'),
    list('campaign 65 characters', '', V, 'a'.repeat(65)),
    desk('empty body', { json: {} }, V),
    desk('confirm false', { json: { confirm: false } }, V),
    desk('confirm and corrections', { json: { confirm: true, corrections: { fullName: 'An' } } }, V),
    desk('no correction', { json: { corrections: {} } }, V),
    desk('birth date 2011-02-30', { json: { corrections: { birthDate: '2011-02-30' } } }, V),
    desk('gender a number', { json: { corrections: { gender: 1 } } }, V),
    desk('an unknown field', { json: { corrections: { pupilIdNumber: '038211111112' } } }, V),
    desk('a name of 10,000 characters', { json: { corrections: { fullName: 'a'.repeat(10_000) } } }, V),
    desk('an array', { json: [1, 2] }, V),
    desk('nested 5,000 deep', DEEP_OBJECT_BODY, V),
    desk('unknown pupil', { json: { confirm: true } }, NF),
    desk('pupil id with NUL', { json: { confirm: true } }, NF, `03829999999${enc(NUL)}`),
    desk('pupil id 21 characters', { json: { confirm: true } }, V, '9'.repeat(21)),
    parent('empty body', { json: {} }, V),
    parent('corrections a string', { json: { corrections: 'x' } }, V),
    parent('birth date 2011-13-01', { json: { corrections: { birthDate: '2011-13-01' } } }, V),
    parent('a good answer, not signed in', { json: { confirm: true } }, J(401, 'UNAUTHENTICATED')),
    parent('campaign 65 characters', { json: { confirm: true } }, V, `/api/admissions/roster/${'a'.repeat(65)}/038299999999`),
  ];
}

function stringify(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

export function corpus(): HttpCase[] {
  return [
    ...codeCases(), ...jsonCases(), ...apiCases(), ...multipartCases(), ...pageCases(), ...adminJsonCases(), ...adminApiCases(), ...adminPageCases(),
    ...paymentCases(), ...admissionCases(), ...rosterCases(), ...remarkingCases(), ...enrolmentCases(),
  ];
}
