// Remote signatures get PAdES B-T too: with TSA_URL set, the provider's detached CMS is given an RFC 3161 token
// (signatureTimeStampToken over its SignerInfo's signature value) before it is embedded, as our own signatures are.
// The provider is the simulator (tools/remote-signing-sim), the TSA real OpenSSL (`openssl ts -reply`) behind a tiny
// HTTP server (test/helpers/local-tsa.ts, as in signing-tsa.test.ts); both CAs are trust anchors, so the verifier
// checks the token and reports its time. A TSA failing at sealing time leaves the request pending (retried) until it
// answers again.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { addSignatureTimestamp } from '../../src/signing/cms.js';
import { extractCms, parseCertificates, verifyPdfSignatures } from '../../src/signing/verify-pdf.js';
import { startRemoteSigningSimulator, type RemoteSigningSimulator } from '../../tools/remote-signing-sim/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { startLocalTsa, type LocalTsa } from '../helpers/local-tsa.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const HOLDER_ID = '038090002222';
type Asn1 = forge.asn1.Asn1;

/** The unsigned attributes' types of each signature's SignerInfo (OIDs). */
function unsignedAttributeTypes(cms: Buffer): string[] {
  const root = forge.asn1.fromDer(cms.toString('binary'));
  const signedData = ((root.value as Asn1[])[1]!.value as Asn1[])[0]!;
  const signerInfo = ((signedData.value as Asn1[]).at(-1)!.value as Asn1[])[0]!;
  const unsigned = (signerInfo.value as Asn1[]).find((f) => f.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && f.type === 1);
  return ((unsigned?.value as Asn1[] | undefined) ?? []).map((a) => forge.asn1.derToOid((a.value as Asn1[])[0]!.value as string));
}

