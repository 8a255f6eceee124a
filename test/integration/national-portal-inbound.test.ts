// The inbound channel from the national public-service portal, against the portal simulator (tools/national-portal-sim)
// on a free port and motcua listening on another, on real PostgreSQL and Redis: a pushed dossier is taken with its
// attachments byte for byte and the channel recorded; a replay answers the same dossier; another body under the same
// national code is a conflict (a re-push with fresh attachment URLs is not: the URLs are transport); a large forged
// body is logged without being parsed; forged, missing and stale signatures, unknown procedures, malformed and invalid bodies,
// attachments off the portal's origin are refused — each logged; an attachment the portal cannot serve leaves nothing
// behind, and the resend succeeds.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { count, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { dossierDocuments, dossierEvents, dossiers, nationalInboundMessages, storedFiles } from '../../src/db/schema/index.js';
import { isAppError } from '../../src/errors.js';
import { receiveNationalDossier } from '../../src/services/national-portal/receive-dossier.js';
import { pushDossier, wireDossier, type PushDossier } from '../../tools/national-portal-sim/dossier-push.js';
import { signWire, type PortalSimulator } from '../../tools/national-portal-sim/simulator.js';
import type { TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePng } from '../helpers/files.js';
import { signInPages } from '../helpers/page-session.js';
import type { ApiClient } from '../helpers/http.js';
import { DIPLOMA_TTHC, portalDiplomaDossier, startPortalEnvironment, type PortalEnvironment } from '../helpers/national-portal.js';

let serial = 0;
/** A diploma-copy dossier as the portal pushes it, under a fresh national code, with its ID card hosted on the portal. */
async function portalDossier(overrides: Partial<PushDossier> = {}): Promise<PushDossier> {
  serial += 1;
  return { ...(await portalDiplomaDossier(`H56.22-${Date.now().toString(36)}-${serial}`, 'Trần Văn Quốc')), Email: 'quoc@example.vn', ...overrides };
}

