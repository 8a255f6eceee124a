// Who may read or change what, as data: every endpoint that reads or changes a dossier or staff data × every kind of
// caller × the dossier's unit, with the answer the product must give. Written from what the product SHOULD allow
// (DESIGN.md, README "Demo accounts" and "Portal", docs/API.md): a citizen reaches a dossier by its tracking token, or
// signed in with VNeID when they filed it or it is about them or their child;
// staff reach the dossiers of their unit's subtree (the Department's one-stop desk: every unit of the Department),
// keep sight of a dossier their unit handed on, and act only where it is now and only with a role the workflow names
// for the current step; a school never sees the Department's dossiers nor another school's.
//
// Dossiers (seeded by authorization-matrix.test.ts, each in a known state):
//   diploma      diploma-copy, received → `checking` at qlcl (Phòng QLCL): the specialist's step
//   diplomaNew   diploma-copy, `submitted` at qlcl: the one-stop clerk's step
//   transfer     school-transfer within the province, `submitted` at thpt-lam-son (the sending school's step)
//   released     school-transfer released by Lam Sơn → `receiving_review` at thpt-dao-duy-tu; Lam Sơn keeps sight
//   paid         diploma-copy of the paid version (150 000 đ, test/helpers/paid-procedure.ts), `submitted` at qlcl, its fee
//                taken at the desk by the clerk ({reference}, receipt issued); {otherReference} is another dossier's payment
// Callers, in column order: anonymous, the citizen with the dossier's tracking token, a citizen with ANOTHER dossier's
// token, then the demo staff (README). Placeholders: {code} {token} {doc} {version} of the row's dossier; `citizen2`
// presents the other dossier's token for this code (Bearer, or the browser's remembered-dossier cookie).
// The last two columns are citizens signed in with VNeID (issue 12), always by their session cookie and, for unsafe
// calls, with the pages' CSRF token, as a page sends them: `vneid` a parent concerned by every seeded dossier (they
// filed diploma and diplomaNew signed in; transfer and released were filed anonymously for their child, the
// dossier's subject), answered like the tracking-token holder; `vneidStranger` a citizen none of them concerns,
// answered like an unknown code. Neither is staff: staff routes give them 401 or the sign-in page.
import type { Body, Expected, Method } from './corpus-runner.js';

export const CALLERS = ['anon', 'citizen', 'citizen2', 'clerk', 'specialist', 'specialist2', 'leader', 'admin', 'school', 'principal', 'school2', 'principal2', 'school3', 'vneid', 'vneidStranger'] as const;
export type CallerName = typeof CALLERS[number];

export const CALLER_LABELS: Record<CallerName, string> = {
  anon: 'anonymous', citizen: 'citizen (own token)', citizen2: "citizen (another dossier's token)", clerk: 'clerk', specialist: 'specialist',
  specialist2: 'specialist2', leader: 'leader', admin: 'admin', school: 'school (Lam Sơn)', principal: 'principal (Lam Sơn)',
  school2: 'school2 (Đào Duy Từ)', principal2: 'principal2 (Đào Duy Từ)', school3: 'school3 (Hàm Rồng)',
  vneid: 'citizen signed in with VNeID (filed it, or it is their child\'s)', vneidStranger: 'citizen signed in with VNeID (a stranger to it)',
};

/** Where each demo account works (src/db/seed/index.ts). */
export const STAFF_UNITS: Record<string, string> = {
  clerk: 'mot-cua', specialist: 'qlcl', specialist2: 'gdtrh', leader: 'so-gddt', admin: 'so-gddt',
  school: 'thpt-lam-son', principal: 'thpt-lam-son', school2: 'thpt-dao-duy-tu', principal2: 'thpt-dao-duy-tu', school3: 'thpt-ham-rong',
};

export type DossierKey = 'diploma' | 'diplomaNew' | 'transfer' | 'released' | 'paid';
/** The unit each seeded dossier is with now. */
export const DOSSIER_UNITS: Record<DossierKey, string> = { diploma: 'qlcl', diplomaNew: 'qlcl', transfer: 'thpt-lam-son', released: 'thpt-dao-duy-tu', paid: 'qlcl' };

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
const WC = '409 ADMISSION_WINDOW_CLOSED';
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
const PAID = '409 PAYMENT_ALREADY_MADE';
const FREE = '422 PAYMENT_NOT_REQUIRED';
const OVER = '422 REFUND_EXCEEDS_PAYMENT';
const PNF = '404 PAYMENT_NOT_FOUND';
const CSRF = P403;
const NOTF = '404 NOT_FOUND';
const ARNF = '404 ADMISSION_RESULT_NOT_FOUND';
const MUTATES = 'skip: would change the token other cells use (allowed callers: test/security/tracking-tokens.test.ts)';

export interface MatrixRow {
  endpoint: string;
  dossier: DossierKey | null;
  method: Method;
  path: string;
  body?: Body;
  csrf?: boolean;
  headers?: Record<string, string>;
  /** How a caller presents itself, when not the default (API paths Bearer, pages cookies). */
  via?: 'bearer' | 'cookie';
  remoteAddress?: string;
  /** What `lists`/`omits` look for in the body, when not the dossier's code. */
  mark?: string;
  /** One answer per caller, in CALLERS order. */
  answers: readonly string[];
}

type Request = Pick<MatrixRow, 'method' | 'path' | 'body' | 'csrf' | 'headers' | 'via' | 'remoteAddress' | 'mark'>;
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

