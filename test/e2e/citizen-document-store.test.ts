// The citizen's e-document store (issue 12, item 5) over HTTP: a result issued for a child lands in the parent's store
// (listed, downloadable, the very file issued); a second dossier attaches it by reference instead of an upload (the
// dossier's document is the same stored file, marked re-used for staff and the citizen); someone else's document is
// refused (422 DOCUMENT_NOT_YOURS); the desk digitises a scan for a child and the parent sees it; the counts for the
// Decision 766 dashboard; who may call what.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentReuseCounts, countReusedDocuments } from '../../src/db/repositories/citizen-documents.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { AppError } from '../../src/errors.js';
import { digitiseDossierDocuments, storeIssuedResult } from '../../src/services/citizens/document-store.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInCitizen, testPersonalId, type SignedInCitizen } from '../helpers/citizen-session.js';
import { dossierAwaitingApproval, diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf, makePng } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';
import { multipartBody } from '../security/corpus-runner.js';

const ORIGIN = 'http://motcua.test';
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let env: TestEnvironment;
let parent: SignedInCitizen;
let stranger: SignedInCitizen;
const childId = testPersonalId();
const secondChildId = testPersonalId();
let clerkToken: string;
let resultCode: string;
let resultSha: string;
let storedResultId: string;
let reuseCode: string;
const startedAt = new Date();

async function inject(options: InjectOptions) {
  return env.app.inject(options);
}

