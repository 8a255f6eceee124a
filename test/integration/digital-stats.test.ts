// Decision 766's digital-government figures on GET /api/stats and the leader's dashboard (PostgreSQL + BullMQ):
// dossiers filed signed in with VNeID (÷ filed online), dossiers with a document re-used from the citizen's
// e-document store (÷ filed), documents digitised — over the period and within the caller's reach.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { signInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, submitSchoolTransfer } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

async function diploma(name: string, channel: 'online' | 'desk' = 'online'): Promise<string> {
  const { code } = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }], channel });
  return code;
}

async function transfer(): Promise<string> {
  return (await submitSchoolTransfer(env.ctx)).code;
}

/** Marks a dossier as filed by a citizen signed in with VNeID, as intake records it (citizen_id and loa). */
async function signedIn(code: string, citizenId: string) {
  await env.ctx.db.execute(sql`update dossiers set citizen_id = ${citizenId}, loa = 'http://eidas.europa.eu/LoA/high' where code = ${code}`);
}

/** A store entry for a person, digitised from a dossier (or from none). */
async function storeEntry(kind: 'digitised' | 'result', sourceCode: string | null, staffUsername: string | null, createdAt = 'now()'): Promise<string> {
  const rows = await env.ctx.database.query<{ id: string }>(
    `insert into citizen_documents (owner_personal_id, kind, title, file_name, mime_type, size_bytes, sha256, storage_key, source_dossier_id, digitised_by_staff_id, created_at)
     values ('038090001234', $1, 'Bản quét', 'a.png', 'image/png', 10, md5(random()::text), md5(random()::text),
       (select id from dossiers where code = $2), (select id from staff_accounts where username = $3), ${createdAt})
     returning id`, [kind, sourceCode, staffUsername]);
  return rows[0]!.id;
}

/** Attaches a stored document to one of the dossier's documents as intake does when the filer re-uses it. */
async function reuse(code: string, documentId: string) {
  await env.ctx.database.query(
    `update dossier_documents set reused_from_document_id = $2
     where id = (select dd.id from dossier_documents dd join dossiers d on d.id = dd.dossier_id where d.code = $1 order by dd.id limit 1)`, [code, documentId]);
}

async function login(username: string): Promise<string> {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  return r.json().token;
}

async function stats(username: string, query = '') {
  const today = vnDay(new Date());
  const r = await env.app.inject({ method: 'GET', url: `/api/stats?from=${today}&to=${today}${query}`, headers: { authorization: `Bearer ${await login(username)}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

describe('digital-government figures (Decision 766)', () => {
  it('counts VNeID filings, dossiers re-using a document and documents digitised, for the period and the reach', async () => {
    const { citizen } = await signInCitizen(env.ctx.db, { fullName: 'Nguyễn Văn Định Danh' });
    // Department procedures: 4 online (2 signed in with VNeID, one of them re-using a document), 1 at the desk.
    const vneidA = await diploma('Người Một');
    const vneidB = await diploma('Người Hai');
    await diploma('Người Ba');
    await diploma('Người Bốn');
    const desk = await diploma('Người Quầy', 'desk');
    await signedIn(vneidA, citizen.id);
    await signedIn(vneidB, citizen.id);
    // A school's dossier (thpt-lam-son), online, signed in and re-using a document.
    const school = await transfer();
    await signedIn(school, citizen.id);
    const stored = await storeEntry('result', null, null);
    await reuse(vneidA, stored);
    await reuse(school, stored);
    // Digitised: two from a Department dossier, one from the school's, one without a dossier by the Department's clerk;
    // a stored result and a scan from last month are not digitisations of this period.
    await storeEntry('digitised', desk, 'clerk');
    await storeEntry('digitised', desk, 'clerk');
    await storeEntry('digitised', school, 'clerk');
    await storeEntry('digitised', null, 'clerk');
    await storeEntry('digitised', desk, 'clerk', `now() - interval '40 days'`);

    const admin = await stats('admin');
    expect(admin.digital).toEqual({
      dossiers: 6, online: 5, vneid: 3, vneidRate: 0.6, withReusedDocument: 2, reuseRate: 0.3333, digitisedDocuments: 4,
    });
    // The principal of thpt-lam-son sees the school's dossier only.
    const principal = await stats('principal');
    expect(principal.digital).toEqual({
      dossiers: 1, online: 1, vneid: 1, vneidRate: 1, withReusedDocument: 1, reuseRate: 1, digitisedDocuments: 1,
    });
    // The Department's leader: its own dossiers, the scans from them and the scan its clerk took without a dossier.
    expect((await stats('leader')).digital).toEqual({
      dossiers: 5, online: 4, vneid: 2, vneidRate: 0.5, withReusedDocument: 1, reuseRate: 0.2, digitisedDocuments: 3,
    });
    // A procedure filter applies to the dossiers; a scan without a dossier then does not count.
    const diplomaOnly = await stats('admin', '&procedure=diploma-copy');
    expect(diplomaOnly.digital).toEqual({
      dossiers: 5, online: 4, vneid: 2, vneidRate: 0.5, withReusedDocument: 1, reuseRate: 0.2, digitisedDocuments: 2,
    });
    // The existing indicators are untouched (additive).
    expect(admin.totals).toMatchObject({ dossiers: 6, online: 5 });

    // The dashboard shows the caller's figures with their formulas.
    const page = await env.app.inject({ method: 'GET', url: '/can-bo/chi-so', headers: { authorization: `Bearer ${await login('principal')}` } });
    expect(page.statusCode).toBe(200);
    const figure = (id: string) => new RegExp(`data-testid="digital-${id}">([^<]+)<`).exec(page.body)?.[1];
    expect([figure('vneid'), figure('vneid-rate'), figure('reused'), figure('reuse-rate'), figure('digitised')]).toEqual(['1', '100,0%', '1', '100,0%', '1']);
    expect(page.body).toContain('Tỷ lệ hồ sơ xác thực VNeID = hồ sơ nộp khi đăng nhập VNeID / hồ sơ nộp trực tuyến');
    expect(page.body).toContain('Tỷ lệ hồ sơ tái sử dụng dữ liệu = hồ sơ có ít nhất một giấy tờ');
    expect(page.body).toContain('Giấy tờ đã số hóa = ');
  });
});
