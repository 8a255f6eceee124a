// Feedback and complaints (phản ánh, kiến nghị) end to end, production mode (PostgreSQL + BullMQ), e-mails received
// by a real local SMTP server: a signed-in citizen complains about their dossier, the one-stop clerk of the Department
// sees it in the agency's queue and answers before the due date (10 working days on the working-day calendar), the
// citizen reads the answer (API and their own list) and gets both e-mails once; answers are published only when the
// filer asked, the public list never carries a name or a contact; a school's principal (another agency) and a
// specialist (no role for it) neither see nor answer it; bad input, an anonymous filing without a contact and a dossier
// the caller may not see are refused with stable codes; the holder of a tracking token files about that dossier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueDate } from '../../src/calendar/working-days.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { signInCitizen, type SignedInCitizen } from '../helpers/citizen-session.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';
import { startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.js';
import { signInPages } from '../helpers/page-session.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';

const ORIGIN = 'http://motcua.test';

let env: TestEnvironment;
let smtp: MailCatcher;
let citizen: SignedInCitizen;
let dossier: { code: string; trackingToken: string };
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startMailCatcher();
  env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  citizen = await signInCitizen(env.ctx.db, { fullName: 'Trịnh Thị Phản Ánh', email: 'phan.anh@example.test', phone: '0912000777' });
  const filed = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest('Trịnh Thị Phản Ánh'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  dossier = { code: filed.code, trackingToken: filed.trackingToken };
  // Filed while signed in (the intake of a signed-in citizen records who filed: another part of issue 12).
  await env.ctx.database.query('update dossiers set citizen_id = $1 where code = $2', [citizen.citizen.id, filed.code]);
  for (const username of ['clerk', 'leader', 'specialist', 'principal']) {
    const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
    tokens[username] = r.json().token;
  }
});

afterAll(async () => {
  if (env) closeMailer(env.config);
  await env?.close();
  await smtp?.close();
});

interface Call { method: 'GET' | 'POST'; url: string; payload?: unknown }
const asCitizen = (request: Call) => env.app.inject({ ...request, payload: request.payload as object, headers: { cookie: citizen.cookie, origin: ORIGIN } });
const asStaff = (username: string, request: Call) => env.app.inject({ ...request, payload: request.payload as object, headers: { authorization: `Bearer ${tokens[username]}` } });