function multipart(parts: Array<{ name: string; value: string | Buffer; filename?: string; contentType?: string }>) {
  const boundary = `store-${Math.random().toString(36).slice(2)}`;
  return { payload: multipartBody(parts, boundary), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A citizen's cookie-authenticated unsafe call, from the portal's own origin (the CSRF rule for cookies). */
function asCitizen(who: SignedInCitizen, contentType?: string): Record<string, string> {
  return { cookie: who.cookie, origin: ORIGIN, ...(contentType ? { 'content-type': contentType } : {}) };
}

async function fileByReference(who: SignedInCitizen, refs: Record<string, string>) {
  const body = multipart([
    { name: 'procedure', value: 'diploma-copy' },
    { name: 'data', value: JSON.stringify(diplomaRequest(who.citizen.fullName)) },
    ...Object.entries(refs).map(([key, id]) => ({ name: `ref:${key}`, value: id })),
  ]);
  return inject({ method: 'POST', url: '/api/dossiers', headers: asCitizen(who, body.contentType), payload: body.payload });
}

beforeAll(async () => {
  env = await startTestEnvironment('production');
  parent = await signInCitizen(env.ctx.db, {
    fullName: 'Trần Văn Phụ Huynh', phone: '0912000111', currentAddress: 'Phường Điện Biên, TP Thanh Hóa',
    family: [
      { relation: 'child', personalId: childId, fullName: 'Trần Minh Khôi', birthDate: '2009-05-04' },
      { relation: 'child', personalId: secondChildId, fullName: 'Trần Thu Hà', birthDate: '2012-01-09' },
    ],
  });
  stranger = await signInCitizen(env.ctx.db, { fullName: 'Lê Thị Người Lạ', phone: '0912000222', currentAddress: 'Sầm Sơn' });
  const login = await inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'clerk', password: 'demo' } });
  clerkToken = login.json().token;

  // A diploma copy about the first child (the filing records the person concerned; here set as intake would), issued.
  const waiting = await dossierAwaitingApproval(env.ctx);
  resultCode = waiting.code;
  await env.ctx.db.execute(sql`update dossiers set subject_personal_id = ${childId} where code = ${resultCode}`);
  await performAction(env.ctx, { code: resultCode, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
  const dossier = await eventually(async () => {
    const d = await findDossierByCode(env.ctx.db, resultCode);
    return d?.status === 'result_ready' ? d : undefined;
  }, 60_000);
  const issued = (await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!;
  resultSha = issued.sha256;
}, 120_000);

afterAll(async () => { await env?.close(); });

describe('a result issued for a child', () => {
  it("lands in the parent's store, with the child's name, and downloads as the very file issued", async () => {
    const list = await inject({ method: 'GET', url: '/api/me/documents', headers: { cookie: parent.cookie } });
    expect(list.statusCode, list.body).toBe(200);
    const result = (list.json().items as Array<Record<string, any>>).find((d) => d.kind === 'result');
    expect(result).toMatchObject({
      kind: 'result', kindLabel: 'Kết quả giải quyết', mimeType: 'application/pdf', sha256: resultSha,
      owner: { personalId: childId, name: 'Trần Minh Khôi', relation: 'child' }, fileName: `${resultCode}.pdf`,
    });
    expect(result!.title).toContain(resultCode);
    storedResultId = result!.id;

    const file = await inject({ method: 'GET', url: result!.fileUrl, headers: { cookie: parent.cookie } });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/pdf');
    expect(sha(file.rawPayload)).toBe(resultSha);
    // The same stored file as the dossier's result, not a copy.
    const [row] = (await env.ctx.db.execute(sql`select storage_key from citizen_documents where id = ${storedResultId}`)) as unknown as Array<{ storage_key: string }>;
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    expect(row!.storage_key).toBe((await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!.storageKey);
  });

  it('is stored once, however often the store is asked to take it (a retried issue)', async () => {
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    const issued = (await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!;
    const definition = await env.ctx.catalog.definitionFor(dossier.procedureVersionId);
    const data = await readStoredFile(env.ctx.db, issued.storageKey);
    await env.ctx.db.transaction((tx) => storeIssuedResult(tx, dossier, definition, { storageKey: issued.storageKey, data }));
    const [row] = (await env.ctx.db.execute(sql`select count(*)::int as n from citizen_documents where source_dossier_id = (select id from dossiers where code = ${resultCode})`)) as unknown as Array<{ n: number }>;
    expect(row!.n).toBe(1);
  });

  it('is not in anyone else\'s store, and a stranger cannot download it (404)', async () => {
    const list = await inject({ method: 'GET', url: '/api/me/documents', headers: { cookie: stranger.cookie } });
    expect(list.json().items).toEqual([]);
    const file = await inject({ method: 'GET', url: `/api/me/documents/${storedResultId}/file`, headers: { cookie: stranger.cookie } });
    expect(file.statusCode).toBe(404);
    expect(file.json().error.code).toBe('DOCUMENT_NOT_FOUND');
  });

  it('shows on the "Kho giấy tờ" page, which links back to the citizen space', async () => {
    const page = await inject({ method: 'GET', url: '/ho-so-cua-toi/giay-to', headers: { cookie: parent.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Kho giấy tờ');
    expect(page.body).toContain('Trần Minh Khôi');
    expect(page.body).toContain(`/api/me/documents/${storedResultId}/file`);
    expect(page.body).toContain('href="/ho-so-cua-toi"');
  });
});

describe('re-use at intake', () => {
  it('a second dossier attaches the stored result by reference, without an upload, as the same file', async () => {
    const filed = await fileByReference(parent, { identity: storedResultId });
    expect(filed.statusCode, filed.body).toBe(201);
    reuseCode = filed.json().code;
    const dossier = (await findDossierByCode(env.ctx.db, reuseCode))!;
    expect(await countReusedDocuments(env.ctx.db, dossier.id)).toBe(1);

    const view = await inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(reuseCode)}`, headers: { authorization: `Bearer ${clerkToken}` } });
    const [document] = view.json().documents as Array<Record<string, any>>;
    expect(document).toMatchObject({ key: 'identity', reused: true, fileName: `${resultCode}.pdf`, mimeType: 'application/pdf' });
    const file = await inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(reuseCode)}/documents/${document!.id}`, headers: { authorization: `Bearer ${clerkToken}` } });
    expect(sha(file.rawPayload)).toBe(resultSha);
    const [row] = (await env.ctx.db.execute(sql`select d.storage_key = c.storage_key as same, d.reused_from_document_id::text as source
      from dossier_documents d join citizen_documents c on c.id = d.reused_from_document_id where d.dossier_id = ${dossier.id}`)) as unknown as Array<{ same: boolean; source: string }>;
    expect(row).toEqual({ same: true, source: storedResultId });
  });

  it('the staff dossier page marks it "Tái sử dụng từ kho dữ liệu"; an uploaded document is not marked', async () => {
    const clerk = await signInPages(env, 'clerk');
    const reused = await clerk.get(`/can-bo/ho-so/${encodeURIComponent(reuseCode)}`);
    expect(reused.status).toBe(200);
    expect(reused.body).toContain('Tái sử dụng từ kho dữ liệu');
    const uploaded = await clerk.get(`/can-bo/ho-so/${encodeURIComponent(resultCode)}`);
    expect(uploaded.body).not.toContain('Tái sử dụng từ kho dữ liệu');
  });

  it("a stranger's document, or an id that is nobody's, is refused: 422 DOCUMENT_NOT_YOURS, nothing filed", async () => {
    const digitised = multipart([
      { name: 'ownerPersonalId', value: stranger.citizen.personalId }, { name: 'title', value: 'Giấy khai sinh' },
      { name: 'file', value: await makePdf('Giay khai sinh'), filename: 'khai-sinh.pdf', contentType: 'application/pdf' },
    ]);
    const scan = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { authorization: `Bearer ${clerkToken}`, 'content-type': digitised.contentType }, payload: digitised.payload });
    expect(scan.statusCode, scan.body).toBe(201);
    const before = (await env.ctx.db.execute(sql`select count(*)::int as n from dossiers`)) as unknown as Array<{ n: number }>;
    for (const id of [scan.json().id as string, '00000000-0000-4000-8000-000000000000', 'khong-phai-uuid']) {
      const refused = await fileByReference(parent, { identity: id });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().error).toMatchObject({ code: 'DOCUMENT_NOT_YOURS', fields: { identity: expect.any(String) } });
    }
    const after = (await env.ctx.db.execute(sql`select count(*)::int as n from dossiers`)) as unknown as Array<{ n: number }>;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('the apply page files with "Chọn từ kho giấy tờ của tôi" (ref:<key>) and no upload', async () => {
    const page = await inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop', headers: { cookie: parent.cookie } });
    const csrfCookie = page.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const action = /id="apply-form"[^>]*action="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const fields = Object.entries(diplomaRequest(parent.citizen.fullName)).map(([name, value]) => ({ name, value: String(value) }));
    const body = multipart([...fields, { name: 'filedFor', value: 'self' }, { name: 'ref:identity', value: storedResultId }]);
    const filed = await inject({
      method: 'POST', url: action, headers: { cookie: `${parent.cookie}; motcua_csrf=${csrfCookie}`, 'content-type': body.contentType }, payload: body.payload,
    });
    expect(filed.statusCode, filed.body.slice(0, 500)).toBe(303);
    const code = /\/ho-so\/([^/]+)\/bien-nhan/.exec(String(filed.headers.location))![1]!;
    const dossier = (await findDossierByCode(env.ctx.db, decodeURIComponent(code)))!;
    expect(await countReusedDocuments(env.ctx.db, dossier.id)).toBe(1);
  });

  it('without a VNeID sign-in a reference is refused (401)', async () => {
    const body = multipart([
      { name: 'procedure', value: 'diploma-copy' }, { name: 'data', value: JSON.stringify(diplomaRequest()) }, { name: 'ref:identity', value: storedResultId },
    ]);
    const anonymous = await inject({ method: 'POST', url: '/api/dossiers', headers: { 'content-type': body.contentType }, payload: body.payload });
    expect(anonymous.statusCode).toBe(401);
  });

  it('the apply page offers "Chọn từ kho giấy tờ của tôi" to a signed-in citizen only', async () => {
    const mine = await inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop', headers: { cookie: parent.cookie } });
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Chọn từ kho giấy tờ của tôi');
    expect(mine.body).toContain(`name="ref:identity"`);
    expect(mine.body).toContain(`value="${storedResultId}"`);
    const anonymous = await inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop' });
    expect(anonymous.body).not.toContain('Chọn từ kho giấy tờ của tôi');
  });
});

describe('the desk digitises', () => {
  it("a scan for the second child: audited, and the parent sees it in the store with the child's name", async () => {
    const png = makePng();
    const body = multipart([
      { name: 'ownerPersonalId', value: secondChildId }, { name: 'title', value: 'Học bạ tiểu học' },
      { name: 'file', value: png, filename: 'hoc-ba.png', contentType: 'image/png' },
    ]);
    const created = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { authorization: `Bearer ${clerkToken}`, 'content-type': body.contentType }, payload: body.payload });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'digitised', title: 'Học bạ tiểu học', mimeType: 'image/png', sha256: sha(png) });

    const list = await inject({ method: 'GET', url: '/api/me/documents', headers: { cookie: parent.cookie } });
    const scan = (list.json().items as Array<Record<string, any>>).find((d) => d.id === created.json().id);
    expect(scan).toMatchObject({ kind: 'digitised', owner: { personalId: secondChildId, name: 'Trần Thu Hà', relation: 'child' } });
    const file = await inject({ method: 'GET', url: scan!.fileUrl, headers: { cookie: parent.cookie } });
    expect(file.rawPayload.equals(png)).toBe(true);

    const audit = await inject({ method: 'GET', url: '/api/admin/audit?action=citizen_document.digitised', headers: { authorization: `Bearer ${(await inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'demo' } })).json().token}` } });
    expect(audit.body).toContain(created.json().id);
  });

  it('refuses a file that is not a PDF, JPEG or PNG (415) and a malformed ID number (422)', async () => {
    const text = multipart([
      { name: 'ownerPersonalId', value: secondChildId }, { name: 'title', value: 'Giấy tờ' },
      { name: 'file', value: Buffer.from('not a pdf at all'), filename: 'x.pdf', contentType: 'application/pdf' },
    ]);
    const wrongType = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { authorization: `Bearer ${clerkToken}`, 'content-type': text.contentType }, payload: text.payload });
    expect(wrongType.statusCode).toBe(415);
    const badId = multipart([{ name: 'ownerPersonalId', value: '12345' }, { name: 'title', value: 'Giấy tờ' }, { name: 'file', value: makePng(), filename: 'a.png' }]);
    const refused = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { authorization: `Bearer ${clerkToken}`, 'content-type': badId.contentType }, payload: badId.payload });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.ownerPersonalId).toBeTruthy();
  });

  it('"Số hóa vào kho của công dân" on the staff dossier page puts the dossier\'s documents in the person\'s store, once', async () => {
    const clerk = await signInPages(env, 'clerk');
    const page = await clerk.get(`/can-bo/ho-so/${encodeURIComponent(resultCode)}`);
    expect(page.body).toContain('Số hóa vào kho của công dân');
    const first = await clerk.post(`/can-bo/ho-so/${encodeURIComponent(resultCode)}/so-hoa`, { ownerPersonalId: '' });
    expect(first.status).toBe(303);
    expect(first.location).toContain(`Đã số hóa 1 giấy tờ vào kho của công dân có số định danh ${childId}`);
    const again = await clerk.post(`/can-bo/ho-so/${encodeURIComponent(resultCode)}/so-hoa`, { ownerPersonalId: '' });
    expect(again.location).toContain('đã có trong kho');
    const list = await inject({ method: 'GET', url: '/api/me/documents', headers: { cookie: parent.cookie } });
    const digitised = (list.json().items as Array<Record<string, any>>).filter((d) => d.kind === 'digitised' && d.owner.personalId === childId);
    expect(digitised).toHaveLength(1);
    expect(digitised[0]!.title).toContain('Căn cước công dân');
    // The dossier's stored file, shared.
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    const [upload] = (await env.ctx.db.execute(sql`select storage_key from dossier_documents where dossier_id = ${dossier.id}`)) as unknown as Array<{ storage_key: string }>;
    const [entry] = (await env.ctx.db.execute(sql`select storage_key from citizen_documents where id = ${digitised[0]!.id}`)) as unknown as Array<{ storage_key: string }>;
    expect(entry!.storage_key).toBe(upload!.storage_key);
    expect(sha(await readStoredFile(env.ctx.db, entry!.storage_key))).toBe(digitised[0]!.sha256);
  });
});

