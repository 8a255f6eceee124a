// The citizen space ("Hồ sơ của tôi") and the messages between the office and the citizen, over HTTP on the whole
// application: a parent signed in with VNeID (test/helpers/citizen-session.ts) with two children sees the dossiers they
// filed and those about them or either child — never a stranger's — in GET /api/me/dossiers and on /ho-so-cua-toi,
// opens each on /ho-so/:code without a tracking token, downloads its files and forms; messages go both ways with read
// receipts, a staff message is audited and e-mailed; another citizen gets 404 everywhere. The links between dossiers and
// citizens are set directly on dossiers filed by the test (intake's wiring is tested with intake).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, dossiers } from '../../src/db/schema/index.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { signInCitizen, testPersonalId, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';
import { startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.js';
import { signInPages, type PageSession } from '../helpers/page-session.js';

const ORIGIN = 'http://motcua.test';

let env: TestEnvironment;
let mail: MailCatcher;
let parent: SignedInCitizen;
let stranger: SignedInCitizen;
const child1 = { personalId: testPersonalId(), fullName: 'Trần Minh An', birthDate: '2012-03-04' };
const child2 = { personalId: testPersonalId(), fullName: 'Trần Minh Châu', birthDate: '2014-05-06' };
/** The dossiers by role: what the parent must see, and what they must not. */
const filed: Record<'self' | 'selfUnnamed' | 'child1' | 'child2Desk' | 'strangers' | 'anonymous', { code: string; token: string }> = {} as never;
let clerkBearer: string;

async function file(name: string, email?: string) {
  const result = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: { ...diplomaRequest(name), ...(email ? { applicantEmail: email } : {}) },
    files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  return { code: result.code, token: result.trackingToken };
}

async function link(code: string, values: { citizenId?: string | null; subjectPersonalId?: string | null }) {
  await env.ctx.db.update(dossiers).set(values).where(eq(dossiers.code, code));
}

const asCitizen = (who: SignedInCitizen, url: string) => env.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const enc = encodeURIComponent;

beforeAll(async () => {
  mail = await startMailCatcher();
  env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${mail.port}`, MAIL_FROM: 'Sở GD&ĐT <motcua@sogd.test>' } });
  parent = await signInCitizen(env.ctx.db, {
    fullName: 'Trần Văn Bố', family: [{ relation: 'child', ...child1 }, { relation: 'child', ...child2 }],
  });
  stranger = await signInCitizen(env.ctx.db, { fullName: 'Người Lạ' });
  // Oldest first: the list shows them the other way round.
  filed.self = await file('Trần Văn Bố', 'bo@example.test');
  await link(filed.self.code, { citizenId: parent.citizen.id, subjectPersonalId: parent.citizen.personalId });
  filed.child1 = await file('Trần Văn Bố', 'bo@example.test');
  await link(filed.child1.code, { citizenId: parent.citizen.id, subjectPersonalId: child1.personalId });
  // Filed at the desk for the second child, without any account: it reaches the parent through the child.
  filed.child2Desk = await file('Trần Thị Mẹ');
  await link(filed.child2Desk.code, { citizenId: null, subjectPersonalId: child2.personalId });
  filed.strangers = await file('Người Lạ', 'la@example.test');
  await link(filed.strangers.code, { citizenId: stranger.citizen.id, subjectPersonalId: stranger.citizen.personalId });
  filed.anonymous = await file('Ẩn Danh');
  filed.selfUnnamed = await file('Trần Văn Bố');
  await link(filed.selfUnnamed.code, { citizenId: parent.citizen.id, subjectPersonalId: null });
  // Received: the receipt (a one-stop form) is issued by a job.
  await performAction(env.ctx, { code: filed.child1.code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
  const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'clerk', password: 'demo' } });
  clerkBearer = login.json().token;
});

afterAll(async () => {
  if (env) closeMailer(env.config);
  await env?.close();
  await mail?.close();
});

describe('GET /api/me/dossiers', () => {
  it('lists the dossiers the parent filed and those about them or either child, newest first, and nobody else\'s', async () => {
    const r = await asCitizen(parent, '/api/me/dossiers');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.items.map((i: { code: string }) => i.code)).toEqual(
      [filed.selfUnnamed, filed.child2Desk, filed.child1, filed.self].map((d) => d.code),
    );
    expect(body.next).toBeNull();
    expect(body.people).toEqual([
      { relation: 'self', personalId: parent.citizen.personalId, name: 'Trần Văn Bố' },
      { relation: 'child', personalId: child1.personalId, name: child1.fullName },
      { relation: 'child', personalId: child2.personalId, name: child2.fullName },
    ]);
    const byCode = Object.fromEntries(body.items.map((i: { code: string }) => [i.code, i]));
    expect(byCode[filed.child1.code]).toMatchObject({
      procedure: { id: 'diploma-copy', title: expect.any(String) }, status: 'checking', statusLabel: 'Đang thẩm định', dueAt: expect.any(String),
      for: { relation: 'child', personalId: child1.personalId, name: child1.fullName }, filedByMe: true, unreadMessages: 0, resultAvailable: false,
      links: { self: `/api/dossiers/${enc(filed.child1.code)}`, page: `/ho-so/${enc(filed.child1.code)}`, result: null },
    });
    expect(byCode[filed.child2Desk.code]).toMatchObject({ for: { relation: 'child', name: child2.fullName }, filedByMe: false, status: 'submitted', dueAt: expect.any(String) });
    expect(byCode[filed.self.code].for).toEqual({ relation: 'self', personalId: parent.citizen.personalId, name: 'Trần Văn Bố' });
    expect(byCode[filed.selfUnnamed.code].for.relation).toBe('self');
    expect(r.body).not.toContain(filed.strangers.code);
    expect(r.body).not.toContain(filed.anonymous.code);
  });

  it('shows the stranger only their own dossier', async () => {
    const r = await asCitizen(stranger, '/api/me/dossiers');
    expect(r.json().items.map((i: { code: string }) => i.code)).toEqual([filed.strangers.code]);
  });

  it('pages with `before` = the previous page\'s `next`, without repeating or skipping a dossier', async () => {
    const seen: string[] = [];
    let url = '/api/me/dossiers?limit=1';
    for (let page = 0; page < 10; page++) {
      const body = (await asCitizen(parent, url)).json();
      expect(body.items).toHaveLength(1);
      seen.push(body.items[0].code);
      if (!body.next) break;
      url = `/api/me/dossiers?limit=1&before=${enc(body.next)}`;
    }
    expect(seen).toEqual([filed.selfUnnamed, filed.child2Desk, filed.child1, filed.self].map((d) => d.code));
  });

  it('filters by person: a child, the citizen themselves; anyone else is 422', async () => {
    const codes = async (person: string) => (await asCitizen(parent, `/api/me/dossiers?person=${person}`)).json().items.map((i: { code: string }) => i.code);
    expect(await codes(child1.personalId)).toEqual([filed.child1.code]);
    expect(await codes(child2.personalId)).toEqual([filed.child2Desk.code]);
    expect(await codes(parent.citizen.personalId)).toEqual([filed.selfUnnamed.code, filed.self.code]);
    const other = await asCitizen(parent, `/api/me/dossiers?person=${stranger.citizen.personalId}`);
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers 401 to anyone not signed in as a citizen (anonymous, a tracking token, staff), 422 to a bad cursor or limit', async () => {
    const anonymous = await env.app.inject({ method: 'GET', url: '/api/me/dossiers' });
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const token = await env.app.inject({ method: 'GET', url: '/api/me/dossiers', headers: { authorization: `Bearer ${filed.self.token}` } });
    expect(token.statusCode).toBe(401);
    const staff = await env.app.inject({ method: 'GET', url: '/api/me/dossiers', headers: { authorization: `Bearer ${clerkBearer}` } });
    expect(staff.statusCode).toBe(401);
    expect((await asCitizen(parent, '/api/me/dossiers?before=abc')).statusCode).toBe(422);
    expect((await asCitizen(parent, '/api/me/dossiers?limit=101')).statusCode).toBe(422);
    // A cursor of the right shape whose time PostgreSQL cannot hold (past bigint, past year 294276, past 9999): 422, never 5xx.
    const uuid = '00000000-0000-4000-8000-000000000000';
    for (const micros of ['9999999999999999999', '9223372036854775807', '253402300800000000']) {
      const api = await asCitizen(parent, `/api/me/dossiers?before=${micros}_${uuid}`);
      expect([api.statusCode, api.json().error.code], micros).toEqual([422, 'VALIDATION_FAILED']);
      const page = await asCitizen(parent, `/ho-so-cua-toi?before=${micros}_${uuid}`);
      expect(page.statusCode, micros).toBe(422);
    }
    // The last microsecond of 9999 is a cursor like any other (an empty page after it is fine).
    expect((await asCitizen(parent, `/api/me/dossiers?before=253402300799999999_${uuid}`)).statusCode).toBe(200);
    const expired = await env.app.inject({ method: 'GET', url: '/api/me/dossiers', headers: { cookie: 'motcua_citizen=not-a-session' } });
    expect(expired.statusCode).toBe(401);
  });
});

describe('a dossier in the space', () => {
  it('opens for the parent without a tracking token: the page, the API, an uploaded file, the receipt', async () => {
    const code = filed.child1.code;
    const page = await asCitizen(parent, `/ho-so/${enc(code)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Hồ sơ ${code}`);
    expect(page.body).toContain('href="/ho-so-cua-toi"');
    const view = await asCitizen(parent, `/api/dossiers/${enc(code)}`);
    expect(view.statusCode).toBe(200);
    // A citizen is never told who works on it, and reads only the comments written for them.
    expect(view.json().assignee).toBeNull();
    const doc = view.json().documents[0].id;
    expect((await asCitizen(parent, `/ho-so/${enc(code)}/tep/${doc}`)).statusCode).toBe(200);
    expect((await asCitizen(parent, `/api/dossiers/${enc(code)}/documents/${doc}`)).statusCode).toBe(200);
    const receipt = await eventually(async () => {
      const r = await asCitizen(parent, `/ho-so/${enc(code)}/mau/receipt`);
      return r.statusCode === 200 ? r : undefined;
    });
    expect(receipt.headers['content-type']).toBe('application/pdf');
    expect((await asCitizen(parent, `/api/dossiers/${enc(code)}/forms/receipt`)).statusCode).toBe(200);
    // No result yet: the parent may ask, and learns exactly that.
    const result = await asCitizen(parent, `/api/dossiers/${enc(code)}/result`);
    expect([result.statusCode, result.json().error.code]).toEqual([404, 'RESULT_NOT_READY']);
    // Filed at the desk for the other child, without an account: the parent reaches it too.
    expect((await asCitizen(parent, `/ho-so/${enc(filed.child2Desk.code)}`)).statusCode).toBe(200);
  });

  it('is 404 to another citizen, in the API, the pages and the downloads', async () => {
    const code = filed.child1.code;
    for (const url of [`/api/dossiers/${enc(code)}`, `/api/dossiers/${enc(code)}/messages`, `/api/dossiers/${enc(code)}/forms/receipt`, `/api/dossiers/${enc(code)}/result`]) {
      const r = await asCitizen(stranger, url);
      expect([url, r.statusCode, r.json().error.code]).toEqual([url, 404, 'DOSSIER_NOT_FOUND']);
    }
    for (const url of [`/ho-so/${enc(code)}`, `/ho-so/${enc(code)}/mau/receipt`, `/ho-so/${enc(code)}/ket-qua`]) {
      const r = await asCitizen(stranger, url);
      expect([url, r.statusCode]).toEqual([url, 404]);
    }
    // And the parent does not reach the stranger's.
    expect((await asCitizen(parent, `/api/dossiers/${enc(filed.strangers.code)}`)).statusCode).toBe(404);
  });

  it('keeps code + token tracking for a dossier filed without an account, also for a signed-in citizen holding the token', async () => {
    const code = filed.anonymous.code;
    const byToken = await env.app.inject({ method: 'GET', url: `/api/dossiers/${enc(code)}`, headers: { authorization: `Bearer ${filed.anonymous.token}` } });
    expect(byToken.statusCode).toBe(200);
    const remembered = Buffer.from(JSON.stringify([{ code, token: filed.anonymous.token }])).toString('base64url');
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${enc(code)}`, cookies: { motcua_track: remembered } });
    expect(page.statusCode).toBe(200);
    const signedInWithToken = await env.app.inject({ method: 'GET', url: `/ho-so/${enc(code)}`, headers: { cookie: `${stranger.cookie}; motcua_track=${remembered}` } });
    expect(signedInWithToken.statusCode).toBe(200);
    expect((await asCitizen(stranger, `/ho-so/${enc(code)}`)).statusCode).toBe(404);
  });
});

