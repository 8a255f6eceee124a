// Who may read or change what, as data: every endpoint that reads or changes a dossier or staff data × every kind of
// caller × the dossier's unit, with the answer the product must give. Written from what the product SHOULD allow
// (DESIGN.md, README "Demo accounts" and "Portal", docs/API.md): a citizen reaches a dossier by its tracking token only;
// staff reach the dossiers of their unit's subtree (the Department's one-stop desk: every unit of the Department),
// keep sight of a dossier their unit handed on, and act only where it is now and only with a role the workflow names
// for the current step; a school never sees the Department's dossiers nor another school's.
//
// Dossiers (seeded by authorization-matrix.test.ts, each in a known state):
//   diploma      diploma-copy, received → `checking` at qlcl (Phòng QLCL): the specialist's step
//   diplomaNew   diploma-copy, `submitted` at qlcl: the one-stop clerk's step
//   transfer     school-transfer within the province, `submitted` at thpt-lam-son (the sending school's step)
//   released     school-transfer released by Lam Sơn → `receiving_review` at thpt-dao-duy-tu; Lam Sơn keeps sight
// Callers, in column order: anonymous, the citizen with the dossier's tracking token, a citizen with ANOTHER dossier's
// token, then the demo staff (README). Placeholders: {code} {token} {doc} {version} of the row's dossier; `citizen2`
// presents the other dossier's token for this code (Bearer, or the browser's remembered-dossier cookie).
import type { Body, Expected, Method } from './corpus-runner.js';

export const CALLERS = ['anon', 'citizen', 'citizen2', 'clerk', 'specialist', 'specialist2', 'leader', 'admin', 'school', 'principal', 'school2', 'principal2', 'school3'] as const;
export type CallerName = typeof CALLERS[number];

export const CALLER_LABELS: Record<CallerName, string> = {
  anon: 'anonymous', citizen: 'citizen (own token)', citizen2: "citizen (another dossier's token)", clerk: 'clerk', specialist: 'specialist',
  specialist2: 'specialist2', leader: 'leader', admin: 'admin', school: 'school (Lam Sơn)', principal: 'principal (Lam Sơn)',
  school2: 'school2 (Đào Duy Từ)', principal2: 'principal2 (Đào Duy Từ)', school3: 'school3 (Hàm Rồng)',
};

/** Where each demo account works (src/db/seed/index.ts). */
export const STAFF_UNITS: Record<string, string> = {
  clerk: 'mot-cua', specialist: 'qlcl', specialist2: 'gdtrh', leader: 'so-gddt', admin: 'so-gddt',
  school: 'thpt-lam-son', principal: 'thpt-lam-son', school2: 'thpt-dao-duy-tu', principal2: 'thpt-dao-duy-tu', school3: 'thpt-ham-rong',
};

export type DossierKey = 'diploma' | 'diplomaNew' | 'transfer' | 'released';
/** The unit each seeded dossier is with now. */
export const DOSSIER_UNITS: Record<DossierKey, string> = { diploma: 'qlcl', diplomaNew: 'qlcl', transfer: 'thpt-lam-son', released: 'thpt-dao-duy-tu' };

const DEPARTMENT_UNITS = ['so-gddt', 'mot-cua', 'qlcl', 'gdtrh'];

/**
 * The matrix's unit dimension: the caller works in the dossier's unit, reaches it from above (the Department's board
 * and its one-stop desk), is the unit it came from (a released transfer's sending school), or another unit.
 */
export function unitRelation(caller: CallerName, dossier: DossierKey | null): 'dossier unit' | 'reaches it' | 'unit it came from' | 'other unit' | '-' {
  const unit = STAFF_UNITS[caller];
  if (!unit || !dossier) return '-';
  const dossierUnit = DOSSIER_UNITS[dossier];
  if (unit === dossierUnit) return 'dossier unit';
  if (dossier === 'released' && unit === DOSSIER_UNITS.transfer) return 'unit it came from';
  if (['so-gddt', 'mot-cua'].includes(unit) && DEPARTMENT_UNITS.includes(dossierUnit)) return 'reaches it';
  return 'other unit';
}

