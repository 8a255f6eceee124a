// PAdES B-LT against real revocation services: `openssl ocsp` as the responder (a delegated responder certificate
// with id-kp-OCSPSigning, index.txt with a good and a revoked certificate), a tiny HTTP server for a CRL, and the
// demo CA's own CRL served in-process. The DSS is read back with our parser, checked with qpdf and pdfsig, and
// judged by the verifier at the signing time.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { addValidationData, collectionPolicy, revocationFetcher } from '../../src/services/results/long-term-validation.js';
import { verifyDocument } from '../../src/services/results/verify-document.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { appendDss, collectValidationData, MAX_SOURCES_PER_CERTIFICATE, readDssIncrement } from '../../src/signing/ltv.js';
import { checkOcspResponse, createCrl, ocspRequest, revocationPointers } from '../../src/signing/revocation.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { extractCms, findSignatures, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** openssl's index.txt time: YYMMDDHHMMSSZ. */
const indexTime = (d: Date) => d.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*$/, '$1$2$3$4$5$6Z');

const lastRevision = (pdf: Buffer) => {
  const [, , start2, length2] = findSignatures(pdf).at(-1)!.byteRange;
  return start2 + length2;
};

async function qpdfCheck(pdf: Buffer, dir: string): Promise<string> {
  const file = path.join(dir, `check-${Date.now()}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('qpdf', ['--check', file]); // exits non-zero on errors and on warnings
  return stdout;
}

describe('PAdES B-LT: revocation data in a DSS', () => {
  let dir: string;
  let ca: CertificateAndKey;
  let caFile: string;
  let ocsp: ChildProcess;
  let ocspUrl: string;
  let crlServer: Server;
  let crlUrl: string;
  let crlRequests = 0;
  let env: TestEnvironment;
  const leaves: Record<'good' | 'revoked' | 'crlOnly' | 'down', CertificateAndKey> = {} as never;
  const revokedAt = new Date(Date.now() - 10 * 60_000);

  const unsigned = () => renderResultPdf({
    template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'LTV-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/LTV-1',
    issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: new Date(),
    signer: { name: 'Lê Văn Bình', title: 'Phó Giám đốc' }, recipients: [], context: {},
  });
  const signWith = async (leaf: CertificateAndKey) => signPdf(await unsigned(), {
    key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: 'Lê Văn Bình', signingTime: new Date(),
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-ltv-'));
    const at = (f: string) => path.join(dir, f);
    ca = await createCertificateAuthority({ commonName: 'CA thử nghiệm OCSP', organisation: 'Sở GD&ĐT' });
    caFile = at('ca.pem');
    await writeFile(caFile, ca.certificatePem);
    await writeFile(at('ca.key'), ca.privateKeyPem);
    // A delegated responder: its own key, certified by the CA for OCSP signing only.
    await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('responder.key'), '-out', at('responder.csr'), '-subj', '/CN=Test OCSP Responder']);
    await writeFile(at('responder.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n');
    await run('openssl', ['x509', '-req', '-in', at('responder.csr'), '-CA', caFile, '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('responder.pem'),
      '-days', '30', '-extfile', at('responder.ext')]);

    const port = await freePort();
    ocspUrl = `http://127.0.0.1:${port}`;
    crlServer = createServer((_req, res) => {
      crlRequests++;
      const crl = createCrl(ca.certificatePem, createPrivateKey(ca.privateKeyPem), { thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000), number: 7n });
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
    });
    await new Promise<void>((resolve) => crlServer.listen(0, '127.0.0.1', resolve));
    const crlAddress = crlServer.address();
    crlUrl = `http://127.0.0.1:${typeof crlAddress === 'object' && crlAddress ? crlAddress.port : 0}/test-ca.crl`;

    leaves.good = await issueCertificate(ca, { commonName: 'Lê Văn Bình', organisation: 'Sở GD&ĐT', ocspUrl });
    leaves.revoked = await issueCertificate(ca, { commonName: 'Trần Thu Hồi', organisation: 'Sở GD&ĐT', ocspUrl });
    leaves.crlOnly = await issueCertificate(ca, { commonName: 'Phạm Danh Sách', organisation: 'Sở GD&ĐT', crlUrl });
    leaves.down = await issueCertificate(ca, { commonName: 'Đỗ Vắng Mặt', organisation: 'Sở GD&ĐT', ocspUrl: 'http://127.0.0.1:9/ocsp' });
    const serial = (leaf: CertificateAndKey) => new X509Certificate(leaf.certificatePem).serialNumber;
    const expiry = indexTime(new Date(Date.now() + 365 * 86_400_000));
    await writeFile(at('index.txt'), [
      `V\t${expiry}\t\t${serial(leaves.good)}\tunknown\t/CN=good`,
      `R\t${expiry}\t${indexTime(revokedAt)}\t${serial(leaves.revoked)}\tunknown\t/CN=revoked`,
      '',
    ].join('\n'));
    ocsp = spawn('openssl', ['ocsp', '-index', at('index.txt'), '-port', String(port), '-rsigner', at('responder.pem'), '-rkey', at('responder.key'),
      '-CA', caFile, '-ignore_err'], { stdio: 'ignore' });
    // Ready when it answers a real request (a malformed one gets no answer at all from openssl ocsp).
    const probe = ocspRequest(new X509Certificate(leaves.good.certificatePem), new X509Certificate(ca.certificatePem));
    await eventually(async () => {
      try {
        const response = await fetch(ocspUrl, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: probe, signal: AbortSignal.timeout(1000) });
        return response.status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    });

    env = await startTestEnvironment('embedded', { env: { DEMO_CA_CRL: 'on', TRUST_ANCHORS: caFile, REVOCATION_TIMEOUT_MS: '3000', REVOCATION_PRIVATE_NETWORKS: 'allow' } });
  });

  afterAll(async () => {
    ocsp?.kill();
    await new Promise((resolve) => crlServer?.close(resolve));
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an issued result: the leader (OCSP) and the seal (the demo CA\'s CRL, in-process) in one DSS after the last signature', async () => {
    // The leader signs with a certificate whose AIA names the local responder; the seal keeps its demo key, whose
    // certificate names http://motcua.test/pki/demo-ca.crl — a host that does not resolve: only the in-process
    // shortcut can answer it.
    const leader = await findStaffByUsername(env.ctx.db, 'leader');
    await env.ctx.signerKeys.storeForStaff(leader!.id, { ...leaves.good, chainPem: [ca.certificatePem] });
    const waiting = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
    const dossier = await eventually(async () => {
      const d = await findDossierByCode(env.ctx.db, waiting.code);
      return d?.status === 'result_ready' ? d : undefined;
    });
    const pdf = await readStoredFile(env.ctx.db, (await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!.storageKey);

    const update = readDssIncrement(pdf, lastRevision(pdf));
    if (!update.ok) throw new Error(update.problem);
    expect(update.dss.ocspResponses).toHaveLength(1);
    expect(update.dss.crls).toHaveLength(1);
    const leaf = new X509Certificate(leaves.good.certificatePem);
    expect(update.dss.certificates.some((c) => c.equals(leaf.raw))).toBe(true);
    // The stored response is the responder's, about this certificate, signed by the delegated responder.
    const evidence = checkOcspResponse(update.dss.ocspResponses[0]!, leaf, new X509Certificate(ca.certificatePem));
    expect(evidence.status).toBe('good');
    expect(evidence.responderCertificates[0]?.subject).toContain('Test OCSP Responder');

    const verdict = await verifyDocument(env.ctx, pdf);
    expect(verdict).toMatchObject({ valid: true, intact: true, reasons: [] });
    expect(verdict.signatures.map((s) => [s.revocation, s.revocationSource, s.valid])).toEqual([['good', 'ocsp', true], ['good', 'crl', true]]);
    const sig = await pdfsig(pdf);
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(await qpdfCheck(pdf, dir)).toContain('No syntax or stream encoding errors found');

    // The same CRL is what GET /pki/demo-ca.crl publishes, signed by the demo CA.
    const published = await env.app.inject({ method: 'GET', url: '/pki/demo-ca.crl' });
    expect(published.statusCode).toBe(200);
    expect(published.headers['content-type']).toBe('application/pkix-crl');
    expect(published.rawPayload.equals(update.dss.crls[0]!)).toBe(true);
    await writeFile(path.join(dir, 'demo.crl'), published.rawPayload);
    const { stderr } = await run('openssl', ['crl', '-inform', 'DER', '-in', path.join(dir, 'demo.crl'), '-noout',
      '-CAfile', path.join(env.config.dataDir, 'demo-ca', 'ca.crt.pem')]);
    expect(stderr).toContain('verify OK');
  });

  it('a certificate revoked before signing: nothing is issued with it, and a document carrying that answer is invalid', async () => {
    const pdf = await signWith(leaves.revoked);
    await expect(addValidationData(env.ctx, pdf)).rejects.toMatchObject({ code: 'SIGNING_CERTIFICATE_REVOKED' });
    // A document someone else completed with the same (signed) OCSP answer: intact, but its signature is not valid.
    const collected = await collectValidationData(extractCms(pdf), revocationFetcher(env.ctx), await collectionPolicy(env.ctx, extractCms(pdf)));
    expect(collected.checked.map((c) => c.evidence.status)).toEqual(['revoked']);
    const withDss = appendDss(pdf, collected.dss);
    const report = verifyPdfSignatures(withDss, [new X509Certificate(ca.certificatePem)]);
    expect(report.intact).toBe(true);
    expect(report.signatures[0]).toMatchObject({ revocation: 'revoked', revocationSource: 'ocsp', valid: false });
    expect(report.signatures[0]!.reasons.join(' ')).toMatch(/đã bị thu hồi trước thời điểm ký/);
    const verdict = await verifyDocument(env.ctx, withDss);
    expect(verdict.valid).toBe(false);
    expect(verdict.signatures[0]).toMatchObject({ revocation: 'revoked', valid: false });
    // Without the DSS the same signature says nothing about revocation (PAdES B-B): unknown, still valid.
    expect(verifyPdfSignatures(pdf, [new X509Certificate(ca.certificatePem)]).signatures[0]).toMatchObject({ revocation: 'unknown', valid: true });
  });

  it('a CRL-only certificate: the DSS holds the CRL fetched from its distribution point', async () => {
    const before = crlRequests;
    const pdf = await addValidationData(env.ctx, await signWith(leaves.crlOnly));
    expect(crlRequests).toBe(before + 1);
    const update = readDssIncrement(pdf, lastRevision(pdf));
    if (!update.ok) throw new Error(update.problem);
    expect(update.dss.ocspResponses).toHaveLength(0);
    expect(update.dss.crls).toHaveLength(1);
    const report = verifyPdfSignatures(pdf, [new X509Certificate(ca.certificatePem)]);
    expect(report).toMatchObject({ intact: true, validationData: true });
    expect(report.signatures[0]).toMatchObject({ revocation: 'good', revocationSource: 'crl', valid: true, coversWholeDocument: false });
    expect(await pdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
    expect(await qpdfCheck(pdf, dir)).toContain('No syntax or stream encoding errors found');
  });

  it('the responder down: the result waits (REVOCATION_UNAVAILABLE, retried) within the configured timeout', async () => {
    const pdf = await signWith(leaves.down);
    const started = Date.now();
    await expect(addValidationData(env.ctx, pdf)).rejects.toMatchObject({ code: 'REVOCATION_UNAVAILABLE', statusCode: 503 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('after the DSS, anything else breaks `intact`: another update, or a catalog changed beyond /DSS', async () => {
    const pdf = await addValidationData(env.ctx, await signWith(leaves.good));
    const anchors = [new X509Certificate(ca.certificatePem)];
    expect(verifyPdfSignatures(pdf, anchors).intact).toBe(true);
    const appended = verifyPdfSignatures(Buffer.concat([pdf, Buffer.from('1 0 obj\n<< >>\nendobj\n', 'latin1')]), anchors);
    expect(appended.intact).toBe(false);
    expect(appended.reasons).toContain('có dữ liệu được thêm vào sau chữ ký cuối cùng');
    // Same length, so every offset still holds: only the catalog's /Lang differs from the signed revision's.
    const text = pdf.toString('latin1');
    const at = text.lastIndexOf('/Lang (vi-VN)');
    expect(at).toBeGreaterThan(lastRevision(pdf));
    const changed = Buffer.from(pdf);
    changed.write('/Lang (en-US)', at, 'latin1');
    expect(verifyPdfSignatures(changed, anchors).intact).toBe(false);
    expect(readDssIncrement(changed, lastRevision(changed))).toMatchObject({ ok: false, problem: expect.stringMatching(/catalog/) });
  });

  describe('whose revocation sources are asked, and how fresh an answer must be', () => {
    let hits: string[] = [];
    let counter: Server;
    let counterUrl: string;
    const HOUR = 3_600_000;
    const ca2Crl = { thisUpdate: 0, nextUpdate: 0 };
    let untrustedCa: CertificateAndKey;

    /** A leaf of `issuer` (key made by openssl) naming `count` OCSP responders and `count` CRLs on the counting server. */
    async function leafNamingMany(issuer: CertificateAndKey, name: string, count: number): Promise<CertificateAndKey> {
      const at = (f: string) => path.join(dir, `${name}-${f}`);
      await writeFile(at('ca.pem'), issuer.certificatePem);
      await writeFile(at('ca.key'), issuer.privateKeyPem);
      await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', `/CN=${name}`]);
      const urls = (kind: string) => Array.from({ length: count }, (_, i) => `${counterUrl}/${name}/${kind}${i}`);
      await writeFile(at('leaf.ext'), [
        'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation',
        `authorityInfoAccess=${urls('ocsp').map((u) => `OCSP;URI:${u}`).join(',')}`,
        `crlDistributionPoints=${urls('crl').map((u) => `URI:${u}`).join(',')}`, '',
      ].join('\n'));
      await run('openssl', ['x509', '-req', '-in', at('leaf.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('leaf.pem'),
        '-days', '30', '-extfile', at('leaf.ext')]);
      return { certificatePem: await readFile(at('leaf.pem'), 'utf8'), privateKeyPem: await readFile(at('leaf.key'), 'utf8') };
    }
    const signedBy = async (leaf: CertificateAndKey, issuer: CertificateAndKey) => signPdf(await unsigned(), {
      key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [issuer.certificatePem], name: 'Người ký', signingTime: new Date(),
    });

    beforeAll(async () => {
      untrustedCa = await createCertificateAuthority({ commonName: 'CA không tin cậy', organisation: 'Ai đó' });
      counter = createServer((req, res) => {
        hits.push(req.url ?? '');
        if (req.url === '/ca2.crl' || req.url === '/stale.crl') {
          const issuer = req.url === '/ca2.crl' ? untrustedCa : ca;
          const crl = createCrl(issuer.certificatePem, createPrivateKey(issuer.privateKeyPem), {
            thisUpdate: new Date(Date.now() + ca2Crl.thisUpdate), nextUpdate: new Date(Date.now() + ca2Crl.nextUpdate), number: 3n,
          });
          res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
      const address = counter.address();
      counterUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => counter?.close(resolve));
    });

    it('a signature whose embedded, untrusted CA issued a leaf naming 40 responders and 40 CRLs: nothing is fetched, nothing added', async () => {
      const leaf = await leafNamingMany(untrustedCa, 'untrusted', 40);
      const pointers = revocationPointers(new X509Certificate(leaf.certificatePem));
      expect([pointers.ocspUrls.length, pointers.crlUrls.length]).toEqual([40, 40]);
      const pdf = await signedBy(leaf, untrustedCa);
      hits = [];
      const out = await addValidationData(env.ctx, pdf);
      expect(hits).toEqual([]);
      expect(out.equals(pdf)).toBe(true);
    });

    it('a trusted leaf naming 40 of each: at most MAX_SOURCES_PER_CERTIFICATE are tried, then the result waits', async () => {
      const leaf = await leafNamingMany(ca, 'trusted', 40);
      const pdf = await signedBy(leaf, ca);
      hits = [];
      await expect(addValidationData(env.ctx, pdf)).rejects.toMatchObject({ code: 'REVOCATION_UNAVAILABLE' });
      expect(MAX_SOURCES_PER_CERTIFICATE).toBe(3);
      expect(hits).toEqual(['/trusted/ocsp0', '/trusted/ocsp1', '/trusted/ocsp2']);
    });

    it('a certificate registered for a signer is asked about even when its CA is not a trust anchor', async () => {
      const leaf = await issueCertificate(untrustedCa, { commonName: 'Đỗ Văn Sơn', organisation: 'THPT Lam Sơn', crlUrl: `${counterUrl}/ca2.crl` });
      const pdf = await signedBy(leaf, untrustedCa);
      ca2Crl.thisUpdate = -HOUR;
      ca2Crl.nextUpdate = 24 * HOUR;
      hits = [];
      expect((await addValidationData(env.ctx, pdf)).equals(pdf)).toBe(true);
      expect(hits).toEqual([]);
      const principal = await findStaffByUsername(env.ctx.db, 'principal');
      await env.ctx.signerKeys.storeForStaff(principal!.id, { ...leaf, chainPem: [untrustedCa.certificatePem] });
      const withDss = await addValidationData(env.ctx, pdf);
      expect(hits).toEqual(['/ca2.crl']);
      const update = readDssIncrement(withDss, lastRevision(withDss));
      if (!update.ok) throw new Error(update.problem);
      expect(update.dss.crls).toHaveLength(1);
    });

    it('a stale CRL (nextUpdate passed) is no answer: REVOCATION_UNAVAILABLE, retried later', async () => {
      const leaf = await issueCertificate(ca, { commonName: 'Lý Cũ Kỹ', organisation: 'Sở GD&ĐT', crlUrl: `${counterUrl}/stale.crl` });
      const pdf = await signedBy(leaf, ca);
      ca2Crl.thisUpdate = -8 * 24 * HOUR;
      ca2Crl.nextUpdate = -HOUR;
      hits = [];
      await expect(addValidationData(env.ctx, pdf)).rejects.toMatchObject({ code: 'REVOCATION_UNAVAILABLE', statusCode: 503 });
      expect(hits).toEqual(['/stale.crl']);
      // The same list once republished: taken.
      ca2Crl.thisUpdate = -HOUR;
      ca2Crl.nextUpdate = 24 * HOUR;
      const withDss = await addValidationData(env.ctx, pdf);
      expect(withDss.length).toBeGreaterThan(pdf.length);
    });

    it('openssl ocsp answers: with -nmin 1 fresh now and stale ten minutes later; without nextUpdate (nonce echoed) stale after REVOCATION_MAX_AGE_HOURS', async () => {
      const port = await freePort();
      const shortLived = await issueCertificate(ca, { commonName: 'Hà Ngắn Hạn', organisation: 'Sở GD&ĐT', ocspUrl: `http://127.0.0.1:${port}` });
      const at = (f: string) => path.join(dir, f);
      await writeFile(at('index-short.txt'), `V\t${indexTime(new Date(Date.now() + 365 * 86_400_000))}\t\t${new X509Certificate(shortLived.certificatePem).serialNumber}\tunknown\t/CN=short\n`);
      const responder = spawn('openssl', ['ocsp', '-index', at('index-short.txt'), '-port', String(port), '-rsigner', at('responder.pem'), '-rkey', at('responder.key'),
        '-CA', caFile, '-nmin', '1', '-ignore_err'], { stdio: 'ignore' });
      try {
        const probe = ocspRequest(new X509Certificate(shortLived.certificatePem), new X509Certificate(ca.certificatePem));
        await eventually(async () => {
          try {
            const response = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: probe, signal: AbortSignal.timeout(1000) });
            return response.status === 200 ? true : undefined;
          } catch {
            return undefined;
          }
        });
        const cms = extractCms(await signedBy(shortLived, ca));
        const policy = await collectionPolicy(env.ctx, cms);
        const fresh = await collectValidationData(cms, revocationFetcher(env.ctx), policy);
        expect(fresh.checked[0]?.evidence.nextUpdate).toBeInstanceOf(Date);
        await expect(collectValidationData(cms, revocationFetcher(env.ctx), { ...policy, now: new Date(Date.now() + 10 * 60_000) }))
          .rejects.toThrow(/stale OCSP response: nextUpdate/);
      } finally {
        responder.kill();
      }
      // The shared responder sets no nextUpdate and echoes the nonce: good for the configured week, not after.
      const cms = extractCms(await signWith(leaves.good));
      const policy = await collectionPolicy(env.ctx, cms);
      expect(policy.maxAgeMs).toBe(7 * 24 * HOUR);
      const day = await collectValidationData(cms, revocationFetcher(env.ctx), { ...policy, now: new Date(Date.now() + 24 * HOUR) });
      expect(day.checked[0]?.evidence).toMatchObject({ status: 'good', nextUpdate: null, nonceEchoed: true });
      await expect(collectValidationData(cms, revocationFetcher(env.ctx), { ...policy, now: new Date(Date.now() + 8 * 24 * HOUR) }))
        .rejects.toThrow(/stale OCSP response: thisUpdate/);
    });
  });
});