describe('messages with read receipts', () => {
  const api = (code: string) => `/api/dossiers/${enc(code)}/messages`;
  const staffGet = (code: string) => env.app.inject({ method: 'GET', url: api(code), headers: { authorization: `Bearer ${clerkBearer}` } });
  const staffPost = (code: string, body: unknown) => env.app.inject({ method: 'POST', url: api(code), headers: { authorization: `Bearer ${clerkBearer}` }, payload: body as object });
  const citizenPost = (who: SignedInCitizen, code: string, body: unknown) => env.app.inject({
    method: 'POST', url: api(code), headers: { cookie: who.cookie, origin: ORIGIN }, payload: body as object,
  });

  it('goes from the office to the parent and back: unread count, "read at" on both sides, audit, e-mail', async () => {
    const code = filed.child1.code;
    const sent = await staffPost(code, { body: 'Ông vui lòng mang bản chính CCCD khi đến nhận kết quả.\nXin cảm ơn.' });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({ author: { kind: 'staff', name: expect.any(String) }, readAt: null, mine: true });

    const listed = (await asCitizen(parent, '/api/me/dossiers')).json().items.find((i: { code: string }) => i.code === code);
    expect(listed.unreadMessages).toBe(1);
    expect((await staffGet(code)).json().items[0].readAt).toBeNull();

    // The parent reads them: the receipt.
    const read = await asCitizen(parent, api(code));
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ canWrite: true, items: [{ author: { kind: 'staff' }, mine: false, readAt: expect.any(String) }] });
    expect((await asCitizen(parent, '/api/me/dossiers')).json().items.find((i: { code: string }) => i.code === code).unreadMessages).toBe(0);
    const seenByStaff = (await staffGet(code)).json().items[0];
    expect(seenByStaff).toMatchObject({ mine: true, readAt: expect.any(String) });

    // The parent answers (cookie, same origin); the office reading it marks it read.
    const reply = await citizenPost(parent, code, { body: 'Vâng, tôi sẽ mang theo.' });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toMatchObject({ author: { kind: 'citizen', name: 'Trần Văn Bố' }, readAt: null, mine: true });
    expect((await asCitizen(parent, api(code))).json().items[1].readAt).toBeNull();
    const staffView = (await staffGet(code)).json();
    expect(staffView.items.map((m: { author: { kind: string } }) => m.author.kind)).toEqual(['staff', 'citizen']);
    expect(staffView.items[1].mine).toBe(false);
    expect((await asCitizen(parent, api(code))).json().items[1].readAt).toEqual(expect.any(String));

    const audit = await env.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'message.sent'), eq(auditLog.target, code)));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: 'staff', details: { body: expect.stringContaining('bản chính CCCD'), emailed: true } });

    const email = await eventually(async () => mail.inbox.find((m) => m.subject?.includes(code) && m.subject.includes('Tin nhắn')));
    expect(email.text).toContain('Ông vui lòng mang bản chính CCCD khi đến nhận kết quả.');
    expect(email.text).toContain(`/tra-cuu?ma=${enc(code)}#t=`);
    expect(email.messageId).toBe(`<${sent.json().id}.message@motcua.test>`);
  });

  it('lets the holder of the tracking token read and reply; marks the office\'s messages read for them too', async () => {
    const code = filed.anonymous.code;
    expect((await staffPost(code, { body: 'Hồ sơ của bạn đang được kiểm tra.' })).statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${filed.anonymous.token}` };
    const read = await env.app.inject({ method: 'GET', url: api(code), headers: bearer });
    expect(read.json().items[0].readAt).toEqual(expect.any(String));
    const reply = await env.app.inject({ method: 'POST', url: api(code), headers: bearer, payload: { body: 'Cảm ơn cán bộ.' } });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().author).toEqual({ kind: 'citizen', name: 'Ẩn Danh' });
    // No e-mail on this dossier: the staff message is audited, nothing is queued.
    const audit = await env.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'message.sent'), eq(auditLog.target, code)));
    expect(audit[0]!.details).toMatchObject({ emailed: false });
  });

  it('refuses an empty or too long message (422, after the access check) and a stranger (404 before looking at it)', async () => {
    const code = filed.child1.code;
    for (const body of [{ body: '' }, { body: '   \n ' }, { body: 'x'.repeat(2001) }, {}, { body: 5 }]) {
      const r = await citizenPost(parent, code, body);
      expect([JSON.stringify(body).slice(0, 20), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(body).slice(0, 20), 422, 'VALIDATION_FAILED']);
      expect(r.json().error.fields.body).toEqual(expect.any(String));
    }
    expect((await citizenPost(parent, code, { body: 'x'.repeat(2000) })).statusCode).toBe(201);
    const stranger404 = await citizenPost(stranger, code, { body: '' });
    expect([stranger404.statusCode, stranger404.json().error.code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
    const strangerRead = await asCitizen(stranger, api(code));
    expect(strangerRead.statusCode).toBe(404);
    // A citizen's cookie without the pages' CSRF token or our origin is refused.
    const crossSite = await env.app.inject({ method: 'POST', url: api(code), headers: { cookie: parent.cookie }, payload: { body: 'Xin chào' } });
    expect([crossSite.statusCode, crossSite.json().error.code]).toEqual([403, 'CSRF_REJECTED']);
    // Staff of another unit see nothing of it.
    const login = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'school', password: 'demo' } });
    const school = await env.app.inject({ method: 'GET', url: api(code), headers: { authorization: `Bearer ${login.json().token}` } });
    expect([school.statusCode, school.json().error.code]).toEqual([403, 'UNIT_FORBIDDEN']);
  });
});

describe('pages', () => {
  let clerkPages: PageSession;
  beforeAll(async () => { clerkPages = await signInPages(env, 'clerk'); });

  it('/ho-so-cua-toi sends anyone not signed in with VNeID to sign in', async () => {
    const anonymous = await env.app.inject({ method: 'GET', url: '/ho-so-cua-toi' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/auth/citizen/login?next=%2Fho-so-cua-toi');
    expect((await clerkPages.get('/ho-so-cua-toi')).status).toBe(303);
  });

  it('/ho-so-cua-toi lists the parent\'s and the children\'s dossiers, filters by person, shows unread messages', async () => {
    const page = await asCitizen(parent, '/ho-so-cua-toi');
    expect(page.statusCode).toBe(200);
    const rows = [...page.body.matchAll(/data-testid="my-dossier" data-code="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual([filed.selfUnnamed, filed.child2Desk, filed.child1, filed.self].map((d) => d.code));
    expect(page.body).toContain(`Con: ${child1.fullName}`);
    // Handlebars writes "=" in attributes as &#x3D;.
    expect(page.body).toContain(`href="/ho-so-cua-toi?person&#x3D;${child2.personalId}"`);
    expect(page.body).not.toContain(filed.strangers.code);

    const onlyChild2 = await asCitizen(parent, `/ho-so-cua-toi?person=${child2.personalId}`);
    expect([...onlyChild2.body.matchAll(/data-testid="my-dossier" data-code="([^"]+)"/g)].map((m) => m[1])).toEqual([filed.child2Desk.code]);
    expect((await asCitizen(parent, `/ho-so-cua-toi?person=${stranger.citizen.personalId}`)).statusCode).toBe(422);

    const code = filed.child2Desk.code;
    expect((await clerkPages.post(`/can-bo/ho-so/${enc(code)}/tin-nhan`, { body: 'Đề nghị bổ sung bản sao giấy khai sinh.' })).status).toBe(303);
    const withUnread = await asCitizen(parent, '/ho-so-cua-toi');
    expect(withUnread.body).toMatch(new RegExp(`data-code="${code}"[\\s\\S]*?1 tin nhắn mới`));
  });

  it('the dossier pages show the conversation both ways with "Đã xem lúc" and take messages from their forms', async () => {
    const code = filed.child2Desk.code;
    const before = await clerkPages.get(`/can-bo/ho-so/${enc(code)}`);
    expect(before.body).toContain('Đề nghị bổ sung bản sao giấy khai sinh.');
    expect(before.body).toContain('Chưa xem');

    // The parent's page reads it (receipt) and answers through its form (CSRF of the pages).
    const citizenPage = await asCitizen(parent, `/ho-so/${enc(code)}`);
    expect(citizenPage.body).toContain('Đề nghị bổ sung bản sao giấy khai sinh.');
    const csrfCookie = citizenPage.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(citizenPage.body)![1]!;
    const posted = await env.app.inject({
      method: 'POST', url: `/ho-so/${enc(code)}/tin-nhan`, headers: { cookie: `${parent.cookie}; motcua_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, body: 'Tôi sẽ nộp bổ sung <b>ngay</b>.' }).toString(),
    });
    expect([posted.statusCode, posted.headers.location]).toEqual([303, `/ho-so/${enc(code)}?tb=tin-nhan#tin-nhan`]);
    const empty = await env.app.inject({
      method: 'POST', url: `/ho-so/${enc(code)}/tin-nhan`, headers: { cookie: `${parent.cookie}; motcua_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, body: ' ' }).toString(),
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Vui lòng nhập nội dung tin nhắn.');

    const after = await clerkPages.get(`/can-bo/ho-so/${enc(code)}`);
    expect(after.body).toContain('Đã xem lúc');
    // The citizen's text is escaped, never HTML.
    expect(after.body).toContain('Tôi sẽ nộp bổ sung &lt;b&gt;ngay&lt;/b&gt;.');
    const citizenAfter = await asCitizen(parent, `/ho-so/${enc(code)}`);
    expect(citizenAfter.body).toMatch(/Tôi sẽ nộp bổ sung &lt;b&gt;ngay&lt;\/b&gt;\.<\/p>\s*<p class="muted" data-testid="receipt">Đã xem lúc/);

    const refused = await clerkPages.post(`/can-bo/ho-so/${enc(code)}/tin-nhan`, { body: '' });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Vui lòng nhập nội dung tin nhắn.');
  });
});

describe('the embedded default (PGlite)', () => {
  it('lists and pages the same way', async () => {
    const embedded = await startTestEnvironment('embedded');
    try {
      const child = { personalId: testPersonalId(), fullName: 'Lê Bé', birthDate: '2013-01-01' };
      const mother = await signInCitizen(embedded.ctx.db, { fullName: 'Lê Thị Mẹ', family: [{ relation: 'child', ...child }] });
      const codes: string[] = [];
      for (const subject of [child.personalId, mother.citizen.personalId, null]) {
        const { code } = await submitDossier(embedded.ctx, {
          procedureId: 'diploma-copy', data: diplomaRequest('Lê Thị Mẹ'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
        });
        await embedded.ctx.db.update(dossiers).set({ citizenId: subject === child.personalId ? null : mother.citizen.id, subjectPersonalId: subject })
          .where(eq(dossiers.code, code));
        codes.unshift(code);
      }
      const seen: string[] = [];
      let url = '/api/me/dossiers?limit=2';
      for (;;) {
        const body = (await embedded.app.inject({ method: 'GET', url, headers: { cookie: mother.cookie } })).json();
        seen.push(...body.items.map((i: { code: string }) => i.code));
        if (!body.next) break;
        url = `/api/me/dossiers?limit=2&before=${enc(body.next)}`;
      }
      expect(seen).toEqual(codes);
    } finally {
      await embedded.close();
    }
  }, 60_000);
});
