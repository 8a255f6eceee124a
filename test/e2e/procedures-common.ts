// Shared by the procedures-*.test.ts files: a listening test app, staff logins, uploads, and stepping a dossier
// through actions over real HTTP while checking each answer.
import { expect } from 'vitest';
import { startTestEnvironment, type Mode, type TestEnvironment } from '../helpers/context.js';
import { makePdf, makePng } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp, type Upload } from '../helpers/http.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';

export interface Harness { env: TestEnvironment; api: ApiClient; tokens: Record<string, string> }

export async function startHarness(mode: Mode, usernames: string[]): Promise<Harness> {
  const env = await startTestEnvironment(mode);
  const api = await listenForHttp(env);
  const tokens: Record<string, string> = {};
  for (const u of usernames) tokens[u] = await api.login(u);
  return { env, api, tokens };
}

export async function uploads(keys: string[]): Promise<Upload[]> {
  const pdf = await makePdf('Giay to');
  return keys.map((key, i) => (i % 2 === 0
    ? { field: key, name: `${key}.pdf`, data: pdf, type: 'application/pdf' }
    : { field: key, name: `${key}.png`, data: makePng(), type: 'image/png' }));
}

/** Takes an action and expects it to succeed, landing in `status`; returns the new version. `who`: a username or a tracking token. */
export async function step(h: Harness, code: string, action: string, who: string, version: number, status: string, extra: { comment?: string; data?: unknown } = {}): Promise<number> {
  const res = await h.api.act(code, action, h.tokens[who] ?? who, { version, ...extra });
  expect(res.body, `${action} by ${who}`).toMatchObject({ status, version: version + 1 });
  return res.body.version as number;
}

export async function view(h: Harness, code: string, token: string) {
  return h.api.json('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token });
}

export async function inboxCodes(h: Harness, who: string): Promise<string[]> {
  const res = await h.api.json('GET', '/api/inbox', { token: h.tokens[who]! });
  expect(res.status).toBe(200);
  return res.body.map((d: { code: string }) => d.code);
}

/** Waits for the signing job, then downloads the result and returns its text and pdfsig output. */
export async function signedResult(h: Harness, code: string, trackingToken: string): Promise<{ version: number; text: string; signature: string }> {
  const ready = await eventually(async () => {
    const v = await view(h, code, trackingToken);
    return v.body.status === 'result_ready' ? v.body : undefined;
  });
  const download = await h.api.request('GET', `/api/dossiers/${encodeURIComponent(code)}/result`, { token: trackingToken });
  expect(download.status).toBe(200);
  const pdf = Buffer.from(await download.arrayBuffer());
  // DUMP_RESULT_PDF=/tmp/x.pdf keeps the last result for a look with pdftotext/pdffonts when an assertion fails.
  if (process.env.DUMP_RESULT_PDF) (await import('node:fs')).writeFileSync(process.env.DUMP_RESULT_PDF, pdf);
  return { version: ready.version, text: await pdfText(pdf), signature: await pdfsig(pdf) };
}

/** Two valid PAdES signatures, the official's then the organisation's seal, the seal covering the whole file. */
export function expectSignedAndSealed(pdfsigOutput: string, official: string, sealOrganisation: string): void {
  const blocks = pdfsigOutput.split(/Signature #\d+:/).slice(1);
  expect(blocks).toHaveLength(2);
  for (const block of blocks) {
    expect(block).toContain('Signature is Valid');
    expect(block).toContain('ETSI.CAdES.detached');
  }
  expect(blocks[0]).toContain(official);
  expect(blocks[1]).toContain(sealOrganisation);
  expect(blocks[1]).toContain('Total document signed');
}
