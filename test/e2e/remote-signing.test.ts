// Remote signing (ký số từ xa, SmartCA-style) end to end against the simulator (tools/remote-signing-sim), started
// in-process on a free port with its own CA (trusted through TRUST_ANCHORS): an administrator registers an official by
// their ID number; approved results wait for them; one request carries one or many hashes and one confirmation on the
// "phone" signs them all — sealed, stored, moved on, accepted by the verifier and by pdfsig. Rejected and expired
// requests leave the drafts waiting (and can be started again); a provider away for a while is polled until it
// answers; a CMS made with another certificate is refused and nothing is stored.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { findRemoteRequest } from '../../src/db/repositories/remote-signing.js';
import { deactivateKey, findActiveKey } from '../../src/db/repositories/signing.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { auditLog, issuedDocuments, registeredDocuments, remoteSigningItems, remoteSigningRequests, signingKeys } from '../../src/db/schema/index.js';
import { MAX_SEAL_ATTEMPTS, pollRemoteSigning } from '../../src/services/results/remote-signing.js';
import { startRemoteSigningSimulator, type RemoteSigningSimulator } from '../../tools/remote-signing-sim/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const HOLDER_ID = '038090001111';

describe('remote signing (SmartCA-style) against the simulator', () => {
  let sim: RemoteSigningSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  let tmp: string;
  let token: string;

  beforeAll(async () => {
    sim = await startRemoteSigningSimulator({
      clientId: 'motcua-test', clientSecret: 'bi-mat-thu-nghiem', holders: [{ userId: HOLDER_ID, name: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' }],
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'motcua-remote-'));
    const anchors = path.join(tmp, 'anchors.pem');
    await writeFile(anchors, sim.caCertificatePem);
    env = await startTestEnvironment('production', {
      env: {
        REMOTE_SIGNING_URL: sim.url, REMOTE_SIGNING_CLIENT_ID: 'motcua-test', REMOTE_SIGNING_CLIENT_SECRET: 'bi-mat-thu-nghiem',
        REMOTE_SIGNING_POLL_MS: '50', TRUST_ANCHORS: anchors,
      },
    });
    api = await listenForHttp(env);
    await insertStaff(env.ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    token = await api.login('giamdoc');
  }, 60_000);
  afterAll(async () => {
    await env?.close();
    await sim?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const register = async (holderId: string) => {
    const form = new FormData();
    form.append('staff', 'giamdoc');
    form.append('remoteHolderId', holderId);
    return api.json('POST', '/api/admin/keys', { token: await api.login('admin'), form });
  };
  const start = (codes: string[], as = token) => api.json('POST', '/api/signatures/remote', { token: as, json: { codes } });
  const status = (id: string) => api.json('GET', `/api/signatures/remote/${id}`, { token });
  const ended = (id: string) => eventually(async () => {
    const s = await status(id);
    return s.body.status !== 'pending' && s.body.counts.pending === 0 ? s.body : undefined;
  }, 30_000);
  const pendingFor = async () => (await api.json('GET', '/api/signatures/pending', { token })).body.items as Array<{ code: string; waitingFor: string }>;

  /** `n` results approved by the official, each waiting for their remote signature. */
  const approved = async (n: number): Promise<string[]> => {
    const codes: string[] = [];
    for (let i = 0; i < n; i++) {
      const waiting = await dossierAwaitingApproval(env.ctx);
      expect((await api.act(waiting.code, 'approve', token, { version: waiting.version })).body.status).toBe('signing');
      codes.push(waiting.code);
    }
    await eventually(async () => {
      const pending = await pendingFor();
      return codes.every((c) => pending.some((p) => p.code === c && p.waitingFor === 'remote')) ? true : undefined;
    });
    return codes;
  };

  const resultOf = async (code: string) => Buffer.from(await (await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token })).arrayBuffer());
  const verify = async (pdf: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'kq.pdf');
    return (await api.json('POST', '/api/verify', { form })).body;
  };

  it('registers the official by ID number: the certificate comes from the provider; bad or unknown numbers are refused', async () => {
    expect((await register('12345')).body.error.code).toBe('VALIDATION_FAILED');
    const unknown = await register('999999999999');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('REMOTE_HOLDER_NOT_FOUND');
    const registered = await register(HOLDER_ID);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ mode: 'remote', commonName: 'Lê Thị Phương', status: 'active' });
    expect(registered.body.serial.toUpperCase()).toBe(new X509Certificate(sim.holders[0]!.certificatePem).serialNumber.toUpperCase());
    const keys = await api.json('GET', '/api/admin/keys', { token: await api.login('admin') });
    expect(keys.body.items.find((k: { owner: { id: string }; active: boolean }) => k.owner.id === 'giamdoc' && k.active).mode).toBe('remote');
  });

  it('one dossier: one confirmation → sealed result, accepted by the verifier and pdfsig; audited as remote', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ count: 1, skipped: [] });
    const tx = sim.transactions().find((t) => t.id === started.body.transactionId)!;
    expect(tx.files).toHaveLength(1);
    expect(tx.description).toContain(code!);
    // Waiting for the phone: the same dossier cannot be sent twice.
    expect((await start([code!])).body.error.code).toBe('REMOTE_SIGNING_IN_PROGRESS');
    expect((await status(started.body.requestId)).body.status).toBe('pending');
    // Another official cannot read the request.
    const other = await api.json('GET', `/api/signatures/remote/${started.body.requestId}`, { token: await api.login('leader') });
    expect(other.body.error.code).toBe('REMOTE_SIGNING_NOT_FOUND');

    sim.confirm(started.body.transactionId);
    const done = await ended(started.body.requestId);
    expect(done).toMatchObject({ status: 'confirmed', counts: { signed: 1, failed: 0, pending: 0 }, items: [{ code, status: 'signed' }] });
    await eventually(async () => ((await findDossierByCode(env.ctx.db, code!))?.status === 'result_ready' ? true : undefined));

    const pdf = await resultOf(code!);
    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out).toMatch(/Common Name: Lê Thị Phương\n[\s\S]*?Signature is Valid\./);
    expect(out).toMatch(/Common Name: Sở Giáo dục và Đào tạo Thanh Hóa\n[\s\S]*?- Total document signed\n[\s\S]*?Signature is Valid\./);
    expect(await verify(pdf)).toMatchObject({ valid: true, dossierCode: code });
    const audits = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'result.signed'));
    expect(audits.filter((a) => a.target === code).map((a) => (a.details as { method: string }).method)).toEqual(['remote']);
  });

  it('a batch of 5: one provider request, one confirmation, five sealed results', async () => {
    const codes = await approved(5);
    const started = await start(codes);
    expect(started.body.count).toBe(5);
    const tx = sim.transactions().find((t) => t.id === started.body.transactionId)!;
    expect(tx.files).toHaveLength(5);
    expect(tx.description).toMatch(/^Ký 5 văn bản kết quả — /);
    sim.confirm(tx.id);
    const done = await ended(started.body.requestId);
    expect(done.counts).toEqual({ signed: 5, failed: 0, pending: 0 });
    for (const code of codes) {
      await eventually(async () => ((await findDossierByCode(env.ctx.db, code))?.status === 'result_ready' ? true : undefined));
      const pdf = await resultOf(code);
      expect(await verify(pdf)).toMatchObject({ valid: true, dossierCode: code });
    }
    const out = await pdfsig(await resultOf(codes[4]!));
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  });

  it('rejected on the phone: the drafts keep waiting and the official can send the request again', async () => {
    const codes = await approved(2);
    const first = await start(codes);
    sim.reject(first.body.transactionId);
    const rejected = await ended(first.body.requestId);
    expect(rejected.status).toBe('rejected');
    expect(rejected.error.code).toBe('REMOTE_SIGNING_REJECTED');
    expect(rejected.items.map((i: { error: { code: string } }) => i.error.code)).toEqual(['REMOTE_SIGNING_REJECTED', 'REMOTE_SIGNING_REJECTED']);
    const pending = await pendingFor();
    expect(codes.every((c) => pending.some((p) => p.code === c && p.waitingFor === 'remote'))).toBe(true);

    const again = await start(codes);
    expect(again.status).toBe(202);
    sim.confirm(again.body.transactionId);
    expect((await ended(again.body.requestId)).counts.signed).toBe(2);
  });

  it('expired: nobody confirmed in time; the drafts keep waiting', async () => {
    const [code] = await approved(1);
    sim.setTransactionTtlMs(300);
    try {
      const started = await start([code!]);
      const expired = await ended(started.body.requestId);
      expect(expired).toMatchObject({ status: 'expired', error: { code: 'REMOTE_SIGNING_EXPIRED' } });
      expect((await pendingFor()).some((p) => p.code === code && p.waitingFor === 'remote')).toBe(true);
      expect(await findIssuedDocument(env.ctx.db, (await findDossierByCode(env.ctx.db, code!))!.id, 'result')).toBeUndefined();
    } finally {
      sim.setTransactionTtlMs(5 * 60_000);
    }
  });

  it('the provider away for a while: the poll job keeps trying with backoff and completes when it answers again', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    sim.setDown(true);
    try {
      await eventually(async () => ((await status(started.body.requestId)).body.error?.code === 'REMOTE_SIGNING_UNAVAILABLE' ? true : undefined));
      sim.confirm(started.body.transactionId);
      await new Promise((r) => setTimeout(r, 300));
      expect((await status(started.body.requestId)).body.status).toBe('pending');
    } finally {
      sim.setDown(false);
    }
    const done = await ended(started.body.requestId);
    expect(done).toMatchObject({ status: 'confirmed', error: null, counts: { signed: 1 } });
  });

  it('a CMS made with another certificate is refused with CERTIFICATE_MISMATCH; nothing is stored', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    sim.confirm(started.body.transactionId, { wrongCertificate: true });
    const done = await ended(started.body.requestId);
    expect(done.items).toEqual([{ code, status: 'failed', error: { code: 'CERTIFICATE_MISMATCH', message: expect.any(String) } }]);
    const dossier = await findDossierByCode(env.ctx.db, code!);
    expect(dossier?.status).toBe('signing');
    expect(await findIssuedDocument(env.ctx.db, dossier!.id, 'result')).toBeUndefined();
    expect((await pendingFor()).some((p) => p.code === code && p.waitingFor === 'remote')).toBe(true);
  });

  it('pages: the dossier and the approvals page offer remote signing; one confirmation for all, then the outcome page', async () => {
    const codes = await approved(2);
    const pages = await signInPages(env, 'giamdoc');
    const dossierPage = await pages.get(`/can-bo/ho-so/${encodeURIComponent(codes[0]!)}`);
    expect(dossierPage.body).toContain('Ký số từ xa (xác nhận trên điện thoại)');
    const approvals = await pages.get('/can-bo/phe-duyet');
    // Earlier tests leave results waiting too (expired, refused CMS): all of them are offered.
    const offered = /Ký tất cả bằng ký số từ xa — xác nhận một lần \((\d+) hồ sơ\)/.exec(approvals.body);
    expect(Number(offered?.[1])).toBe((await pendingFor()).filter((p) => p.waitingFor === 'remote').length);
    for (const code of codes) expect(approvals.body).toContain(`name="sign" value="${code}"`);
    const posted = await pages.post('/can-bo/ky-so-tu-xa', codes.map((c) => ['sign', c] as [string, string]));
    expect(posted.status).toBe(303);
    const waiting = await pages.get(posted.location!);
    expect(waiting.body).toContain('Đang chờ xác nhận trên điện thoại…');
    expect(waiting.body).toContain('remote-signing.js');
    const tx = sim.transactions().find((t) => t.status === 'pending' && t.files.length === 2)!;
    sim.confirm(tx.id);
    await ended(posted.location!.split('/').at(-1)!);
    const done = await pages.get(posted.location!);
    expect(done.body).toContain('Đã xác nhận trên điện thoại: 2 văn bản đã được ký số.');
    // Nothing waits any more: a second post is a refusal on the page, not an error page.
    const again = await pages.post('/can-bo/ky-so-tu-xa', [['sign', codes[0]!]]);
    expect(again.status).toBe(409);
    expect(again.body).toContain('không chờ ký số từ xa');
  });

  const itemsOf = (requestId: string) => env.ctx.db.select().from(remoteSigningItems).where(eq(remoteSigningItems.requestId, requestId));
  const signedAudits = async (code: string) =>
    env.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'result.signed'), eq(auditLog.target, code)));
  const resultRows = async (code: string) => {
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    return env.ctx.db.select().from(issuedDocuments).where(and(eq(issuedDocuments.dossierId, dossier.id), eq(issuedDocuments.kind, 'result')));
  };
  /** One run of the request's job by hand, at the run it expects now (the scheduled runs go on meanwhile). */
  const runNow = async (requestId: string, attempt = 0) => pollRemoteSigning(env.ctx, requestId, (await findRemoteRequest(env.ctx.db, requestId))!.polls, attempt);
  /** Runs `body` with the Department's seal key switched off (sealing fails with SIGNING_KEY_MISSING), then back on. */
  const withoutSeal = async <T>(body: () => Promise<T>): Promise<T> => {
    const seal = (await findActiveKey(env.ctx.db, { unitId: 'so-gddt' }))!;
    await deactivateKey(env.ctx.db, seal.id);
    try {
      return await body();
    } finally {
      await env.ctx.db.update(signingKeys).set({ active: true }).where(eq(signingKeys.id, seal.id));
    }
  };

  it('stores the render time with each item and the result: the register line and the stored result carry it', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    sim.confirm(started.body.transactionId);
    await ended(started.body.requestId);
    const [item] = await itemsOf(started.body.requestId);
    expect(item!.renderedAt).toBeInstanceOf(Date);
    // Rendered before the item was written, and not the insert's time.
    expect(item!.renderedAt!.getTime()).toBeLessThan(item!.createdAt.getTime());
    const [result] = await resultRows(code!);
    expect(result!.signedAt!.getTime()).toBe(item!.renderedAt!.getTime());
    const dossier = (await findDossierByCode(env.ctx.db, code!))!;
    const [line] = await env.ctx.db.select().from(registeredDocuments)
      .where(and(eq(registeredDocuments.dossierId, dossier.id), eq(registeredDocuments.subject, 'result'), eq(registeredDocuments.status, 'issued')));
    expect(line!.issuedAt!.getTime()).toBe(item!.renderedAt!.getTime());
  });

  it('sealing fails after the confirmation: the checked CMS is kept, and a later run seals it with the provider stopped', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    await withoutSeal(async () => {
      sim.confirm(started.body.transactionId);
      // The official reads why it takes longer; the document is still pending for them.
      const retrying = await eventually(async () => {
        const s = (await status(started.body.requestId)).body;
        return s.error?.code === 'SIGNING_KEY_MISSING' ? s : undefined;
      });
      expect(retrying).toMatchObject({ status: 'pending', items: [{ code, status: 'pending' }] });
      const [item] = await itemsOf(started.body.requestId);
      expect(item!.status).toBe('received');
      expect(item!.cms!.length).toBeGreaterThan(1000);
      sim.setDown(true);
    });
    try {
      const done = await ended(started.body.requestId);
      expect(done).toMatchObject({ status: 'confirmed', error: null, counts: { signed: 1, failed: 0, pending: 0 } });
    } finally {
      sim.setDown(false);
    }
    await eventually(async () => ((await findDossierByCode(env.ctx.db, code!))?.status === 'result_ready' ? true : undefined));
    expect(await verify(await resultOf(code!))).toMatchObject({ valid: true, dossierCode: code });
    expect(await signedAudits(code!)).toHaveLength(1);
  });

  it('sealing still failing after the last try: the request ends failed with the reason; the draft waits for a new request', async () => {
    const [code] = await approved(1);
    const started = await start([code!]);
    await withoutSeal(async () => {
      sim.confirm(started.body.transactionId);
      await eventually(async () => ((await status(started.body.requestId)).body.error?.code === 'SIGNING_KEY_MISSING' ? true : undefined));
      // The last try, run by hand (the job's own tries back off for minutes).
      await eventually(async () => {
        await runNow(started.body.requestId, MAX_SEAL_ATTEMPTS - 1);
        return (await findRemoteRequest(env.ctx.db, started.body.requestId))!.status === 'failed' ? true : undefined;
      });
    });
    const failed = (await status(started.body.requestId)).body;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'SIGNING_KEY_MISSING' }, counts: { failed: 1, pending: 0, signed: 0 } });
    expect(failed.error.message).toContain('không đóng dấu và lưu được');
    expect(failed.items).toEqual([{ code, status: 'failed', error: { code: 'SIGNING_KEY_MISSING', message: expect.any(String) } }]);
    expect((await pendingFor()).some((p) => p.code === code && p.waitingFor === 'remote')).toBe(true);
    expect(await resultRows(code!)).toEqual([]);

    const again = await start([code!]);
    expect(again.status).toBe(202);
    sim.confirm(again.body.transactionId);
    expect((await ended(again.body.requestId)).counts.signed).toBe(1);
  });

  it('the job run twice at once for a confirmed request: each result stored once, nothing fails', async () => {
    const errors = vi.spyOn(env.ctx.log, 'error');
    try {
      const codes = await approved(3);
      const started = await start(codes);
      sim.confirm(started.body.transactionId);
      await Promise.all([runNow(started.body.requestId), runNow(started.body.requestId)]);
      const done = await ended(started.body.requestId);
      expect(done).toMatchObject({ status: 'confirmed', error: null, counts: { signed: 3, failed: 0, pending: 0 } });
      for (const code of codes) {
        expect(await resultRows(code)).toHaveLength(1);
        expect(await signedAudits(code)).toHaveLength(1);
      }
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  it('two requests for one dossier sealed at once: one result stored, the other document refused with SIGNING_NOT_PENDING', async () => {
    const [code] = await approved(1);
    const first = await start([code!]);
    // Past its expiry here (the provider still takes a late confirmation): the dossier may be sent again.
    await env.ctx.db.update(remoteSigningRequests).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(remoteSigningRequests.id, first.body.requestId));
    const second = await start([code!]);
    expect(second.status).toBe(202);
    const ids = [first.body.requestId as string, second.body.requestId as string];
    // Both confirmed while the seal is off: both documents wait as received, so the two sealings below start together.
    await withoutSeal(async () => {
      sim.confirm(first.body.transactionId);
      sim.confirm(second.body.transactionId);
      await eventually(async () => ((await Promise.all(ids.map(itemsOf))).flat().every((i) => i.status === 'received') ? true : undefined));
    });
    const errors = vi.spyOn(env.ctx.log, 'error');
    try {
      await Promise.all(ids.map((id) => runNow(id)));
      const outcomes = await Promise.all(ids.map(ended));
      const items = outcomes.flatMap((o) => o.items as Array<{ status: string; error?: { code: string } }>);
      expect(items.map((i) => i.status).sort()).toEqual(['failed', 'signed']);
      expect(items.find((i) => i.status === 'failed')!.error!.code).toBe('SIGNING_NOT_PENDING');
      expect(await resultRows(code!)).toHaveLength(1);
      expect(await signedAudits(code!)).toHaveLength(1);
      expect(await verify(await resultOf(code!))).toMatchObject({ valid: true, dossierCode: code });
      // Nothing but the switched-off seal (a run already under way when it came back) was an unexpected failure.
      const unexpected = errors.mock.calls.filter(([details]) => (details as { err?: { code?: string } }).err?.code !== 'SIGNING_KEY_MISSING');
      expect(unexpected).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });

  it('the provider refusing the request at the start: the committed request ends failed with the reason', async () => {
    const [code] = await approved(1);
    sim.setDown(true);
    let refused;
    try {
      refused = await start([code!]);
    } finally {
      sim.setDown(false);
    }
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('REMOTE_SIGNING_UNAVAILABLE');
    const dossier = (await findDossierByCode(env.ctx.db, code!))!;
    const [item] = await env.ctx.db.select().from(remoteSigningItems).where(eq(remoteSigningItems.dossierId, dossier.id));
    const request = (await findRemoteRequest(env.ctx.db, item!.requestId))!;
    expect(request).toMatchObject({ status: 'failed', transactionId: null });
    expect(request.error).toMatch(/^REMOTE_SIGNING_UNAVAILABLE: /);
    expect(item!.status).toBe('failed');
    // Nothing holds the dossier: it can be sent again at once.
    const again = await start([code!]);
    expect(again.status).toBe(202);
    sim.confirm(again.body.transactionId);
    expect((await ended(again.body.requestId)).counts.signed).toBe(1);
  });

  it('refuses an official who is not registered for remote signing', async () => {
    const refused = await start(['000.00.12.H56-000000-0000'], await api.login('leader'));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NO_REMOTE_SIGNING_KEY');
  });

  it('limits starts per official: past 30 a minute 429 RATE_LIMITED, while another official at the same address goes on', async () => {
    await insertStaff(env.ctx.db, {
      username: 'phogiamdoc2', fullName: 'Trần Văn Khoa', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    const other = await api.login('phogiamdoc2');
    const answers = await Promise.all(Array.from({ length: 31 }, () => start(['000.00.12.H56-000000-0000'], other)));
    expect(answers.filter((a) => a.status === 403)).toHaveLength(30);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    // giamdoc is counted apart (the key is the official, not the test's one address).
    expect((await start(['000.00.12.H56-000000-0000'])).body.error.code).not.toBe('RATE_LIMITED');
  });
});