describe('remote signing with a TSA configured (PAdES B-T)', () => {
  let sim: RemoteSigningSimulator;
  let env: TestEnvironment;
  let api: ApiClient;
  let dir: string;
  let tsa: LocalTsa;
  let token: string;

  beforeAll(async () => {
    tsa = await startLocalTsa('motcua-remote-tsa-');
    dir = tsa.dir;
    const tsaUrl = tsa.url;
    const at = (f: string) => path.join(dir, f);

    sim = await startRemoteSigningSimulator({
      clientId: 'motcua-test', clientSecret: 'bi-mat-thu-nghiem', holders: [{ userId: HOLDER_ID, name: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' }],
    });
    // The provider's CA (the official's certificate) and the TSA's root (the tokens) are both trusted.
    await writeFile(at('anchors.pem'), `${sim.caCertificatePem.trim()}\n${(await readFile(at('ca.pem'), 'utf8')).trim()}\n`);
    env = await startTestEnvironment('production', {
      env: {
        REMOTE_SIGNING_URL: sim.url, REMOTE_SIGNING_CLIENT_ID: 'motcua-test', REMOTE_SIGNING_CLIENT_SECRET: 'bi-mat-thu-nghiem',
        REMOTE_SIGNING_POLL_MS: '50', TRUST_ANCHORS: at('anchors.pem'), TSA_URL: tsaUrl,
      },
    });
    api = await listenForHttp(env);
    await insertStaff(env.ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    token = await api.login('giamdoc');
    const form = new FormData();
    form.append('staff', 'giamdoc');
    form.append('remoteHolderId', HOLDER_ID);
    expect((await api.json('POST', '/api/admin/keys', { token: await api.login('admin'), form })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
    await sim?.close();
    await tsa?.close();
  });

  const status = (id: string) => api.json('GET', `/api/signatures/remote/${id}`, { token });
  const ended = (id: string) => eventually(async () => {
    const s = await status(id);
    return s.body.status !== 'pending' && s.body.counts.pending === 0 ? s.body : undefined;
  }, 30_000);

  /** A result approved by the official and sent for their remote signature; the provider's transaction. */
  const sentForRemote = async () => {
    const waiting = await dossierAwaitingApproval(env.ctx);
    expect((await api.act(waiting.code, 'approve', token, { version: waiting.version })).body.status).toBe('signing');
    const started = await eventually(async () => {
      const response = await api.json('POST', '/api/signatures/remote', { token, json: { codes: [waiting.code] } });
      return response.status === 202 ? response.body as { requestId: string; transactionId: string } : undefined;
    });
    return { code: waiting.code, ...started };
  };
  const resultOf = async (code: string) => Buffer.from(await (await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token })).arrayBuffer());
  const anchors = async () => [...parseCertificates(sim.caCertificatePem), ...parseCertificates(await readFile(path.join(dir, 'ca.pem'), 'utf8'))];

  it("the official's remote signature carries a verified timestamp; pdfsig and the verifier accept the result", async () => {
    const { code, requestId, transactionId } = await sentForRemote();
    const before = tsa.requests;
    sim.confirm(transactionId);
    expect(await ended(requestId)).toMatchObject({ status: 'confirmed', counts: { signed: 1, failed: 0 } });
    await eventually(async () => ((await findDossierByCode(env.ctx.db, code))?.status === 'result_ready' ? true : undefined));
    // One token for the official's signature, one for the agency's seal.
    expect(tsa.requests - before).toBeGreaterThanOrEqual(2);

    const pdf = await resultOf(code);
    const report = verifyPdfSignatures(pdf, await anchors());
    expect(report.intact).toBe(true);
    const leader = report.signatures.find((s) => s.signer === 'Lê Thị Phương')!;
    expect(leader.valid).toBe(true);
    expect(leader.problems).toEqual([]);
    expect(Math.abs(Date.parse(leader.timestampedAt!) - Date.now())).toBeLessThan(5 * 60_000);
    // The provider's CMS itself had no token: the one there is ours.
    const leaderIndex = report.signatures.indexOf(leader);
    expect(unsignedAttributeTypes(extractCms(pdf)[leaderIndex]!)).toEqual(['1.2.840.113549.1.9.16.2.14']);
    // Without the TSA's root among the anchors the time is not vouched for (the check above is not vacuous).
    expect(verifyPdfSignatures(pdf, parseCertificates(sim.caCertificatePem)).signatures[leaderIndex]!.timestampedAt).toBeNull();

    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out).toMatch(/Common Name: Lê Thị Phương\n[\s\S]*?Signature is Valid\./);
  });

  it('the TSA away at sealing time: the request stays pending and is sealed, timestamped, once it answers', async () => {
    const { code, requestId, transactionId } = await sentForRemote();
    tsa.down = true;
    try {
      sim.confirm(transactionId);
      // Received and kept, but not sealed: the reason is shown while it is retried.
      const waiting = await eventually(async () => {
        const s = (await status(requestId)).body;
        return s.status === 'pending' && s.error ? s : undefined;
      }, 30_000);
      expect(waiting.counts).toMatchObject({ pending: 1, signed: 0 });
      expect((await findDossierByCode(env.ctx.db, code))?.status).not.toBe('result_ready');
    } finally {
      tsa.down = false;
    }
    expect(await ended(requestId)).toMatchObject({ status: 'confirmed', counts: { signed: 1, failed: 0 } });
    await eventually(async () => ((await findDossierByCode(env.ctx.db, code))?.status === 'result_ready' ? true : undefined));
    const report = verifyPdfSignatures(await resultOf(code), await anchors());
    const leader = report.signatures.find((s) => s.signer === 'Lê Thị Phương')!;
    expect(leader.valid).toBe(true);
    expect(leader.timestampedAt).not.toBeNull();
  });

  it('addSignatureTimestamp does not stamp a CMS twice: one carrying a token comes back as it is, the TSA not asked', async () => {
    const { code } = await (async () => {
      const s = await sentForRemote();
      sim.confirm(s.transactionId);
      await ended(s.requestId);
      await eventually(async () => ((await findDossierByCode(env.ctx.db, s.code))?.status === 'result_ready' ? true : undefined));
      return s;
    })();
    const pdf = await resultOf(code);
    const stamped = extractCms(pdf).find((cms) => unsignedAttributeTypes(cms).length > 0)!;
    let asked = 0;
    expect((await addSignatureTimestamp(stamped, async () => { asked++; return Buffer.alloc(0); })).equals(stamped)).toBe(true);
    expect(asked).toBe(0);
  });
});
