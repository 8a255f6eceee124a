// Fetching revocation data without becoming a proxy into the server's network: which addresses a request may reach
// (link-local and metadata never; loopback and private ones only when allowed), how many requests one document may
// cause, and which answers are fresh enough to embed (assertFresh).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { collectValidationData, MAX_FETCHES_PER_DOCUMENT, type CollectionPolicy } from '../../src/signing/ltv.js';
import {
  assertFresh, blockedAddress, createCrl, fetchCrl, OCSP_WITHOUT_NONCE_MAX_AGE_MS, RevocationError, type RevocationEvidence,
} from '../../src/signing/revocation.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import { extractCms } from '../../src/signing/verify-pdf.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('where a revocation request may go', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from('crl bytes'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('classifies addresses: link-local and metadata always refused, private ones only without allowPrivateNetworks', () => {
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd00:ec2::254', 'fe80::1']) {
      expect(blockedAddress(address, true)).toMatch(/link-local or metadata/);
    }
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fd12::1', '::ffff:127.0.0.1']) {
      expect(blockedAddress(address, false)).toMatch(/private or loopback/);
      expect(blockedAddress(address, true)).toBeNull();
    }
    for (const address of ['203.162.4.190', '2001:db8::1', '172.32.0.1']) expect(blockedAddress(address, false)).toBeNull();
  });

  it('refuses the metadata service and, by default, loopback — by literal address and by a name that resolves to it — without connecting', async () => {
    hits = 0;
    const strict = { timeoutMs: 2000, allowPrivateNetworks: false };
    await expect(fetchCrl('http://169.254.169.254/latest/meta-data/', { ...strict, allowPrivateNetworks: true })).rejects.toThrow(/link-local or metadata/);
    await expect(fetchCrl('http://[fd00:ec2::254]/latest/', { ...strict, allowPrivateNetworks: true })).rejects.toThrow(/link-local or metadata/);
    await expect(fetchCrl(`http://127.0.0.1:${port}/ca.crl`, strict)).rejects.toThrow(/private or loopback/);
    await expect(fetchCrl(`http://localhost:${port}/ca.crl`, strict)).rejects.toThrow(/private or loopback/);
    await expect(fetchCrl(`ftp://127.0.0.1:${port}/ca.crl`, { ...strict, allowPrivateNetworks: true })).rejects.toThrow(/only http and https/);
    expect(hits).toBe(0);
    // Allowed (REVOCATION_PRIVATE_NETWORKS=allow): the same server answers, by address and by name.
    const allowed = { timeoutMs: 2000, allowPrivateNetworks: true };
    expect((await fetchCrl(`http://127.0.0.1:${port}/ca.crl`, allowed)).toString()).toBe('crl bytes');
    expect((await fetchCrl(`http://localhost:${port}/ca.crl`, allowed)).toString()).toBe('crl bytes');
    expect(hits).toBe(2);
  });

  it('follows no redirect and gives up after the timeout', async () => {
    const slow = createServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      // '/slow' never answers.
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const address = slow.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      await expect(fetchCrl(`${base}/redirect`, { timeoutMs: 2000, allowPrivateNetworks: true })).rejects.toThrow(/HTTP 302/);
      const started = Date.now();
      await expect(fetchCrl(`${base}/slow`, { timeoutMs: 300, allowPrivateNetworks: true })).rejects.toThrow(/did not answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('requests one document may cause', () => {
  let ca: CertificateAndKey;
  let cmsList: Buffer[];
  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'CA Sở', organisation: 'Sở GD&ĐT' });
    const unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'U-2', documentNumber: '2/KQ', verifyUrl: 'http://motcua.test/verify/U-2',
      issuer: { parentName: 'UBND', agencyName: 'Sở' }, place: 'Thanh Hóa', issuedAt: new Date(), signer: { name: 'Lê Văn Bình', title: 'PGĐ' }, recipients: [], context: {},
    });
    cmsList = [];
    for (let i = 0; i < 3; i++) {
      const leaf = await issueCertificate(ca, { commonName: `Người ký ${i}`, organisation: 'Sở', ocspUrl: `http://ocsp.test/${i}`, crlUrl: `http://crl.test/${i}.crl` });
      cmsList.push(...extractCms(await signPdf(unsigned, { key: createPrivateKey(leaf.privateKeyPem), certificatePem: leaf.certificatePem, chainPem: [ca.certificatePem], name: `Người ký ${i}` })));
    }
  });

  it('stops at the budget instead of going on fetching, and says so', async () => {
    const asked: string[] = [];
    const failing = {
      ocsp: async (url: string) => { asked.push(url); throw new RevocationError('down'); },
      crl: async (url: string) => { asked.push(url); throw new RevocationError('down'); },
    };
    const policy: CollectionPolicy = { anchors: [new X509Certificate(ca.certificatePem)], registered: [], now: new Date(), maxAgeMs: 7 * DAY, maxFetches: 4 };
    // Each signer's sources all fail, so the first signer already blocks the document: two requests.
    await expect(collectValidationData(cmsList, failing, policy)).rejects.toThrow(/no revocation data for "Người ký 0"/);
    expect(asked).toEqual(['http://ocsp.test/0', 'http://crl.test/0.crl']);
    // Responders down, CRLs fine: two requests a signer; the third signer would need a fifth and a sixth.
    asked.length = 0;
    const crl = createCrl(ca.certificatePem, createPrivateKey(ca.privateKeyPem), { thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + DAY), number: 1n });
    const crlsOnly = { ocsp: failing.ocsp, crl: async (url: string) => { asked.push(url); return crl; } };
    await expect(collectValidationData(cmsList, crlsOnly, policy)).rejects.toThrow(/more than 4 revocation requests for one document/);
    expect(asked).toEqual(['http://ocsp.test/0', 'http://crl.test/0.crl', 'http://ocsp.test/1', 'http://crl.test/1.crl']);
    // With room for all six, the same document gets its three CRLs.
    asked.length = 0;
    const collected = await collectValidationData(cmsList, crlsOnly, { ...policy, maxFetches: 6 });
    expect(collected.checked.map((c) => c.evidence.source)).toEqual(['crl', 'crl', 'crl']);
    expect(asked).toHaveLength(6);
    expect(MAX_FETCHES_PER_DOCUMENT).toBe(12);
  });
});