// Answers, written `status CODE` (JSON), `page N` (an HTML page), `303 /prefix` (a redirect), `lists`/`omits` (200 and
// whether the body names the dossier), or `skip: why`.
const OK = '200';
const NF = '404 DOSSIER_NOT_FOUND';
const UF = '403 UNIT_FORBIDDEN';
const AF = '403 ACTION_FORBIDDEN';
const FB = '403 FORBIDDEN';
const UA = '401 UNAUTHENTICATED';
const CR = '422 COMMENT_REQUIRED';
const ST = '409 STALE_VERSION';
const RN = '404 RESULT_NOT_READY';
const NP = '409 SIGNING_NOT_PENDING';
const NK = '403 NO_SIGNING_KEY';
const NPR = '404 PREPARATION_NOT_FOUND';
const P200 = 'page 200';
const P403 = 'page 403';
const P404 = 'page 404';
const P422 = 'page 422';
const LOGIN = '303 /dang-nhap';
const MUTATES = 'skip: would change the token other cells use (allowed callers: test/security/tracking-tokens.test.ts)';

export interface MatrixRow {
  endpoint: string;
  dossier: DossierKey | null;
  method: Method;
  path: string;
  body?: Body;
  csrf?: boolean;
  /** One answer per caller, in CALLERS order. */
  answers: readonly string[];
}

type Request = Pick<MatrixRow, 'method' | 'path' | 'body' | 'csrf'>;
const get = (path: string): Request => ({ method: 'GET', path });
const post = (path: string, body?: Body, csrf = false): Request => ({ method: 'POST', path, body, csrf });

function rows(endpoint: string, request: Request | ((d: DossierKey) => Request), table: Partial<Record<DossierKey, readonly string[]>>): MatrixRow[] {
  return Object.entries(table).map(([dossier, answers]) => {
    if (answers!.length !== CALLERS.length) throw new Error(`${endpoint} ${dossier}: ${answers!.length} answers for ${CALLERS.length} callers`);
    const r = typeof request === 'function' ? request(dossier as DossierKey) : request;
    return { endpoint, dossier: dossier as DossierKey, ...r, answers: answers! };
  });
}

function staffRows(endpoint: string, request: Request, answers: readonly string[]): MatrixRow[] {
  if (answers.length !== CALLERS.length) throw new Error(`${endpoint}: ${answers.length} answers`);
  return [{ endpoint, dossier: null, ...request, answers }];
}

const D = '/api/dossiers/{code}';