describe('who may call what', () => {
  it('the store is the signed-in citizen\'s alone: anonymous callers, tracking-token holders and staff get 401', async () => {
    for (const headers of [{}, { authorization: `Bearer ${clerkToken}` }, { authorization: 'Bearer some-tracking-token' }]) {
      const list = await inject({ method: 'GET', url: '/api/me/documents', headers });
      expect(list.statusCode).toBe(401);
      expect(list.json().error.code).toBe('UNAUTHENTICATED');
      const file = await inject({ method: 'GET', url: `/api/me/documents/${storedResultId}/file`, headers });
      expect(file.statusCode).toBe(401);
    }
    const page = await inject({ method: 'GET', url: '/ho-so-cua-toi/giay-to' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toContain('/auth/citizen/login');
  });

  it('only the desk digitises: 401 for anonymous callers and citizens, 403 for other staff', async () => {
    const body = multipart([{ name: 'ownerPersonalId', value: secondChildId }, { name: 'title', value: 'X' }, { name: 'file', value: makePng(), filename: 'a.png' }]);
    const anonymous = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { 'content-type': body.contentType }, payload: body.payload });
    expect(anonymous.statusCode).toBe(401);
    const citizen = await inject({ method: 'POST', url: '/api/citizen-documents', headers: asCitizen(parent, body.contentType), payload: body.payload });
    expect(citizen.statusCode).toBe(401);
    const specialist = (await inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'specialist', password: 'demo' } })).json().token;
    const other = await inject({ method: 'POST', url: '/api/citizen-documents', headers: { authorization: `Bearer ${specialist}`, 'content-type': body.contentType }, payload: body.payload });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('FORBIDDEN');
  });
});