describe('feedback and complaints', () => {
  let complaint: string;

  it('a signed-in citizen files a complaint about their dossier: code, due date 10 working days on, audited, acknowledged by e-mail', async () => {
    const before = new Date();
    const filed = await asCitizen({
      method: 'POST', url: '/api/feedback',
      payload: { kind: 'petition', dossierCode: dossier.code, title: 'Hồ sơ chậm tiếp nhận', body: 'Đã nộp hồ sơ ba ngày nhưng chưa được tiếp nhận.' },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const body = filed.json();
    expect(body.code).toMatch(new RegExp(`^PAKN-${new Date().getFullYear()}-\\d{6}$`));
    expect(body.dueAt).toBe(dueDate(before, { workingDays: 10, cutoff: '15:00' }).dueAt.toISOString());
    complaint = body.code;

    const [row] = await env.ctx.database.query<{ citizen_id: string; contact_name: string; contact_email: string; procedure_id: string }>(
      'select citizen_id, contact_name, contact_email, procedure_id from feedback_items where code = $1', [complaint]);
    // The contact comes from the citizen's identity, the procedure from the dossier.
    expect(row).toEqual({ citizen_id: citizen.citizen.id, contact_name: 'Trịnh Thị Phản Ánh', contact_email: 'phan.anh@example.test', procedure_id: 'diploma-copy' });
    const audit = await env.ctx.database.query<{ actor_kind: string; actor_id: string }>("select actor_kind, actor_id from audit_log where action = 'feedback.filed' and target = $1", [complaint]);
    expect(audit).toEqual([{ actor_kind: 'citizen', actor_id: citizen.citizen.id }]);

    const ack = await eventually(async () => smtp.inbox.find((m) => m.subject?.includes(complaint) && m.subject.includes('Đã nhận')));
    expect(ack.to).toMatchObject({ text: 'phan.anh@example.test' });
    expect(ack.text).toContain('/phan-anh-kien-nghi/tra-cuu?ma=');
  });

  it('the clerk of the agency sees it in the queue with its due date; a principal (another agency) and a specialist do not', async () => {
    const queue = await asStaff('clerk', { method: 'GET', url: '/api/feedback?status=open' });
    expect(queue.statusCode).toBe(200);
    const item = (queue.json().items as Array<Record<string, unknown>>).find((i) => i.code === complaint);
    expect(item).toMatchObject({ dossierCode: dossier.code, status: 'open', overdue: false, contact: { name: 'Trịnh Thị Phản Ánh', email: 'phan.anh@example.test' }, signedIn: true });
    expect((await asStaff('clerk', { method: 'GET', url: '/api/feedback?overdue=true' })).json().items.map((i: { code: string }) => i.code)).not.toContain(complaint);

    const principal = await asStaff('principal', { method: 'GET', url: '/api/feedback' });
    expect(principal.statusCode).toBe(200);
    expect(principal.json().items.map((i: { code: string }) => i.code)).not.toContain(complaint);
    const principalOne = await asStaff('principal', { method: 'GET', url: `/api/feedback/${complaint}` });
    expect([principalOne.statusCode, principalOne.json().error.code]).toEqual([404, 'FEEDBACK_NOT_FOUND']);
    const principalAnswer = await asStaff('principal', { method: 'POST', url: `/api/feedback/${complaint}/answer`, payload: { answer: 'Trả lời hộ cơ quan khác.' } });
    expect([principalAnswer.statusCode, principalAnswer.json().error.code]).toEqual([404, 'FEEDBACK_NOT_FOUND']);
    const specialist = await asStaff('specialist', { method: 'POST', url: `/api/feedback/${complaint}/answer`, payload: { answer: 'Chuyên viên trả lời thử.' } });
    expect([specialist.statusCode, specialist.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await env.app.inject({ method: 'GET', url: '/api/feedback' })).statusCode).toBe(401);
  });

  it('answers within the due date; publication needs the filer to have asked; a second answer is 409', async () => {
    const url = `/api/feedback/${complaint}/answer`;
    const publish = await asStaff('clerk', { method: 'POST', url, payload: { answer: 'Hồ sơ đã được tiếp nhận hôm nay.', publish: true } });
    expect(publish.statusCode).toBe(422);
    expect(publish.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { publish: expect.any(String) } });
    const short = await asStaff('clerk', { method: 'POST', url, payload: { answer: 'Ok' } });
    expect([short.statusCode, Object.keys(short.json().error.fields)]).toEqual([422, ['answer']]);

    const answered = await asStaff('clerk', { method: 'POST', url, payload: { answer: 'Hồ sơ của bà đã được tiếp nhận hôm nay, hẹn trả đúng hạn.' } });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'answered', answeredOnTime: true, published: false });
    const again = await asStaff('leader', { method: 'POST', url, payload: { answer: 'Trả lời lần hai cho cùng phản ánh.' } });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'FEEDBACK_ALREADY_ANSWERED']);
    const audit = await env.ctx.database.query<{ details: { onTime: boolean; publish: boolean } }>("select details from audit_log where action = 'feedback.answered' and target = $1", [complaint]);
    expect(audit.map((a) => [a.details.onTime, a.details.publish])).toEqual([[true, false]]);
  });

  it('the citizen reads the answer in their list and by code, and is e-mailed it once', async () => {
    const mine = await asCitizen({ method: 'GET', url: '/api/me/feedback' });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items).toEqual([expect.objectContaining({ code: complaint, status: 'answered', answer: 'Hồ sơ của bà đã được tiếp nhận hôm nay, hẹn trả đúng hạn.' })]);
    // The filer's view has no staff fields.
    expect(mine.json().items[0].contact).toBeUndefined();
    const one = await asCitizen({ method: 'GET', url: `/api/feedback/${complaint}` });
    expect(one.json()).toMatchObject({ statusLabel: 'Đã trả lời', dossierCode: dossier.code });
    const mail = await eventually(async () => smtp.inbox.find((m) => m.subject?.includes(complaint) && m.subject.includes('Trả lời')));
    expect(mail.text).toContain('Hồ sơ của bà đã được tiếp nhận hôm nay');
    // The job may run again (a retry): no second e-mail.
    const { runJob } = await import('../../src/jobs/registry.js');
    const [item] = await env.ctx.database.query<{ id: string }>('select id from feedback_items where code = $1', [complaint]);
    await runJob(env.ctx, 'notify-feedback', { feedbackId: item!.id, event: 'answered' });
    expect(smtp.inbox.filter((m) => m.subject?.includes(complaint))).toHaveLength(2);
    // Another signed-in citizen does not see it.
    const other = await signInCitizen(env.ctx.db, { fullName: 'Người Khác' });
    const stranger = await env.app.inject({ method: 'GET', url: `/api/feedback/${complaint}`, headers: { cookie: other.cookie } });
    expect(stranger.statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: '/api/me/feedback', headers: { cookie: other.cookie } })).json().items).toEqual([]);
  });

  it('anonymous filing: name and a contact required (422); the access token opens it; published only when asked, under the official\'s question, never the filer\'s words, name or contact', async () => {
    const noContact = await env.app.inject({ method: 'POST', url: '/api/feedback', payload: { kind: 'feedback', title: 'Thủ tục khó hiểu', body: 'Hướng dẫn nộp hồ sơ trên cổng khó hiểu.' } });
    expect(noContact.statusCode).toBe(422);
    expect(noContact.json().error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(noContact.json().error.fields).sort()).toEqual(['contactEmail', 'contactName', 'contactPhone']);

    // The filer's own words name them and their ID number: what the official publishes is their rewording.
    const filersText = 'Tôi là Đặng Văn Ẩn Danh, CCCD 001088012345, xin hỏi thủ tục cấp bản sao văn bằng có cần bản gốc căn cước không?';
    const question = 'Thủ tục cấp bản sao văn bằng có cần bản gốc căn cước không?';
    const secret = { contactName: 'Đặng Văn Ẩn Danh', contactEmail: 'an.danh@example.test', contactPhone: '0987 111 222' };
    const asked = await env.app.inject({
      method: 'POST', url: '/api/feedback',
      payload: { kind: 'feedback', procedureId: 'diploma-copy', title: 'Đặng Văn Ẩn Danh hỏi về giấy tờ', body: filersText, ...secret, publishRequested: true },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const { code, accessToken } = asked.json();
    const notAsked = await env.app.inject({
      method: 'POST', url: '/api/feedback',
      payload: { kind: 'feedback', title: 'Không muốn công khai', body: 'Nội dung riêng tư không công khai.', contactName: 'Bí Mật', contactPhone: '0987333444' },
    });
    expect(notAsked.statusCode).toBe(201);

    // Its filer, by token; nobody else.
    expect((await env.app.inject({ method: 'GET', url: `/api/feedback/${code}`, headers: { authorization: `Bearer ${accessToken}` } })).json().status).toBe('open');
    expect((await env.app.inject({ method: 'GET', url: `/api/feedback/${code}`, headers: { authorization: 'Bearer sai-ma' } })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: `/api/feedback/${code}` })).statusCode).toBe(404);

    const answer = 'Không cần bản gốc, chỉ cần bản chụp căn cước.';
    // Publishing takes the question to publish: required, at most 2000 characters.
    for (const [payload, field] of [
      [{ answer, publish: true }, 'Bắt buộc khi công khai: viết lại câu hỏi, bỏ họ tên, số định danh, số điện thoại, địa chỉ của người gửi.'],
      [{ answer, publish: true, publishedQuestion: '  ' }, 'Bắt buộc khi công khai: viết lại câu hỏi, bỏ họ tên, số định danh, số điện thoại, địa chỉ của người gửi.'],
      [{ answer, publish: true, publishedQuestion: 'x'.repeat(2001) }, 'Nội dung câu hỏi công khai tối đa 2000 ký tự.'],
    ] as const) {
      const refused = await asStaff('leader', { method: 'POST', url: `/api/feedback/${code}/answer`, payload });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { publishedQuestion: field } });
    }
    const published = await asStaff('leader', { method: 'POST', url: `/api/feedback/${code}/answer`, payload: { answer, publish: true, publishedQuestion: `  ${question}\r\n` } });
    expect(published.json()).toMatchObject({ published: true, publishedQuestion: question, body: filersText });
    const audit = await env.ctx.database.query<{ details: { publish: boolean; publishedQuestion: string } }>("select details from audit_log where action = 'feedback.answered' and target = $1", [code]);
    expect(audit.map((a) => [a.details.publish, a.details.publishedQuestion])).toEqual([[true, question]]);
    expect((await asStaff('clerk', { method: 'POST', url: `/api/feedback/${notAsked.json().code}/answer`, payload: { answer: 'Đã trả lời riêng cho người gửi.' } })).statusCode).toBe(200);

    const list = await env.app.inject({ method: 'GET', url: '/api/feedback/published' });
    expect(list.json().items).toEqual([{ kindLabel: 'Phản ánh', procedure: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', question, answer, answeredAt: expect.any(String) }]);
    const page = await env.app.inject({ method: 'GET', url: '/phan-anh-kien-nghi/da-tra-loi' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(question);
    expect(page.body).toContain(answer);
    for (const text of [list.body, page.body]) {
      for (const leak of ['Đặng Văn Ẩn Danh', '001088012345', 'an.danh@example.test', '0987111222', 'Bí Mật', 'Không muốn công khai', 'Trịnh Thị Phản Ánh', 'phan.anh@example.test']) expect(text).not.toContain(leak);
    }
  });

  it('bad input is 422 with the fields named in Vietnamese; staff may not file; a dossier the caller may not see is 404', async () => {
    const bad = await env.app.inject({
      method: 'POST', url: '/api/feedback',
      payload: { kind: 'complaint', title: 'Ngắn', body: 'x', contactName: 'A', contactEmail: 'not-an-email', contactPhone: '12', publishRequested: 'yes', tittle: 'typo' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.fields).toMatchObject({
      kind: 'Vui lòng chọn phản ánh hoặc kiến nghị.', title: 'Tiêu đề cần ít nhất 5 ký tự.', body: 'Nội dung cần ít nhất 10 ký tự.',
      contactEmail: 'Email không hợp lệ.', contactPhone: 'Số điện thoại không hợp lệ.', publishRequested: expect.any(String),
    });
    expect(bad.json().error.fields.tittle).toBe('Trường không được hỗ trợ.');
    for (const payload of ['"a string"', '[]', 'null']) {
      const r = await env.app.inject({ method: 'POST', url: '/api/feedback', payload, headers: { 'content-type': 'application/json' } });
      expect(r.statusCode, payload).toBe(422);
    }
    const unknownProcedure = await env.app.inject({ method: 'POST', url: '/api/feedback', payload: { kind: 'feedback', procedureId: 'khong-co', title: 'Thủ tục lạ', body: 'Thủ tục này không có.', contactName: 'A B', contactPhone: '0912000888' } });
    expect([unknownProcedure.statusCode, Object.keys(unknownProcedure.json().error.fields)]).toEqual([422, ['procedureId']]);

    const byStaff = await asStaff('clerk', { method: 'POST', url: '/api/feedback', payload: { kind: 'feedback', title: 'Cán bộ gửi', body: 'Cán bộ không gửi phản ánh.' } });
    expect([byStaff.statusCode, byStaff.json().error.code]).toEqual([403, 'FORBIDDEN']);

    // Anyone without the dossier's token: 404 before anything else (even with other mistakes in the form).
    const about = { kind: 'feedback', dossierCode: dossier.code, title: 'Về hồ sơ của người khác', body: 'Tôi muốn phản ánh hồ sơ này.', contactName: 'Kẻ Lạ', contactPhone: '0912000999' };
    const stranger = await env.app.inject({ method: 'POST', url: '/api/feedback', payload: { ...about, title: '' } });
    expect([stranger.statusCode, stranger.json().error.code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
    const other = await signInCitizen(env.ctx.db, { fullName: 'Công Dân Khác' });
    const otherCitizen = await env.app.inject({ method: 'POST', url: '/api/feedback', payload: about, headers: { cookie: other.cookie, origin: ORIGIN } });
    expect(otherCitizen.statusCode).toBe(404);

    // The tracking token's holder files about that dossier; the dossier's applicant and contacts are the default.
    const holder = await env.app.inject({
      method: 'POST', url: '/api/feedback', headers: { authorization: `Bearer ${dossier.trackingToken}` },
      payload: { kind: 'feedback', dossierCode: dossier.code, title: 'Hỏi thời gian trả kết quả', body: 'Khi nào tôi nhận được bản sao?' },
    });
    expect(holder.statusCode, holder.body).toBe(201);
    const [row] = await env.ctx.database.query<{ contact_name: string; contact_phone: string; citizen_id: string | null }>(
      'select contact_name, contact_phone, citizen_id from feedback_items where code = $1', [holder.json().code]);
    expect(row).toEqual({ contact_name: 'Trịnh Thị Phản Ánh', contact_phone: '0912345678', citizen_id: null });
  });

  it('through the pages: an anonymous form with errors, then filed; the filer looks it up by code and token; the clerk answers on the queue page', async () => {
    const formPage = await env.app.inject({ method: 'GET', url: '/phan-anh-kien-nghi' });
    expect(formPage.statusCode).toBe(200);
    const cookies = { motcua_csrf: formPage.cookies.find((c) => c.name === 'motcua_csrf')!.value };
    const csrf = /name="_csrf" value="([^"]+)"/.exec(formPage.body)![1]!;
    const post = (url: string, form: Record<string, string>) => env.app.inject({
      method: 'POST', url, cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
    const form = { kind: 'feedback', procedureId: 'diploma-copy', title: 'Hỏi qua trang', body: 'Gửi phản ánh qua biểu mẫu trên trang.', contactName: 'Phan Văn Trang' };
    const missing = await post('/phan-anh-kien-nghi', form);
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Vui lòng nhập email hoặc số điện thoại để nhận trả lời.');
    expect(missing.body).toContain('value="Hỏi qua trang"');

    const filed = await post('/phan-anh-kien-nghi', { ...form, contactPhone: '0912000321', publishRequested: 'on' });
    expect(filed.statusCode, filed.body).toBe(201);
    const code = /data-testid="feedback-code">([^<]+)</.exec(filed.body)![1]!;
    const token = /data-testid="feedback-token">([^<]+)</.exec(filed.body)![1]!;
    const [row] = await env.ctx.database.query<{ publish_requested: boolean; contact_phone: string }>('select publish_requested, contact_phone from feedback_items where code = $1', [code]);
    expect(row).toEqual({ publish_requested: true, contact_phone: '0912000321' });
    expect((await post('/phan-anh-kien-nghi/tra-cuu', { code, token: 'sai' })).statusCode).toBe(404);
    const lookedUp = await post('/phan-anh-kien-nghi/tra-cuu', { code, token });
    expect(lookedUp.statusCode).toBe(200);
    expect(lookedUp.body).toContain('Gửi phản ánh qua biểu mẫu trên trang.');

    const clerk = await signInPages(env, 'clerk');
    const queue = await clerk.get('/can-bo/phan-anh?status=open');
    expect(queue.status).toBe(200);
    // The header leads leaders and clerks to the queue, everyone to the form.
    expect(queue.body).toContain('href="/can-bo/phan-anh"');
    expect(formPage.body).toContain('href="/phan-anh-kien-nghi"');
    expect((await (await signInPages(env, 'specialist')).get('/can-bo')).body).not.toContain('href="/can-bo/phan-anh"');
    expect(queue.body).toContain(`/can-bo/phan-anh/${code}`);
    const item = await clerk.get(`/can-bo/phan-anh/${code}`);
    expect(item.body).toContain('Phan Văn Trang');
    expect(item.body).toContain('name="publish"');
    // The question to publish starts as the filer's title, to edit.
    expect(item.body).toMatch(/<textarea id="publishedQuestion" name="publishedQuestion"[^>]*>Hỏi qua trang<\/textarea>/);
    expect((await clerk.post(`/can-bo/phan-anh/${code}/tra-loi`, { answer: 'ngắn' })).status).toBe(422);
    const noQuestion = await clerk.post(`/can-bo/phan-anh/${code}/tra-loi`, { answer: 'Cảm ơn ông, thủ tục không cần bản gốc.', publish: 'on', publishedQuestion: '' });
    expect(noQuestion.status).toBe(422);
    expect(noQuestion.body).toContain('Bắt buộc khi công khai');
    expect(noQuestion.body).toContain('Cảm ơn ông, thủ tục không cần bản gốc.');
    const answered = await clerk.post(`/can-bo/phan-anh/${code}/tra-loi`, {
      answer: 'Cảm ơn ông, thủ tục không cần bản gốc.', publish: 'on', publishedQuestion: 'Thủ tục nộp qua trang có cần bản gốc không?',
    });
    expect([answered.status, answered.location]).toEqual([303, `/can-bo/phan-anh/${code}?tb=da-tra-loi`]);
    expect((await post('/phan-anh-kien-nghi/tra-cuu', { code, token })).body).toContain('Cảm ơn ông, thủ tục không cần bản gốc.');
    const published = await env.app.inject({ method: 'GET', url: '/phan-anh-kien-nghi/da-tra-loi' });
    expect(published.body).toContain('Cảm ơn ông, thủ tục không cần bản gốc.');
    expect(published.body).toContain('Thủ tục nộp qua trang có cần bản gốc không?');
    expect(published.body).not.toContain('Gửi phản ánh qua biểu mẫu trên trang.');
    expect(published.body).not.toContain('Phan Văn Trang');
    expect(published.body).not.toContain('0912000321');

    // A signed-in citizen's form names them from VNeID and lists their items, with the link to their space.
    const signedIn = await env.app.inject({ method: 'GET', url: '/phan-anh-kien-nghi', headers: { cookie: citizen.cookie } });
    expect(signedIn.body).toContain('Trịnh Thị Phản Ánh');
    expect(signedIn.body).toContain('href="/ho-so-cua-toi"');
    expect(signedIn.body).toContain(`/phan-anh-kien-nghi/tra-cuu?ma=${complaint}`);
    const own = await env.app.inject({ method: 'GET', url: `/phan-anh-kien-nghi/tra-cuu?ma=${complaint}`, headers: { cookie: citizen.cookie } });
    expect(own.body).toContain('data-testid="feedback-answer"');
  });
});
