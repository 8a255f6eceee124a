// Messages about a dossier are bounded: MESSAGE_RATE_LIMIT posts a minute per client address and dossier, counted
// once for the API and both dossier pages (429 RATE_LIMITED with Retry-After; another dossier is not held back), and a
// conversation lists its latest MESSAGES_SHOWN messages (hasEarlier says more exist), oldest of them first.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierMessages, dossiers } from '../../src/db/schema/index.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { MESSAGES_SHOWN } from '../../src/services/messages/dossier-messages.js';
import { signInCitizen, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { signInPages } from '../helpers/page-session.js';

const ORIGIN = 'http://motcua.test';
const MESSAGE_RATE_PER_MINUTE = 10;
let env: TestEnvironment;
let parent: SignedInCitizen;

async function dossierOf(who: SignedInCitizen): Promise<{ code: string; id: string }> {
  const { code } = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(who.citizen.fullName), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  const [row] = await env.ctx.db.update(dossiers).set({ citizenId: who.citizen.id }).where(eq(dossiers.code, code)).returning({ id: dossiers.id });
  return { code, id: row!.id };
}

const apiPost = (code: string, body: string, remoteAddress = '127.0.0.1') => env.app.inject({
  method: 'POST', url: `/api/dossiers/${encodeURIComponent(code)}/messages`, remoteAddress,
  headers: { cookie: parent.cookie, origin: ORIGIN }, payload: { body },
});

beforeAll(async () => {
  env = await startTestEnvironment('production', { env: { MESSAGE_RATE_LIMIT: String(MESSAGE_RATE_PER_MINUTE) } });
  parent = await signInCitizen(env.ctx.db, { fullName: 'Vũ Thị Nhắn', phone: '0912000999' });
});
afterAll(async () => { await env?.close(); });

describe('posting messages', () => {
  it(`takes ${MESSAGE_RATE_PER_MINUTE} a minute per address and dossier on the API, then 429 RATE_LIMITED with Retry-After`, async () => {
    const { code } = await dossierOf(parent);
    for (let i = 0; i < MESSAGE_RATE_PER_MINUTE; i++) expect((await apiPost(code, `Tin ${i}`)).statusCode).toBe(201);
    const refused = await apiPost(code, 'Một tin nữa');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another dossier, or another address, is not held back.
    const other = await dossierOf(parent);
    expect((await apiPost(other.code, 'Hồ sơ khác')).statusCode).toBe(201);
    expect((await apiPost(code, 'Từ địa chỉ khác', '10.0.0.7')).statusCode).toBe(201);
  });

  it('counts the pages with the API: the citizen page and the staff page are refused past the limit too', async () => {
    const { code } = await dossierOf(parent);
    for (let i = 0; i < MESSAGE_RATE_PER_MINUTE; i++) expect((await apiPost(code, `Tin ${i}`)).statusCode).toBe(201);
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, headers: { cookie: parent.cookie } });
    const csrfCookie = page.cookies.find((c) => c.name === 'motcua_csrf')!.value;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const posted = await env.app.inject({
      method: 'POST', url: `/ho-so/${encodeURIComponent(code)}/tin-nhan`,
      headers: { cookie: `${parent.cookie}; motcua_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, body: 'Qua trang' }).toString(),
    });
    expect(posted.statusCode).toBe(429);
    expect(posted.headers['retry-after']).toBeTruthy();
    expect(posted.body).toContain('tin nhắn');

    const staffDossier = await dossierOf(parent);
    const clerk = await signInPages(env, 'clerk');
    for (let i = 0; i < MESSAGE_RATE_PER_MINUTE; i++) {
      expect((await clerk.post(`/can-bo/ho-so/${encodeURIComponent(staffDossier.code)}/tin-nhan`, { body: `Cán bộ ${i}` })).status).toBe(303);
    }
    expect((await clerk.post(`/can-bo/ho-so/${encodeURIComponent(staffDossier.code)}/tin-nhan`, { body: 'Thêm' })).status).toBe(429);
    const count = await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(dossierMessages).where(eq(dossierMessages.dossierId, staffDossier.id));
    expect(count[0]!.n).toBe(MESSAGE_RATE_PER_MINUTE);
  });
});

describe('reading messages', () => {
  it(`lists the latest ${MESSAGES_SHOWN}, oldest of them first, and says earlier ones exist`, async () => {
    const { code, id } = await dossierOf(parent);
    const total = MESSAGES_SHOWN + 5;
    await env.ctx.db.execute(sql`insert into dossier_messages (dossier_id, author_kind, author_name, body, created_at)
      select ${id}, 'citizen', 'Vũ Thị Nhắn', 'Tin ' || n, now() - (${total} - n) * interval '1 second' from generate_series(1, ${total}) n`);
    const read = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(code)}/messages`, headers: { cookie: parent.cookie } });
    expect(read.statusCode).toBe(200);
    const { items, hasEarlier } = read.json();
    expect(items).toHaveLength(MESSAGES_SHOWN);
    expect(hasEarlier).toBe(true);
    expect(items[0].body).toBe('Tin 6');
    expect(items.at(-1).body).toBe(`Tin ${total}`);
    const page = await env.app.inject({ method: 'GET', url: `/ho-so/${encodeURIComponent(code)}`, headers: { cookie: parent.cookie } });
    expect(page.body).toContain(`${MESSAGES_SHOWN} tin nhắn gần nhất`);

    const short = await dossierOf(parent);
    const few = (await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(short.code)}/messages`, headers: { cookie: parent.cookie } })).json();
    expect(few).toMatchObject({ items: [], hasEarlier: false });
  });
});
