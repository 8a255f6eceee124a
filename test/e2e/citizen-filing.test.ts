// Filing while signed in with VNeID (issue 12): a parent files an admission registration for a child without typing the
// pupil's identity (the server fills what the state vouches for and overrides anything posted for it), the dossier
// records who filed it, for whom and the sign-in's level of assurance; a child not theirs is refused (NOT_YOUR_CHILD);
// a proxy filing needs the authorisation and notifies the person represented; a second live dossier of the same
// person and procedure is flagged to the desk (never refused). Filing without an account stays as it was.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCampaign, upsertCampaign, upsertCampaignSchool } from '../../src/db/repositories/admissions.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { citizenDocuments, dossiers } from '../../src/db/schema/index.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { storeIssuedResult } from '../../src/services/citizens/document-store.js';
import { signInCitizen, testPersonalId, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp, type Upload } from '../helpers/http.js';
import { startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.js';
import { signInPages } from '../helpers/page-session.js';
import { uploads } from './procedures-common.js';

const ORIGIN = 'http://motcua.test';
const ADMISSION_DOCS = ['birthCertificate', 'residenceProof', 'schoolRecord'];
/** Only what the system does not know: no pupil identity, no grade, no parent's name or phone. */
const admissionRest = { campaign: 'ts10-demo', previousSchool: 'THCS Trần Mai Ninh', choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none' };

describe('filing while signed in with VNeID (production)', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let mail: MailCatcher;
  let parent: SignedInCitizen;
  const childId = testPersonalId();
  const otherChildId = testPersonalId();

  beforeAll(async () => {
    mail = await startMailCatcher();
    env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${mail.port}`, MAIL_FROM: 'motcua@sogd.test' } });
    api = await listenForHttp(env);
    parent = await signInCitizen(env.ctx.db, {
      fullName: 'Trần Văn Hòa', email: 'tran.van.hoa@example.test', phone: '0912000111', loa: 'vneid-2',
      permanentAddress: 'Phường Ba Đình, TP Thanh Hóa', currentAddress: 'Số 5 Lê Lợi, TP Thanh Hóa',
      family: [{ relation: 'child', personalId: childId, fullName: 'Trần Khánh Linh', birthDate: '2011-04-20', gender: 'female' }],
    });
    // Someone else's child (another family): never reachable through this parent's claims.
    await signInCitizen(env.ctx.db, { fullName: 'Lê Thị Mơ', family: [{ relation: 'child', personalId: otherChildId, fullName: 'Lê Minh Tâm', birthDate: '2011-01-01' }] });
  });
  afterAll(async () => {
    if (env) closeMailer(env.config);
    await env?.close();
    await mail?.close();
  });

  /** POST /api/dossiers as the signed-in citizen (their cookie; same-origin, as the portal's own pages send it). */
  async function fileAs(who: SignedInCitizen | null, procedure: string, data: unknown, files: Upload[], parts: Record<string, string> = {}) {
    const form = api.submitForm(procedure, data, files);
    for (const [name, value] of Object.entries(parts)) form.append(name, value);
    return api.json('POST', '/api/dossiers', { form, headers: who ? { cookie: who.cookie, origin: ORIGIN } : {} });
  }

  async function row(code: string) {
    const [r] = await env.ctx.db.select().from(dossiers).where(eq(dossiers.code, code));
    return r!;
  }

  it('a parent files an admission registration for their child without typing the pupil: vouched values, subject, LoA', async () => {
    const filed = await fileAs(parent, 'admission-registration', admissionRest, await uploads(ADMISSION_DOCS), { filedFor: 'child', childPersonalId: childId });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const r = await row(filed.body.code);
    expect(r.formData).toMatchObject({
      pupilName: 'Trần Khánh Linh', pupilIdNumber: childId, pupilBirthDate: '2011-04-20', pupilGender: 'female',
      grade: '10', parentName: 'Trần Văn Hòa', parentPhone: '0912000111', parentEmail: 'tran.van.hoa@example.test',
      residence: 'Phường Ba Đình, TP Thanh Hóa',
    });
    expect(r).toMatchObject({
      citizenId: parent.citizen.id, filedFor: 'child', subjectPersonalId: childId, loa: 'vneid-2', possibleDuplicateOf: null,
      applicantName: 'Trần Văn Hòa', applicantEmail: 'tran.van.hoa@example.test', applicantIdNumber: childId,
    });
    // The filer hears of it at the e-mail the claims give.
    const received = await eventually(async () => mail.inbox.find((m) => m.subject?.includes(filed.body.code)));
    expect(received.to && 'value' in received.to ? received.to.value[0]?.address : undefined).toBe('tran.van.hoa@example.test');
  });

  it('overrides a posted pupil identity with the vouched one, and flags a second live registration of the same child', async () => {
    const first = (await env.ctx.db.select().from(dossiers).where(eq(dossiers.subjectPersonalId, childId)))[0]!;
    const forged = { ...admissionRest, pupilName: 'Kẻ Mạo Danh', pupilIdNumber: '099999999999', pupilBirthDate: '2000-01-01', grade: '6', parentName: 'Ai Đó' };
    // The same campaign again: one live registration per pupil (409, its code named to the parent who filed it).
    const again = await fileAs(parent, 'admission-registration', forged, await uploads(ADMISSION_DOCS), { filedFor: 'child', childPersonalId: childId });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'DUPLICATE_REGISTRATION', fields: { pupilIdNumber: expect.stringContaining(first.code) } });
    // Another campaign of the same procedure takes it, flagged to the desk.
    const demo = (await findCampaign(env.ctx.db, 'ts10-demo'))!;
    await upsertCampaign(env.ctx.db, { ...demo, id: 'ts10-bo-sung', name: 'Tuyển sinh lớp 10 (đợt 2)' });
    for (const unitId of ['thpt-lam-son', 'thpt-dao-duy-tu']) await upsertCampaignSchool(env.ctx.db, { campaignId: 'ts10-bo-sung', schoolUnitId: unitId, quota: 5 });
    const filed = await fileAs(parent, 'admission-registration', { ...forged, campaign: 'ts10-bo-sung' }, await uploads(ADMISSION_DOCS), { filedFor: 'child', childPersonalId: childId });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const r = await row(filed.body.code);
    expect(r.formData).toMatchObject({ pupilName: 'Trần Khánh Linh', pupilIdNumber: childId, pupilBirthDate: '2011-04-20', grade: '10', parentName: 'Trần Văn Hòa' });
    // Not refused: flagged to the desk.
    expect(r.possibleDuplicateOf).toBe(first.id);

    const school = await signInPages(env, 'school');
    const inbox = await school.get('/can-bo');
    expect(inbox.body).toContain(`Có thể trùng hồ sơ ${first.code}`);
    expect(inbox.body).toContain(`href="/can-bo/ho-so/${first.code}"`);
    const page = await school.get(`/can-bo/ho-so/${encodeURIComponent(filed.body.code)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Có thể trùng hồ sơ ${first.code}`);
    expect(page.body).toContain('Cha/mẹ nộp cho con (đăng nhập VNeID)');
    // The first one is flagged as nothing (it was alone when filed).
    expect((await school.get(`/can-bo/ho-so/${encodeURIComponent(first.code)}`)).body).not.toContain('Có thể trùng hồ sơ');
    const token = await api.login('school');
    const apiInbox = await api.json('GET', '/api/inbox', { token });
    expect(apiInbox.body.find((d: { code: string }) => d.code === filed.body.code)?.possibleDuplicateOf).toBe(first.code);
  });

  it('refuses a child who is not theirs (NOT_YOUR_CHILD), a mode the procedure does not allow, and filing-for without signing in', async () => {
    const notTheirs = await fileAs(parent, 'admission-registration', admissionRest, await uploads(ADMISSION_DOCS), { filedFor: 'child', childPersonalId: otherChildId });
    expect(notTheirs.status).toBe(422);
    expect(notTheirs.body.error).toMatchObject({ code: 'NOT_YOUR_CHILD', fields: { childPersonalId: expect.any(String) } });
    expect(await env.ctx.db.select().from(dossiers).where(eq(dossiers.subjectPersonalId, otherChildId))).toHaveLength(0);

    const selfAdmission = await fileAs(parent, 'admission-registration', admissionRest, await uploads(ADMISSION_DOCS), { filedFor: 'self' });
    expect(selfAdmission.body.error?.code).toBe('FILING_NOT_ALLOWED');
    const childCopy = await fileAs(parent, 'diploma-copy', diplomaRequest(), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' }], { filedFor: 'child', childPersonalId: childId });
    expect(childCopy.body.error?.code).toBe('FILING_NOT_ALLOWED');

    const anonymous = await fileAs(null, 'admission-registration', admissionRest, await uploads(ADMISSION_DOCS), { filedFor: 'child', childPersonalId: childId });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('a proxy filing needs the authorisation; the represented person is named in the dossier (not its subject) and is notified', async () => {
    const proxy = await signInCitizen(env.ctx.db, { fullName: 'Phạm Văn Đại', email: 'dai.dien@example.test', phone: '0987000222', currentAddress: 'Thanh Hóa' });
    const principalId = testPersonalId();
    const identity: Upload = { field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' };
    const parts = { filedFor: 'proxy', principalName: 'Nguyễn Thị Ủy', principalPersonalId: principalId, principalEmail: 'uy.quyen@example.test' };
    const data = { relation: 'representative', holderBirthDate: '1999-09-09', diplomaType: 'thpt', school: 'THPT Hàm Rồng', graduationYear: 2017, copies: 1 };

    const missing = await fileAs(proxy, 'diploma-copy', data, [identity], parts);
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { authorisation: expect.stringContaining('ủy quyền') } });
    const noPrincipal = await fileAs(proxy, 'diploma-copy', data, [identity, { ...identity, field: 'authorisation' }], { filedFor: 'proxy' });
    expect(noPrincipal.body.error.fields).toMatchObject({ principalName: expect.any(String), principalPersonalId: expect.any(String) });

    const filed = await fileAs(proxy, 'diploma-copy', data, [identity, { ...identity, field: 'authorisation', name: 'giay-uy-quyen.pdf' }], parts);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const r = await row(filed.body.code);
    // The typed ID number is nobody's vouched identity: kept for the desk in the form data, never the dossier's subject.
    expect(r).toMatchObject({ citizenId: proxy.citizen.id, filedFor: 'proxy', subjectPersonalId: null, applicantName: 'Phạm Văn Đại', applicantEmail: 'dai.dien@example.test' });
    expect(r.formData).toMatchObject({ applicantName: 'Phạm Văn Đại', applicantIdNumber: proxy.citizen.personalId, holderName: 'Nguyễn Thị Ủy', holderBirthDate: '1999-09-09' });
    expect(r.formData._principal).toEqual({ fullName: 'Nguyễn Thị Ủy', personalId: principalId, email: 'uy.quyen@example.test' });
    const mails = await eventually(async () => {
      const found = mail.inbox.filter((m) => m.subject?.includes(filed.body.code));
      return found.length >= 2 ? found : undefined;
    });
    const to = (m: (typeof mails)[number]) => (m.to && 'value' in m.to ? m.to.value[0]?.address : undefined);
    expect(mails.map(to).sort()).toEqual(['dai.dien@example.test', 'uy.quyen@example.test']);
    const principalMail = mails.find((m) => to(m) === 'uy.quyen@example.test')!;
    expect(principalMail.text).toContain('Kính gửi ông (bà) Nguyễn Thị Ủy');
    expect(principalMail.text).toContain('Hồ sơ do ông (bà) Phạm Văn Đại nộp thay theo ủy quyền');
  });

  it("a proxy filing naming someone else's ID number puts nothing in that person's space, store or duplicate checks", async () => {
    const victim = await signInCitizen(env.ctx.db, { fullName: 'Đỗ Thị Nạn Nhân', email: 'nan.nhan@example.test', phone: '0987000333', currentAddress: 'Sầm Sơn' });
    const filer = await signInCitizen(env.ctx.db, { fullName: 'Kẻ Nộp Thay', email: 'nop.thay@example.test', phone: '0987000444', currentAddress: 'Thanh Hóa' });
    const identity: Upload = { field: 'identity', name: 'cccd.pdf', data: await makePdf(), type: 'application/pdf' };
    const data = { relation: 'representative', holderBirthDate: '1990-01-01', diplomaType: 'thpt', school: 'THPT Hàm Rồng', graduationYear: 2008, copies: 1 };
    const filed = await fileAs(filer, 'diploma-copy', data, [identity, { ...identity, field: 'authorisation', name: 'giay-uy-quyen.pdf' }],
      { filedFor: 'proxy', principalName: 'Đỗ Thị Nạn Nhân', principalPersonalId: victim.citizen.personalId });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const code = filed.body.code as string;
    const asVictim = (url: string) => env.app.inject({ method: 'GET', url, headers: { cookie: victim.cookie } });

    // Not in the victim's space, and 404 on the dossier, its messages and its page.
    const space = await asVictim('/api/me/dossiers');
    expect(space.statusCode).toBe(200);
    expect(space.json().items.map((d: { code: string }) => d.code)).not.toContain(code);
    const ownOnly = await asVictim(`/api/me/dossiers?person=${victim.citizen.personalId}`);
    expect(ownOnly.json().items.map((d: { code: string }) => d.code)).not.toContain(code);
    for (const url of [`/api/dossiers/${encodeURIComponent(code)}`, `/api/dossiers/${encodeURIComponent(code)}/messages`, `/ho-so/${encodeURIComponent(code)}`]) {
      expect((await asVictim(url)).statusCode, url).toBe(404);
    }
    const post = await env.app.inject({
      method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/messages`, headers: { cookie: victim.cookie, origin: ORIGIN }, payload: { body: 'Xin chào' },
    });
    expect(post.statusCode).toBe(404);

    // The filer's space lists it as filed for the person represented, never as their own.
    const filersSpace = (await env.app.inject({ method: 'GET', url: '/api/me/dossiers', headers: { cookie: filer.cookie } })).json();
    expect(filersSpace.items.find((d: { code: string }) => d.code === code)).toMatchObject({
      for: { relation: 'other', personalId: null, name: 'Đỗ Thị Nạn Nhân' }, filedByMe: true,
    });
    const filersOwn = (await env.app.inject({ method: 'GET', url: `/api/me/dossiers?person=${filer.citizen.personalId}`, headers: { cookie: filer.cookie } })).json();
    expect(filersOwn.items.map((d: { code: string }) => d.code)).not.toContain(code);
    const filersPage = await env.app.inject({ method: 'GET', url: '/ho-so-cua-toi', headers: { cookie: filer.cookie } });
    expect(filersPage.body).toContain('Nộp thay cho Đỗ Thị Nạn Nhân');

    // A result issued for it lands in nobody's store: neither the victim's nor (as their own) the filer's.
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const definition = await env.ctx.catalog.definitionFor(dossier.procedureVersionId);
    await env.ctx.db.transaction((tx) => storeIssuedResult(tx, dossier, definition, { storageKey: dossier.id, data: Buffer.from('%PDF-1.7 result') }));
    expect(await env.ctx.db.select().from(citizenDocuments).where(eq(citizenDocuments.sourceDossierId, dossier.id))).toHaveLength(0);

    // The victim's own diploma copy is not flagged as a duplicate of the proxy filing.
    const own = await fileAs(victim, 'diploma-copy', diplomaRequest('Đỗ Thị Nạn Nhân'), [identity], { filedFor: 'self' });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect((await row(own.body.code)).possibleDuplicateOf).toBeNull();
  });

  it('the apply page offers "Nộp cho", shows the child vouched and read-only, asks no grade, and files without the pupil typed', async () => {
    const page = await env.app.inject({ method: 'GET', url: `/thu-tuc/admission-registration/nop?cho=${childId}`, cookies: { motcua_citizen: parent.token } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nộp cho');
    expect(page.body).toContain('Con: Trần Khánh Linh, sinh ngày 20/04/2011');
    expect(page.body).toContain('Thông tin từ CSDL quốc gia về dân cư (VNeID)');
    expect(page.body).toMatch(/<input id="f-pupilName" type="text" value="Trần Khánh Linh" readonly/);
    expect(page.body).toMatch(/<input id="f-pupilBirthDate" type="text" value="20\/04\/2011" readonly/);
    expect(page.body).not.toContain('name="grade"');
    expect(page.body).toContain(`name="childPersonalId" value="${childId}"`);
    // Only what the workflow allows: no "myself" for an admission registration, no proxy.
    expect(page.body).not.toContain('value="ban-than"');
    expect(page.body).not.toContain('value="uy-quyen"');

    // Filing through the page (its CSRF token and cookie), posting a different pupil name: the vouched one is kept.
    const csrfCookie = page.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const action = /action="(\/thu-tuc\/admission-registration\/nop\?_csrf=[^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...admissionRest, pupilName: 'Tên Khác', filedFor: 'child', childPersonalId: childId })) form.append(k, v);
    for (const u of await uploads(ADMISSION_DOCS)) form.append(u.field, new Blob([u.data], { type: u.type }), u.name);
    // The child's earlier registrations refused first: a live one would make this filing a duplicate (409).
    await env.ctx.db.update(dossiers).set({ status: 'refused' }).where(eq(dossiers.subjectPersonalId, childId));
    const posted = await fetch(`${api.baseUrl}${action}`, {
      method: 'POST', body: form, redirect: 'manual',
      headers: { cookie: `motcua_csrf=${csrfCookie}; motcua_citizen=${parent.token}` },
    });
    expect(posted.status, await posted.clone().text()).toBe(303);
    const code = decodeURIComponent(/\/ho-so\/([^/]+)\/bien-nhan/.exec(posted.headers.get('location')!)![1]!);
    expect((await row(code)).formData).toMatchObject({ pupilName: 'Trần Khánh Linh', pupilIdNumber: childId, grade: '10' });

    // A diploma copy: myself (the holder vouched) or as a proxy (the represented person typed, the authorisation required).
    const self = await env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop', cookies: { motcua_citizen: parent.token } });
    expect(self.body).toMatch(/<input id="f-holderName" type="text" value="Trần Văn Hòa" readonly/);
    expect(self.body).toContain('value="uy-quyen"');
    const asProxy = await env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop?cho=uy-quyen', cookies: { motcua_citizen: parent.token } });
    expect(asProxy.body).toContain('name="principalPersonalId"');
    expect(asProxy.body).not.toContain('f-holderName');
    expect(asProxy.body).toMatch(/<input id="f-applicantName" type="text" value="Trần Văn Hòa" readonly/);
    expect(asProxy.body).toMatch(/<input id="d-authorisation" name="authorisation"[^>]* required/);

    // Without signing in the page is the one it always was: the grade asked, nothing vouched, no choice.
    const anonymous = await env.app.inject({ method: 'GET', url: '/thu-tuc/admission-registration/nop' });
    expect(anonymous.body).toContain('name="grade"');
    expect(anonymous.body).not.toContain('Thông tin từ CSDL quốc gia về dân cư');
    expect(anonymous.body).not.toContain('name="filedFor"');
  });
});
