// Decision 766's five groups on GET /api/stats and GET /api/public/index-766 (PostgreSQL + BullMQ): every indicator's
// numerator, denominator and rate, and each group's points, checked against figures worked out by hand from data built
// here — dossiers on every channel, decided on time and late, open within and past their time, an apology, a signed
// and an unsigned result, ratings, complaints answered on time and late, digitised and re-used documents, VNeID
// filings, steps sent and unsent to the national portal, fees paid online and at the desk; and each leader's reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay } from '../../src/calendar/vn-time.js';
import { answerFeedback } from '../../src/services/feedback/answer-feedback.js';
import { fileFeedback } from '../../src/services/feedback/file-feedback.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { clearPublicIndexCache, publishedInFull } from '../../src/services/reporting/index-766.js';
import { signInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller, submitSchoolTransfer } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

const sqlRun = (text: string, params: unknown[] = []) => env.ctx.database.query(text, params);

async function diploma(name: string, channel: 'online' | 'desk'): Promise<string> {
  const { code } = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }], channel });
  return code;
}

/** Sets columns of a dossier by code (the states a dossier reaches through many steps, set in one statement). */
const set = (code: string, assignments: string) => sqlRun(`update dossiers set ${assignments} where code = $1`, [code]);
const decided = (code: string, onTime: boolean) => set(code, `status = 'returned', clock_state = 'stopped', received_at = now() - interval '3 days',
  due_at = now() - interval '1 day', completed_at = now() - interval '1 day' ${onTime ? '- interval \'2 hours\'' : '+ interval \'2 hours\''}`);
const open = (code: string, late: boolean) => set(code, `status = 'checking', clock_state = 'running', received_at = now() - interval '3 days',
  due_at = now() ${late ? '-' : '+'} interval '1 day'`);

async function syncStep(code: string, sent: boolean) {
  await sqlRun(`insert into national_sync_steps (dossier_id, event_id, status, unit_id, sent_at)
    select d.id, e.id, '1', d.unit_id, ${sent ? 'now()' : 'null'} from dossiers d join dossier_events e on e.dossier_id = d.id
    where d.code = $1 and not exists (select 1 from national_sync_steps n where n.event_id = e.id) order by e.id limit 1`, [code]);
}

async function payment(code: string, method: 'online' | 'desk') {
  await sqlRun(`insert into payments (dossier_id, reference, method, amount, lines, status, paid_at, confirmed_via)
    select id, md5(random()::text), $2, 50000, '[]'::jsonb, 'paid', now(), $3 from dossiers where code = $1`, [code, method, method === 'online' ? 'callback' : 'desk']);
}

async function storeEntry(kind: 'digitised' | 'result', sourceCode: string | null): Promise<string> {
  const rows = await sqlRun(`insert into citizen_documents (owner_personal_id, kind, title, file_name, mime_type, size_bytes, sha256, storage_key, source_dossier_id, digitised_by_staff_id)
    values ('038090001234', $1, 'Giấy tờ', 'a.pdf', 'application/pdf', 10, md5(random()::text), md5(random()::text),
      (select id from dossiers where code = $2), (select id from staff_accounts where username = 'clerk')) returning id`, [kind, sourceCode]);
  return (rows as Array<{ id: string }>)[0]!.id;
}

async function get(url: string, username?: string) {
  const headers: Record<string, string> = {};
  if (username) {
    const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
    headers.authorization = `Bearer ${login.json().token}`;
  }
  const r = await env.app.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.json() };
}

interface Indicator { key: string; numerator: number; denominator: number | null; value: number | null; maxPoints: number; points: number | null; formula: string; note: string | null }
interface Group { key: string; maxPoints: number; points: number; unmeasuredPoints: number; indicators: Indicator[] }
interface Index { points: number; unmeasuredPoints: number; note: string; groups: Group[] }

/** key → [numerator, denominator] of every indicator, and key → points of every group. */
function figures(index: Index) {
  return {
    fractions: Object.fromEntries(index.groups.flatMap((g) => g.indicators.map((i) => [i.key, [i.numerator, i.denominator]]))),
    points: Object.fromEntries(index.groups.map((g) => [g.key, g.points])),
  };
}
const indicatorOf = (index: Index, key: string) => index.groups.flatMap((g) => g.indicators).find((i) => i.key === key)!;

