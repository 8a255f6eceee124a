// Signing through the official's local signing agent (USB token, VGCA Sign Service style), end to end: the session
// hands out one-time download/upload URLs; the stand-in agent (tools/signing-agent, run as a separate process)
// signs and uploads; the dossier ends sealed and verifiable. Forged uploads — a changed byte of the served part, a
// page added in the update, another certificate — are refused with their codes and nothing is stored; tokens work
// once, expire, and belong to the official the result waits for.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { buildApp } from '../../src/app.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { agentSigningSessions, auditLog, issuedDocuments } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { openPkcs12, signPdf as agentSign, type TokenIdentity } from '../../tools/signing-agent/sign.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingExternalSignature } from '../helpers/dossiers.js';
import { servedStructure, signatureIncrement, withEntries } from '../helpers/forged-increment.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages } from '../helpers/page-session.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const run = promisify(execFile);
const PROJECT = path.resolve(import.meta.dirname, '../..');
const AGENT = path.join(PROJECT, 'tools/signing-agent/agent.ts');
const TSX = path.join(PROJECT, 'node_modules/.bin/tsx');

describe('signing with a USB token through the local signing agent', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let tmp: string;
  let ca: CertificateAndKey;
  let official: CertificateAndKey;
  let token: string;
  let identity: TokenIdentity;
  let p12File: string;
  let code: string;
  const dossierPath = (c = code) => `/api/dossiers/${encodeURIComponent(c)}`;
  /** The portal's public URL is http://motcua.test in tests: reach it on the listening port instead. */
  const local = (url: string) => url.replace('http://motcua.test', api.baseUrl);

  const awaitingOfficial = () => dossierAwaitingExternalSignature(env.ctx, api, token);

  const start = async (as = token, c = code) => api.json('POST', `${dossierPath(c)}/signatures/agent`, { token: as, json: {} });
  const download = async (url: string) => fetch(local(url));
  const upload = async (url: string, pdf: Buffer, method = 'PUT') => {
    const response = await fetch(local(url), { method, headers: { 'content-type': 'application/pdf' }, body: pdf });
    return { status: response.status, body: await response.json() as any };
  };
  const issued = async (c = code) => {
    const dossier = await findDossierByCode(env.ctx.db, c);
    return env.ctx.db.select().from(issuedDocuments).where(and(eq(issuedDocuments.dossierId, dossier!.id), eq(issuedDocuments.kind, 'result')));
  };
  const refusals = async () => (await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(auditLog)
    .where(and(eq(auditLog.action, 'result.signature_refused'), eq(auditLog.target, code))))[0]!.n;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'motcua-agent-'));
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
    official = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: 'Giám đốc' });
    const p12 = createPkcs12(official.privateKeyPem, official.certificatePem, [ca.certificatePem], 'mat-khau-token');
    p12File = path.join(tmp, 'token.p12');
    await writeFile(p12File, p12);
    identity = openPkcs12(p12, 'mat-khau-token');

    await insertStaff(env.ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    // The key stays on the token: the administrator registers the certificate only.
    const admin = await api.login('admin');
    const form = new FormData();
    form.append('staff', 'giamdoc');
    form.append('certificate', official.certificatePem);
    form.append('chain', ca.certificatePem);
    expect((await api.json('POST', '/api/signing-keys', { token: admin, form })).body.mode).toBe('external');
    token = await api.login('giamdoc');
    code = await awaitingOfficial();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('a session belongs to the official the result waits for; its URLs are absolute and single-use', async () => {
    expect((await start(await api.login('leader'))).status).toBe(403);
    expect((await api.json('POST', `${dossierPath()}/signatures/agent`, { json: {} })).status).toBe(401);
    const session = await start();
    expect(session.status).toBe(201);
    expect(session.body.downloadUrl).toMatch(/^http:\/\/motcua\.test\/api\/signing-agent\/[A-Za-z0-9_-]{43}\/document$/);
    expect(session.body.uploadUrl).toMatch(/^http:\/\/motcua\.test\/api\/signing-agent\/[A-Za-z0-9_-]{43}\/signed$/);
    expect(new Date(session.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const first = await download(session.body.downloadUrl);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await first.arrayBuffer());
    if (process.env.DUMP_SERVED) await writeFile(process.env.DUMP_SERVED, pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [stored] = await env.ctx.db.select().from(agentSigningSessions).where(eq(agentSigningSessions.id, session.body.sessionId));
    expect(pdf.equals(stored!.pdf)).toBe(true);
    expect(stored!.downloadTokenHash).not.toContain(session.body.downloadUrl.split('/').at(-2));
    const second = await download(session.body.downloadUrl);
    expect(second.status).toBe(410);
    expect(((await second.json()) as any).error.code).toBe('SIGNING_DOCUMENT_DOWNLOADED');
    const unknown = await download(session.body.downloadUrl.replace(/[A-Za-z0-9_-]{43}/, 'A'.repeat(43)));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('SIGNING_TOKEN_INVALID');
  });

  it('the dossier page offers "Ký bằng USB token" with the agent URL; the script is served and allowed to call the agent', async () => {
    const page = await (await signInPages(env, 'giamdoc')).get(`/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Ký bằng USB token');
    expect(page.body).toContain(`data-start="/api/dossiers/${code}/signatures/agent"`);
    expect(page.body).toContain('data-agent="http://127.0.0.1:8987"');
    const html = await api.request('GET', `/can-bo/ho-so/${encodeURIComponent(code)}`);
    expect(html.headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:8987");
    const script = await api.request('GET', '/assets/agent-signing.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("agent + '/sign'");
    // Another official's view of the same dossier offers nothing to sign.
    expect((await (await signInPages(env, 'leader')).get(`/can-bo/ho-so/${encodeURIComponent(code)}`)).body).not.toContain('data-agent-signing');
  });

  it('refuses an expired session', async () => {
    const session = await start();
    await env.ctx.db.update(agentSigningSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(agentSigningSessions.id, session.body.sessionId));
    const late = await download(session.body.downloadUrl);
    expect(late.status).toBe(410);
    expect(((await late.json()) as any).error.code).toBe('SIGNING_TOKEN_EXPIRED');
    const [stored] = await env.ctx.db.select().from(agentSigningSessions).where(eq(agentSigningSessions.id, session.body.sessionId));
    const answer = await upload(session.body.uploadUrl, await agentSign(stored!.pdf, identity));
    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('SIGNING_TOKEN_EXPIRED');
  });

  it('refuses forged uploads with their codes, audits each, burns the token and stores nothing', async () => {
    const refusedBefore = await refusals();
    const forge = async (make: (served: Buffer) => Promise<Buffer> | Buffer) => {
      const session = await start();
      const served = Buffer.from(await (await download(session.body.downloadUrl)).arrayBuffer());
      const answer = await upload(session.body.uploadUrl, await make(served));
      // Whatever the refusal, the token is spent: an honest file on the same URL is not taken either.
      const replay = await upload(session.body.uploadUrl, await agentSign(served, identity), 'POST');
      expect(replay.status).toBe(409);
      expect(replay.body.error.code).toBe('SIGNING_TOKEN_USED');
      return answer;
    };

    const altered = await forge(async (served) => {
      const signed = await agentSign(served, identity);
      // A figure of the decision changed under the signature: the CMS is still over the file as uploaded.
      const at = signed.indexOf('/MediaBox', 0, 'latin1');
      signed.write('/MediaBoy', at, 'latin1');
      return signed;
    });
    expect(altered.status).toBe(422);
    expect(altered.body.error.code).toBe('SIGNED_FILE_MODIFIED');

    const addedPage = await forge(async (served) => {
      const s = await servedStructure(served);
      const pages = s.context.lookup(s.pages)!.toString();
      const extra = s.nextNumber + 10;
      const kids = /\/Kids \[([^\]]*)\]/.exec(pages)![1]!;
      const count = Number(/\/Count (\d+)/.exec(pages)![1]);
      return signatureIncrement(served, identity, {
        extra: {
          [extra]: withEntries(s, s.firstPage, {}),
          [s.pages.objectNumber]: pages.replace(/\/Kids \[[^\]]*\]/, `/Kids [${kids} ${extra} 0 R]`).replace(/\/Count \d+/, `/Count ${count + 1}`),
        },
      });
    });
    expect(addedPage.status).toBe(422);
    expect(addedPage.body.error.code).toBe('SIGNED_FILE_EXTRA_CHANGES');
    expect(addedPage.body.error.message).toMatch(/Pages/);

    const otherCa = await createCertificateAuthority({ commonName: 'CA khác', organisation: 'Công ty chứng thực khác' });
    const sameName = await issueCertificate(otherCa, { commonName: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const foreign = await forge((served) => agentSign(served, openPkcs12(createPkcs12(sameName.privateKeyPem, sameName.certificatePem, [otherCa.certificatePem], 'x'), 'x')));
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.code).toBe('CERTIFICATE_MISMATCH');

    const colleague = await issueCertificate(ca, { commonName: 'Người khác', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    const otherPerson = await forge((served) => agentSign(served, openPkcs12(createPkcs12(colleague.privateKeyPem, colleague.certificatePem, [ca.certificatePem], 'x'), 'x')));
    expect(otherPerson.body.error.code).toBe('CERTIFICATE_MISMATCH');

    const notSigned = await forge((served) => Buffer.concat([served, Buffer.from('\n')]));
    expect(notSigned.body.error.code).toBe('SIGNATURE_COUNT_INVALID');

    expect(await refusals()).toBe(refusedBefore + 5);
    expect(await issued()).toEqual([]);
    expect((await api.json('GET', dossierPath(), { token })).body.status).toBe('signing');
  });

  it('the stand-in agent (a separate process) signs; the result carries the token signature and the seal', async () => {
    const stale = await start();
    const session = await start();
    const { stdout } = await run(TSX, [AGENT, '--download', local(session.body.downloadUrl), '--upload', local(session.body.uploadUrl),
      '--p12', p12File, '--password', 'mat-khau-token'], { cwd: PROJECT, timeout: 60_000 })
      .catch((error: { stdout?: string; stderr?: string }) => { throw new Error(`agent failed: ${error.stdout} ${error.stderr}`); });
    const answer = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(answer).toMatchObject({ status: 200, body: { code, status: 'result_ready' } });

    // The same upload URL again, and a session started before the document moved on: neither is taken.
    const [stored] = await env.ctx.db.select().from(agentSigningSessions).where(eq(agentSigningSessions.id, session.body.sessionId));
    expect(stored!.outcome).toBe('signed');
    expect((await upload(session.body.uploadUrl, await agentSign(stored!.pdf, identity))).body.error.code).toBe('SIGNING_TOKEN_USED');
    const staleServed = Buffer.from(await (await download(stale.body.downloadUrl)).arrayBuffer());
    const late = await upload(stale.body.uploadUrl, await agentSign(staleServed, identity));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SIGNING_NOT_PENDING');

    const view = await api.json('GET', dossierPath(), { token });
    expect(view.body.status).toBe('result_ready');
    const pdf = Buffer.from(await (await api.request('GET', `${dossierPath()}/result`, { token })).arrayBuffer());
    expect(pdf.subarray(0, stored!.pdf.length).equals(stored!.pdf)).toBe(true);
    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out).toMatch(/Signature #1:[\s\S]*Lê Thị Phương[\s\S]*Signature #2:[\s\S]*- Total document signed/);
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'kq.pdf');
    const verified = await api.json('POST', '/api/verify', { form });
    expect(verified.body).toMatchObject({ valid: true, dossierCode: code });
    expect(verified.body.signatures.filter((s: { valid: boolean }) => s.valid)).toHaveLength(2);
    const signedAudit = await env.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'result.signed'), eq(auditLog.target, code)));
    expect(signedAudit.map((a) => a.details)).toEqual([expect.objectContaining({ method: 'agent', complete: true })]);
  });

  it('an iText-style agent (adbe.pkcs7.detached without ESS attributes, /Info and XMP restamped) is accepted end to end', async () => {
    const third = await awaitingOfficial();
    const session = await start(token, third);
    const { stdout } = await run(TSX, [AGENT, '--download', local(session.body.downloadUrl), '--upload', local(session.body.uploadUrl),
      '--p12', p12File, '--password', 'mat-khau-token', '--sub-filter', 'adbe.pkcs7.detached', '--ess', 'none', '--like-itext'], { cwd: PROJECT, timeout: 60_000 })
      .catch((error: { stdout?: string; stderr?: string }) => { throw new Error(`agent failed: ${error.stdout} ${error.stderr}`); });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 200, body: { code: third, status: 'result_ready' } });
    const [stored] = await env.ctx.db.select().from(agentSigningSessions).where(eq(agentSigningSessions.id, session.body.sessionId));
    const pdf = Buffer.from(await (await api.request('GET', `${dossierPath(third)}/result`, { token })).arrayBuffer());
    // The official's update restamped the metadata as iText does; the seal followed it.
    const update = pdf.toString('latin1', stored!.pdf.length);
    expect(update).toContain('xmpMM:InstanceID');
    expect(update).toMatch(/\/Producer \(iText/);
    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out).toMatch(/Signature #1:[\s\S]*Lê Thị Phương[\s\S]*Signature Type: adbe\.pkcs7\.detached[\s\S]*Signature #2:[\s\S]*ETSI\.CAdES\.detached[\s\S]*- Total document signed/);
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'kq.pdf');
    const verified = await api.json('POST', '/api/verify', { form });
    expect(verified.body).toMatchObject({ valid: true, dossierCode: third });
    expect(verified.body.signatures.map((s: { valid: boolean }) => s.valid)).toEqual([true, true]);
  });

  it('refuses an agent that changes the title in the XMP, with its code', async () => {
    const fourth = await awaitingOfficial();
    const session = await start(token, fourth);
    const served = Buffer.from(await (await download(session.body.downloadUrl)).arrayBuffer());
    const answer = await upload(session.body.uploadUrl, await agentSign(served, identity, { subFilter: 'adbe.pkcs7.detached', ess: 'none', likeItext: true, changeTitle: 'GIẤY PHÉP' }));
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'SIGNED_FILE_EXTRA_CHANGES', message: expect.stringMatching(/XMP.*dc:title/) });
  });

  it('a failure of ours after the checks (5xx) gives the token back and the same upload then succeeds; a 4xx closes the session; logs never show the tokens', async () => {
    const fifth = await awaitingOfficial();
    const lines: string[] = [];
    const capture = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp({ ...env.ctx, log: createLogger({ logLevel: 'info' }, 'test', capture) });
    const put = async (url: string, pdf: Buffer) => {
      const r = await app.inject({ method: 'PUT', url: new URL(url).pathname, headers: { 'content-type': 'application/pdf' }, payload: pdf });
      return { status: r.statusCode, body: r.json() as any };
    };
    const sessionRow = async (id: string) => (await env.ctx.db.select().from(agentSigningSessions).where(eq(agentSigningSessions.id, id)))[0]!;
    // Finishing (the seal, the result) fails as a service would: the catalog is the first thing it asks.
    const catalog = env.ctx.catalog as { definitionFor: (id: number) => Promise<unknown> };
    const definitionFor = catalog.definitionFor;
    const failWith = (error: AppError) => { catalog.definitionFor = async () => { throw error; }; };
    try {
      const closed = await start(token, fifth);
      const closedSigned = await agentSign(Buffer.from(await (await download(closed.body.downloadUrl)).arrayBuffer()), identity);
      failWith(new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi.'));
      expect((await put(closed.body.uploadUrl, closedSigned)).status).toBe(409);
      expect(await sessionRow(closed.body.sessionId)).toMatchObject({ outcome: 'stale', usedAt: expect.any(Date) });
      catalog.definitionFor = definitionFor;
      expect((await put(closed.body.uploadUrl, closedSigned)).body.error.code).toBe('SIGNING_TOKEN_USED');

      const session = await start(token, fifth);
      const signed = await agentSign(Buffer.from(await (await download(session.body.downloadUrl)).arrayBuffer()), identity);
      failWith(new AppError('REVOCATION_UNAVAILABLE', 'Chưa lấy được thông tin trạng thái chứng thư số.'));
      const failed = await put(session.body.uploadUrl, signed);
      expect(failed.status).toBe(503);
      expect(failed.body.error.code).toBe('REVOCATION_UNAVAILABLE');
      expect(await sessionRow(session.body.sessionId)).toMatchObject({ outcome: 'retryable:REVOCATION_UNAVAILABLE', usedAt: null });
      expect(await issued(fifth)).toEqual([]);
      catalog.definitionFor = definitionFor;
      const retried = await put(session.body.uploadUrl, signed);
      expect(retried).toMatchObject({ status: 200, body: { code: fifth, status: 'result_ready' } });
      expect(await sessionRow(session.body.sessionId)).toMatchObject({ outcome: 'signed', usedAt: expect.any(Date) });
      expect((await put(session.body.uploadUrl, signed)).body.error.code).toBe('SIGNING_TOKEN_USED');
      expect(await issued(fifth)).toHaveLength(1);

      const logged = lines.join('');
      expect(logged).toContain('/api/signing-agent/[redacted]/signed');
      for (const url of [closed.body.uploadUrl, session.body.uploadUrl, session.body.downloadUrl]) expect(logged).not.toContain(new URL(url).pathname.split('/')[3]);
    } finally {
      catalog.definitionFor = definitionFor;
      await app.close();
    }
  });

  it('--serve: the agent listens on 127.0.0.1, takes the hand-off from the portal origin only, signs and uploads', async () => {
    const second = await awaitingOfficial();
    const agent: ChildProcess = spawn(TSX, [AGENT, '--serve', '0', '--p12', p12File, '--password', 'mat-khau-token', '--origin', api.baseUrl],
      { cwd: PROJECT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        agent.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        agent.once('exit', () => reject(new Error('agent exited')));
      });
      const agentUrl = JSON.parse(line).listening as string;
      const preflight = await fetch(`${agentUrl}/sign`, { method: 'OPTIONS', headers: { origin: api.baseUrl, 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(api.baseUrl);
      expect(preflight.headers.get('access-control-allow-private-network')).toBe('true');
      const session = await start(token, second);
      const handOff = JSON.stringify({ downloadUrl: local(session.body.downloadUrl), uploadUrl: local(session.body.uploadUrl) });
      const elsewhere = await fetch(`${agentUrl}/sign`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: handOff });
      expect(elsewhere.status).toBe(403);
      const signed = await fetch(`${agentUrl}/sign`, { method: 'POST', headers: { origin: api.baseUrl, 'content-type': 'application/json' }, body: handOff });
      expect(signed.status).toBe(200);
      expect(await signed.json() as object).toMatchObject({ code: second, status: 'result_ready' });
      expect(await issued(second)).toHaveLength(1);
    } finally {
      agent.kill('SIGTERM');
    }
  });
});