describe('assertFresh: what may be embedded now', () => {
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const evidence = (over: Partial<RevocationEvidence & { nonceEchoed: boolean }>) =>
    ({ source: 'ocsp', status: 'good', thisUpdate: ago(60_000), nextUpdate: null, revokedAt: null, nonceEchoed: true, ...over }) as RevocationEvidence & { nonceEchoed: boolean };
  const fresh = (over: Partial<RevocationEvidence & { nonceEchoed: boolean }>, maxAge = 7 * DAY) => {
    try {
      assertFresh(evidence(over), now, maxAge);
      return true;
    } catch (error) {
      if (error instanceof RevocationError) return false;
      throw error;
    }
  };

  it('with nextUpdate: fresh until it passes', () => {
    expect(fresh({ thisUpdate: ago(3 * DAY), nextUpdate: new Date(now.getTime() + HOUR), nonceEchoed: false })).toBe(true);
    expect(fresh({ thisUpdate: ago(3 * DAY), nextUpdate: ago(HOUR) })).toBe(false);
    expect(fresh({ source: 'crl', thisUpdate: ago(6 * DAY), nextUpdate: ago(HOUR) })).toBe(false);
    expect(fresh({ source: 'crl', thisUpdate: ago(HOUR), nextUpdate: new Date(now.getTime() + DAY) })).toBe(true);
  });

  it('without nextUpdate: within the configured age, and within an hour for an OCSP answer that does not echo our nonce', () => {
    expect(fresh({ thisUpdate: ago(2 * DAY) })).toBe(true);
    expect(fresh({ thisUpdate: ago(8 * DAY) })).toBe(false);
    expect(fresh({ thisUpdate: ago(2 * DAY) }, DAY)).toBe(false);
    expect(fresh({ source: 'crl', thisUpdate: ago(6 * DAY), nonceEchoed: false })).toBe(true);
    expect(OCSP_WITHOUT_NONCE_MAX_AGE_MS).toBe(HOUR);
    expect(fresh({ thisUpdate: ago(30 * 60_000), nonceEchoed: false })).toBe(true);
    expect(fresh({ thisUpdate: ago(2 * HOUR), nonceEchoed: false })).toBe(false);
  });

  it('an answer from the future is refused; a revocation is never stale', () => {
    expect(fresh({ thisUpdate: new Date(now.getTime() + HOUR) })).toBe(false);
    expect(fresh({ status: 'revoked', revokedAt: ago(30 * DAY), thisUpdate: ago(20 * DAY), nextUpdate: ago(10 * DAY) })).toBe(true);
  });
});