describe('counting (Decision 766)', () => {
  it('dossiers with a re-used document, documents digitised and results stored over a period', async () => {
    const counts = await documentReuseCounts(env.ctx.db, { from: startedAt, to: new Date(Date.now() + 1000) });
    expect(counts).toEqual({ dossiersWithReuse: 2, reusedDocuments: 2, digitisedDocuments: 3, storedResults: 1 });
    const before = await documentReuseCounts(env.ctx.db, { from: new Date(startedAt.getTime() - 86_400_000), to: startedAt });
    expect(before).toEqual({ dossiersWithReuse: 0, reusedDocuments: 0, digitisedDocuments: 0, storedResults: 0 });
  });
});

describe('the desk corrects the store', () => {
  let clerkCaller: Awaited<ReturnType<typeof staffCaller>>;
  beforeAll(async () => { clerkCaller = await staffCaller(env.ctx, 'clerk'); });

  const entriesOf = async (dossierId: string) => (await env.ctx.db.execute(sql`select id::text, owner_personal_id, kind from citizen_documents
    where source_dossier_id = ${dossierId} order by created_at`)) as unknown as Array<{ id: string; owner_personal_id: string; kind: string }>;

  it('digitising a dossier needs the right to act on it: a desk that only keeps sight of it is refused (UNIT_FORBIDDEN)', async () => {
    const { code } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    await performAction(env.ctx, { code, action: 'receive', caller: clerkCaller, version: 1 });
    // Handed on to a school outside the desk's agency: the desk still sees it (it handed it over), no longer acts on it.
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    await env.ctx.db.execute(sql`update dossiers set unit_id = 'thpt-lam-son' where id = ${dossier.id}`);
    await env.ctx.db.execute(sql`insert into dossier_handovers (dossier_id, from_unit_id, to_unit_id, action, result, by_name, status, dossier_version)
      values (${dossier.id}, ${clerkCaller.staff.unitId}, 'thpt-lam-son', 'refer', 'Chuyển', 'Cán bộ', ${dossier.status}, ${dossier.version})`);
    const refused = await digitiseDossierDocuments(env.ctx, clerkCaller, code, childId).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'UNIT_FORBIDDEN', statusCode: 403 });
    expect(await entriesOf(dossier.id)).toEqual([]);
  });

  it("a second digitisation for another person is refused (409 DOCUMENT_IN_ANOTHER_STORE), naming whose store they are in", async () => {
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    const refused = await digitiseDossierDocuments(env.ctx, clerkCaller, resultCode, secondChildId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'DOCUMENT_IN_ANOTHER_STORE', statusCode: 409 });
    expect((refused as AppError).message).toContain(childId);
    expect((await entriesOf(dossier.id)).filter((e) => e.kind === 'digitised').map((e) => e.owner_personal_id)).toEqual([childId]);
    // The page says so instead of "already in the store".
    const clerk = await signInPages(env, 'clerk');
    const page = await clerk.post(`/can-bo/ho-so/${encodeURIComponent(resultCode)}/so-hoa`, { ownerPersonalId: secondChildId });
    expect(page.location).toContain(`đã có trong kho của người khác (số định danh ${childId})`);
    // The same person again is still a quiet "nothing to add".
    expect(await digitiseDossierDocuments(env.ctx, clerkCaller, resultCode, childId)).toEqual({ ownerPersonalId: childId, added: 0 });
  });

  it('"Gỡ khỏi kho": the desk removes a digitised document (audited), then may digitise it for the right person', async () => {
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    const [entry] = (await entriesOf(dossier.id)).filter((e) => e.kind === 'digitised');
    const specialist = (await inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'specialist', password: 'demo' } })).json().token;
    const asSpecialist = await inject({ method: 'DELETE', url: `/api/citizen-documents/${entry!.id}`, headers: { authorization: `Bearer ${specialist}` } });
    expect([asSpecialist.statusCode, asSpecialist.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const asCitizenCall = await inject({ method: 'DELETE', url: `/api/citizen-documents/${entry!.id}`, headers: asCitizen(parent) });
    expect(asCitizenCall.statusCode).toBe(401);
    const result = (await entriesOf(dossier.id)).find((e) => e.kind === 'result')!;
    const notDigitised = await inject({ method: 'DELETE', url: `/api/citizen-documents/${result.id}`, headers: { authorization: `Bearer ${clerkToken}` } });
    expect([notDigitised.statusCode, notDigitised.json().error.code]).toEqual([409, 'DOCUMENT_NOT_REMOVABLE']);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'khong-phai-uuid']) {
      const unknown = await inject({ method: 'DELETE', url: `/api/citizen-documents/${id}`, headers: { authorization: `Bearer ${clerkToken}` } });
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'DOCUMENT_NOT_FOUND']);
    }

    const removed = await inject({ method: 'DELETE', url: `/api/citizen-documents/${entry!.id}`, headers: { authorization: `Bearer ${clerkToken}` } });
    expect(removed.statusCode, removed.body).toBe(204);
    const list = await inject({ method: 'GET', url: '/api/me/documents', headers: { cookie: parent.cookie } });
    expect((list.json().items as Array<{ id: string }>).map((d) => d.id)).not.toContain(entry!.id);
    // The dossier keeps its own file: only the store entry went.
    const [upload] = (await env.ctx.db.execute(sql`select count(*)::int as n from dossier_documents where dossier_id = ${dossier.id}`)) as unknown as Array<{ n: number }>;
    expect(upload!.n).toBe(1);
    const admin = (await inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'demo' } })).json().token;
    const audit = await inject({ method: 'GET', url: '/api/admin/audit?action=citizen_document.removed', headers: { authorization: `Bearer ${admin}` } });
    expect(audit.body).toContain(entry!.id);

    expect(await digitiseDossierDocuments(env.ctx, clerkCaller, resultCode, secondChildId)).toEqual({ ownerPersonalId: secondChildId, added: 1 });
  });

  it('the staff dossier page lists what was digitised from it, each with "Gỡ khỏi kho"', async () => {
    const dossier = (await findDossierByCode(env.ctx.db, resultCode))!;
    const [entry] = (await entriesOf(dossier.id)).filter((e) => e.kind === 'digitised');
    const clerk = await signInPages(env, 'clerk');
    const page = await clerk.get(`/can-bo/ho-so/${encodeURIComponent(resultCode)}`);
    expect(page.body).toContain(`Trong kho của công dân có số định danh ${secondChildId}`);
    expect(page.body).toContain(`action="/can-bo/ho-so/${resultCode}/so-hoa/${entry!.id}/go"`);
    const posted = await clerk.post(`/can-bo/ho-so/${encodeURIComponent(resultCode)}/so-hoa/${entry!.id}/go`, {});
    expect(posted.status).toBe(303);
    expect(posted.location).toContain('Đã gỡ');
    expect((await entriesOf(dossier.id)).filter((e) => e.kind === 'digitised')).toEqual([]);
  });
});