describe('national portal: inbound dossiers', () => {
  let env: TestEnvironment;
  let sim: PortalSimulator;
  let api: ApiClient;
  let link: PortalEnvironment;
  let elsewhere: Server;
  let elsewhereRequests = 0;

  beforeAll(async () => {
    link = await startPortalEnvironment({ NATIONAL_PORTAL_TIMEOUT_MS: '3000' });
    ({ env, sim, api } = link);
    // Another server on this machine: an attachment URL pointing at it must never be fetched.
    elsewhere = createServer((_req, res) => { elsewhereRequests += 1; res.end('secret'); });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    await link?.close();
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  const db = () => env.ctx.db;
  const lastLog = async () => (await db().select().from(nationalInboundMessages).orderBy(desc(nationalInboundMessages.id)).limit(1))[0]!;
  const totals = async () => ({
    dossiers: (await db().select({ n: count() }).from(dossiers))[0]!.n,
    files: (await db().select({ n: count() }).from(storedFiles))[0]!.n,
    events: (await db().select({ n: count() }).from(dossierEvents))[0]!.n,
  });

  it('takes a pushed dossier with its attachments byte for byte, on the national channel, and logs it', async () => {
    const scan = makePng();
    const dossier = await portalDossier();
    const pdf = dossier.TaiLieuNop![0]!.data!;
    dossier.TaiLieuNop!.push({ MaThanhPhanHoSo: 'diplomaScan', TenTepDinhKem: 'bang-tot-nghiep.png', data: scan, mimeType: 'image/png' });
    const pushed = await pushDossier(sim, dossier);
    expect(pushed.status).toBe(201);
    const answer = pushed.answer as { code: string; nationalCode: string; status: string; dueDate: string; links: { self: string; staff: string } };
    expect(answer).toMatchObject({ nationalCode: dossier.MaHoSo, status: 'submitted', dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(answer).not.toHaveProperty('trackingToken');
    expect(answer.links.staff).toBe(`http://motcua.test/can-bo/ho-so/${encodeURIComponent(answer.code)}`);

    const row = (await findDossierByCode(db(), answer.code))!;
    expect(row).toMatchObject({
      channel: 'national', nationalCode: dossier.MaHoSo, procedureId: 'diploma-copy', applicantName: 'Trần Văn Quốc',
      applicantIdNumber: '038090001234', applicantEmail: 'quoc@example.vn', citizenId: null, subjectPersonalId: '038090001234', loa: 'LOA2', filedFor: 'self',
    });
    // The portal's envelope (Email) fills a contact field the e-form left out.
    expect(row.formData.applicantEmail).toBe('quoc@example.vn');
    const documents = await db().select().from(dossierDocuments).where(eq(dossierDocuments.dossierId, row.id)).orderBy(dossierDocuments.fileName);
    expect(documents.map((d) => [d.documentKey, d.fileName, d.mimeType])).toEqual([
      ['diplomaScan', 'bang-tot-nghiep.png', 'image/png'], ['identity', 'cccd.pdf', 'application/pdf'],
    ]);
    expect(await readStoredFile(db(), documents[0]!.storageKey)).toEqual(scan);
    expect(await readStoredFile(db(), documents[1]!.storageKey)).toEqual(pdf);
    // motcua fetched each attachment once, signed (the simulator answers 401 otherwise).
    expect(sim.push.fileRequests.filter((r) => r.status === 200)).toHaveLength(2);

    const log = await lastLog();
    expect(log).toMatchObject({ outcome: 'accepted', nationalCode: dossier.MaHoSo, procedureCode: DIPLOMA_TTHC, dossierId: row.id, errorCode: null });
    expect(log.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(log.details).toEqual({
      filedAt: '20261201090000', portalChannel: '2',
      attachments: [
        { key: 'identity', name: 'cccd.pdf', sizeBytes: pdf.length, mimeType: 'application/pdf' },
        { key: 'diplomaScan', name: 'bang-tot-nghiep.png', sizeBytes: scan.length, mimeType: 'image/png' },
      ],
    });

    // The channel everywhere: the dossier as staff read it.
    const clerk = await api.login('clerk');
    const view = await api.json('GET', `/api/dossiers/${encodeURIComponent(answer.code)}`, { token: clerk });
    expect(view.body).toMatchObject({ channel: 'national', channelLabel: 'Cổng Dịch vụ công quốc gia', nationalCode: dossier.MaHoSo });
    const clerkPages = await signInPages(env, 'clerk');
    const staffPage = await clerkPages.get(`/can-bo/ho-so/${encodeURIComponent(answer.code)}`);
    expect(staffPage.body).toContain(`<span data-testid="channel">(Cổng Dịch vụ công quốc gia, mã hồ sơ trên Cổng: ${dossier.MaHoSo})</span>`);
    // The inbox: filtered by channel (API and page), the national ones marked.
    const online = await api.submit('diploma-copy', diplomaRequest('Lê Văn Một'), [{ field: 'identity', name: 'cccd.pdf', data: pdf, type: 'application/pdf' }]);
    expect(online.status).toBe(201);
    const national = await api.json('GET', '/api/inbox?channel=national', { token: clerk });
    expect(national.body.map((i: { code: string }) => i.code)).toContain(answer.code);
    expect(national.body.every((i: { channel: string }) => i.channel === 'national')).toBe(true);
    const all = await api.json('GET', '/api/inbox', { token: clerk });
    expect(all.body.find((i: { code: string }) => i.code === online.body.code)).toMatchObject({ channel: 'online', channelLabel: 'Trực tuyến' });
    expect((await api.json('GET', '/api/inbox?channel=other', { token: clerk })).status).toBe(422);
    const inboxPage = await clerkPages.get('/can-bo?channel=national');
    expect(inboxPage.body).toContain(answer.code);
    expect(inboxPage.body).not.toContain(online.body.code);
    expect(inboxPage.body).toContain('<span class="badge" data-testid="national-channel">Cổng Dịch vụ công quốc gia</span>');
  });

  it('answers a replay with the same dossier (keys in any order), and refuses another body under the same code', async () => {
    const wire = wireDossier(sim, await portalDossier());
    const first = await pushDossier(sim, wire as PushDossier);
    expect(first.status).toBe(201);
    const code = (first.answer as { code: string }).code;

    const again = await pushDossier(sim, wire as PushDossier);
    expect(again.status).toBe(200);
    expect((again.answer as { code: string }).code).toBe(code);
    const reordered = Object.fromEntries(Object.entries(wire).reverse());
    const third = await pushDossier(sim, reordered as PushDossier, { rawBody: JSON.stringify(reordered, null, 2) });
    expect(third.status).toBe(200);
    expect((third.answer as { code: string }).code).toBe(code);
    expect((await lastLog()).outcome).toBe('replayed');
    expect(await db().select({ n: count() }).from(dossiers).where(eq(dossiers.nationalCode, wire.MaHoSo as string))).toEqual([{ n: 1 }]);

    const conflicting = await pushDossier(sim, { ...wire, ChuHoSo: 'Người khác' } as unknown as PushDossier);
    expect(conflicting.status).toBe(409);
    expect((conflicting.answer as { error: { code: string } }).error.code).toBe('NATIONAL_CODE_CONFLICT');
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_CODE_CONFLICT', nationalCode: wire.MaHoSo, dossierId: null });
    expect(await db().select({ n: count() }).from(dossiers).where(eq(dossiers.nationalCode, wire.MaHoSo as string))).toEqual([{ n: 1 }]);
  });

  it('answers a re-push with fresh attachment URLs (a lost 201) as the replay; another file under the code is a conflict', async () => {
    const dossier = await portalDossier();
    // Each push hosts the files anew: a new signed URL, as a portal minting expiring links does.
    const hosted = sim.push.files.size;
    const first = await pushDossier(sim, dossier);
    expect(first.status).toBe(201);
    const again = await pushDossier(sim, dossier);
    expect(sim.push.files.size).toBe(hosted + 2);
    expect(again.status).toBe(200);
    expect((again.answer as { code: string }).code).toBe((first.answer as { code: string }).code);
    expect((await lastLog()).outcome).toBe('replayed');
    // The file itself is part of the message: other bytes (sha256) or another name under the same code conflict.
    const otherBytes = { ...dossier, TaiLieuNop: dossier.TaiLieuNop!.map((d) => ({ ...d, data: Buffer.concat([d.data!, Buffer.from('\n')]) })) };
    expect((await pushDossier(sim, otherBytes)).status).toBe(409);
    const otherName = { ...dossier, TaiLieuNop: dossier.TaiLieuNop!.map((d) => ({ ...d, TenTepDinhKem: 'khac.pdf' })) };
    expect((await pushDossier(sim, otherName)).status).toBe(409);
    expect(await db().select({ n: count() }).from(dossiers).where(eq(dossiers.nationalCode, dossier.MaHoSo))).toEqual([{ n: 1 }]);
  });

  it('answers simultaneous pushes of one message with one dossier (the loser of the race gets the winner\'s)', async () => {
    const wire = wireDossier(sim, await portalDossier()) as PushDossier;
    const answers = await Promise.all(Array.from({ length: 4 }, () => pushDossier(sim, wire)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => (a.answer as { code: string }).code)).size).toBe(1);
    expect(await db().select({ n: count() }).from(dossiers).where(eq(dossiers.nationalCode, wire.MaHoSo))).toEqual([{ n: 1 }]);
  });

  it('refuses forged, missing and stale signatures with 401, logs them, and imports nothing', async () => {
    const before = await totals();
    const cases = [
      { name: 'forged', options: { secret: 'not-the-shared-secret-0123456789' }, message: /không đúng/ },
      { name: 'missing', options: { unsigned: true }, message: /Thiếu chữ ký/ },
      { name: 'stale', options: { signedAt: new Date(Date.now() - 10 * 60_000) }, message: /quá hạn/ },
    ];
    for (const c of cases) {
      const dossier = await portalDossier();
      const pushed = await pushDossier(sim, dossier, c.options);
      expect(pushed.status, c.name).toBe(401);
      expect((pushed.answer as { error: { code: string; message: string } }).error).toMatchObject({ code: 'NATIONAL_SIGNATURE_INVALID', message: expect.stringMatching(c.message) });
      expect(await lastLog(), c.name).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_SIGNATURE_INVALID', nationalCode: dossier.MaHoSo });
    }
    // A body changed after signing: the signature covers the raw bytes.
    const dossier = wireDossier(sim, await portalDossier());
    const body = JSON.stringify(dossier);
    const response = await fetch(`${api.baseUrl}/api/national-portal/dossiers`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...signWire(link.secret, 'POST', '/api/national-portal/dossiers', body) },
      body: body.replace('Trần Văn Quốc', 'Trần Văn Quộc'),
    });
    expect(response.status).toBe(401);
    expect(await totals()).toEqual(before);
    expect(sim.push.fileRequests.length).toBeGreaterThan(0);
  });

  it('logs a badly signed push without reading a large unverified body, and keeps the row small', async () => {
    const small = await portalDossier();
    expect((await pushDossier(sim, small, { secret: 'not-the-shared-secret-0123456789' })).status).toBe(401);
    expect(await lastLog()).toMatchObject({ outcome: 'refused', nationalCode: small.MaHoSo, procedureCode: DIPLOMA_TTHC });
    // Over 64 KB: the codes are not parsed out of bytes nobody vouched for, only the body's hash is kept.
    const big = JSON.stringify({ MaHoSo: 'H56.GIA-MAO-LON', MaTTHC: DIPLOMA_TTHC, TrichYeuHoSo: 'x'.repeat(70 * 1024) });
    expect((await pushDossier(sim, { MaHoSo: 'H56.GIA-MAO-LON' }, { secret: 'not-the-shared-secret-0123456789', rawBody: big })).status).toBe(401);
    const row = await lastLog();
    expect(row).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_SIGNATURE_INVALID', nationalCode: null, procedureCode: null });
    expect(row.bodySha256).toBe(createHash('sha256').update(big).digest('hex'));
    expect(JSON.stringify(row).length).toBeLessThan(2000);
  });

  it('refuses an unknown procedure, malformed JSON, schema and form errors (4xx), each logged with its code', async () => {
    const unknown = await pushDossier(sim, await portalDossier({ MaTTHC: '9.999999.000.00.00.H56' }));
    expect(unknown.status).toBe(422);
    expect((unknown.answer as { error: { code: string } }).error.code).toBe('NATIONAL_PROCEDURE_UNKNOWN');
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_PROCEDURE_UNKNOWN', procedureCode: '9.999999.000.00.00.H56' });

    const malformed = await pushDossier(sim, { MaHoSo: 'x' }, { rawBody: '{"MaHoSo": "H56-broken", "MaTTHC": ' });
    expect(malformed.status).toBe(400);
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'BAD_REQUEST', nationalCode: null });

    const schema = await pushDossier(sim, await portalDossier({ NgayNopHoSo: '01/12/2026', ChuHoSo: '' }));
    expect(schema.status).toBe(422);
    const schemaError = (schema.answer as { error: { code: string; fields: Record<string, string> } }).error;
    expect(schemaError.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(schemaError.fields).sort()).toEqual(['ChuHoSo', 'NgayNopHoSo']);
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'VALIDATION_FAILED', details: { fields: schemaError.fields } });

    const requests = sim.push.fileRequests.length;
    const { holderName: _, ...withoutHolder } = (await portalDossier()).DuLieuBieuMau as Record<string, unknown>;
    const form = await pushDossier(sim, await portalDossier({ DuLieuBieuMau: withoutHolder, TaiLieuNop: [] }));
    expect(form.status).toBe(422);
    expect((form.answer as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty('holderName');
    // Nothing was downloaded for a message that had to be corrected anyway.
    expect(sim.push.fileRequests.length).toBe(requests);

    const notAPdf = await portalDossier();
    notAPdf.TaiLieuNop![0]!.data = Buffer.from('plain text, not a PDF');
    const type = await pushDossier(sim, notAPdf);
    expect(type.status).toBe(415);
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'UNSUPPORTED_FILE_TYPE', nationalCode: notAPdf.MaHoSo });
  });

  it('fetches attachments from the portal only: any other URL is refused before a request is made', async () => {
    const before = await totals();
    const { port } = elsewhere.address() as AddressInfo;
    for (const url of [`http://127.0.0.1:${port}/files/cccd.pdf`, 'http://169.254.169.254/latest/meta-data/', `${sim.url.replace('http:', 'https:')}/files/x.pdf`]) {
      const dossier = await portalDossier({ TaiLieuNop: [{ MaThanhPhanHoSo: 'identity', TenTepDinhKem: 'cccd.pdf', DuongDanTaiTepTin: url }] });
      const pushed = await pushDossier(sim, dossier);
      expect(pushed.status, url).toBe(422);
      expect((pushed.answer as { error: { code: string; fields: Record<string, string> } }).error).toMatchObject({
        code: 'NATIONAL_ATTACHMENT_REFUSED', fields: { 'TaiLieuNop[0].DuongDanTaiTepTin': expect.any(String) },
      });
      expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_ATTACHMENT_REFUSED' });
    }
    expect(elsewhereRequests).toBe(0);
    expect(await totals()).toEqual(before);
  });

  it('imports nothing when the portal cannot serve an attachment, and takes the resend', async () => {
    const dossier = await portalDossier();
    dossier.TaiLieuNop!.push({ MaThanhPhanHoSo: 'diplomaScan', TenTepDinhKem: 'bang.png', data: makePng(), mimeType: 'image/png' });
    const wire = wireDossier(sim, dossier);
    const failing = new URL((wire.TaiLieuNop as Array<{ DuongDanTaiTepTin: string }>)[1]!.DuongDanTaiTepTin).pathname;
    sim.push.failingFiles.add(failing);
    const before = await totals();
    const refused = await pushDossier(sim, wire as PushDossier);
    expect(refused.status).toBe(424);
    expect((refused.answer as { error: { code: string; fields: Record<string, string> } }).error).toMatchObject({
      code: 'NATIONAL_ATTACHMENT_UNAVAILABLE', fields: { 'TaiLieuNop[1].DuongDanTaiTepTin': expect.stringContaining('500') },
    });
    expect(await lastLog()).toMatchObject({ outcome: 'refused', errorCode: 'NATIONAL_ATTACHMENT_UNAVAILABLE', nationalCode: wire.MaHoSo });
    // No dossier, no file, no history event: the first attachment was fetched and dropped.
    expect(await totals()).toEqual(before);

    // A portal down altogether (503 to every file request): the same.
    sim.push.failingFiles.delete(failing);
    sim.down = true;
    const down = await pushDossier(sim, wire as PushDossier).finally(() => { sim.down = false; });
    expect(down.status).toBe(424);
    expect(await totals()).toEqual(before);

    const resent = await pushDossier(sim, wire as PushDossier);
    expect(resent.status).toBe(201);
    const row = (await findDossierByCode(db(), (resent.answer as { code: string }).code))!;
    expect(row.nationalCode).toBe(wire.MaHoSo);
    expect(await db().select({ n: count() }).from(dossierDocuments).where(eq(dossierDocuments.dossierId, row.id))).toEqual([{ n: 2 }]);
  });

  it('sends a corrupted transfer back: the bytes must match the sha256 the portal announced', async () => {
    const dossier = await portalDossier();
    dossier.TaiLieuNop![0]!.sha256 = '0'.repeat(64);
    const pushed = await pushDossier(sim, dossier);
    expect(pushed.status).toBe(424);
    expect((pushed.answer as { error: { fields: Record<string, string> } }).error.fields['TaiLieuNop[0].DuongDanTaiTepTin']).toMatch(/SHA-256/);
  });

  it('is not there without a portal link (NATIONAL_PORTAL_DISABLED), and the log is for administrators', async () => {
    const ctx = { ...env.ctx, config: { ...env.ctx.config, nationalPortal: undefined } };
    const error = await receiveNationalDossier(ctx, { method: 'POST', url: '/api/national-portal/dossiers', headers: {}, body: Buffer.from('{}'), ip: '127.0.0.1' })
      .catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('NATIONAL_PORTAL_DISABLED');
    expect(isAppError(error) && error.statusCode).toBe(404);
    // Both routes in the OpenAPI document, with their answers.
    const openapi = await api.json('GET', '/docs/json');
    expect(Object.keys(openapi.body.paths['/api/national-portal/dossiers'].post.responses).sort())
      .toEqual(['200', '201', '400', '401', '404', '409', '413', '415', '422', '424', '429']);
    expect(openapi.body.paths['/api/admin/national-portal/inbound'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['outcome', 'before', 'limit']);

    expect((await api.json('GET', '/api/admin/national-portal/inbound')).status).toBe(401);
    expect((await api.json('GET', '/api/admin/national-portal/inbound', { token: await api.login('clerk') })).status).toBe(403);
    const admin = await api.login('admin');
    const refused = await api.json('GET', '/api/admin/national-portal/inbound?outcome=refused&limit=2', { token: admin });
    expect(refused.status).toBe(200);
    expect(refused.body.items).toHaveLength(2);
    expect(refused.body.items.every((i: { outcome: string }) => i.outcome === 'refused')).toBe(true);
    expect(refused.body.next).toEqual(expect.any(Number));
    const next = await api.json('GET', `/api/admin/national-portal/inbound?outcome=refused&limit=2&before=${refused.body.next}`, { token: admin });
    expect(next.body.items[0].id).toBeLessThan(refused.body.next);
    const accepted = await api.json('GET', '/api/admin/national-portal/inbound?outcome=accepted', { token: admin });
    expect(accepted.body.items.length).toBeGreaterThanOrEqual(3);
    expect(accepted.body.items[0]).toMatchObject({ outcomeLabel: 'Đã tiếp nhận', dossierCode: expect.any(String), procedureCode: DIPLOMA_TTHC });

    // The page: the log with its links, the outcome filter, the way to the sync page; other staff are refused.
    const pages = await signInPages(env, 'admin');
    const page = await pages.get('/quan-tri/lien-thong?outcome=accepted');
    expect(page.status).toBe(200);
    const first = accepted.body.items[0] as { nationalCode: string; dossierCode: string };
    expect(page.body).toContain(first.nationalCode);
    expect(page.body).toContain(`href="/can-bo/ho-so/${encodeURIComponent(first.dossierCode)}"`);
    expect(page.body).toContain('href="/quan-tri/lien-thong/dong-bo"');
    expect(page.body).not.toContain('data-outcome="refused"');
    const refusedPage = await pages.get('/quan-tri/lien-thong?outcome=refused');
    expect(refusedPage.body).toContain('NATIONAL_SIGNATURE_INVALID');
    expect(refusedPage.body).toContain('TaiLieuNop[0].DuongDanTaiTepTin');
    expect((await (await signInPages(env, 'clerk')).get('/quan-tri/lien-thong')).status).toBe(403);
  });
});
