// External signing end to end: an official whose key lives on a USB token (only the certificate is registered)
// approves; the result waits; `npm run sign:external` plays the token (prepare → sign the digest → complete);
// the dossier moves on with the leader's signature and the seal. Wrong key, wrong certificate, an expired or
// stale preparation and another official are all refused.
import { execFile } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { auditLog, issuedDocuments, registeredDocuments, signingPreparations } from '../../src/db/schema/index.js';
import { hashPassword } from '../../src/accounts/passwords.js';
import { issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { pdfsig } from '../helpers/pdf-tools.js';
import { opensslVerifyAll } from '../helpers/signing-tools.js';

const run = promisify(execFile);
const PROJECT = path.resolve(import.meta.dirname, '../..');

describe('external signing (USB token / remote signer)', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let baseUrl: string;
  let tmp: string;
  let ca: CertificateAndKey;
  let official: CertificateAndKey;
  let p12File: string;
  let token: string;
  let code: string;
  const dossierPath = () => `/api/dossiers/${encodeURIComponent(code)}`;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    baseUrl = api.baseUrl;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'motcua-ext-'));
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
    official = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: 'Giám đốc' });
    p12File = path.join(tmp, 'token.p12');
    await writeFile(p12File, createPkcs12(official.privateKeyPem, official.certificatePem, [ca.certificatePem], 'mat-khau-token'));

    await insertStaff(env.ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    // The admin registers the certificate only: the key stays on the token.
    const admin = await api.login('admin');
    const form = new FormData();
    form.append('staff', 'giamdoc');
    form.append('certificate', official.certificatePem);
    form.append('chain', ca.certificatePem);
    const registered = await api.json('POST', '/api/signing-keys', { token: admin, form });
    expect(registered.status).toBe(201);
    expect(registered.body.mode).toBe('external');

    token = await api.login('giamdoc');
    const waiting = await dossierAwaitingApproval(env.ctx);
    code = waiting.code;
    expect((await api.act(code, 'approve', token, { version: waiting.version })).body.status).toBe('signing');
    await eventually(async () => {
      const pending = await api.json('GET', '/api/signatures/pending', { token });
      return pending.body.items.some((i: { code: string; waitingFor: string }) => i.code === code && i.waitingFor === 'external') ? true : undefined;
    });
  });
  afterAll(async () => {
    await env?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const prepare = async (as = token) => api.json('POST', `${dossierPath()}/signatures/prepare`, { token: as, json: {} });
  const complete = async (id: string, signature: Buffer, certificate: string) =>
    api.json('POST', `${dossierPath()}/signatures/${id}/complete`, { token, json: { signature: signature.toString('base64'), certificate } });

  it('keeps the dossier in signing and refuses signatures that are not the expected ones', async () => {
    expect((await api.json('GET', dossierPath(), { token })).body.status).toBe('signing');
    const prepared = await prepare();
    expect(prepared.status).toBe(201);
    expect(prepared.body.digestAlgorithm).toBe('SHA-256');
    expect(new X509Certificate(prepared.body.certificate).fingerprint256).toBe(new X509Certificate(official.certificatePem).fingerprint256);
    const attributes = Buffer.from(prepared.body.signedAttributes, 'base64');

    const otherKey = (await issueCertificate(ca, { commonName: 'Người khác', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' }));
    const wrongKey = await complete(prepared.body.preparationId, sign('sha256', attributes, createPrivateKey(otherKey.privateKeyPem)), official.certificatePem);
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.error.code).toBe('SIGNATURE_INVALID');

    const wrongCert = await complete(prepared.body.preparationId, sign('sha256', attributes, createPrivateKey(otherKey.privateKeyPem)), otherKey.certificatePem);
    expect(wrongCert.body.error.code).toBe('CERTIFICATE_MISMATCH');

    const otherData = await complete(prepared.body.preparationId, sign('sha256', Buffer.from('something else'), createPrivateKey(official.privateKeyPem)), official.certificatePem);
    expect(otherData.body.error.code).toBe('SIGNATURE_INVALID');
    expect((await api.json('GET', dossierPath(), { token })).body.status).toBe('signing');
  });

  it('refuses an expired preparation and another official', async () => {
    const prepared = await prepare();
    await env.ctx.db.update(signingPreparations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(signingPreparations.id, prepared.body.preparationId));
    const late = await complete(prepared.body.preparationId, sign('sha256', Buffer.from(prepared.body.signedAttributes, 'base64'), createPrivateKey(official.privateKeyPem)), official.certificatePem);
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('PREPARATION_EXPIRED');
    const other = await prepare(await api.login('leader'));
    expect(other.status).toBe(403);
  });

  it('npm run sign:external completes the dossier; the result carries the token signature and the seal', async () => {
    const stale = await prepare();
    const { stdout } = await run('npm', ['run', '--silent', 'sign:external', '--', '--url', baseUrl, '--dossier', code, '--p12', p12File,
      '--password', 'mat-khau-token', '--username', 'giamdoc', '--login-password', 'demo'], { cwd: PROJECT, timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ code, status: 'result_ready' });

    // A preparation made before the document moved on can no longer complete it.
    const replay = await complete(stale.body.preparationId, sign('sha256', Buffer.from(stale.body.signedAttributes, 'base64'), createPrivateKey(official.privateKeyPem)), official.certificatePem);
    expect(replay.status).toBe(409);

    const view = await api.json('GET', dossierPath(), { token });
    expect(view.body.status).toBe('result_ready');
    expect(view.body.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'receive', 'verify', 'approve', 'result_issued']);
    const pdf = Buffer.from(await (await api.request('GET', `${dossierPath()}/result`, { token })).arrayBuffer());
    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out.match(/Signature Type: ETSI\.CAdES\.detached/g)).toHaveLength(2);
    expect(out).toMatch(/Signature #1:[\s\S]*Lê Thị Phương[\s\S]*Signature #2:[\s\S]*Sở Giáo dục và Đào tạo Thanh Hóa[\s\S]*- Total document signed/);
    expect(await opensslVerifyAll(pdf, path.join(env.config.dataDir, 'demo-ca', 'ca.crt.pem'))).toEqual(['CMS Verification successful', 'CMS Verification successful']);
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'kq.pdf');
    expect((await api.json('POST', '/api/verify', { form })).body).toMatchObject({ valid: true, dossierCode: code });
    expect((await api.json('GET', '/api/signatures/pending', { token })).body.items).toEqual([]);
  });

  it('two preparations of one result completed at once: one is stored, the other is refused with 409 SIGNING_NOT_PENDING', async () => {
    const waiting = await dossierAwaitingApproval(env.ctx);
    code = waiting.code;
    expect((await api.act(code, 'approve', token, { version: waiting.version })).body.status).toBe('signing');
    await eventually(async () => {
      const pending = await api.json('GET', '/api/signatures/pending', { token });
      return pending.body.items.some((i: { code: string; waitingFor: string }) => i.code === code && i.waitingFor === 'external') ? true : undefined;
    });
    const first = (await prepare()).body;
    const second = (await prepare()).body;
    const signed = (p: { signedAttributes: string }) => sign('sha256', Buffer.from(p.signedAttributes, 'base64'), createPrivateKey(official.privateKeyPem));
    const outcomes = await Promise.all([first, second].map((p) => complete(p.preparationId, signed(p), official.certificatePem)));
    expect(outcomes.map((o) => o.status).sort()).toEqual([200, 409]);
    expect(outcomes.find((o) => o.status === 409)!.body.error.code).toBe('SIGNING_NOT_PENDING');
    const winner = [first, second][outcomes.findIndex((o) => o.status === 200)]!;

    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    expect(dossier.status).toBe('result_ready');
    const results = await env.ctx.db.select().from(issuedDocuments).where(and(eq(issuedDocuments.dossierId, dossier.id), eq(issuedDocuments.kind, 'result')));
    expect(results).toHaveLength(1);
    const signedAudits = await env.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'result.signed'), eq(auditLog.target, code)));
    expect(signedAudits).toHaveLength(1);
    // Only the winner's preparation is used up (the loser's claim rolled back with its transaction).
    const [used] = await env.ctx.db.select().from(signingPreparations).where(eq(signingPreparations.id, winner.preparationId));
    const [unused] = await env.ctx.db.select().from(signingPreparations).where(eq(signingPreparations.id, (winner === first ? second : first).preparationId));
    expect(used!.completedAt).not.toBeNull();
    expect(unused!.completedAt).toBeNull();

    // Stored with the time the winner's file was rendered with: the official's /M and the register line say the same.
    const pdf = Buffer.from(await (await api.request('GET', `${dossierPath()}/result`, { token })).arrayBuffer());
    // The first signature dictionary's /M ("D:20261122140305Z") is the official's.
    const m = /\/M \(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z\)/.exec(pdf.toString('latin1'))!;
    const officialM = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    expect(Math.floor(used!.createdAt.getTime() / 1000) * 1000).toBe(officialM);
    expect(results[0]!.signedAt!.getTime()).toBe(used!.createdAt.getTime());
    const [line] = await env.ctx.db.select().from(registeredDocuments)
      .where(and(eq(registeredDocuments.dossierId, dossier.id), eq(registeredDocuments.subject, 'result'), eq(registeredDocuments.status, 'issued')));
    expect(line!.issuedAt!.getTime()).toBe(used!.createdAt.getTime());
  });
});
