// How many SQL statements a citizen's status look-up and dossier page send to PostgreSQL (issue 15): pinned, so a
// change that adds a read to the hot path of result day fails here instead of silently slowing every look-up. Counted
// exactly, on the driver: the app under test is the real one (buildApp) on a context whose database client reports
// every statement it sends (postgres.js `debug`). No timing is asserted; bench/status.ts measures the time.
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { InjectOptions } from 'fastify';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import type { Db } from '../../src/db/client.js';
import { insertMessage, markMessagesRead } from '../../src/db/repositories/messages.js';
import * as schema from '../../src/db/schema/index.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

let env: TestEnvironment;
let client: postgres.Sql;
let app: Awaited<ReturnType<typeof buildApp>>;
let statements: string[] = [];
let filed: { code: string; trackingToken: string };

beforeAll(async () => {
  env = await startTestEnvironment('production');
  filed = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  // Received: two history events, and the control slip opened by the clerk's step, as most dossiers a citizen follows have.
  await performAction(env.ctx, { code: filed.code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  client = postgres(env.config.database.url, { max: 2, onnotice: () => {}, debug: (_connection, query) => { statements.push(query); } });
  const db = drizzle(client, { schema }) as unknown as Db;
  const ctx: AppContext = {
    ...env.ctx, db,
    database: { ...env.ctx.database, db, query: async <T>(text: string, params: unknown[]) => (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[] },
  };
  app = await buildApp(ctx);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await client?.end({ timeout: 5 });
  await env?.close();
});

async function counted(request: InjectOptions): Promise<{ status: number; body: string; statements: string[] }> {
  statements = [];
  const response = await app.inject(request);
  // postgres.js reads the array types once on each new connection: not the request's work.
  return { status: response.statusCode, body: response.body, statements: statements.filter((s) => !s.includes('pg_catalog.pg_type')) };
}

const trackCookie = (code: string, token: string) => `motcua_track=${Buffer.from(JSON.stringify([{ code, token }])).toString('base64url')}`;

describe('statements per citizen read', () => {
  it('the status look-up with the tracking token is one statement', async () => {
    const lookup = await counted({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}`, headers: { authorization: `Bearer ${filed.trackingToken}` } });
    expect(lookup.status).toBe(200);
    const view = JSON.parse(lookup.body);
    // What that one statement must still carry: history, documents, forms (the control slip) and the unit.
    expect(view.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'receive']);
    expect(view.documents).toHaveLength(1);
    expect(view.forms.map((f: { kind: string }) => f.kind)).toContain('control-slip');
    expect(view.unit).not.toBeNull();
    expect(lookup.statements, lookup.statements.join('\n---\n')).toHaveLength(1);
  });

  it('a wrong token is the same 404, after the dossier\'s read and the staff-session check', async () => {
    const wrong = await counted({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(filed.code)}`, headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.body).error.code).toBe('DOSSIER_NOT_FOUND');
    // The dossier's read, then — the Bearer not being its token — the staff session it might be.
    expect(wrong.statements, wrong.statements.join('\n---\n')).toHaveLength(2);
  });

  it('the citizen page with the remembered token', async () => {
    const page = await counted({ method: 'GET', url: `/ho-so/${encodeURIComponent(filed.code)}`, headers: { cookie: trackCookie(filed.code, filed.trackingToken) } });
    expect(page.status).toBe(200);
    expect(page.body).toContain(filed.code);
    // The view's one statement, with the survey rating and the messages with whether any is unread: no receipt.
    expect(page.statements, page.statements.join('\n---\n')).toHaveLength(1);
    expect(page.statements.some((s) => /^update/i.test(s))).toBe(false);
  });

  it('the citizen page marks an unread office message read, once', async () => {
    const [dossier] = await env.ctx.db.select({ id: schema.dossiers.id }).from(schema.dossiers).where(eq(schema.dossiers.code, filed.code));
    await insertMessage(env.ctx.db, { dossierId: dossier!.id, authorKind: 'staff', authorName: 'Cán bộ', body: 'Vui lòng bổ sung.' });
    const request: InjectOptions = { method: 'GET', url: `/ho-so/${encodeURIComponent(filed.code)}`, headers: { cookie: trackCookie(filed.code, filed.trackingToken) } };
    const first = await counted(request);
    expect(first.status).toBe(200);
    expect(first.body).toContain('Vui lòng bổ sung.');
    // The receipt is the one more statement, and it is written.
    expect(first.statements, first.statements.join('\n---\n')).toHaveLength(2);
    expect(first.statements.filter((s) => /^update "dossier_messages"/i.test(s))).toHaveLength(1);
    const [message] = await env.ctx.db.select({ readAt: schema.dossierMessages.readAt }).from(schema.dossierMessages).where(eq(schema.dossierMessages.dossierId, dossier!.id));
    expect(message!.readAt).toBeInstanceOf(Date);
    // Nothing unread any more: the next view writes nothing.
    const second = await counted(request);
    expect(second.status).toBe(200);
    expect(second.body).toContain('Vui lòng bổ sung.');
    expect(second.statements, second.statements.join('\n---\n')).toHaveLength(1);
  });

  it('the receipt stops at the newest message listed: one posted after the list was read stays unread', async () => {
    const [dossier] = await env.ctx.db.select({ id: schema.dossiers.id }).from(schema.dossiers).where(eq(schema.dossiers.code, filed.code));
    const shown = await insertMessage(env.ctx.db, { dossierId: dossier!.id, authorKind: 'staff', authorName: 'Cán bộ', body: 'Đã nhận.' });
    // Posted between the page's read of the messages and its receipt (same millisecond or not: compared in SQL).
    const later = await insertMessage(env.ctx.db, { dossierId: dossier!.id, authorKind: 'staff', authorName: 'Cán bộ', body: 'Thêm một việc.' });
    expect(await markMessagesRead(env.ctx.db, dossier!.id, 'staff', new Date(), shown.id)).toBe(1);
    const readAt = async (id: string) => (await env.ctx.db.select({ readAt: schema.dossierMessages.readAt }).from(schema.dossierMessages).where(eq(schema.dossierMessages.id, id)))[0]!.readAt;
    expect(await readAt(shown.id)).toBeInstanceOf(Date);
    expect(await readAt(later.id)).toBeNull();
    // Its next view shows it and reads it.
    const page = await counted({ method: 'GET', url: `/ho-so/${encodeURIComponent(filed.code)}`, headers: { cookie: trackCookie(filed.code, filed.trackingToken) } });
    expect(page.body).toContain('Thêm một việc.');
    expect(await readAt(later.id)).toBeInstanceOf(Date);
  });
});
