// The audit log (/api/admin/audit, /quan-tri/nhat-ky): append-only in the database itself (PostgreSQL and PGlite refuse
// UPDATE, DELETE and TRUNCATE), one entry per dossier action written in the action's own transaction (with the account
// and the address it came from; none when the action fails), claims, exports and effect retries, the filters and
// paging, the CSV export (audited itself), and who may read it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { outbox } from '../../src/db/schema/index.js';
import { recordAudit, SYSTEM_ACTOR } from '../../src/services/audit/audit.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { createPinLeader } from '../helpers/pin-leader.js';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';

/** Handlebars escapes `=` and `&` in attributes; a browser reads them back. */
const unescape = (html: string) => html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

async function fileDossier(env: TestEnvironment, name = 'Lê Thị Lan'): Promise<string> {
  const { code } = await submitDossier(env.ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  return code;
}

describe.each<Mode>(['production', 'embedded'])('the audit log is append-only (%s)', (mode) => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment(mode); });
  afterAll(async () => { await env?.close(); });

  it('refuses UPDATE, DELETE and TRUNCATE, even to the application\'s own connection', async () => {
    await recordAudit(env.ctx.db, SYSTEM_ACTOR, 'effect.retried', 'x', { n: 1 });
    const [entry] = await listAuditEntries(env.ctx.db, { target: 'x', limit: 1 });
    expect(entry).toBeDefined();
    await expect(env.ctx.db.execute(sql`update audit_log set action = 'auth.login' where id = ${entry!.id}`)).rejects.toThrow();
    await expect(env.ctx.db.execute(sql`delete from audit_log where id = ${entry!.id}`)).rejects.toThrow();
    await expect(env.ctx.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    const [still] = await listAuditEntries(env.ctx.db, { target: 'x', limit: 1 });
    expect(still).toEqual(entry);
  });
});