export const MATRIX: MatrixRow[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // Reading a dossier: the citizen with its token; staff whose unit reaches it (or handed it on).
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3
  ...rows('GET /api/dossiers/:code', get(D), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    diplomaNew: [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    transfer:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, UF, UF, UF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF],
  }),
  ...rows('GET /api/dossiers/:code/documents/:id', get(`${D}/documents/{doc}`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    diplomaNew: [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    transfer:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, UF, UF, UF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF],
  }),
  // Not issued yet: whoever may see it learns exactly that (404 RESULT_NOT_READY), nobody else.
  ...rows('GET /api/dossiers/:code/result', get(`${D}/result`), {
    diploma:    [NF, RN, NF, RN, RN, UF, RN, RN, UF, UF, UF, UF, UF],
    transfer:   [NF, RN, NF, UF, UF, UF, UF, UF, RN, RN, UF, UF, UF],
    released:   [NF, RN, NF, UF, UF, UF, UF, UF, RN, RN, RN, RN, UF],
  }),
  // The receipt issued when the dossier was received (diploma) or released (transfer).
  ...rows('GET /api/dossiers/:code/forms/:kind', get(`${D}/forms/receipt`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF],
  }),
  ...rows('GET /api/dossiers/:code/handovers', get(`${D}/handovers`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF],
  }),
  // Staff only, and only where the dossier is now (the sending school no longer acts on a released transfer).
  ...rows('GET /api/dossiers/:code/register-lookup', get(`${D}/register-lookup`), {
    diploma:    [UA, UA, UA, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF],
    transfer:   [UA, UA, UA, UF, UF, UF, UF, UF, '404 NOT_FOUND', '404 NOT_FOUND', UF, UF, UF],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, UF, UF, '404 NOT_FOUND', '404 NOT_FOUND', UF],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Acting: the step of the current state, by its role, in the dossier's unit. Each action needs a comment and gets
  // none, so an allowed caller is stopped right after the checks (422 COMMENT_REQUIRED) and nothing changes.
  ...rows('POST /api/dossiers/:code/actions/:action', (d) => post(`${D}/actions/${{ diploma: 'request_supplement', diplomaNew: 'refuse', transfer: 'refuse', released: 'propose_refusal' }[d]}`, { raw: '{"version":{version}}', type: 'application/json' }), {
    diploma:    [NF, AF, NF, AF, CR, UF, AF, AF, UF, UF, UF, UF, UF],
    diplomaNew: [NF, AF, NF, CR, AF, UF, AF, AF, UF, UF, UF, UF, UF],
    transfer:   [NF, AF, NF, UF, UF, UF, UF, UF, CR, AF, UF, UF, UF],
    released:   [NF, AF, NF, UF, UF, UF, UF, UF, UF, UF, CR, AF, UF],
  }),
  // Claiming (no staffId): staff who can take the current step, or a leader / the one-stop desk (who route dossiers);
  // checked before the version, so an allowed caller with a stale version gets 409 and nothing changes. An admin or a
  // specialist whose step it is not cannot park a dossier on themselves.
  ...rows('POST /api/dossiers/:code/assignment', post(`${D}/assignment`, { json: { version: 99 } }), {
    diploma:    [UA, UA, UA, ST, ST, UF, ST, FB, UF, UF, UF, UF, UF],
    diplomaNew: [UA, UA, UA, ST, FB, UF, ST, FB, UF, UF, UF, UF, UF],
    transfer:   [UA, UA, UA, UF, UF, UF, UF, UF, ST, ST, UF, UF, UF],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, UF, UF, ST, ST, UF],
  }),
  // Only the citizen rates, once the dossier is finished (none of these is).
  ...rows('POST /api/dossiers/:code/survey', post(`${D}/survey`, { json: { rating: 'satisfied' } }), {
    diploma:    [NF, '422 SURVEY_NOT_OPEN', NF, FB, FB, UF, FB, FB, UF, UF, UF, UF, UF],
    transfer:   [NF, '422 SURVEY_NOT_OPEN', NF, UF, UF, UF, UF, UF, FB, FB, UF, UF, UF],
    released:   [NF, '422 SURVEY_NOT_OPEN', NF, UF, UF, UF, UF, UF, FB, FB, FB, FB, UF],
  }),
  // Signing a result that waits for the caller: nothing waits here; staff who cannot see the dossier learn nothing more.
  ...rows('POST /api/dossiers/:code/signatures/prepare', post(`${D}/signatures/prepare`), {
    diploma:    [UA, UA, UA, NP, NP, UF, NP, NP, UF, UF, UF, UF, UF],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NP, NP, NP, NP, UF],
  }),
  ...rows('POST /api/dossiers/:code/signatures/:preparationId/complete', post(`${D}/signatures/00000000-0000-4000-8000-000000000000/complete`, { json: { signature: 'AAAA', certificate: 'x' } }), {
    diploma:    [UA, UA, UA, NPR, NPR, UF, NPR, NPR, UF, UF, UF, UF, UF],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NPR, NPR, NPR, NPR, UF],
  }),
  ...rows('POST /api/dossiers/:code/signatures/sign', post(`${D}/signatures/sign`, { json: { pin: '123456' } }), {
    diploma:    [UA, UA, UA, NP, NP, UF, NP, NP, UF, UF, UF, UF, UF],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NP, NP, NP, NP, UF],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // The same rules through the pages (browser cookies: the remembered tracking token, the staff session).
  ...rows('GET /ho-so/:code', get('/ho-so/{code}'), {
    diploma:    [P404, P200, P404, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403],
    transfer:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403],
    released:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P200, P200, P403],
  }),
  ...rows('GET /ho-so/:code/tep/:id', get('/ho-so/{code}/tep/{doc}'), {
    diploma:    [P404, OK, P404, OK, OK, P403, OK, OK, P403, P403, P403, P403, P403],
    released:   [P404, OK, P404, P403, P403, P403, P403, P403, OK, OK, OK, OK, P403],
  }),
  ...rows('GET /ho-so/:code/bien-nhan', get('/ho-so/{code}/bien-nhan'), {
    diplomaNew: [P404, P200, P404, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403],
    transfer:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403],
  }),
  ...rows('GET /can-bo/ho-so/:code', get('/can-bo/ho-so/{code}'), {
    diploma:    [LOGIN, LOGIN, LOGIN, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403],
    diplomaNew: [LOGIN, LOGIN, LOGIN, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403],
    transfer:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403],
    released:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P200, P200, P200, P200, P403],
  }),
  ...rows('POST /can-bo/ho-so/:code/thao-tac/:action', (d) => post(`/can-bo/ho-so/{code}/thao-tac/${{ diploma: 'request_supplement', diplomaNew: 'refuse', transfer: 'refuse', released: 'propose_refusal' }[d]}`, { form: { version: '{version}' } }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, P403, P422, P403, P403, P403, P403, P403, P403, P403, P403],
    transfer:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P422, P403, P403, P403, P403],
    released:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P403, P403, P422, P403, P403],
  }),
  // The unsigned preview of the result: staff who see the dossier (a working document; never the citizen).
  ...rows('GET /can-bo/ho-so/:code/xem-truoc', get('/can-bo/ho-so/{code}/xem-truoc'), {
    diploma:    [LOGIN, LOGIN, LOGIN, OK, OK, P403, OK, OK, P403, P403, P403, P403, P403],
  }),
  ...rows('POST /ho-so/:code/danh-gia', post('/ho-so/{code}/danh-gia', { form: { rating: 'satisfied' } }, true), {
    diploma:    [P404, P422, P404, P403, P403, P403, P403, P403, P403, P403, P403, P403, P403],
    released:   [P404, P422, P404, P403, P403, P403, P403, P403, P403, P403, P403, P403, P403],
  }),
  // Changing the tracking token: refused to everyone but the citizen and the staff holding the dossier now (a unit that
  // only keeps sight of it, like the sending school of a released transfer, may not).
  ...rows('POST /api/dossiers/:code/tracking-token', post(`${D}/tracking-token`), {
    diploma:    [NF, MUTATES, NF, MUTATES, MUTATES, UF, MUTATES, MUTATES, UF, UF, UF, UF, UF],
    released:   [NF, MUTATES, NF, UF, UF, UF, UF, UF, UF, UF, MUTATES, MUTATES, UF],
  }),
  ...rows('POST /can-bo/ho-so/:code/thu-hoi-ma-tra-cuu', post('/can-bo/ho-so/{code}/thu-hoi-ma-tra-cuu', { form: {} }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, MUTATES, MUTATES, '303 /can-bo/ho-so/', MUTATES, MUTATES, '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/'],
    released:   [LOGIN, LOGIN, LOGIN, '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', MUTATES, MUTATES, '303 /can-bo/ho-so/'],
  }),
  ...rows('POST /ho-so/:code/doi-ma-tra-cuu', post('/ho-so/{code}/doi-ma-tra-cuu', { form: {} }, true), {
    diploma:    [P404, MUTATES, P404, MUTATES, MUTATES, P403, MUTATES, MUTATES, P403, P403, P403, P403, P403],
    released:   [P404, MUTATES, P404, P403, P403, P403, P403, P403, P403, P403, MUTATES, MUTATES, P403],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Queues: a dossier is listed to whoever can take its step now, nowhere else.
  ...rows('GET /api/inbox (lists the dossier?)', get('/api/inbox'), {
    diploma:    [UA, UA, UA, 'omits', 'lists', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits'],
    diplomaNew: [UA, UA, UA, 'lists', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits'],
    transfer:   [UA, UA, UA, 'omits', 'omits', 'omits', 'omits', 'omits', 'lists', 'omits', 'omits', 'omits', 'omits'],
    released:   [UA, UA, UA, 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'lists', 'omits', 'omits'],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Staff data and operations, by role (PERMISSIONS in src/services/access.ts; admin-only routes).
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3
  ...staffRows('GET /api/auth/me', get('/api/auth/me'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
  ...staffRows('GET /api/inbox', get('/api/inbox'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
  ...staffRows('GET /api/sla-alerts', get('/api/sla-alerts'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
  ...staffRows('GET /api/signatures/pending', get('/api/signatures/pending'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
  ...staffRows('GET /api/stats', get('/api/stats'), [UA, UA, UA, FB, FB, FB, OK, OK, FB, OK, FB, OK, FB]),
  ...staffRows('GET /api/reports/tracking-book', get('/api/reports/tracking-book'), [UA, UA, UA, OK, FB, FB, OK, OK, FB, OK, FB, OK, FB]),
  ...staffRows('GET /api/admin/effects', get('/api/admin/effects'), [UA, UA, UA, FB, FB, FB, FB, OK, FB, FB, FB, FB, FB]),
  ...staffRows('POST /api/admin/effects/:id/retry', post('/api/admin/effects/424242/retry'), [UA, UA, UA, FB, FB, FB, FB, '404 NOT_FOUND', FB, FB, FB, FB, FB]),
  // Key material is missing on purpose: an admin gets as far as validation (422), nobody else that far.
  ...staffRows('POST /api/signing-keys', post('/api/signing-keys', { multipart: [{ name: 'staff', value: 'clerk' }] }),
    [UA, UA, UA, FB, FB, FB, FB, '422 VALIDATION_FAILED', FB, FB, FB, FB, FB]),
  ...staffRows('POST /api/signing-appearances', post('/api/signing-appearances', { multipart: [{ name: 'staff', value: 'leader' }] }),
    [UA, UA, UA, FB, FB, FB, FB, '422 VALIDATION_FAILED', FB, FB, FB, FB, FB]),
  // Batch PIN signing needs a key of one's own held on the server (the leaders and principals have demo keys).
  ...staffRows('POST /api/signatures/batch', post('/api/signatures/batch', { json: { codes: ['KHONG-CO'], pin: '123456' } }),
    [UA, UA, UA, NK, NK, NK, OK, NK, NK, OK, NK, OK, NK]),
  // An account whose only role is admin handles no dossiers: its home is the administration.
  ...staffRows('GET /can-bo', get('/can-bo'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, '303 /quan-tri', P200, P200, P200, P200, P200]),
  ...staffRows('GET /quan-tri', get('/quan-tri'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P200, P403, P403, P403, P403, P403]),
  ...staffRows('GET /quan-tri/thiet-lap', get('/quan-tri/thiet-lap'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, '303 /quan-tri?tb=', P403, P403, P403, P403, P403]),
  ...staffRows('GET /api/admin/setup', get('/api/admin/setup'), [UA, UA, UA, FB, FB, FB, FB, OK, FB, FB, FB, FB, FB]),
  ...staffRows('GET /can-bo/phe-duyet', get('/can-bo/phe-duyet'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, P200, P200, P200, P200, P200, P200]),
  ...staffRows('GET /can-bo/chi-so', get('/can-bo/chi-so'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P200, P200, P403, P200, P403, P200, P403]),
  ...staffRows('GET /can-bo/tac-vu-loi', get('/can-bo/tac-vu-loi'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P200, P403, P403, P403, P403, P403]),
  ...staffRows('POST /can-bo/ky-so', post('/can-bo/ky-so', { form: { sign: 'KHONG-CO', pin: '123456' } }, true),
    [LOGIN, LOGIN, LOGIN, '303 /can-bo/phe-duyet?tb=', '303 /can-bo/phe-duyet?tb=', '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=',
      '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=']),
];

/** An answer as the runner's Expected (with `contains`/`lacks` for listings), or null for a skipped cell. */
export function expectedOf(answer: string): (Expected & { lists?: boolean }) | null {
  if (answer.startsWith('skip:')) return null;
  if (answer === 'lists' || answer === 'omits') return { status: 200, lists: answer === 'lists' };
  const [head, tail] = answer.split(' ', 2) as [string, string | undefined];
  if (head === 'page') return { status: Number(tail), html: true };
  const status = Number(head);
  if (status >= 300 && status < 400) return { status, location: new RegExp(`^${tail!.replace(/[?.*+^$()[\]{}|\\]/g, '\\$&')}`) };
  return tail ? { status, code: tail } : { status };
}
