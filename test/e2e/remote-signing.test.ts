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
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { auditLog } from '../../src/db/schema/index.js';
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

  it('refuses an official who is not registered for remote signing', async () => {
    const refused = await start(['000.00.12.H56-000000-0000'], await api.login('leader'));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NO_REMOTE_SIGNING_KEY');
  });
});
