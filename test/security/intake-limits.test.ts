// Finding 3, anonymous intake as a flood and phishing channel: (a) INTAKE_RATE_LIMIT filings a minute per client IP
// on POST /api/dossiers and the page form; (b) per applicant e-mail (lower-case, without +tag) or phone (0… and +84…)
// at most INTAKE_CONTACT_HOURLY_LIMIT an hour and INTAKE_CONTACT_DAILY_LIMIT a day, counted in PostgreSQL, 429
// RATE_LIMITED with Retry-After, idempotent replays free; (c) the e-mail greets by a short plain name — no links,
// no line breaks — whatever the form said.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { createLogger } from '../../src/logger.js';
import { citizenTextForMessage, notifyCitizen } from '../../src/services/notifications/notify-citizen.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let pdf: Buffer;
beforeAll(async () => { pdf = await makePdf(); });

/** POST /api/dossiers as a multipart body for app.inject. */
function intake(data: Record<string, unknown>, headers: Record<string, string> = {}) {
  const boundary = '----intake';
  const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const payload = Buffer.concat([
    Buffer.from(part('procedure', 'diploma-copy') + part('data', JSON.stringify(data))),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="identity"; filename="cccd.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    pdf, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { method: 'POST' as const, url: '/api/dossiers', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers } };
}

let phoneSeq = 0;
/** A request with its own phone (and e-mail, when given), so only the limit under test applies. */
const request = (contact: { email?: string; phone?: string } = {}) => ({
  ...diplomaRequest('Lý Thị Mơ'),
  applicantPhone: contact.phone ?? `09${String(10_000_000 + ++phoneSeq).slice(-8)}`,
  ...(contact.email ? { applicantEmail: contact.email } : {}),
});

describe('per client (INTAKE_RATE_LIMIT)', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { env: { INTAKE_RATE_LIMIT: '3', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0' } });
  });
  afterAll(async () => { await env?.close(); });

  it('refuses the 4th filing in a minute from one address with 429 RATE_LIMITED and Retry-After; another address goes on', async () => {
    for (let i = 0; i < 3; i++) expect((await env.app.inject({ ...intake(request()), remoteAddress: '203.0.113.7' })).statusCode).toBe(201);
    const refused = await env.app.inject({ ...intake(request()), remoteAddress: '203.0.113.7' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(refused.json().error.message).toMatch(/quá nhiều hồ sơ/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await env.app.inject({ ...intake(request()), remoteAddress: '198.51.100.9' })).statusCode).toBe(201);
  });

  it('the page form has its own budget per address: the form again, with the message, 429 and Retry-After', async () => {
    const address = '203.0.113.99';
    const form = await env.app.inject({ method: 'GET', url: '/thu-tuc/diploma-copy/nop', remoteAddress: address });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? /_csrf=([^"&]+)/.exec(form.body)![1]!;
    const cookies = { motcua_csrf: form.cookies.find((c) => c.name === 'motcua_csrf')!.value };
    const post = (accept?: string) => {
      const fields = request();
      const body = intake({});
      const boundary = '----intake';
      const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`).join('');
      return env.app.inject({
        method: 'POST', url: `/thu-tuc/diploma-copy/nop?_csrf=${encodeURIComponent(csrf)}`, remoteAddress: address, cookies,
        headers: { ...body.headers, ...(accept ? { accept } : {}) },
        payload: Buffer.concat([Buffer.from(parts), Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="identity"; filename="cccd.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]),
      });
    };
    for (let i = 0; i < 3; i++) expect((await post()).statusCode).toBe(303);
    const page = await post();
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('quá nhiều hồ sơ');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    const json = await post('application/json');
    expect(json.statusCode).toBe(429);
    expect(json.json().error.code).toBe('RATE_LIMITED');
  });
});

describe('per applicant contact (INTAKE_CONTACT_*_LIMIT)', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startTestEnvironment('production', { env: { INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '2', INTAKE_CONTACT_DAILY_LIMIT: '3' } });
  });
  afterAll(async () => { await env?.close(); });

  it('allows 2 filings an hour per e-mail, whatever its case or +tag', async () => {
    expect((await env.app.inject(intake(request({ email: 'nan.nhan@example.test' })))).statusCode).toBe(201);
    expect((await env.app.inject(intake(request({ email: 'Nan.Nhan@Example.test' })))).statusCode).toBe(201);
    for (const email of ['nan.nhan@example.test', 'NAN.NHAN+lan3@example.test']) {
      const refused = await env.app.inject(intake(request({ email })));
      expect(refused.statusCode, email).toBe(429);
      expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED', fields: { applicantEmail: expect.stringContaining('email này') } });
      expect(refused.json().error.message).toMatch(/tối đa 2 hồ sơ mỗi giờ và 3 hồ sơ mỗi ngày/);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    // Another address is another applicant.
    expect((await env.app.inject(intake(request({ email: 'khac@example.test' })))).statusCode).toBe(201);
  });

  it('counts a phone in both spellings, and the daily limit after the hourly one frees up', async () => {
    const phone = '0987000111';
    expect((await env.app.inject(intake(request({ phone })))).statusCode).toBe(201);
    expect((await env.app.inject(intake(request({ phone: '+84987000111' })))).statusCode).toBe(201);
    const refused = await env.app.inject(intake(request({ phone })));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.fields).toEqual({ applicantPhone: expect.stringContaining('số điện thoại này') });

    // Two hours later the hour is free again, but the day allows 3: one more, then 429 until the first leaves the day.
    await env.ctx.database.query(`update dossiers set submitted_at = submitted_at - interval '2 hours' where applicant_phone in ('0987000111', '+84987000111')`, []);
    expect((await env.app.inject(intake(request({ phone })))).statusCode).toBe(201);
    const daily = await env.app.inject(intake(request({ phone })));
    expect(daily.statusCode).toBe(429);
    const retryAfter = Number(daily.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(21 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(22 * 3600);
  });

  it('an idempotent replay is answered, not counted or refused', async () => {
    const email = 'lap.lai@example.test';
    const data = request({ email });
    const first = await env.app.inject(intake(data, { 'idempotency-key': 'replay-key-0001' }));
    expect(first.statusCode).toBe(201);
    expect((await env.app.inject(intake(request({ email })))).statusCode).toBe(201);
    // The limit is reached: a new filing is refused, the replay of the first is still answered (200, same dossier).
    expect((await env.app.inject(intake(request({ email })))).statusCode).toBe(429);
    const replay = await env.app.inject(intake(data, { 'idempotency-key': 'replay-key-0001' }));
    expect(replay.statusCode).toBe(200);
    expect(replay.json().code).toBe(first.json().code);
  });

  it('the limit is checked first: an admission registration over it is 429 even when the campaign would refuse it too, and nothing is written', async () => {
    // The contact check runs side by side with the campaign's rules (services/intake/record-filing.ts `admitted`).
    const registration = (pupil: string, parentPhone: string, grade = '10') => {
      const boundary = '----registration';
      const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const data = {
        campaign: 'ts10-demo', grade, pupilName: 'Trần Khánh Linh', pupilIdNumber: pupil, pupilBirthDate: '2011-04-20', pupilGender: 'female',
        residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: 'Trần Văn Hòa', parentPhone,
        choice1: 'thpt-lam-son', choice2: 'thpt-dao-duy-tu', priority: 'none',
      };
      const file = (name: string) => [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from('\r\n')];
      const payload = Buffer.concat([Buffer.from(part('procedure', 'admission-registration') + part('data', JSON.stringify(data))),
        ...file('birthCertificate'), ...file('residenceProof'), ...file('schoolRecord'), Buffer.from(`--${boundary}--\r\n`)]);
      return { method: 'POST' as const, url: '/api/dossiers', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    const phone = '0912000777';
    for (const pupil of ['038311000301', '038311000302']) {
      const filed = await env.app.inject(registration(pupil, phone));
      expect(filed.statusCode, filed.body).toBe(201);
    }
    const count = async () => (await env.ctx.database.query<{ n: number }>('select count(*)::int as n from dossiers', []))[0]!.n;
    const before = await count();
    const both = await env.app.inject(registration('038311000303', phone, '6'));
    expect(both.statusCode, both.body).toBe(429);
    expect(both.json().error).toMatchObject({ code: 'RATE_LIMITED', fields: { parentPhone: expect.stringContaining('số điện thoại này') } });
    // Another parent with the same wrong grade meets the campaign's rule.
    const campaignOnly = await env.app.inject(registration('038311000304', '0912000778', '6'));
    expect(campaignOnly.statusCode, campaignOnly.body).toBe(422);
    expect(campaignOnly.json().error.fields.grade).toMatch(/lớp 10/);
    expect(await count()).toBe(before);
  });
});

describe('what a stranger can make the Department say', () => {
  it('the name in a message is one short line without links', () => {
    expect(citizenTextForMessage('Nguyễn Văn An')).toBe('Nguyễn Văn An');
    const hostile = 'Nguyễn Văn An\r\nTài khoản bị khóa, đăng nhập tại https://evil.example/login hoặc www.phish.vn hay bit.ly/abc ngay';
    const clean = citizenTextForMessage(hostile);
    expect(clean).not.toMatch(/[\r\n]/);
    expect(clean).not.toMatch(/evil|phish|bit\.ly|https?:/);
    expect([...clean].length).toBeLessThanOrEqual(60);
    expect(clean.startsWith('Nguyễn Văn An Tài khoản bị khóa')).toBe(true);
  });

  it('the intake e-mail greets by that name', async () => {
    const env = await startTestEnvironment('production');
    try {
      const name = 'Trần Thị Bình xem chi tiết tại evil.example/x hoặc http://phish.vn rồi gọi 19001234 ngay hôm nay nhé';
      const filed = await env.app.inject(intake({ ...request({ email: 'ban.tin@example.test' }), applicantName: name.slice(0, 100) }));
      expect(filed.statusCode).toBe(201);
      const dossier = (await findDossierByCode(env.ctx.db, filed.json().code))!;
      await env.ctx.jobs.idle(10_000);
      await env.ctx.database.query('delete from citizen_notifications where dossier_id = $1', [dossier.id]);
      const lines: string[] = [];
      const log = createLogger({ logLevel: 'info' }, 'test', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
      await notifyCitizen({ ...env.ctx, log, config: { ...env.ctx.config } }, dossier.id, 1);
      const mail = lines.map((l) => JSON.parse(l) as { mail?: { text: string } }).find((l) => l.mail)!.mail!;
      const greeting = /Kính gửi ông \(bà\) (.*),/.exec(mail.text)![1]!;
      expect(greeting.startsWith('Trần Thị Bình xem chi tiết tại')).toBe(true);
      expect([...greeting].length).toBeLessThanOrEqual(60);
      expect(mail.text).not.toMatch(/evil\.example|phish\.vn/);
    } finally {
      await env.close();
    }
  });
});
