// The authorization matrix (authorization-matrix.ts) against the whole application in production mode: four dossiers
// of two procedures in known states, every caller, every cell with app.inject; then the administration's endpoints and
// pages, and /metrics. Prints the cells run per endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { dossiers } from '../../src/db/schema/dossiers.js';
import { CITIZEN_COOKIE } from '../../src/services/citizens/sessions.js';
import { fileFeedback } from '../../src/services/feedback/file-feedback.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { signInCitizen, testPersonalId } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf, makePng } from '../helpers/files.js';
import { eventually, listenForHttp } from '../helpers/http.js';
import { uploadPaidDiplomaCopy } from '../helpers/paid-procedure.js';
import { recordDeskPayment } from '../../src/services/payments/desk-payment.js';
import { admissionCutoffs, admissionResults, admissionRuns } from '../../src/db/schema/admissions.js';
import { administrationState, admissionState, citizenDataState, paymentState } from './administration-state.js';
import { CALLER_LABELS, CALLERS, expectedOf, MATRIX, MATRIX_PUPILS, unitRelation, type CallerName, type DossierKey, type MatrixRow } from './authorization-matrix.js';
import { mismatches, multipartBody, observe, summary, toInject, type Fixtures } from './corpus-runner.js';

interface Seeded { code: string; token: string; doc: string; version: number }

let env: TestEnvironment;
let sessions: Record<string, string>;
/** The VNeID session tokens of the `vneid` and `vneidStranger` columns. */
const citizenSessions: Record<string, string> = {};
let csrf: Fixtures['csrf'];
/** Placeholders of the rows without a dossier: {keyId} the leader's signing key. */
const globals: Record<string, string> = {};
const seeded = {} as Record<DossierKey, Seeded>;
/** Whose token is "another dossier's" for each dossier. */
const OTHER: Record<DossierKey, DossierKey> = { diploma: 'diplomaNew', diplomaNew: 'diploma', transfer: 'released', released: 'transfer', paid: 'diploma' };
const ran = new Map<string, number>();
const byUnit = new Map<string, number>();
let skipped = 0;
let administration: Record<string, unknown>;
let citizenData: Record<string, unknown>;
let payments: Record<string, unknown>;
let admissions: Record<string, unknown>;

const transferRequest = {
  parentName: 'Phạm Thị Thu', parentIdNumber: '038185004321', parentPhone: '0987654321', parentEmail: 'thu@example.vn',
  parentAddress: 'Phường Đông Thọ, TP Thanh Hóa', pupilName: 'Phạm Gia Bảo', pupilBirthDate: '2010-09-01', grade: '10',
  scope: 'within', currentSchool: 'thpt-lam-son', targetSchool: 'thpt-dao-duy-tu', reason: 'Gia đình chuyển nơi ở',
};

