// "Ký bằng USB token" in chromium: the official's dossier page talks to the local signing agent (the stand-in under
// tools/signing-agent, run in --serve mode as its own process on a free port, SIGNING_AGENT_URL of the server under
// test). With no agent the page says so in Vietnamese and the dossier waits; with the agent running, one click
// signs, uploads, and the page reloads on the sealed result. The server's PUBLIC_URL is its real address here, since
// the agent fetches the one-time URLs the page hands it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/passwords.js';
import { insertStaff } from '../../../src/db/repositories/staff.js';
import { issueCertificate } from '../../../src/signing/keys.js';
import { createPkcs12 } from '../../../src/signing/pkcs12.js';
import { firstPage, launchBrowser, requireChromium, screenshot, seriousViolations, signInStaff, type Browser } from '../../helpers/browser.js';
import { startTestEnvironment, type TestEnvironment } from '../../helpers/context.js';
import { dossierAwaitingExternalSignature } from '../../helpers/dossiers.js';
import { ApiClient } from '../../helpers/http.js';
import { freePort } from '../../helpers/own-services.js';
import { pdfsig } from '../../helpers/pdf-tools.js';

const PROJECT = path.resolve(import.meta.dirname, '../../..');
const AGENT = path.join(PROJECT, 'tools/signing-agent/agent.ts');
const TSX = path.join(PROJECT, 'node_modules/.bin/tsx');

describe('signing with a USB token from the dossier page (chromium + local agent)', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let base: string;
  let agentPort: number;
  let tmp: string;
  let p12File: string;
  let token: string;
  let browser: Browser;
  let page: Page;
  let agent: ChildProcess | undefined;

  const awaitingOfficial = () => dossierAwaitingExternalSignature(env.ctx, api, token);
  const status = async (code: string) => (await api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token })).body.status as string;

  beforeAll(async () => {
    requireChromium();
    const [serverPort, port] = [await freePort(), await freePort()];
    agentPort = port;
    base = `http://127.0.0.1:${serverPort}`;
    env = await startTestEnvironment('production', { env: { PUBLIC_URL: base, SIGNING_AGENT_URL: `http://127.0.0.1:${agentPort}` } });
    await env.app.listen({ port: serverPort, host: '127.0.0.1' });
    api = new ApiClient(base);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'motcua-agent-browser-'));
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    const ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
    const official = await issueCertificate(ca, { commonName: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: 'Giám đốc' });
    p12File = path.join(tmp, 'token.p12');
    await writeFile(p12File, createPkcs12(official.privateKeyPem, official.certificatePem, [ca.certificatePem], 'mat-khau-token'));
    await insertStaff(env.ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    const form = new FormData();
    form.append('staff', 'giamdoc');
    form.append('certificate', official.certificatePem);
    form.append('chain', ca.certificatePem);
    expect((await api.json('POST', '/api/signing-keys', { token: await api.login('admin'), form })).body.mode).toBe('external');
    token = await api.login('giamdoc');

    browser = await launchBrowser();
    page = await firstPage(browser);
    await signInStaff(page, base, 'giamdoc');
  }, 60_000);
  afterAll(async () => {
    agent?.kill('SIGTERM');
    await browser?.close();
    await env?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('with no agent running, the page says so in Vietnamese and the dossier keeps waiting', async () => {
    const code = await awaitingOfficial();
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    const box = page.getByTestId('agent-signing');
    await expect.poll(() => box.getByRole('status').textContent()).toContain('Không kết nối được phần mềm ký trên máy tính này');
    const button = box.getByRole('button', { name: 'Ký bằng USB token' });
    await expect.poll(() => button.isEnabled()).toBe(true);
    await button.click();
    await expect.poll(() => box.getByRole('alert').textContent())
      .toBe(`Không kết nối được phần mềm ký trên máy tính này (http://127.0.0.1:${agentPort}). Hãy cắm USB token, kiểm tra phần mềm ký số `
        + 'đã được cài đặt và đang chạy, rồi bấm "Ký bằng USB token" lại.');
    expect(await button.isEnabled()).toBe(true);
    expect(await status(code)).toBe('signing');
    await screenshot(page, 'agent-signing-no-agent');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('with the agent running, one click signs and uploads; the page reloads on the sealed result', async () => {
    const code = await awaitingOfficial();
    agent = spawn(TSX, [AGENT, '--serve', String(agentPort), '--p12', p12File, '--password', 'mat-khau-token', '--origin', base],
      { cwd: PROJECT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      agent!.stdout!.once('data', () => resolve());
      agent!.once('exit', () => reject(new Error('agent exited')));
    });
    await page.goto(`${base}/can-bo/ho-so/${encodeURIComponent(code)}`);
    const box = page.getByTestId('agent-signing');
    await expect.poll(() => box.getByRole('status').textContent()).toBe('Phần mềm ký đã sẵn sàng (chứng thư: Lê Thị Phương).');
    await screenshot(page, 'agent-signing-ready');
    expect(await seriousViolations(page)).toEqual([]);
    const reloaded = page.waitForEvent('load');
    await box.getByRole('button', { name: 'Ký bằng USB token' }).click();
    await reloaded;
    await expect.poll(() => page.getByRole('link', { name: 'Tải PDF đã ký' }).count()).toBe(1);
    expect(await page.getByTestId('agent-signing').count()).toBe(0);
    expect(await status(code)).toBe('result_ready');
    const pdf = Buffer.from(await (await api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token })).arrayBuffer());
    const out = await pdfsig(pdf);
    expect(out.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out).toMatch(/Signature #1:[\s\S]*Lê Thị Phương/);
    await screenshot(page, 'agent-signing-signed');
  });
});