describe('Decision 766 index', () => {
  it('computes every indicator and each group\'s points from the data, for the whole Department and for each reach', async () => {
    const { citizen } = await signInCitizen(env.ctx.db, { fullName: 'Trần Thị Định Danh' });
    // D1 online, signed in with VNeID, decided on time, result issued signed, rated "Rất hài lòng", fee paid online,
    //    both its steps sent to the national portal.
    const d1 = await diploma('Người Một', 'online');
    await set(d1, `citizen_id = '${citizen.id}', loa = 'http://eidas.europa.eu/LoA/high', fee_amount = 50000`);
    await decided(d1, true);
    await sqlRun(`insert into issued_documents (dossier_id, kind, storage_key, sha256, size_bytes, signed_at)
      select id, 'result', md5(random()::text), md5(random()::text), 100, now() from dossiers where code = $1`, [d1]);
    await sqlRun(`insert into survey_answers (dossier_id, rating) select id, 'very_satisfied' from dossiers where code = $1`, [d1]);
    await payment(d1, 'online');
    await syncStep(d1, true);
    await syncStep(d1, true);
    // D2 online, decided late after an apology, returned without an electronic result, rated unsatisfied, fee paid at the desk.
    const d2 = await diploma('Người Hai', 'online');
    await decided(d2, false);
    await set(d2, `apology_due_at = now(), fee_amount = 50000`);
    await sqlRun(`insert into survey_answers (dossier_id, rating) select id, 'unsatisfied' from dossiers where code = $1`, [d2]);
    await payment(d2, 'desk');
    // D3 at the desk, open within its time, a document digitised from it, fee not paid yet.
    const d3 = await diploma('Người Ba', 'desk');
    await open(d3, false);
    await set(d3, 'fee_amount = 50000');
    await storeEntry('digitised', d3);
    // D4 at the desk, open past its time without an apology, no contact to tell of its progress.
    const d4 = await diploma('Người Bốn', 'desk');
    await open(d4, true);
    await set(d4, 'applicant_email = null, applicant_phone = null');
    // D5 pushed by the national portal (its citizen signed in with VNeID there: a level of assurance, no account here),
    // its step sent; D6 online, re-using a stored document, its step not sent yet.
    const d5 = await diploma('Người Năm', 'online');
    await set(d5, `channel = 'national', national_code = 'G22.99-261201-0001', loa = 'http://eidas.europa.eu/LoA/substantial'`);
    await syncStep(d5, true);
    const d6 = await diploma('Người Sáu', 'online');
    await sqlRun(`update dossier_documents set reused_from_document_id = $2 where dossier_id = (select id from dossiers where code = $1)`, [d6, await storeEntry('result', null)]);
    await syncStep(d6, false);
    // S1: a school's dossier (thpt-lam-son), online, signed in with VNeID.
    const s1 = (await submitSchoolTransfer(env.ctx)).code;
    await set(s1, `citizen_id = '${citizen.id}', loa = 'http://eidas.europa.eu/LoA/substantial'`);
    // A scan the Department's clerk took without a dossier.
    await storeEntry('digitised', null);
    // Complaints about the diploma procedure (the Department answers): on time, late, and open past its due time.
    const clerk = await staffCaller(env.ctx, 'clerk');
    const complaint = (title: string) => fileFeedback(env.ctx, { kind: 'public', bearer: null }, {
      kind: 'feedback', procedureId: 'diploma-copy', title, body: `${title}: nội dung.`, contactName: 'Người Gửi', contactPhone: '0912000777',
    });
    await answerFeedback(env.ctx, (await complaint('Đúng hạn')).code, clerk, { answer: 'Đã trả lời trong hạn.' });
    const late = await complaint('Trễ hạn');
    await sqlRun(`update feedback_items set due_at = now() - interval '1 hour' where code = $1`, [late.code]);
    await answerFeedback(env.ctx, late.code, clerk, { answer: 'Đã trả lời sau hạn.' });
    const overdue = await complaint('Quá hạn');
    await sqlRun(`update feedback_items set due_at = now() - interval '1 hour' where code = $1`, [overdue.code]);

    const today = vnDay(new Date());
    const admin = await get(`/api/stats?from=${today}&to=${today}`, 'admin');
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
    const index: Index = admin.body.index766;
    // Seven dossiers, all of procedures the national portal knows; five filed online (D5 through the national portal).
    expect(figures(index).fractions).toEqual({
      proceduresPublished: [4, 4], nationalSync: [2, 7], followedOnline: [6, 7],
      onTime: [1, 2], openWithinTime: [1, 2], lateApologised: [1, 2], lateOpen: [1, null],
      digitisedOrReused: [2, 7], reuse: [1, 7], electronicResults: [1, 2], digitisedDocuments: [2, null],
      onlineRate: [5, 7], vneid: [3, 5], onlinePayment: [1, 3],
      satisfaction: [1, 2], complaintsOnTime: [1, 2],
    });
    expect(indicatorOf(index, 'nationalSync').value).toBe(0.2857);
    expect(indicatorOf(index, 'onlinePayment')).toMatchObject({ value: 0.3333, maxPoints: 10, points: 3.33 });
    expect(indicatorOf(index, 'lateOpen')).toMatchObject({ value: null, maxPoints: 0, points: null });
    expect(indicatorOf(index, 'complaintsOnTime').note).toBe('1 phản ánh, kiến nghị quá hạn chưa trả lời.');
    expect(indicatorOf(index, 'onlineRate').formula).toContain('/ Tổng số hồ sơ tiếp nhận');
    // By hand: 6 + 6×2/7 + 6×6/7 | 12×½ + 4×½ + 4×½ | 8×2/7 + 6×1/7 + 8×½ | 8×5/7 + 4×3/5 + 10×1/3 | 12×½ + 6×½
    // (each rate rounded to 4 decimals, each indicator's points to 2).
    expect(figures(index).points).toEqual({ transparency: 12.85, progress: 10, digitisation: 7.15, online: 11.44, satisfaction: 9 });
    expect(index.points).toBe(50.44);
    expect(index.unmeasuredPoints).toBe(0);
    expect(index.groups.map((g) => g.maxPoints)).toEqual([18, 20, 22, 22, 18]);
    expect(index.note).toContain('tỷ lệ thuận');
    // The existing figures count the national channel as online too, and stay where they were.
    expect(admin.body.totals).toMatchObject({ dossiers: 7, online: 5, completed: 2, onTime: 1, lateOpen: 1, satisfactory: 1 });
    expect(admin.body.digital).toMatchObject({ dossiers: 7, online: 5, vneid: 3 });

    // The Department's leader: its six dossiers (not the school's); the complaints its agency answers.
    const leader: Index = (await get(`/api/stats?from=${today}&to=${today}`, 'leader')).body.index766;
    expect(figures(leader).fractions).toMatchObject({
      nationalSync: [2, 6], followedOnline: [5, 6], onlineRate: [4, 6], vneid: [2, 4], reuse: [1, 6], digitisedOrReused: [2, 6],
      digitisedDocuments: [2, null], onlinePayment: [1, 3], complaintsOnTime: [1, 2],
    });
    // The school's principal: its one dossier, online and signed in; none of the Department's complaints (not measured).
    const principal: Index = (await get(`/api/stats?from=${today}&to=${today}`, 'principal')).body.index766;
    expect(figures(principal).fractions).toMatchObject({
      nationalSync: [0, 1], onlineRate: [1, 1], vneid: [1, 1], onTime: [0, 0], onlinePayment: [0, 0], complaintsOnTime: [0, 0], digitisedDocuments: [0, null],
    });
    expect(indicatorOf(principal, 'nationalSync').note).toBe('Chưa liên thông với Cổng Dịch vụ công quốc gia.');
    expect(indicatorOf(principal, 'onlinePayment')).toMatchObject({ value: null, points: null, note: 'Không có hồ sơ phải nộp phí, lệ phí trong kỳ.' });
    // Not measured: on time, open within time, late apologised, e-results, e-payment, satisfaction, complaints.
    expect(principal.unmeasuredPoints).toBe(12 + 4 + 4 + 8 + 10 + 12 + 6);
    // A procedure filter narrows the published procedures too.
    const oneProcedure: Index = (await get(`/api/stats?from=${today}&to=${today}&procedure=diploma-copy`, 'admin')).body.index766;
    expect(figures(oneProcedure).fractions).toMatchObject({ proceduresPublished: [1, 1], onlineRate: [4, 6] });

    // The public summary: the whole Department (every unit and every complaint), this month, anonymous.
    clearPublicIndexCache();
    const pub = await get('/api/public/index-766');
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    expect(pub.body.period).toMatchObject({ kind: 'month', year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)), quarter: null, to: today });
    expect(pub.body.index766).toEqual(index);
    // No personal data: names, ID numbers, contacts and codes never appear.
    const text = JSON.stringify(pub.body);
    for (const secret of ['Người Một', '038090001234', '0912000777', d1, 'Trần Thị Định Danh']) expect(text).not.toContain(secret);
    // Cached for a while: a new dossier shows on the leader's dashboard at once, on the public summary later.
    await diploma('Người Bảy', 'desk');
    expect((await get('/api/public/index-766')).body.index766).toEqual(index);
    clearPublicIndexCache();
    expect(indicatorOf((await get('/api/public/index-766')).body.index766, 'onlineRate')).toMatchObject({ numerator: 5, denominator: 8 });
  });

  it('a procedure missing its legal basis, its time limit, its fee lines or its form is not published in full', () => {
    const full = env.ctx.catalog.find('diploma-copy')!.definition;
    expect(publishedInFull(full)).toBe(true);
    expect(publishedInFull({ ...full, legalBasis: [] })).toBe(false);
    expect(publishedInFull({ ...full, sla: { ...full.sla, workingDays: 0 } })).toBe(false);
    expect(publishedInFull({ ...full, fee: { amount: 50000 } })).toBe(false);
    expect(publishedInFull({ ...full, fee: { amount: 50000, lines: [{ code: 'LP', label: 'Lệ phí', amount: 50000 }] } })).toBe(true);
    expect(publishedInFull({ ...full, forms: {} })).toBe(false);
  });
});