beforeAll(async () => {
  // A Payment Platform is configured (no one answers there, and no cell needs it to): the callback and the payment
  // request are then checked as in production rather than refused as unconfigured.
  env = await startTestEnvironment('production', { env: {
    PAYMENT_PLATFORM_URL: 'http://127.0.0.1:9', PAYMENT_PLATFORM_PARTNER_CODE: 'MOTCUA-MATRAN', PAYMENT_PLATFORM_SECRET: 'bi-mat-ma-tran-thanh-toan',
  } });
  const { ctx } = env;
  const pdf = await makePdf();
  const staff = CALLERS.filter((c) => !['anon', 'citizen', 'citizen2', 'vneid', 'vneidStranger'].includes(c));
  sessions = Object.fromEntries(await Promise.all(staff.map(async (username) => {
    const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
    return [username, r.json().token as string] as const;
  })));

  const diplomaFiles = [{ fieldName: 'identity', fileName: 'cccd.pdf', data: pdf }];
  const transferFiles = [
    { fieldName: 'application', fileName: 'don.pdf', data: pdf }, { fieldName: 'schoolRecord', fileName: 'hoc-ba.png', data: makePng() },
    { fieldName: 'admissionCertificate', fileName: 'giay-bao.pdf', data: pdf },
  ];
  const diploma = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Lương Thị Ma Trận'), files: diplomaFiles });
  await performAction(ctx, { code: diploma.code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
  const diplomaNew = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Lương Văn Mới'), files: diplomaFiles });
  const transfer = await submitDossier(ctx, { procedureId: 'school-transfer', data: transferRequest, files: transferFiles });
  const released = await submitDossier(ctx, { procedureId: 'school-transfer', data: { ...transferRequest, pupilName: 'Phạm Gia Huy' }, files: transferFiles });
  await performAction(ctx, { code: released.code, action: 'release', caller: await staffCaller(ctx, 'school'), version: 1, comment: 'Đồng ý cho chuyển' });

  // The paid dossiers (filed after the paid version is uploaded), their fees taken at the desk.
  await uploadPaidDiplomaCopy(await listenForHttp(env), sessions.admin!, env.config.workflowsDir);
  const paid = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Lương Thị Nộp Phí'), files: diplomaFiles });
  const otherPaid = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Lương Văn Nộp Khác'), files: diplomaFiles });
  const clerk = await staffCaller(ctx, 'clerk');
  globals.reference = (await recordDeskPayment(ctx, paid.code, clerk, { amount: 150_000, reference: undefined, note: undefined })).reference;
  globals.otherReference = (await recordDeskPayment(ctx, otherPaid.code, clerk, { amount: 150_000, reference: undefined, note: undefined })).reference;
  // Receipts are issued by a job: wait for both, so no cell sees one half-way.
  for (const [filed, reference] of [[paid, globals.reference], [otherPaid, globals.otherReference]] as const) {
    await eventually(async () => {
      const r = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}/payments/${reference}/receipt`, headers: { authorization: `Bearer ${filed.trackingToken}` } });
      return r.statusCode === 200 ? true : undefined;
    });
  }

  for (const [key, filed] of Object.entries({ diploma, diplomaNew, transfer, released, paid }) as Array<[DossierKey, typeof diploma]>) {
    const view = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}`, headers: { authorization: `Bearer ${filed.trackingToken}` } });
    seeded[key] = { code: filed.code, token: filed.trackingToken, doc: view.json().documents[0].id, version: view.json().version };
  }
  // The VNeID columns: a parent who filed the diploma dossiers signed in, and whose child is the subject of the
  // transfers (filed anonymously, as a parent would before signing in); and a citizen with a child of their own whom
  // none of them concerns. Intake with a citizen caller writes these columns; here they are set on the seeded dossiers.
  const childId = testPersonalId();
  const parent = await signInCitizen(ctx.db, {
    fullName: 'Phạm Thị Thu', family: [{ relation: 'child', personalId: childId, fullName: 'Phạm Gia Bảo', birthDate: '2010-09-01' }],
  });
  const stranger = await signInCitizen(ctx.db, {
    fullName: 'Đỗ Văn Lạ', family: [{ relation: 'child', personalId: testPersonalId(), fullName: 'Đỗ Minh Lạ', birthDate: '2011-03-02' }],
  });
  citizenSessions.vneid = parent.token;
  citizenSessions.vneidStranger = stranger.token;
  await ctx.db.update(dossiers).set({ citizenId: parent.citizen.id, filedFor: 'self' }).where(inArray(dossiers.code, [diploma.code, diplomaNew.code, paid.code]));
  await ctx.db.update(dossiers).set({ citizenId: null, subjectPersonalId: childId }).where(inArray(dossiers.code, [transfer.code, released.code]));
  expect((await ctx.db.select().from(dossiers).where(eq(dossiers.code, released.code)))[0]?.subjectPersonalId).toBe(childId);
  // The receipts are issued by a job (outbox → BullMQ): wait until they are there.
  for (const key of ['diploma', 'released'] as const) {
    await eventually(async () => {
      const r = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(seeded[key].code)}/forms/receipt`, headers: { authorization: `Bearer ${seeded[key].token}` } });
      return r.statusCode === 200 ? true : undefined;
    });
  }
  // The administration rows: the leader's key (its confirmation page) and the Department's seal image (to read back).
  const admin = { authorization: `Bearer ${sessions.admin}` };
  const keys = await env.app.inject({ method: 'GET', url: '/api/admin/keys', headers: admin });
  globals.keyId = (keys.json().items as Array<{ id: string; owner: { ref: string }; active: boolean }>).find((k) => k.owner.ref === 'staff:leader' && k.active)!.id;
  const boundary = 'matrix-seal';
  const seal = await env.app.inject({
    method: 'POST', url: '/api/admin/appearances', headers: { ...admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipartBody([{ name: 'unit', value: 'so-gddt' }, { name: 'image', filename: 'dau.png', contentType: 'image/png', value: makePng() }], boundary),
  });
  expect(seal.statusCode, seal.body).toBe(201);
  // The feedback rows: an item about the `diploma` dossier, filed by its tracking token's holder.
  globals.feedback = (await fileFeedback(ctx, { kind: 'public', bearer: seeded.diploma.token }, {
    kind: 'petition', dossierCode: seeded.diploma.code, title: 'Phản ánh ma trận', body: 'Nội dung phản ánh cho ma trận phân quyền.',
  })).code;
  // And one the `vneid` parent filed signed in, about the same dossier.
  globals.citizenFeedback = (await fileFeedback(ctx, { kind: 'citizen', citizen: parent.citizen, loa: '2', bearer: null, ip: undefined }, {
    kind: 'petition', dossierCode: seeded.diploma.code, title: 'Phản ánh của phụ huynh', body: 'Nội dung phản ánh của phụ huynh đã đăng nhập.',
  })).code;
  // The admission season (issue 14), written straight into the tables the assignment job fills (no job runs): a done,
  // unpublished run of the open demo campaign with one pupil admitted to Lam Sơn and one to Đào Duy Từ
  // (MATRIX_PUPILS), and a published run of the closed 2025 campaign (born 2010-05-04).
  const dossierId = (await findDossierByCode(ctx.db, seeded.diploma.code))!.id;
  const [open] = await ctx.db.insert(admissionRuns).values({ campaignId: 'ts10-demo', status: 'done', progress: 1, rule: 'deferred-acceptance', seed: 'ma-tran-1', finishedAt: new Date() }).returning();
  const [closed] = await ctx.db.insert(admissionRuns).values({
    campaignId: 'ts10-2025', status: 'done', progress: 1, rule: 'deferred-acceptance', seed: 'ma-tran-2', finishedAt: new Date(), publishedAt: new Date(),
  }).returning();
  Object.assign(globals, { runId: open!.id, publishedRunId: closed!.id });
  await ctx.db.insert(admissionResults).values([
    { runId: open!.id, campaignId: 'ts10-demo', pupilIdNumber: MATRIX_PUPILS.lamSon, dossierId, birthDate: '2011-01-02', schoolUnitId: 'thpt-lam-son', choiceRank: 1, total: 4125 },
    { runId: open!.id, campaignId: 'ts10-demo', pupilIdNumber: MATRIX_PUPILS.daoDuyTu, dossierId, birthDate: '2011-03-04', schoolUnitId: 'thpt-dao-duy-tu', choiceRank: 2, total: 3850 },
    { runId: closed!.id, campaignId: 'ts10-2025', pupilIdNumber: MATRIX_PUPILS.published, dossierId, birthDate: '2010-05-04', schoolUnitId: 'thpt-lam-son', choiceRank: 1, total: 4000 },
  ]);
  await ctx.db.insert(admissionCutoffs).values([
    { runId: open!.id, schoolUnitId: 'thpt-lam-son', quota: 2, admitted: 1, cutoff: 4125 },
    { runId: open!.id, schoolUnitId: 'thpt-dao-duy-tu', quota: 40, admitted: 1, cutoff: 3850 },
    { runId: closed!.id, schoolUnitId: 'thpt-lam-son', quota: 200, admitted: 1, cutoff: 4000 },
  ]);
  administration = await administrationState(env.ctx.db);
  admissions = await admissionState(env.ctx.db);
  citizenData = await citizenDataState(env.ctx.db);
  payments = await paymentState(env.ctx.db);

  const loginPage = await env.app.inject({ method: 'GET', url: '/dang-nhap' });
  csrf = { secret: loginPage.cookies.find((c) => c.name === 'motcua_csrf')!.value, token: /name="_csrf" value="([^"]+)"/.exec(loginPage.body)![1]! };
});

afterAll(async () => {
  if (ran.size > 0) {
    console.log(`${summary('Authorization matrix', ran)}\n  by unit: ${[...byUnit.entries()].map(([u, n]) => `${u} ${n}`).join(', ')}; skipped cells ${skipped}`);
  }
  await env?.close();
});

function fixturesFor(row: MatrixRow): Fixtures {
  const values: Record<string, string> = { ...globals };
  if (row.dossier) {
    // The version is the seeded one: no cell changes a dossier (checked at the end).
    const d = seeded[row.dossier];
    Object.assign(values, { code: d.code, token: d.token, doc: d.doc, version: String(d.version), code2: d.code, token2: seeded[OTHER[row.dossier]].token });
  }
  return { values, sessions, csrf, files: {} };
}

const cells = MATRIX.flatMap((row) => CALLERS.map((caller, i) => ({ row, caller, answer: row.answers[i]! })));
const groups = new Map<string, typeof cells>();
for (const cell of cells) {
  const key = `${cell.row.endpoint}${cell.row.dossier ? ` · ${cell.row.dossier}` : ''}`;
  groups.set(key, [...(groups.get(key) ?? []), cell]);
}

describe.each([...groups.keys()])('%s', (group) => {
  it.each(groups.get(group)!.map((c) => [`${CALLER_LABELS[c.caller as CallerName]} → ${c.answer}`, c] as const))('%s', async (_name, { row, caller, answer }) => {
    const expected = expectedOf(answer);
    if (!expected) { skipped++; return; }
    const fx = fixturesFor(row);
    // A VNeID citizen calls from the pages: the session cookie, and on unsafe calls the CSRF token a page sends
    // (a session token as Bearer is still tried where the row asks for it).
    const citizenToken = citizenSessions[caller];
    const asCitizen = citizenToken === undefined ? {} : row.via === 'bearer'
      ? { who: 'anon' as const, headers: { ...row.headers, authorization: `Bearer ${citizenToken}` } }
      : { who: 'anon' as const, cookies: { [CITIZEN_COOKIE]: citizenToken }, csrf: row.csrf || row.method !== 'GET' };
    const response = await env.app.inject(toInject({
      endpoint: row.endpoint, name: caller, method: row.method, path: row.path, who: caller, body: row.body, csrf: row.csrf,
      headers: row.headers, via: row.via, remoteAddress: row.remoteAddress, expect: expected, ...asCitizen,
    }, fx));
    ran.set(row.endpoint, (ran.get(row.endpoint) ?? 0) + 1);
    const unit = unitRelation(caller, row.dossier);
    byUnit.set(unit, (byUnit.get(unit) ?? 0) + 1);
    const seen = observe(response);
    const problems = mismatches(expected, seen);
    if (expected.lists !== undefined && seen.status === 200 && response.body.includes(row.mark ?? fx.values.code!) !== expected.lists) {
      problems.push(expected.lists ? 'the dossier is not listed' : 'the dossier is listed');
    }
    expect(problems, `${row.method} ${row.path} as ${caller} (${unit}) → ${response.body.slice(0, 200).replace(/\s+/g, ' ')}`).toEqual([]);
  });
});

describe('the matrix itself', () => {
  it(`covers two procedures, every caller and both units, and the administration: ${cells.length} cells`, () => {
    expect(new Set(MATRIX.map((r) => r.dossier))).toEqual(new Set(['diploma', 'diplomaNew', 'transfer', 'released', 'paid', null]));
    expect(cells.length).toBeGreaterThan(2000);
  });

  it('left every seeded dossier where it was', async () => {
    const now = await Promise.all(Object.values(seeded).map(async (d) => findDossierByCode(env.ctx.db, d.code)));
    expect(now.map((d) => d?.status)).toEqual(['checking', 'submitted', 'submitted', 'receiving_review', 'submitted']);
    expect(now.map((d) => d?.version)).toEqual(Object.values(seeded).map((d) => d.version));
  });

  it('left the administration as it was (settings, agencies, units, unit roles, accounts, keys, procedures, calendar, campaigns)', async () => {
    expect(await administrationState(env.ctx.db)).toEqual(administration);
  });

  it('left the payments as they were (no payment made, cancelled or confirmed, no refund recorded)', async () => {
    expect(await paymentState(env.ctx.db)).toEqual(payments);
  });

  it('left the admission season as it was (no scores imported, no run started or published)', async () => {
    expect(await admissionState(env.ctx.db)).toEqual(admissions);
  });

  it("left the citizens' data as it was (messages, document stores, feedback, whom each dossier concerns)", async () => {
    expect(await citizenDataState(env.ctx.db)).toEqual(citizenData);
  });
});