describe('audit entries and the audit log view', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let admin: string;
  let clerk: string;
  let specialist: string;
  let code: string;

  const entriesFor = (target: string) => listAuditEntries(env.ctx.db, { target, limit: 100 });
  const audit = (query: string, token = admin) => api.json('GET', `/api/admin/audit${query}`, { token });

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    [admin, clerk, specialist] = [await api.login('admin'), await api.login('clerk'), await api.login('specialist')];
    code = await fileDossier(env);
  });
  afterAll(async () => { await env?.close(); });

  it('writes one entry per dossier action, with the account and its address, and none for a failed one', async () => {
    expect(await entriesFor(code)).toEqual([]); // filing is the citizen's, not a staff act
    const received = await api.act(code, 'receive', clerk, { version: 1 });
    expect(received.status).toBe(200);
    const [entry, ...more] = await entriesFor(code);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'dossier.receive', target: code, actorKind: 'staff', actorName: 'Lê Thị Thu Hà (clerk)', ip: '127.0.0.1',
      details: { from: 'submitted', to: 'checking', version: 2, label: 'Tiếp nhận hồ sơ' },
    });
    expect(entry!.actorId).toBe((await staffCaller(env.ctx, 'clerk')).staff.id);

    // A stale version is refused before anything is written.
    expect((await api.act(code, 'receive', clerk, { version: 1 })).status).toBe(409);
    // Two specialists' decisions on the same version: one wins, the other fails inside its transaction (or before).
    const caller = await staffCaller(env.ctx, 'specialist');
    const outcomes = await Promise.allSettled([
      performAction(env.ctx, { code, action: 'request_supplement', caller, version: 2, comment: 'Thiếu bản chụp văn bằng' }),
      performAction(env.ctx, { code, action: 'refuse', caller, version: 2, comment: 'Không có trong sổ gốc' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'STALE_VERSION' } });
    const after = await entriesFor(code);
    expect(after).toHaveLength(2);
    const dossier = await findDossierByCode(env.ctx.db, code);
    expect(after[0]).toMatchObject({ action: `dossier.${dossier!.status === 'rejected' ? 'refuse' : 'request_supplement'}`, details: { version: 3 } });
  });

  it('audits claims, the tracking-book export and effect retries', async () => {
    const other = await fileDossier(env, 'Trần Văn Hai');
    expect((await api.act(other, 'receive', clerk, { version: 1 })).status).toBe(200);
    const claimed = await api.json('POST', `/api/dossiers/${encodeURIComponent(other)}/assignment`, { token: specialist, json: { version: 2 } });
    expect(claimed.status).toBe(200);
    expect((await entriesFor(other))[0]).toMatchObject({
      action: 'dossier.claim', actorName: 'Trần Văn Minh (specialist)', details: expect.objectContaining({ label: 'Nhận xử lý hồ sơ', version: 3 }),
    });

    const book = await api.request('GET', '/api/reports/tracking-book?format=csv', { token: clerk });
    expect(book.status).toBe(200);
    const [exported] = await listAuditEntries(env.ctx.db, { action: 'export.tracking_book', limit: 5 });
    expect(exported).toMatchObject({ actorName: 'Lê Thị Thu Hà (clerk)', ip: '127.0.0.1', details: expect.objectContaining({ format: 'csv' }) });

    const dossier = await findDossierByCode(env.ctx.db, other);
    const [failed] = await env.ctx.db.insert(outbox).values({
      job: 'notify-citizen', payload: { dossierId: dossier!.id, dossierVersion: 1 }, attempts: 5, lastError: 'SMTP từ chối',
      relayedAt: new Date(), failedAt: new Date(),
    }).returning();
    expect((await api.json('POST', `/api/admin/effects/${failed!.id}/retry`, { token: admin })).status).toBe(200);
    const [retried] = await listAuditEntries(env.ctx.db, { action: 'effect.retried', limit: 5 });
    expect(retried).toMatchObject({ target: other, actorName: expect.stringContaining('(admin)'), details: expect.objectContaining({ outboxId: failed!.id, job: 'notify-citizen' }) });
  });

  it('filters by account, action (exact or group), dossier and period, newest first, page by page', async () => {
    const all = await audit('?limit=200');
    expect(all.status).toBe(200);
    const ids = all.body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.next).toBeNull();

    const byClerk = await audit('?actor=clerk');
    expect(byClerk.body.items.length).toBeGreaterThanOrEqual(3);
    expect(byClerk.body.items.every((i: { actor: string }) => i.actor === 'Lê Thị Thu Hà (clerk)')).toBe(true);

    const dossierActs = await audit('?action=dossier.');
    expect(dossierActs.body.items.length).toBeGreaterThanOrEqual(4);
    expect(dossierActs.body.items.every((i: { action: string }) => i.action.startsWith('dossier.'))).toBe(true);
    const receives = await audit('?action=dossier.receive');
    expect(receives.body.items.map((i: { action: string; actionLabel: string }) => [i.action, i.actionLabel]))
      .toEqual([['dossier.receive', 'Xử lý hồ sơ: Tiếp nhận hồ sơ'], ['dossier.receive', 'Xử lý hồ sơ: Tiếp nhận hồ sơ']]);

    const one = await audit(`?dossier=${encodeURIComponent(code)}`);
    expect(one.body.items.map((i: { target: string }) => i.target)).toEqual([code, code]);
    expect(one.body.items[1]).toMatchObject({ actorKind: 'staff', ip: '127.0.0.1', details: { from: 'submitted', to: 'checking', version: 2 } });

    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect((await audit(`?from=${today}&to=${today}&limit=200`)).body.items).toHaveLength(all.body.items.length);
    expect((await audit('?from=2001-01-01&to=2001-12-31')).body.items).toEqual([]);

    const first = await audit('?limit=2&action=dossier.');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next).toBe(first.body.items[1].id);
    const second = await audit(`?limit=2&action=dossier.&before=${first.body.next}`);
    expect(second.body.items[0].id).toBeLessThan(first.body.next);

    const bad = await audit('?actor=khong-co&from=2025-02-30&action=DROP');
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['action', 'actor', 'from']);
    expect((await audit('?from=2025-03-01&to=2025-02-01')).body.error.fields).toEqual({ to: expect.any(String) });
  });

  it('exports the filtered log as CSV for Excel, and records the export', async () => {
    const response = await api.request('GET', `/api/admin/audit?format=csv&dossier=${encodeURIComponent(code)}`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="nhat-ky-he-thong_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('Số,Thời điểm (giờ Việt Nam),Người thực hiện,Loại tài khoản,Mã thao tác,Thao tác,Đối tượng,Địa chỉ IP,Chi tiết');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`Lê Thị Thu Hà (clerk),Cán bộ,dossier.receive,Xử lý hồ sơ: Tiếp nhận hồ sơ,${code},127.0.0.1,`);
    expect(lines[2]).toMatch(/^\d+,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},/);

    const [recorded] = await listAuditEntries(env.ctx.db, { action: 'export.audit_log', limit: 1 });
    expect(recorded).toMatchObject({ actorName: expect.stringContaining('(admin)'), details: expect.objectContaining({ dossier: code }) });

    // Larger than one page of the export: every row, across pages.
    for (let i = 0; i < 1100; i++) await recordAudit(env.ctx.db, SYSTEM_ACTOR, 'effect.retried', 'bulk');
    const bulk = await (await api.request('GET', '/api/admin/audit?format=csv&dossier=bulk', { token: admin })).text();
    expect(bulk.split('\r\n').filter(Boolean)).toHaveLength(1101);

    const tooLong = await api.json('GET', '/api/admin/audit?format=csv&from=2024-01-01&to=2025-06-30', { token: admin });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.fields.to).toContain('366');
  });

  it('is for administrators only', async () => {
    expect((await audit('', clerk)).status).toBe(403);
    expect((await api.request('GET', '/api/admin/audit?format=csv', { token: clerk })).status).toBe(403);
    expect((await api.json('GET', '/api/admin/audit')).status).toBe(401);
    expect((await listAuditEntries(env.ctx.db, { action: 'export.audit_log', limit: 10 }))).toHaveLength(2);
  });

  it('shows the page with its filter, paging and export link', async () => {
    const page = await signInPages(env, 'admin');
    const first = await page.get('/quan-tri/nhat-ky?action=dossier.').then((r) => ({ ...r, body: unescape(r.body) }));
    expect(first.status).toBe(200);
    expect(first.body).toContain('Xử lý hồ sơ: Tiếp nhận hồ sơ');
    expect(first.body).toContain('<option value="dossier." selected>');
    expect(first.body).toContain('href="/api/admin/audit?action=dossier.&format=csv"');
    const filtered = await page.get(`/quan-tri/nhat-ky?dossier=${encodeURIComponent(code)}&actor=clerk`);
    expect(filtered.body).toContain(`href="/can-bo/ho-so/${encodeURIComponent(code)}"`);
    expect(filtered.body.match(/data-audit-id=/g)).toHaveLength(1);
    const bulk = await page.get('/quan-tri/nhat-ky?dossier=bulk').then((r) => ({ ...r, body: unescape(r.body) }));
    expect(bulk.body.match(/data-audit-id=/g)).toHaveLength(50);
    const more = /href="(\/quan-tri\/nhat-ky\?dossier=bulk&before=\d+)"/.exec(bulk.body);
    expect(more).not.toBeNull();
    const next = await page.get(more![1]!);
    expect(next.body.match(/data-audit-id=/g)).toHaveLength(50);
    const bad = await page.get('/quan-tri/nhat-ky?actor=khong-co');
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Không có tài khoản');

    const clerkPage = await signInPages(env, 'clerk');
    expect((await clerkPage.get('/quan-tri/nhat-ky')).status).toBe(403);
  });

  it('audits an official signing a result with the PIN, alone or in a batch', async () => {
    const PIN = '246810';
    const form = await createPinLeader(env, PIN);
    expect((await api.json('POST', '/api/signing-keys', { token: admin, form })).status).toBe(201);
    const pgd = await api.login('pgd');
    const leader = await staffCaller(env.ctx, 'pgd');
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const waiting = await dossierAwaitingApproval(env.ctx);
      await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: leader, version: waiting.version });
      codes.push(waiting.code);
    }
    await eventually(async () => {
      const pending = await api.json('GET', '/api/signatures/pending', { token: pgd });
      return pending.body.items.length === 2 ? true : undefined;
    }, 60_000, 250);

    expect((await api.json('POST', `/api/dossiers/${encodeURIComponent(codes[0]!)}/signatures/sign`, { token: pgd, json: { pin: PIN } })).status).toBe(200);
    expect((await api.json('POST', '/api/signatures/batch', { token: pgd, json: { codes: [codes[1]], pin: PIN } })).body).toMatchObject({ signed: 1 });
    const signed = await listAuditEntries(env.ctx.db, { action: 'result.signed', limit: 10 });
    expect(signed.map((e) => [e.target, e.actorName, e.ip, e.details.method])).toEqual([
      [codes[1], 'Đỗ Minh Tuấn (pgd)', '127.0.0.1', 'batch'], [codes[0], 'Đỗ Minh Tuấn (pgd)', '127.0.0.1', 'pin'],
    ]);
    // The leader's approval is a dossier action of its own; the system then moves the signed dossier on.
    const history = await entriesFor(codes[0]!);
    expect(history.map((e) => [e.action, e.actorKind])).toEqual(expect.arrayContaining([
      ['dossier.approve', 'staff'], ['dossier.result_issued', 'system'],
    ]));
  }, 120_000);
});
