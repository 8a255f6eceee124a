// The national portal's inbound endpoint is reachable without a session (the portal authenticates by its HMAC): what a
// stranger, a signed-in user, a replayed capture or a portal serving hostile files can and cannot make it do. The
// "portal" here is a small server the test controls (redirects, endless bodies, silence), on real PostgreSQL + Redis.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossiers, nationalInboundMessages, storedFiles } from '../../src/db/schema/index.js';
import { signWire } from '../../tools/national-portal-sim/simulator.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { type ApiClient, listenForHttp } from '../helpers/http.js';

const SECRET = 'security-national-portal-secret-0123456789';
const PATH = '/api/national-portal/dossiers';

describe('national portal inbound: security', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let portal: Server;
  let portalUrl: string;
  let other: Server;
  let otherRequests = 0;
  /** File requests the portal got (the sync job's calls to it, which run in the background, are not counted). */
  const served: string[] = [];
  let pdf: Buffer;

  beforeAll(async () => {
    pdf = await makePdf('CCCD');
    other = createServer((_req, res) => { otherRequests += 1; res.end(pdf); });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    // A portal that misbehaves on purpose, by path.
    portal = createServer((req, res) => {
      if (req.url?.startsWith('/files/')) served.push(req.url);
      if (req.url === '/files/redirect.pdf') { res.writeHead(302, { location: `${otherUrl}/cccd.pdf` }); res.end(); return; }
      if (req.url === '/files/endless.pdf') {
        // No Content-Length, more than the upload limit (1 MB here), sent in chunks.
        res.writeHead(200, { 'content-type': 'application/pdf' });
        const chunk = Buffer.concat([pdf, Buffer.alloc(256 * 1024, 0x20)]);
        let sent = 0;
        const write = () => { while (sent < 40 && res.write(chunk)) sent += 1; if (sent < 40) res.once('drain', write); else res.end(); };
        write();
        return;
      }
      if (req.url === '/files/silent.pdf') return; // never answers
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(pdf);
    });
    await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
    env = await startTestEnvironment('production', {
      env: { NATIONAL_PORTAL_URL: portalUrl, NATIONAL_PORTAL_SECRET: SECRET, NATIONAL_PORTAL_TIMEOUT_MS: '1500', MAX_UPLOAD_MB: '1', MAX_UPLOAD_FILES: '3',
        // The per-contact filing limit on: it is not this channel's (the portal authenticated the citizen).
        INTAKE_CONTACT_HOURLY_LIMIT: '1', INTAKE_CONTACT_DAILY_LIMIT: '1' },
    });
    api = await listenForHttp(env);
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    for (const server of [portal, other]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
  });

  let serial = 0;
  const message = (file = '/files/cccd.pdf') => {
    serial += 1;
    const { applicantName, ...form } = diplomaRequest('Đỗ Minh An');
    return JSON.stringify({
      MaHoSo: `SEC-${Date.now()}-${serial}`, MaTTHC: '1.005092.000.00.00.H56', NgayNopHoSo: '20261201080000', ChuHoSo: applicantName,
      DuLieuBieuMau: { ...form, applicantName }, TaiLieuNop: [{ MaThanhPhanHoSo: 'identity', TenTepDinhKem: 'cccd.pdf', DuongDanTaiTepTin: `${portalUrl}${file}` }],
    });
  };
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${api.baseUrl}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const dossierCount = async () => (await env.ctx.db.select({ n: count() }).from(dossiers).where(eq(dossiers.channel, 'national')))[0]!.n;

  it('is closed to anyone without the portal signature, staff sessions included', async () => {
    const admin = await api.login('admin');
    const body = message();
    for (const headers of [{}, { authorization: `Bearer ${admin}` } as Record<string, string>, { 'x-portal-timestamp': String(Math.floor(Date.now() / 1000)), 'x-portal-signature': 'f'.repeat(64) }]) {
      const response = await post(body, headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NATIONAL_SIGNATURE_INVALID');
    }
    // A signature made for another path (or method) does not carry over.
    const elsewhere = await post(body, signWire(SECRET, 'POST', '/api/national-portal/other', body));
    expect(elsewhere.status).toBe(401);
    expect(await dossierCount()).toBe(0);
    expect(served).toEqual([]);
  });

  it('a captured request replayed inside the window creates nothing new; outside it is refused', async () => {
    const body = message();
    const headers = signWire(SECRET, 'POST', PATH, body);
    expect((await post(body, headers)).status).toBe(201);
    const replayed = await post(body, headers);
    expect(replayed.status).toBe(200);
    expect(await dossierCount()).toBe(1);
    const old = await post(body, signWire(SECRET, 'POST', PATH, body, new Date(Date.now() - 6 * 60_000)));
    expect(old.status).toBe(401);
    const future = await post(body, signWire(SECRET, 'POST', PATH, body, new Date(Date.now() + 6 * 60_000)));
    expect(future.status).toBe(401);
  });

  it('does not hold the portal\'s citizens to the per-contact filing limit (one an hour here)', async () => {
    // The contact files here once: the limit is reached, a second online filing is refused.
    const form = { ...diplomaRequest('Đỗ Minh An') };
    const upload = [{ field: 'identity', name: 'cccd.pdf', data: pdf, type: 'application/pdf' }];
    expect((await api.submit('diploma-copy', form, upload)).status).toBe(201);
    expect((await api.submit('diploma-copy', form, upload)).status).toBe(429);
    // The same contact through the portal is taken every time.
    const before = await dossierCount();
    for (let i = 0; i < 3; i += 1) {
      const body = message();
      expect((await post(body, signWire(SECRET, 'POST', PATH, body))).status).toBe(201);
    }
    expect(await dossierCount()).toBe(before + 3);
  });

  it('does not follow a portal redirect to another server, and bounds what it reads and how long it waits', async () => {
    const before = await dossierCount();
    const files = (await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n;
    for (const [file, hint] of [['/files/redirect.pdf', /không kết nối|HTTP 302/], ['/files/endless.pdf', /lớn hơn 1 MB/], ['/files/silent.pdf', /quá thời gian/]] as const) {
      const body = message(file);
      const started = Date.now();
      const response = await post(body, signWire(SECRET, 'POST', PATH, body));
      expect(response.status, file).toBe(424);
      const { error } = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(error.code).toBe('NATIONAL_ATTACHMENT_UNAVAILABLE');
      expect(error.fields['TaiLieuNop[0].DuongDanTaiTepTin']).toMatch(hint);
      expect(Date.now() - started, file).toBeLessThan(10_000);
    }
    expect(otherRequests).toBe(0);
    expect(await dossierCount()).toBe(before);
    expect((await env.ctx.db.select({ n: count() }).from(storedFiles))[0]!.n).toBe(files);
    // Every refusal is in the log.
    const refused = await env.ctx.db.select({ n: count() }).from(nationalInboundMessages).where(eq(nationalInboundMessages.errorCode, 'NATIONAL_ATTACHMENT_UNAVAILABLE'));
    expect(refused[0]!.n).toBe(3);
  });

  it('downloads no more files than an upload may carry', async () => {
    const requests = served.length;
    const body = JSON.stringify({ ...JSON.parse(message()), TaiLieuNop: Array.from({ length: 4 }, (_, i) => ({
      MaThanhPhanHoSo: 'diplomaScan', TenTepDinhKem: `bang-${i}.pdf`, DuongDanTaiTepTin: `${portalUrl}/files/bang-${i}.pdf`,
    })) });
    const response = await post(body, signWire(SECRET, 'POST', PATH, body));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_FILES');
    expect(served.length).toBe(requests);
  });

  it('refuses a body over 1 MB before reading it as JSON, and never answers 5xx to junk', async () => {
    const big = JSON.stringify({ MaHoSo: 'BIG', pad: 'x'.repeat(1024 * 1024 + 10) });
    const tooBig = await post(big, signWire(SECRET, 'POST', PATH, big));
    expect(tooBig.status).toBe(413);
    for (const junk of ['', 'null', '[]', '"text"', '{"MaHoSo": {"$gt": ""}}', '{"__proto__": {"admin": true}, "MaHoSo": "P"}', `{"DuLieuBieuMau": ${'['.repeat(5000)}${']'.repeat(5000)}}`]) {
      const response = await post(junk, signWire(SECRET, 'POST', PATH, junk));
      expect(response.status, junk.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(response.status, junk.slice(0, 40)).toBeLessThan(500);
    }
  });
});