const send = (method: Method, path: string, body: Body): Request => ({ method, path, body });
const VF = '422 VALIDATION_FAILED';
const FN = '404 FEEDBACK_NOT_FOUND';
/** An administrator-only endpoint or page: everyone else as described above the administration rows; `admin` answers. */
const adminApi = (admin: string): string[] => [UA, UA, UA, FB, FB, FB, FB, admin, FB, FB, FB, FB, FB, UA, UA];
const adminPage = (admin: string): string[] => [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, admin, P403, P403, P403, P403, P403, LOGIN, LOGIN];
const ENROLS = 'skip: would begin a two-factor enrolment (test/security/account-security.test.ts)';
const NO_ID = '00000000-0000-4000-8000-000000000000';
/** The pupils of the admission runs the test file writes (admitted to Lam Sơn, to Đào Duy Từ, in the published run). */
export const MATRIX_PUPILS = { lamSon: '038210000001', daoDuyTu: '038210000002', published: '038210000003' } as const;
const PUBLIC_ADDRESS = '203.0.113.7';
const DEPARTMENT_AGENCY = '000.00.12.H56';
const UNKNOWN_AGENCY = '000.99.99.H99';
/** A whole set-up (schema-valid); the demo is set up already. */
const SETUP = {
  provinceName: 'Nghệ An', department: { code: '000.00.12.H40', name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDDT' },
  board: { name: 'Ban Giám đốc Sở' }, desk: { name: 'Bộ phận Một cửa' }, offices: [{ name: 'Phòng Quản lý chất lượng' }],
};
const CAMPAIGN = {
  id: 'ts-ma-tran', name: 'Tuyển sinh lớp 10 (ma trận)', grade: 10, schoolYear: '2026-2027', choices: 2,
  windows: { registration: { opensAt: '2026-06-01T07:00:00+07:00', closesAt: '2026-06-15T17:00:00+07:00' } },
};

export const MATRIX: MatrixRow[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // Reading a dossier: the citizen with its token; staff whose unit reaches it (or handed it on).
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...rows('GET /api/dossiers/:code', get(D), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    diplomaNew: [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    transfer:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, UF, UF, UF, OK, NF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF, OK, NF],
  }),
  ...rows('GET /api/dossiers/:code/documents/:id', get(`${D}/documents/{doc}`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    diplomaNew: [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    transfer:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, UF, UF, UF, OK, NF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF, OK, NF],
  }),
  // Not issued yet: whoever may see it learns exactly that (404 RESULT_NOT_READY), nobody else.
  ...rows('GET /api/dossiers/:code/result', get(`${D}/result`), {
    diploma:    [NF, RN, NF, RN, RN, UF, RN, RN, UF, UF, UF, UF, UF, RN, NF],
    transfer:   [NF, RN, NF, UF, UF, UF, UF, UF, RN, RN, UF, UF, UF, RN, NF],
    released:   [NF, RN, NF, UF, UF, UF, UF, UF, RN, RN, RN, RN, UF, RN, NF],
  }),
  // The receipt issued when the dossier was received (diploma) or released (transfer).
  ...rows('GET /api/dossiers/:code/forms/:kind', get(`${D}/forms/receipt`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF, OK, NF],
  }),
  ...rows('GET /api/dossiers/:code/handovers', get(`${D}/handovers`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF, OK, NF],
  }),
  // Staff only, and only where the dossier is now (the sending school no longer acts on a released transfer).
  ...rows('GET /api/dossiers/:code/register-lookup', get(`${D}/register-lookup`), {
    diploma:    [UA, UA, UA, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, UA, UA],
    transfer:   [UA, UA, UA, UF, UF, UF, UF, UF, '404 NOT_FOUND', '404 NOT_FOUND', UF, UF, UF, UA, UA],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, UF, UF, '404 NOT_FOUND', '404 NOT_FOUND', UF, UA, UA],
  }),

  // Messages with the office (issue 12): read by whoever sees the dossier; written by the citizen and by staff of a
  // unit holding it now (the sending school of a released transfer only reads). An empty body stops an allowed writer
  // at validation (422), after the access check, so nothing is stored.
  ...rows('GET /api/dossiers/:code/messages', get(`${D}/messages`), {
    diploma:    [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    released:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, OK, OK, UF, OK, NF],
  }),
  ...rows('POST /api/dossiers/:code/messages', post(`${D}/messages`, { json: { body: '' } }), {
    diploma:    [NF, VF, NF, VF, VF, UF, VF, VF, UF, UF, UF, UF, UF, VF, NF],
    released:   [NF, VF, NF, UF, UF, UF, UF, UF, UF, UF, VF, VF, UF, VF, NF],
  }),
  // The adjustment window's choices (issue 14): only the registration's owner, only on an admission registration. The
  // access check comes first (strangers: 404, staff who may not act: 403 UNIT_FORBIDDEN), then staff who could act are
  // refused (a family's choices are theirs), then a dossier of another procedure is no registration (404).
  ...rows('PUT /api/dossiers/:code/choices', { method: 'PUT', path: `${D}/choices`, body: { json: { choice1: 'thpt-lam-son' } } }, {
    diploma:    [NF, NF, NF, FB, FB, UF, FB, FB, UF, UF, UF, UF, UF, NF, NF],
    released:   [NF, NF, NF, UF, UF, UF, UF, UF, UF, UF, FB, FB, UF, NF, NF],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Acting: the step of the current state, by its role, in the dossier's unit. Each action needs a comment and gets
  // none, so an allowed caller is stopped right after the checks (422 COMMENT_REQUIRED) and nothing changes.
  ...rows('POST /api/dossiers/:code/actions/:action', (d) => post(`${D}/actions/${{ diploma: 'request_supplement', diplomaNew: 'refuse', transfer: 'refuse', released: 'propose_refusal', paid: 'refuse' }[d]}`, { raw: '{"version":{version}}', type: 'application/json' }), {
    diploma:    [NF, AF, NF, AF, CR, UF, AF, AF, UF, UF, UF, UF, UF, AF, NF],
    diplomaNew: [NF, AF, NF, CR, AF, UF, AF, AF, UF, UF, UF, UF, UF, AF, NF],
    transfer:   [NF, AF, NF, UF, UF, UF, UF, UF, CR, AF, UF, UF, UF, AF, NF],
    released:   [NF, AF, NF, UF, UF, UF, UF, UF, UF, UF, CR, AF, UF, AF, NF],
  }),
  // Claiming (no staffId): staff who can take the current step, or a leader / the one-stop desk (who route dossiers);
  // checked before the version, so an allowed caller with a stale version gets 409 and nothing changes. An admin or a
  // specialist whose step it is not cannot park a dossier on themselves.
  ...rows('POST /api/dossiers/:code/assignment', post(`${D}/assignment`, { json: { version: 99 } }), {
    diploma:    [UA, UA, UA, ST, ST, UF, ST, FB, UF, UF, UF, UF, UF, UA, UA],
    diplomaNew: [UA, UA, UA, ST, FB, UF, ST, FB, UF, UF, UF, UF, UF, UA, UA],
    transfer:   [UA, UA, UA, UF, UF, UF, UF, UF, ST, ST, UF, UF, UF, UA, UA],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, UF, UF, ST, ST, UF, UA, UA],
  }),
  // Only the citizen rates, once the dossier is finished (none of these is).
  ...rows('POST /api/dossiers/:code/survey', post(`${D}/survey`, { json: { rating: 'satisfied' } }), {
    diploma:    [NF, '422 SURVEY_NOT_OPEN', NF, FB, FB, UF, FB, FB, UF, UF, UF, UF, UF, '422 SURVEY_NOT_OPEN', NF],
    transfer:   [NF, '422 SURVEY_NOT_OPEN', NF, UF, UF, UF, UF, UF, FB, FB, UF, UF, UF, '422 SURVEY_NOT_OPEN', NF],
    released:   [NF, '422 SURVEY_NOT_OPEN', NF, UF, UF, UF, UF, UF, FB, FB, FB, FB, UF, '422 SURVEY_NOT_OPEN', NF],
  }),
  // Signing a result that waits for the caller: nothing waits here; staff who cannot see the dossier learn nothing more.
  ...rows('POST /api/dossiers/:code/signatures/prepare', post(`${D}/signatures/prepare`), {
    diploma:    [UA, UA, UA, NP, NP, UF, NP, NP, UF, UF, UF, UF, UF, UA, UA],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NP, NP, NP, NP, UF, UA, UA],
  }),
  ...rows('POST /api/dossiers/:code/signatures/:preparationId/complete', post(`${D}/signatures/00000000-0000-4000-8000-000000000000/complete`, { json: { signature: 'AAAA', certificate: 'x' } }), {
    diploma:    [UA, UA, UA, NPR, NPR, UF, NPR, NPR, UF, UF, UF, UF, UF, UA, UA],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NPR, NPR, NPR, NPR, UF, UA, UA],
  }),
  ...rows('POST /api/dossiers/:code/signatures/sign', post(`${D}/signatures/sign`, { json: { pin: '123456' } }), {
    diploma:    [UA, UA, UA, NP, NP, UF, NP, NP, UF, UF, UF, UF, UF, UA, UA],
    released:   [UA, UA, UA, UF, UF, UF, UF, UF, NP, NP, NP, NP, UF, UA, UA],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // The same rules through the pages (browser cookies: the remembered tracking token, the staff session).
  ...rows('GET /ho-so/:code', get('/ho-so/{code}'), {
    diploma:    [P404, P200, P404, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403, P200, P404],
    transfer:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403, P200, P404],
    released:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P200, P200, P403, P200, P404],
  }),
  ...rows('GET /ho-so/:code/tep/:id', get('/ho-so/{code}/tep/{doc}'), {
    diploma:    [P404, OK, P404, OK, OK, P403, OK, OK, P403, P403, P403, P403, P403, OK, P404],
    released:   [P404, OK, P404, P403, P403, P403, P403, P403, OK, OK, OK, OK, P403, OK, P404],
  }),
  ...rows('GET /ho-so/:code/bien-nhan', get('/ho-so/{code}/bien-nhan'), {
    diplomaNew: [P404, P200, P404, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403, P200, P404],
    transfer:   [P404, P200, P404, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403, P200, P404],
  }),
  ...rows('GET /can-bo/ho-so/:code', get('/can-bo/ho-so/{code}'), {
    diploma:    [LOGIN, LOGIN, LOGIN, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403, LOGIN, LOGIN],
    diplomaNew: [LOGIN, LOGIN, LOGIN, P200, P200, P403, P200, P200, P403, P403, P403, P403, P403, LOGIN, LOGIN],
    transfer:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P200, P200, P403, P403, P403, LOGIN, LOGIN],
    released:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P200, P200, P200, P200, P403, LOGIN, LOGIN],
  }),
  ...rows('POST /can-bo/ho-so/:code/thao-tac/:action', (d) => post(`/can-bo/ho-so/{code}/thao-tac/${{ diploma: 'request_supplement', diplomaNew: 'refuse', transfer: 'refuse', released: 'propose_refusal', paid: 'refuse' }[d]}`, { form: { version: '{version}' } }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, P403, P422, P403, P403, P403, P403, P403, P403, P403, P403, LOGIN, LOGIN],
    transfer:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P422, P403, P403, P403, P403, LOGIN, LOGIN],
    released:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P403, P403, P422, P403, P403, LOGIN, LOGIN],
  }),
  // The unsigned preview of the result: staff who see the dossier (a working document; never the citizen).
  ...rows('GET /can-bo/ho-so/:code/xem-truoc', get('/can-bo/ho-so/{code}/xem-truoc'), {
    diploma:    [LOGIN, LOGIN, LOGIN, OK, OK, P403, OK, OK, P403, P403, P403, P403, P403, LOGIN, LOGIN],
  }),
  // "Số hóa vào kho của công dân": staff only; every refusal (not the desk, another unit's dossier, here a malformed ID
  // number for the desk) comes back to the dossier page with its message, and nothing is stored.
  ...rows('POST /can-bo/ho-so/:code/so-hoa', post('/can-bo/ho-so/{code}/so-hoa', { form: { ownerPersonalId: '123' } }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, ...Array<string>(10).fill('303 /can-bo/ho-so/'), LOGIN, LOGIN],
  }),
  ...rows('POST /ho-so/:code/tin-nhan', post('/ho-so/{code}/tin-nhan', { form: { body: '' } }, true), {
    diploma:    [P404, P422, P404, P422, P422, P403, P422, P422, P403, P403, P403, P403, P403, P422, P404],
    released:   [P404, P422, P404, P403, P403, P403, P403, P403, P403, P403, P422, P422, P403, P422, P404],
  }),
  ...rows('POST /can-bo/ho-so/:code/tin-nhan', post('/can-bo/ho-so/{code}/tin-nhan', { form: { body: '' } }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, P422, P422, P403, P422, P422, P403, P403, P403, P403, P403, LOGIN, LOGIN],
    released:   [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P403, P403, P403, P422, P422, P403, LOGIN, LOGIN],
  }),
  ...rows('POST /ho-so/:code/danh-gia', post('/ho-so/{code}/danh-gia', { form: { rating: 'satisfied' } }, true), {
    diploma:    [P404, P422, P404, P403, P403, P403, P403, P403, P403, P403, P403, P403, P403, P422, P404],
    released:   [P404, P422, P404, P403, P403, P403, P403, P403, P403, P403, P403, P403, P403, P422, P404],
  }),
  // Changing the tracking token: refused to everyone but the citizen and the staff holding the dossier now (a unit that
  // only keeps sight of it, like the sending school of a released transfer, may not).
  ...rows('POST /api/dossiers/:code/tracking-token', post(`${D}/tracking-token`), {
    diploma:    [NF, MUTATES, NF, MUTATES, MUTATES, UF, MUTATES, MUTATES, UF, UF, UF, UF, UF, MUTATES, NF],
    released:   [NF, MUTATES, NF, UF, UF, UF, UF, UF, UF, UF, MUTATES, MUTATES, UF, MUTATES, NF],
  }),
  ...rows('POST /can-bo/ho-so/:code/thu-hoi-ma-tra-cuu', post('/can-bo/ho-so/{code}/thu-hoi-ma-tra-cuu', { form: {} }, true), {
    diploma:    [LOGIN, LOGIN, LOGIN, MUTATES, MUTATES, '303 /can-bo/ho-so/', MUTATES, MUTATES, '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', LOGIN, LOGIN],
    released:   [LOGIN, LOGIN, LOGIN, '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', '303 /can-bo/ho-so/', MUTATES, MUTATES, '303 /can-bo/ho-so/', LOGIN, LOGIN],
  }),
  ...rows('POST /ho-so/:code/doi-ma-tra-cuu', post('/ho-so/{code}/doi-ma-tra-cuu', { form: {} }, true), {
    diploma:    [P404, MUTATES, P404, MUTATES, MUTATES, P403, MUTATES, MUTATES, P403, P403, P403, P403, P403, MUTATES, P404],
    released:   [P404, MUTATES, P404, P403, P403, P403, P403, P403, P403, P403, MUTATES, MUTATES, P403, MUTATES, P404],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Fees (issue 13), on the `paid` dossier whose fee the clerk took at the desk. Read like the dossier; the online payment
  // is the citizen's (staff: 403 FORBIDDEN), here refused as already paid; the desk payment is the holding unit's clerk's
  // (a second one: 409); a refund the clerk of the holding unit's or an administrator's (here more than was paid: 422).
  // Nothing changes (authorization-matrix.test.ts compares the payments and refunds before and after).
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...rows('GET /api/dossiers/:code/payments', get(`${D}/payments`), {
    paid:       [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
    transfer:   [NF, OK, NF, UF, UF, UF, UF, UF, OK, OK, UF, UF, UF, OK, NF],
  }),
  ...rows('POST /api/dossiers/:code/payments', post(`${D}/payments`), {
    paid:       [NF, PAID, NF, FB, FB, UF, FB, FB, UF, UF, UF, UF, UF, PAID, NF],
    // A free procedure: nothing to pay.
    diploma:    [NF, FREE, NF, FB, FB, UF, FB, FB, UF, UF, UF, UF, UF, FREE, NF],
  }),
  ...rows('POST /api/dossiers/:code/payments/desk', post(`${D}/payments/desk`, { json: { amount: 150_000 } }), {
    paid:       [UA, UA, UA, PAID, AF, UF, AF, AF, UF, UF, UF, UF, UF, UA, UA],
    transfer:   [UA, UA, UA, UF, UF, UF, UF, UF, AF, AF, UF, UF, UF, UA, UA],
  }),
  ...rows('POST /api/payments/:reference/refunds', post('/api/payments/{reference}/refunds', { json: { amount: 150_001, reason: 'Hoàn trả thử' } }), {
    paid:       [UA, UA, UA, OVER, AF, UF, AF, OVER, UF, UF, UF, UF, UF, UA, UA],
  }),
  ...staffRows('POST /api/payments/:reference/refunds (unknown reference)', post('/api/payments/khong-co-khoan-nay/refunds', { json: { amount: 1, reason: 'Hoàn trả thử' } }),
    [UA, UA, UA, PNF, PNF, PNF, PNF, PNF, PNF, PNF, PNF, PNF, PNF, UA, UA]),
  ...rows('GET /api/dossiers/:code/payments/:reference/receipt', get(`${D}/payments/{reference}/receipt`), {
    paid:       [NF, OK, NF, OK, OK, UF, OK, OK, UF, UF, UF, UF, UF, OK, NF],
  }),
  // Another dossier's payment under this dossier's code: not this dossier's (whoever asks).
  ...rows('GET /api/dossiers/:code/payments/:reference/receipt (another dossier\'s payment)', get(`${D}/payments/{otherReference}/receipt`), {
    paid:       [NF, PNF, NF, PNF, PNF, UF, PNF, PNF, UF, UF, UF, UF, UF, PNF, NF],
  }),
  ...rows('GET /ho-so/:code/bien-lai/:reference', get('/ho-so/{code}/bien-lai/{reference}'), {
    paid:       [P404, OK, P404, OK, OK, P403, OK, OK, P403, P403, P403, P403, P403, OK, P404],
  }),
  ...rows('GET /ho-so/:code/bien-lai/:reference (another dossier\'s payment)', get('/ho-so/{code}/bien-lai/{otherReference}'), {
    paid:       [P404, P404, P404, P404, P404, P403, P404, P404, P403, P403, P403, P403, P403, P404, P404],
  }),
  // The citizen's "Nộp phí trực tuyến" button: back to the dossier page with the reason (already paid); staff never pay online.
  ...rows('POST /ho-so/:code/nop-phi', post('/ho-so/{code}/nop-phi', { form: {} }, true), {
    paid:       [P404, '303 /ho-so/', P404, P403, P403, P403, P403, P403, P403, P403, P403, P403, P403, '303 /ho-so/', P404],
  }),
  // The staff panel's forms: every refusal comes back to the dossier page as its notice; without the CSRF token, nothing
  // (the VNeID columns always send the pages' token, so they meet the staff sign-in instead).
  ...rows('POST /can-bo/ho-so/:code/thanh-toan/tai-quay', post('/can-bo/ho-so/{code}/thanh-toan/tai-quay', { form: { amount: '150000' } }, true), {
    paid:       [LOGIN, LOGIN, LOGIN, ...Array<string>(10).fill('303 /can-bo/ho-so/'), LOGIN, LOGIN],
  }),
  ...rows('POST /can-bo/ho-so/:code/thanh-toan/tai-quay (no CSRF token)', post('/can-bo/ho-so/{code}/thanh-toan/tai-quay', { form: { amount: '150000' } }), {
    paid:       [...Array<string>(13).fill(CSRF), LOGIN, LOGIN],
  }),
  ...rows('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra', post('/can-bo/ho-so/{code}/thanh-toan/{reference}/hoan-tra', { form: { amount: '150001', reason: 'Hoàn trả thử' } }, true), {
    paid:       [LOGIN, LOGIN, LOGIN, ...Array<string>(10).fill('303 /can-bo/ho-so/'), LOGIN, LOGIN],
  }),
  ...rows('POST /can-bo/ho-so/:code/thanh-toan/:reference/hoan-tra (no CSRF token)', post('/can-bo/ho-so/{code}/thanh-toan/{reference}/hoan-tra', { form: { amount: '1', reason: 'Hoàn trả thử' } }), {
    paid:       [...Array<string>(13).fill(CSRF), LOGIN, LOGIN],
  }),
  // Where the Payment Platform sends the browser back: anyone holding the reference (the dossier's code and a time: it
  // can be made up) learns how that payment stands; only whoever may see the dossier is shown the amount and when
  // (`lists`: the page shows the fee, 150.000 đồng).
  ...rows('GET /thanh-toan/ket-qua', { ...get('/thanh-toan/ket-qua?data={reference}'), mark: '150.000 đồng' }, {
    paid:       ['omits', 'lists', 'omits', 'lists', 'lists', 'omits', 'lists', 'lists', 'omits', 'omits', 'omits', 'omits', 'omits', 'lists', 'omits'],
  }),
  ...staffRows('GET /thanh-toan/ket-qua (unknown reference)', get('/thanh-toan/ket-qua?data=dvcKHONGCO2026010100000001'), Array<string>(15).fill(P404)),
  // The platform's callback authenticates by its checksum alone: a forged one is refused to everyone, sessions included.
  ...rows('POST /api/payment-platform/confirm (forged)', send('POST', '/api/payment-platform/confirm', { json: {
    LoaiBanTin: 'CONFIRM', MaLoi: '00', MaDoiTac: 'MOTCUA-MATRAN', MaThamChieu: '{reference}', SoTien: 150_000, MaTienTe: 'VND',
    MaGiaoDich: 'GIA-MAO-1', MaNganHang: 'NH', ThoiGianGD: '20260101120000', ThongTinGiaoDich: 'x', MaXacThuc: '0'.repeat(64),
  } }), {
    paid:       Array<string>(15).fill('403 PAYMENT_CHECKSUM_INVALID'),
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Feedback and complaints (issue 12): filing about a dossier needs to see it (404 before the form is checked; here
  // the title is missing, so the citizen is stopped at validation and nothing is stored); staff never file.
  ...rows('POST /api/feedback (about a dossier)', post('/api/feedback', { json: { kind: 'feedback', dossierCode: '{code}', title: '', body: 'Nội dung phản ánh về hồ sơ.' } }), {
    diploma:    [NF, VF, NF, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, VF, NF],
    transfer:   [NF, VF, NF, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, VF, NF],
  }),
  // An item about the `diploma` dossier ({feedback}, filed by the test): the Department's leaders and clerks see and
  // answer it (an empty answer: 422, nothing changes); a school's principal is of another agency (404), other roles 403;
  // a dossier's tracking token is not the item's token (404).
  ...staffRows('GET /api/feedback', get('/api/feedback'), [UA, UA, UA, OK, FB, FB, OK, FB, FB, OK, FB, OK, FB, UA, UA]),
  ...staffRows('GET /api/feedback/:code', get('/api/feedback/{feedback}'),
    [FN, FN, FN, OK, FB, FB, OK, FB, FB, FN, FB, FN, FB, FN, FN]),
  // An item the `vneid` parent filed signed in about the `diploma` dossier ({citizenFeedback}): theirs to read; an item
  // is reached by its filer or its own token, never by being concerned with the dossier (the row above).
  ...staffRows('GET /api/feedback/:code (filed signed in)', get('/api/feedback/{citizenFeedback}'),
    [FN, FN, FN, OK, FB, FB, OK, FB, FB, FN, FB, FN, FB, OK, FN]),
  ...staffRows('POST /api/feedback/:code/answer', post('/api/feedback/{feedback}/answer', { json: { answer: '' } }),
    [UA, UA, UA, VF, FB, FB, VF, FB, FB, FN, FB, FN, FB, UA, UA]),
  ...staffRows('GET /api/me/feedback', get('/api/me/feedback'), [UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, OK, OK]),
  ...staffRows('GET /can-bo/phan-anh', get('/can-bo/phan-anh'), [LOGIN, LOGIN, LOGIN, P200, P403, P403, P200, P403, P403, P200, P403, P200, P403, LOGIN, LOGIN]),
  ...staffRows('GET /can-bo/phan-anh/:code', get('/can-bo/phan-anh/{feedback}'), [LOGIN, LOGIN, LOGIN, P200, P403, P403, P200, P403, P403, P404, P403, P404, P403, LOGIN, LOGIN]),
  ...staffRows('POST /can-bo/phan-anh/:code/tra-loi', post('/can-bo/phan-anh/{feedback}/tra-loi', { form: { answer: '' } }, true),
    [LOGIN, LOGIN, LOGIN, P422, P403, P403, P422, P403, P403, P404, P403, P404, P403, LOGIN, LOGIN]),

  // ---------------------------------------------------------------------------------------------------------------
  // Queues: a dossier is listed to whoever can take its step now, nowhere else.
  ...rows('GET /api/inbox (lists the dossier?)', get('/api/inbox'), {
    diploma:    [UA, UA, UA, 'omits', 'lists', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', UA, UA],
    diplomaNew: [UA, UA, UA, 'lists', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', UA, UA],
    transfer:   [UA, UA, UA, 'omits', 'omits', 'omits', 'omits', 'omits', 'lists', 'omits', 'omits', 'omits', 'omits', UA, UA],
    released:   [UA, UA, UA, 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'omits', 'lists', 'omits', 'omits', UA, UA],
  }),

  // ---------------------------------------------------------------------------------------------------------------
  // Staff data and operations, by role (PERMISSIONS in src/services/access.ts; admin-only routes).
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('GET /api/auth/me', get('/api/auth/me'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, UA, UA]),
  ...staffRows('GET /api/inbox', get('/api/inbox'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, UA, UA]),
  ...staffRows('GET /api/sla-alerts', get('/api/sla-alerts'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, UA, UA]),
  ...staffRows('GET /api/signatures/pending', get('/api/signatures/pending'), [UA, UA, UA, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, UA, UA]),
  ...staffRows('GET /api/stats', get('/api/stats'), [UA, UA, UA, FB, FB, FB, OK, OK, FB, OK, FB, OK, FB, UA, UA]),
  ...staffRows('GET /api/reports/tracking-book', get('/api/reports/tracking-book'), [UA, UA, UA, OK, FB, FB, OK, OK, FB, OK, FB, OK, FB, UA, UA]),
  ...staffRows('GET /api/admin/effects', get('/api/admin/effects'), [UA, UA, UA, FB, FB, FB, FB, OK, FB, FB, FB, FB, FB, UA, UA]),
  ...staffRows('POST /api/admin/effects/:id/retry', post('/api/admin/effects/424242/retry'), [UA, UA, UA, FB, FB, FB, FB, '404 NOT_FOUND', FB, FB, FB, FB, FB, UA, UA]),
  // Key material is missing on purpose: an admin gets as far as validation (422), nobody else that far.
  ...staffRows('POST /api/signing-keys', post('/api/signing-keys', { multipart: [{ name: 'staff', value: 'clerk' }] }),
    [UA, UA, UA, FB, FB, FB, FB, '422 VALIDATION_FAILED', FB, FB, FB, FB, FB, UA, UA]),
  ...staffRows('POST /api/signing-appearances', post('/api/signing-appearances', { multipart: [{ name: 'staff', value: 'leader' }] }),
    [UA, UA, UA, FB, FB, FB, FB, '422 VALIDATION_FAILED', FB, FB, FB, FB, FB, UA, UA]),
  // Batch PIN signing needs a key of one's own held on the server (the leaders and principals have demo keys).
  ...staffRows('POST /api/signatures/batch', post('/api/signatures/batch', { json: { codes: ['KHONG-CO'], pin: '123456' } }),
    [UA, UA, UA, NK, NK, NK, OK, NK, NK, OK, NK, OK, NK, UA, UA]),
  // The citizen's e-document store (issue 12): the signed-in citizen's own (VNeID session, tested in
  // test/e2e/citizen-document-store.test.ts); a tracking token or a staff session is nobody's store.
  ...staffRows('GET /api/me/documents', get('/api/me/documents'), [...Array<string>(13).fill(UA), OK, OK]),
  ...staffRows('GET /api/me/documents/:id/file', get(`/api/me/documents/${NO_ID}/file`), [...Array<string>(13).fill(UA), '404 DOCUMENT_NOT_FOUND', '404 DOCUMENT_NOT_FOUND']),
  ...staffRows('GET /ho-so-cua-toi/giay-to', get('/ho-so-cua-toi/giay-to'), [...Array<string>(13).fill('303 /auth/citizen/login'), P200, P200]),
  // Digitising for a person: the one-stop desk only; refused before the upload is read. No title and no file: the
  // desk gets as far as validation, so nothing is stored.
  ...staffRows('POST /api/citizen-documents', post('/api/citizen-documents', { multipart: [{ name: 'ownerPersonalId', value: '012345678901' }] }),
    [UA, UA, UA, VF, FB, FB, FB, FB, FB, FB, FB, FB, FB, UA, UA]),
  // "Gỡ khỏi kho": the desk only; an id that is no stored document gets the desk as far as 404.
  ...staffRows('DELETE /api/citizen-documents/:id', { method: 'DELETE', path: `/api/citizen-documents/${NO_ID}` },
    [UA, UA, UA, '404 DOCUMENT_NOT_FOUND', FB, FB, FB, FB, FB, FB, FB, FB, FB, UA, UA]),
  // The citizen space (issue 12): the signed-in citizen's alone (VNeID session, tested in test/e2e/citizen-space.test.ts);
  // a tracking token or a staff session has no space.
  ...staffRows('GET /api/me/dossiers', get('/api/me/dossiers'), [...Array<string>(13).fill(UA), OK, OK]),
  ...staffRows('GET /ho-so-cua-toi', get('/ho-so-cua-toi'), [...Array<string>(13).fill('303 /auth/citizen/login'), P200, P200]),
  // An account whose only role is admin handles no dossiers: its home is the administration.
  ...staffRows('GET /can-bo', get('/can-bo'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, '303 /quan-tri', P200, P200, P200, P200, P200, LOGIN, LOGIN]),
  ...staffRows('GET /quan-tri', get('/quan-tri'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P200, P403, P403, P403, P403, P403, LOGIN, LOGIN]),
  ...staffRows('GET /quan-tri/thiet-lap', get('/quan-tri/thiet-lap'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, '303 /quan-tri?tb=', P403, P403, P403, P403, P403, LOGIN, LOGIN]),
  ...staffRows('GET /api/admin/setup', get('/api/admin/setup'), [UA, UA, UA, FB, FB, FB, FB, OK, FB, FB, FB, FB, FB, UA, UA]),
  ...staffRows('GET /can-bo/phe-duyet', get('/can-bo/phe-duyet'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, P200, P200, P200, P200, P200, P200, LOGIN, LOGIN]),
  ...staffRows('GET /can-bo/chi-so', get('/can-bo/chi-so'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P200, P200, P403, P200, P403, P200, P403, LOGIN, LOGIN]),
  ...staffRows('GET /can-bo/tac-vu-loi', get('/can-bo/tac-vu-loi'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P200, P403, P403, P403, P403, P403, LOGIN, LOGIN]),
  ...staffRows('POST /can-bo/ky-so', post('/can-bo/ky-so', { form: { sign: 'KHONG-CO', pin: '123456' } }, true),
    [LOGIN, LOGIN, LOGIN, '303 /can-bo/phe-duyet?tb=', '303 /can-bo/phe-duyet?tb=', '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=',
      '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=', P200, '303 /can-bo/phe-duyet?tb=', LOGIN, LOGIN]),

  // ---------------------------------------------------------------------------------------------------------------
  // The administration (issue 10): the administrator only. Anonymous callers and citizens get 401 (API) or the sign-in
  // page, other staff 403 before anything is read or checked. Every write is shaped so that the administrator, too, is
  // refused after the gate (a taken code, an unknown id, a value the service refuses, the last administrator), so no
  // cell changes anything; JSON bodies pass the route's schema, which runs before the gate.
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('POST /api/admin/setup', send('POST', '/api/admin/setup', { json: SETUP }), adminApi('409 SETUP_ALREADY_DONE')),
  ...staffRows('GET /api/admin/settings', get('/api/admin/settings'), adminApi(OK)),
  ...staffRows('PUT /api/admin/settings', send('PUT', '/api/admin/settings', { json: { provinceName: 'Thanh Hóa', departmentAgencyCode: UNKNOWN_AGENCY } }), adminApi(VF)),
  ...staffRows('GET /api/admin/agencies', get('/api/admin/agencies'), adminApi(OK)),
  ...staffRows('POST /api/admin/agencies', send('POST', '/api/admin/agencies', { json: { code: DEPARTMENT_AGENCY, name: 'Sở trùng mã', abbreviation: 'SGDDT' } }),
    adminApi('409 AGENCY_EXISTS')),
  ...staffRows('PATCH /api/admin/agencies/:code', send('PATCH', `/api/admin/agencies/${UNKNOWN_AGENCY}`, { json: { name: 'Không có' } }), adminApi('404 NOT_FOUND')),
  ...staffRows('GET /api/admin/units', get('/api/admin/units'), adminApi(OK)),
  ...staffRows('POST /api/admin/units', send('POST', '/api/admin/units', { json: { id: 'qlcl', name: 'Phòng trùng mã', agencyCode: DEPARTMENT_AGENCY, kind: 'office' } }),
    adminApi('409 UNIT_EXISTS')),
  ...staffRows('PATCH /api/admin/units/:id', send('PATCH', '/api/admin/units/khong-co', { json: { name: 'Không có' } }), adminApi('404 NOT_FOUND')),
  ...staffRows('POST /api/admin/units/import', post('/api/admin/units/import', { multipart: [{ name: 'note', value: 'không có tệp' }] }), adminApi(VF)),
  ...staffRows('GET /api/admin/unit-roles', get('/api/admin/unit-roles'), adminApi(OK)),
  ...staffRows('PUT /api/admin/unit-roles', send('PUT', '/api/admin/unit-roles', { json: { items: [{ procedureId: '*', role: 'desk', unitId: 'khong-co' }] } }), adminApi(VF)),
  ...staffRows('GET /api/admin/staff', get('/api/admin/staff'), adminApi(OK)),
  ...staffRows('GET /api/admin/staff/:username', get('/api/admin/staff/clerk'), adminApi(OK)),
  ...staffRows('POST /api/admin/staff', send('POST', '/api/admin/staff', { json: { username: 'clerk', fullName: 'Trùng Tên', roles: ['admin'], unitId: 'mot-cua', title: 'Cán bộ' } }),
    adminApi('409 USERNAME_TAKEN')),
  // The last administrator cannot be demoted, even by itself; nobody else gets that far.
  ...staffRows('PATCH /api/admin/staff/:username', send('PATCH', '/api/admin/staff/admin', { json: { roles: ['clerk'] } }), adminApi('409 LAST_ADMIN')),
  ...staffRows('POST /api/admin/staff/:username/password-reset', post('/api/admin/staff/khong-co-ai/password-reset'), adminApi('404 STAFF_NOT_FOUND')),
  ...staffRows('GET /api/admin/keys', get('/api/admin/keys'), adminApi(OK)),
  ...staffRows('POST /api/admin/keys', post('/api/admin/keys', { multipart: [{ name: 'staff', value: 'clerk' }] }), adminApi(VF)),
  ...staffRows('POST /api/admin/keys/:id/deactivate', post(`/api/admin/keys/${NO_ID}/deactivate`), adminApi('404 NOT_FOUND')),
  ...staffRows('POST /api/admin/appearances', post('/api/admin/appearances', { multipart: [{ name: 'staff', value: 'leader' }] }), adminApi(VF)),
  // The Department's seal image (uploaded by the test file).
  ...staffRows('GET /api/admin/appearances/:owner/image', get('/api/admin/appearances/unit:so-gddt/image'), adminApi(OK)),
  ...staffRows('GET /api/admin/procedures', get('/api/admin/procedures'), adminApi(OK)),
  ...staffRows('POST /api/admin/procedures/:id/enable', post('/api/admin/procedures/khong-co/enable'), adminApi('404 PROCEDURE_NOT_FOUND')),
  ...staffRows('POST /api/admin/procedures/:id/disable', post('/api/admin/procedures/khong-co/disable'), adminApi('404 PROCEDURE_NOT_FOUND')),
  ...staffRows('POST /api/admin/procedures', post('/api/admin/procedures', { multipart: [{ name: 'note', value: 'không có tệp' }] }), adminApi(VF)),
  ...staffRows('GET /api/admin/procedures/:id/versions/:version/source', get('/api/admin/procedures/diploma-copy/versions/1/source'), adminApi(OK)),
  ...staffRows('GET /api/admin/calendar', get('/api/admin/calendar'), adminApi(OK)),
  ...staffRows('GET /api/admin/calendar/:year', get('/api/admin/calendar/2026'), adminApi(OK)),
  ...staffRows('PUT /api/admin/calendar/:year', send('PUT', '/api/admin/calendar/2026', { json: { holidays: ['2026-13-45'], workingWeekends: [] } }), adminApi(VF)),
  ...staffRows('GET /api/admin/campaigns', get('/api/admin/campaigns'), adminApi(OK)),
  ...staffRows('GET /api/admin/campaigns/:id', get('/api/admin/campaigns/ts10-demo'), adminApi(OK)),
  // A division is not a school: refused by the service, after the gate.
  ...staffRows('POST /api/admin/campaigns', send('POST', '/api/admin/campaigns', { json: { ...CAMPAIGN, schools: [{ unitId: 'qlcl', quota: 10 }] } }), adminApi(VF)),
  ...staffRows('PATCH /api/admin/campaigns/:id', send('PATCH', '/api/admin/campaigns/khong-co', { json: { name: 'Kỳ không có' } }), adminApi('404 NOT_FOUND')),

  // The admission season (issue 14). The test file writes a done, unpublished run {runId} of ts10-demo (open now; one
  // pupil admitted to Lam Sơn, one to Đào Duy Từ: MATRIX_PUPILS) and a published run {publishedRunId} of ts10-2025
  // (closed); no cell starts a job or imports scores (checked at the end: admissionState).
  ...staffRows('POST /api/admin/campaigns/:id/scores', post('/api/admin/campaigns/ts10-demo/scores', { multipart: [{ name: 'note', value: 'không có tệp' }] }), adminApi(VF)),
  ...staffRows('POST /api/admin/campaigns/:id/assignment', post('/api/admin/campaigns/khong-co/assignment'), adminApi('404 NOT_FOUND')),
  ...staffRows('GET /api/admin/campaigns/:id/assignment/:runId', get('/api/admin/campaigns/ts10-demo/assignment/{runId}'), adminApi(OK)),
  // Another campaign's run is no run of this one.
  ...staffRows('GET /api/admin/campaigns/:id/assignment/:runId (another campaign\'s)', get('/api/admin/campaigns/ts10-demo/assignment/{publishedRunId}'), adminApi('404 NOT_FOUND')),
  ...staffRows('POST /api/admin/campaigns/:id/assignment/:runId/publish', post(`/api/admin/campaigns/ts10-demo/assignment/${NO_ID}/publish`), adminApi('404 NOT_FOUND')),
  // Publishing a published run again keeps its first time: nothing changes.
  ...staffRows('POST /api/admin/campaigns/:id/assignment/:runId/publish (published)', post('/api/admin/campaigns/ts10-2025/assignment/{publishedRunId}/publish'), adminApi(OK)),
  ...staffRows('GET /api/admin/campaigns/:id/assignment/:runId/changes', get('/api/admin/campaigns/ts10-demo/assignment/{runId}/changes?since={runId}'), adminApi(OK)),
  // Admission notices: only for the latest published run, so the administrator's start on the unpublished {runId} is
  // refused and queues nothing; the progress is the administrator's.
  ...staffRows('POST /api/admin/campaigns/:id/assignment/:runId/notices', post('/api/admin/campaigns/ts10-demo/assignment/{runId}/notices'), adminApi('409 NOTICES_NOT_ALLOWED')),
  ...staffRows('GET /api/admin/campaigns/:id/assignment/:runId/notices', get('/api/admin/campaigns/ts10-demo/assignment/{runId}/notices'), adminApi(OK)),
  // A principal's lists: any leader (the Department's has no school: an empty page); the CSV of a campaign not yet
  // published is a 404 to the administrator and its schools' principals, a 403 to everyone else.
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('GET /can-bo/tuyen-sinh', get('/can-bo/tuyen-sinh'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P200, P403, P403, P200, P403, P200, P403, LOGIN, LOGIN]),
  ...staffRows('GET /can-bo/tuyen-sinh/:id/ket-qua.csv (not published)', get('/can-bo/tuyen-sinh/ts10-demo/ket-qua.csv'),
    [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P404, P403, P404, P403, P404, P403, LOGIN, LOGIN]),
  // Results: the administrator every pupil; a principal of a school of the campaign only their school's pupils; every
  // other account 403 (the school offices, the Department's other staff, Hàm Rồng's office); anyone not signed in 401.
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('GET /api/admin/campaigns/:id/results (a Lam Sơn pupil)', { ...get('/api/admin/campaigns/ts10-demo/results'), mark: MATRIX_PUPILS.lamSon },
    [UA, UA, UA, FB, FB, FB, FB, 'lists', FB, 'lists', FB, 'omits', FB, UA, UA]),
  ...staffRows('GET /api/admin/campaigns/:id/results (a Đào Duy Từ pupil)', { ...get('/api/admin/campaigns/ts10-demo/results'), mark: MATRIX_PUPILS.daoDuyTu },
    [UA, UA, UA, FB, FB, FB, FB, 'lists', FB, 'omits', FB, 'lists', FB, UA, UA]),
  ...staffRows('GET /api/admin/campaigns/:id/results?format=csv', { ...get('/api/admin/campaigns/ts10-demo/results?format=csv&run={runId}'), mark: MATRIX_PUPILS.daoDuyTu },
    [UA, UA, UA, FB, FB, FB, FB, 'lists', FB, 'omits', FB, 'lists', FB, UA, UA]),
  // An unknown campaign: the gate first, so nobody not allowed learns whether it exists.
  ...staffRows('GET /api/admin/campaigns/:id/results (unknown campaign)', get('/api/admin/campaigns/khong-co/results'), adminApi('404 NOT_FOUND')),
  // Cut-offs: the administrator any time; anyone else only once published (ts10-demo's run is not).
  ...staffRows('GET /api/admin/campaigns/:id/cutoffs (not published)', get('/api/admin/campaigns/ts10-demo/cutoffs'),
    [NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, OK, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF]),
  // Naming the unpublished run does not open it to anyone but the administrator.
  ...staffRows('GET /api/admin/campaigns/:id/cutoffs?run= (not published)', get('/api/admin/campaigns/ts10-demo/cutoffs?run={runId}'),
    [NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, OK, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF, NOTF]),
  // Another campaign's run is no run of this one, for results and changes alike.
  ...staffRows('GET /api/admin/campaigns/:id/results?run= (another campaign\'s)', get('/api/admin/campaigns/ts10-demo/results?run={publishedRunId}'),
    [UA, UA, UA, FB, FB, FB, FB, NOTF, FB, NOTF, FB, NOTF, FB, UA, UA]),
  ...staffRows('GET /api/admin/campaigns/:id/assignment/:runId/changes (since another campaign\'s)', get('/api/admin/campaigns/ts10-demo/assignment/{runId}/changes?since={publishedRunId}'), adminApi('404 NOT_FOUND')),
  ...staffRows('GET /api/admin/campaigns/:id/cutoffs (published)', get('/api/admin/campaigns/ts10-2025/cutoffs'), Array<string>(15).fill(OK)),
  // The public look-ups: anyone, whoever they are signed in as; each row from its own address (rate limited per address).
  ...staffRows('GET /api/admissions/result', { ...get(`/api/admissions/result?campaign=ts10-2025&pupilIdNumber=${MATRIX_PUPILS.published}&birthDate=2010-05-04`), remoteAddress: '198.51.100.141' },
    Array<string>(15).fill(OK)),
  ...staffRows('GET /api/admissions/result (wrong birth date)', { ...get(`/api/admissions/result?campaign=ts10-2025&pupilIdNumber=${MATRIX_PUPILS.published}&birthDate=2010-05-05`), remoteAddress: '198.51.100.142' },
    Array<string>(15).fill(ARNF)),
  // A run not published answers nobody, the administrator included.
  ...staffRows('GET /api/admissions/result (not published)', { ...get(`/api/admissions/result?campaign=ts10-demo&pupilIdNumber=${MATRIX_PUPILS.lamSon}&birthDate=2011-01-02`), remoteAddress: '198.51.100.143' },
    Array<string>(15).fill(ARNF)),
  ...staffRows('GET /api/campaigns/:id/demand (open)', { ...get('/api/campaigns/ts10-demo/demand'), remoteAddress: '198.51.100.144' }, Array<string>(15).fill(OK)),
  ...staffRows('GET /api/campaigns/:id/demand (closed, published)', { ...get('/api/campaigns/ts10-2025/demand'), remoteAddress: '198.51.100.145' }, Array<string>(15).fill(OK)),
  // Pre-verification (tiền kiểm): the roster is the administrator's (a post without its file refused after the gate, an
  // unknown pupil a 404); a parent's side needs a VNeID session (everyone else 401) and answers a pupil on nobody's
  // roster with the same 404 as someone else's child.
  ...staffRows('POST /api/admin/campaigns/:id/roster', post('/api/admin/campaigns/ts10-demo/roster', { multipart: [{ name: 'note', value: 'không có tệp' }] }), adminApi(VF)),
  ...staffRows('GET /api/admin/campaigns/:id/roster', get('/api/admin/campaigns/ts10-demo/roster?status=pending&q=a&page=1'), adminApi(OK)),
  ...staffRows('POST /api/admin/campaigns/:id/roster/:pupilIdNumber', send('POST', '/api/admin/campaigns/ts10-demo/roster/038299999999', { json: { confirm: true } }), adminApi(NOTF)),
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('GET /api/admissions/roster', get('/api/admissions/roster'), [...Array<string>(13).fill(UA), OK, OK]),
  ...staffRows('POST /api/admissions/roster/:campaignId/:pupilIdNumber', post('/api/admissions/roster/ts10-demo/038299999999', { json: { confirm: true } }),
    [...Array<string>(13).fill(UA), NOTF, NOTF]),
  // Re-marking (phúc khảo): the citizen side answers like a dossier nobody registered (the pupil below is in no
  // registration: every caller the same 404, staff included — re-marking is the family's request); the administration
  // side is the administrator's, an unknown request a 404 after the gate.
  ...staffRows('POST /api/admissions/remarking (no such registration)', post('/api/admissions/remarking', { json: { campaign: 'ts10-demo', pupilIdNumber: '038299999999', subjects: ['Toán'] } }),
    Array<string>(15).fill(NF)),
  ...staffRows('GET /api/admissions/remarking (no such registration)', get('/api/admissions/remarking?campaign=ts10-demo&pupilIdNumber=038299999999'), Array<string>(15).fill(NF)),
  ...staffRows('GET /api/admin/campaigns/:id/remarking', get('/api/admin/campaigns/ts10-demo/remarking'), adminApi(OK)),
  ...staffRows('POST /api/admin/campaigns/:id/remarking/:requestId', send('POST', `/api/admin/campaigns/ts10-demo/remarking/${NO_ID}`, { json: { outcome: 'refused', note: 'Không có đơn' } }),
    adminApi('404 NOT_FOUND')),
  // Confirmation of enrolment and the supplementary round: the family's side answers a pupil nobody registered with the
  // same 404 for every caller (staff included: the desk has its own endpoint); ts10-demo has no confirmation or
  // supplementary window, so the desk's record is refused after the gate (409), the offer is a 404 to everyone; the
  // list is the administrator's and the principals' of the campaign's schools.
  //                                              anon citizen citizen2 clerk specialist specialist2 leader admin school principal school2 principal2 school3 vneid vneidStranger
  ...staffRows('POST /api/admissions/enrolment (no such registration)', post('/api/admissions/enrolment', { json: { campaign: 'ts10-demo', pupilIdNumber: '038299999999' } }),
    Array<string>(15).fill(NF)),
  ...staffRows('PUT /api/admissions/supplementary (no such registration)', send('PUT', '/api/admissions/supplementary', { json: { campaign: 'ts10-demo', pupilIdNumber: '038299999999', choices: ['thpt-lam-son'] } }),
    Array<string>(15).fill(NF)),
  ...staffRows('GET /api/campaigns/:id/supplementary (no window)', get('/api/campaigns/ts10-demo/supplementary'), Array<string>(15).fill(NOTF)),
  ...staffRows('GET /api/admin/campaigns/:id/enrolments', get('/api/admin/campaigns/ts10-demo/enrolments'), [UA, UA, UA, FB, FB, FB, FB, OK, FB, OK, FB, OK, FB, UA, UA]),
  // A school's desk learns nothing of a pupil not admitted to it (no published result here): the same 403 before the window.
  ...staffRows('POST /api/admin/campaigns/:id/enrolments', send('POST', '/api/admin/campaigns/ts10-demo/enrolments', { json: { pupilIdNumber: MATRIX_PUPILS.lamSon } }),
    [UA, UA, UA, FB, FB, FB, FB, WC, FB, FB, FB, FB, FB, UA, UA]),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/phuc-khao', get('/quan-tri/tuyen-sinh/ts10-demo/phuc-khao'), [LOGIN, LOGIN, LOGIN, P403, P403, P403, P403, P200, P403, P403, P403, P403, P403, LOGIN, LOGIN]),
  ...staffRows('GET /api/campaigns/:id/demand (unknown)', { ...get('/api/campaigns/khong-co/demand'), remoteAddress: '198.51.100.146' }, Array<string>(15).fill(NOTF)),
  ...staffRows('GET /api/admin/document-kinds', get('/api/admin/document-kinds'), adminApi(OK)),
  ...staffRows('PATCH /api/admin/document-kinds/:key', send('PATCH', '/api/admin/document-kinds/khong-co', { json: { name: 'Công văn' } }), adminApi('404 DOCUMENT_KIND_NOT_FOUND')),
  ...staffRows('GET /api/admin/document-register', get('/api/admin/document-register'), adminApi(OK)),
  ...staffRows('GET /api/admin/document-register?format=csv', get('/api/admin/document-register?format=csv'), adminApi(OK)),
  ...staffRows('GET /api/admin/document-register?format=xlsx', get('/api/admin/document-register?format=xlsx'), adminApi(OK)),
  ...staffRows('GET /api/admin/audit', get('/api/admin/audit'), adminApi(OK)),
  ...staffRows('GET /api/admin/audit?format=csv', get('/api/admin/audit?format=csv'), adminApi(OK)),
  ...staffRows('GET /api/admin/national-portal/inbound', get('/api/admin/national-portal/inbound'), adminApi(OK)),
  ...staffRows('GET /api/admin/national-portal/sync', get('/api/admin/national-portal/sync'), adminApi(OK)),
  // Nothing has failed for good: the retry retries nothing.
  ...staffRows('POST /api/admin/national-portal/sync/retry', post('/api/admin/national-portal/sync/retry'), adminApi(OK)),
  ...staffRows('GET /api/admin/payments', get('/api/admin/payments'), adminApi(OK)),
  // No payment is pending: the pass asks the platform nothing.
  ...staffRows('POST /api/admin/payments/reconcile', post('/api/admin/payments/reconcile'), adminApi(OK)),
  // The national portal's push authenticates by its HMAC alone, and this deployment has no portal link: 404 to everyone,
  // sessions included (test/security/national-portal-inbound.test.ts covers a configured link).
  ...staffRows('POST /api/national-portal/dossiers', send('POST', '/api/national-portal/dossiers', { json: { MaHoSo: 'H56-1' } }),
    Array<string>(15).fill('404 NATIONAL_PORTAL_DISABLED')),

  // The public Decision 766 summary (issue 13): anyone, whoever they are signed in as; each row from its own address, as
  // each address may ask 30 times a minute.
  ...staffRows('GET /api/public/index-766', { ...get('/api/public/index-766'), remoteAddress: '198.51.100.66' }, Array<string>(15).fill(OK)),
  ...staffRows('GET /chi-so-phuc-vu', { ...get('/chi-so-phuc-vu'), remoteAddress: '198.51.100.67' }, Array<string>(15).fill(P200)),

  // Metrics: decided by the address alone (src/metrics/access.ts), never by a session; no METRICS_TOKEN is set here.
  ...staffRows('GET /metrics (private address)', get('/metrics'), [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
  ...staffRows('GET /metrics (public address)', { ...get('/metrics'), remoteAddress: PUBLIC_ADDRESS }, [FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB]),
  ...staffRows('GET /metrics (through a proxy)', { ...get('/metrics'), headers: { 'x-forwarded-for': PUBLIC_ADDRESS } }, [FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB, FB]),
  // A session token is no metrics token, even the administrator's.
  ...staffRows('GET /metrics (session as Bearer)', { ...get('/metrics'), via: 'bearer' }, [OK, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA, UA]),

  // The administration pages.
  ...staffRows('GET /quan-tri/to-chuc', get('/quan-tri/to-chuc'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/cai-dat', post('/quan-tri/to-chuc/cai-dat', { form: { provinceName: '' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/to-chuc/co-quan/moi', get('/quan-tri/to-chuc/co-quan/moi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/co-quan', post('/quan-tri/to-chuc/co-quan', { form: { code: DEPARTMENT_AGENCY, name: 'Sở trùng mã', abbreviation: 'SGDDT' } }, true), adminPage('page 409')),
  ...staffRows('GET /quan-tri/to-chuc/co-quan/:code', get(`/quan-tri/to-chuc/co-quan/${DEPARTMENT_AGENCY}`), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/co-quan/:code', post(`/quan-tri/to-chuc/co-quan/${UNKNOWN_AGENCY}`, { form: { name: 'Không có' } }, true), adminPage(P404)),
  ...staffRows('GET /quan-tri/to-chuc/don-vi', get('/quan-tri/to-chuc/don-vi'), adminPage(P200)),
  ...staffRows('GET /quan-tri/to-chuc/don-vi/moi', get('/quan-tri/to-chuc/don-vi/moi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/don-vi', post('/quan-tri/to-chuc/don-vi', { form: { id: 'qlcl', name: 'Phòng trùng mã', kind: 'office', agencyCode: DEPARTMENT_AGENCY } }, true), adminPage('page 409')),
  ...staffRows('GET /quan-tri/to-chuc/don-vi/:id', get('/quan-tri/to-chuc/don-vi/qlcl'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/don-vi/:id', post('/quan-tri/to-chuc/don-vi/qlcl', { form: { kind: 'khong-co' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/to-chuc/nhap', get('/quan-tri/to-chuc/nhap'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/nhap', post('/quan-tri/to-chuc/nhap', { multipart: [{ name: 'note', value: 'không có tệp' }] }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/to-chuc/mau-nhap-don-vi-truong.csv', get('/quan-tri/to-chuc/mau-nhap-don-vi-truong.csv'), adminPage(OK)),
  ...staffRows('GET /quan-tri/to-chuc/phan-cong', get('/quan-tri/to-chuc/phan-cong'), adminPage(P200)),
  ...staffRows('POST /quan-tri/to-chuc/phan-cong', post('/quan-tri/to-chuc/phan-cong', { form: { 'role.*.desk': 'khong-co', 'role.diploma-copy.office': 'qlcl' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/can-bo', get('/quan-tri/can-bo'), adminPage(P200)),
  ...staffRows('GET /quan-tri/can-bo/tao-moi', get('/quan-tri/can-bo/tao-moi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/can-bo/tao-moi', post('/quan-tri/can-bo/tao-moi', { form: { username: 'clerk', fullName: 'Trùng Tên', title: 'Cán bộ', unitId: 'mot-cua', roles: 'admin' } }, true), adminPage('page 409')),
  ...staffRows('GET /quan-tri/can-bo/tai-khoan/:username', get('/quan-tri/can-bo/tai-khoan/clerk'), adminPage(P200)),
  ...staffRows('POST /quan-tri/can-bo/tai-khoan/:username', post('/quan-tri/can-bo/tai-khoan/admin', { form: { fullName: 'Phạm Quốc Huy', title: 'Quản trị hệ thống', unitId: 'so-gddt', roles: 'clerk' } }, true), adminPage('page 409')),
  ...staffRows('POST /quan-tri/can-bo/tai-khoan/:username/khoa', post('/quan-tri/can-bo/tai-khoan/admin/khoa', { form: {} }, true), adminPage('page 409')), // the last administrator: the refusal on the page
  ...staffRows('POST /quan-tri/can-bo/tai-khoan/:username/mo-khoa', post('/quan-tri/can-bo/tai-khoan/khong-co-ai/mo-khoa', { form: {} }, true), adminPage(P404)),
  ...staffRows('POST /quan-tri/can-bo/tai-khoan/:username/tat-xac-thuc-hai-lop', post('/quan-tri/can-bo/tai-khoan/khong-co-ai/tat-xac-thuc-hai-lop', { form: {} }, true), adminPage(P404)),
  ...staffRows('POST /quan-tri/can-bo/tai-khoan/:username/cap-lai-mat-khau', post('/quan-tri/can-bo/tai-khoan/khong-co-ai/cap-lai-mat-khau', { form: {} }, true), adminPage(P404)),
  ...staffRows('GET /quan-tri/khoa-ky-so', get('/quan-tri/khoa-ky-so'), adminPage(P200)),
  ...staffRows('POST /quan-tri/khoa-ky-so/khoa', post('/quan-tri/khoa-ky-so/khoa', { form: { owner: 'staff:clerk' } }, true), adminPage(P422)),
  ...staffRows('POST /quan-tri/khoa-ky-so/anh', post('/quan-tri/khoa-ky-so/anh', { form: { owner: 'unit:so-gddt' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/khoa-ky-so/:id/thu-hoi', get('/quan-tri/khoa-ky-so/{keyId}/thu-hoi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/khoa-ky-so/:id/thu-hoi', post(`/quan-tri/khoa-ky-so/${NO_ID}/thu-hoi`, { form: {} }, true), adminPage(P404)),
  ...staffRows('GET /quan-tri/thu-tuc', get('/quan-tri/thu-tuc'), adminPage(P200)),
  ...staffRows('POST /quan-tri/thu-tuc/:id/bat', post('/quan-tri/thu-tuc/khong-co/bat', { form: {} }, true), adminPage(P404)),
  ...staffRows('POST /quan-tri/thu-tuc/:id/tat', post('/quan-tri/thu-tuc/khong-co/tat', { form: {} }, true), adminPage(P404)),
  ...staffRows('POST /quan-tri/thu-tuc/nap', post('/quan-tri/thu-tuc/nap', { multipart: [{ name: 'note', value: 'không có tệp' }] }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/thu-tuc/:id/phien-ban/:version', get('/quan-tri/thu-tuc/diploma-copy/phien-ban/1'), adminPage(P200)),
  ...staffRows('GET /quan-tri/lich', get('/quan-tri/lich'), adminPage('303 /quan-tri/lich/')),
  ...staffRows('GET /quan-tri/lich/:year', get('/quan-tri/lich/2026'), adminPage(P200)),
  ...staffRows('POST /quan-tri/lich/:year', post('/quan-tri/lich/2026', { form: { holidays: 'ngày mai', workingWeekends: '' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/tuyen-sinh', get('/quan-tri/tuyen-sinh'), adminPage(P200)),
  ...staffRows('GET /quan-tri/tuyen-sinh/moi', get('/quan-tri/tuyen-sinh/moi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/tuyen-sinh/moi', post('/quan-tri/tuyen-sinh/moi', { form: { id: 'ts-ma-tran' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id', get('/quan-tri/tuyen-sinh/ts10-demo'), adminPage(P200)),
  ...staffRows('POST /quan-tri/tuyen-sinh/:id', post('/quan-tri/tuyen-sinh/ts10-demo', { form: { name: '' } }, true), adminPage(P422)),
  // The season's pages (scores, runs): administrators only; a post without its file or its confirmation box is refused
  // on the page, an unknown run is the same 404 as another campaign's.
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/diem', get('/quan-tri/tuyen-sinh/ts10-demo/diem'), adminPage(P200)),
  ...staffRows('POST /quan-tri/tuyen-sinh/:id/diem', post('/quan-tri/tuyen-sinh/ts10-demo/diem', { multipart: [{ name: 'note', value: 'không có tệp' }] }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/xet-tuyen', get('/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen'), adminPage(P200)),
  ...staffRows('POST /quan-tri/tuyen-sinh/:id/xet-tuyen', post('/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen', { form: {} }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId', get(`/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/${NO_ID}`), adminPage(P404)),
  ...staffRows('POST /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId/cong-bo', post(`/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/${NO_ID}/cong-bo`, { form: { 'xac-nhan': 'co' } }, true), adminPage(P404)),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/xet-tuyen/:runId/ket-qua.csv', get(`/quan-tri/tuyen-sinh/ts10-demo/xet-tuyen/${NO_ID}/ket-qua.csv`), adminPage(P404)),
  // The public admission pages: anyone; the look-up under the API's rate limit (its own address here).
  ...staffRows('GET /tuyen-sinh', get('/tuyen-sinh'), Array<string>(15).fill(P200)),
  ...staffRows('GET /tuyen-sinh/:campaignId', get('/tuyen-sinh/ts10-2025'), Array<string>(15).fill(P200)),
  ...staffRows('GET /tuyen-sinh/:campaignId (unknown)', get('/tuyen-sinh/khong-co'), Array<string>(15).fill(P404)),
  ...staffRows('POST /tuyen-sinh/:campaignId/tra-cuu', { ...post('/tuyen-sinh/ts10-2025/tra-cuu', { form: { pupilIdNumber: MATRIX_PUPILS.published, birthDate: '2010-05-04' } }, true), remoteAddress: '198.51.100.151' },
    Array<string>(15).fill(P200)),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/tien-kiem', get('/quan-tri/tuyen-sinh/ts10-demo/tien-kiem'), adminPage(P200)),
  ...staffRows('POST /quan-tri/tuyen-sinh/:id/tien-kiem', post('/quan-tri/tuyen-sinh/ts10-demo/tien-kiem', { multipart: [{ name: 'note', value: 'không có tệp' }] }, true), adminPage(P422)),
  // The parent's page: a sign-in prompt for anyone else; an answer needs a VNeID session, and a pupil not theirs is a 404.
  ...staffRows('GET /tien-kiem', get('/tien-kiem'), Array<string>(15).fill(P200)),
  ...staffRows('POST /tien-kiem', post('/tien-kiem', { form: { campaignId: 'ts10-demo', pupilIdNumber: '038299999999', answer: 'confirm' } }, true),
    [...Array<string>(13).fill('303 /auth/citizen/login'), P404, P404]),
  ...staffRows('GET /quan-tri/tuyen-sinh/:id/thong-bao', get('/quan-tri/tuyen-sinh/ts10-demo/thong-bao'), adminPage(P200)),
  // Without its confirmation box: refused on the page, nothing queued.
  ...staffRows('POST /quan-tri/tuyen-sinh/:id/thong-bao', post('/quan-tri/tuyen-sinh/ts10-demo/thong-bao', { form: {} }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/so-van-ban', get('/quan-tri/so-van-ban'), adminPage(P200)),
  // A type abbreviation with "-" is refused on the form, after the gate.
  ...staffRows('POST /quan-tri/so-van-ban/loai/:key', post('/quan-tri/so-van-ban/loai/notice', { form: { name: 'Thông báo', abbreviation: 'T-B', register: 'outgoing' } }, true), adminPage(P422)),
  ...staffRows('GET /quan-tri/nhat-ky', get('/quan-tri/nhat-ky'), adminPage(P200)),
  ...staffRows('GET /quan-tri/lien-thong', get('/quan-tri/lien-thong'), adminPage(P200)),
  ...staffRows('GET /quan-tri/lien-thong/dong-bo', get('/quan-tri/lien-thong/dong-bo'), adminPage(P200)),
  ...staffRows('POST /quan-tri/lien-thong/dong-bo/chay-lai', post('/quan-tri/lien-thong/dong-bo/chay-lai', { form: {} }, true), adminPage('303 /quan-tri/lien-thong/dong-bo?tb=khong-co')),
  ...staffRows('GET /quan-tri/thanh-toan', get('/quan-tri/thanh-toan'), adminPage(P200)),
  ...staffRows('POST /quan-tri/thanh-toan/doi-soat', post('/quan-tri/thanh-toan/doi-soat', { form: {} }, true), adminPage('303 /quan-tri/thanh-toan?doi_soat=0-0-0-0')),
  ...staffRows('GET /quan-tri/hang-doi', get('/quan-tri/hang-doi'), adminPage(P200)),
  ...staffRows('POST /quan-tri/thiet-lap', post('/quan-tri/thiet-lap', { form: {} }, true), adminPage('303 /quan-tri?tb=')),

  // The signed-in account's own pages: every staff member, nobody else.
  ...staffRows('GET /tai-khoan', get('/tai-khoan'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, P200, P200, P200, P200, P200, P200, LOGIN, LOGIN]),
  ...staffRows('GET /tai-khoan/doi-mat-khau', get('/tai-khoan/doi-mat-khau'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, P200, P200, P200, P200, P200, P200, LOGIN, LOGIN]),
  // Nothing filled in: refused on the form, the password stays.
  ...staffRows('POST /tai-khoan/doi-mat-khau', post('/tai-khoan/doi-mat-khau', { form: {} }, true), [LOGIN, LOGIN, LOGIN, P422, P422, P422, P422, P422, P422, P422, P422, P422, P422, LOGIN, LOGIN]),
  ...staffRows('GET /tai-khoan/xac-thuc-hai-lop', get('/tai-khoan/xac-thuc-hai-lop'), [LOGIN, LOGIN, LOGIN, P200, P200, P200, P200, P200, P200, P200, P200, P200, P200, LOGIN, LOGIN]),
  ...staffRows('POST /tai-khoan/xac-thuc-hai-lop/bat-dau', post('/tai-khoan/xac-thuc-hai-lop/bat-dau', { form: {} }, true), [LOGIN, LOGIN, LOGIN, ...Array<string>(10).fill(ENROLS), LOGIN, LOGIN]),
  // No enrolment begun: a code confirms nothing.
  ...staffRows('POST /tai-khoan/xac-thuc-hai-lop/xac-nhan', post('/tai-khoan/xac-thuc-hai-lop/xac-nhan', { form: { otp: '123456' } }, true), [LOGIN, LOGIN, LOGIN, P422, P422, P422, P422, P422, P422, P422, P422, P422, P422, LOGIN, LOGIN]),
  // Turning off what is not on is nothing to do (the account's page says so).
  ...staffRows('POST /tai-khoan/xac-thuc-hai-lop/tat', post('/tai-khoan/xac-thuc-hai-lop/tat', { form: { otp: '123456' } }, true),
    [LOGIN, LOGIN, LOGIN, ...Array<string>(10).fill('303 /tai-khoan/xac-thuc-hai-lop?tb='), LOGIN, LOGIN]),
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
