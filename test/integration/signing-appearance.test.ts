// The visible signature (Decree 30): the signer block shows who signed, their title, the organisation and the
// signing time in Vietnam time (ISO 8601, +07:00, the same instant as the signature's /M), plus the signature
// image and the seal image an admin configured.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { verifyDocument } from '../../src/services/results/verify-document.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { makePng } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { pdfText } from '../helpers/pdf-tools.js';

const run = promisify(execFile);

async function imageCount(pdf: Buffer): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-img-'));
  try {
    await writeFile(path.join(dir, 'a.pdf'), pdf);
    const { stdout } = await run('pdfimages', ['-list', path.join(dir, 'a.pdf')]);
    return stdout.trim().split('\n').length - 2; // two header lines
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('visible signature appearance', () => {
  let env: TestEnvironment;
  let api: ApiClient;

  beforeAll(async () => {
    env = await startTestEnvironment('embedded');
    api = await listenForHttp(env);
  });
  afterAll(async () => { await env?.close(); });

  const issue = async () => {
    const waiting = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
    const dossier = await eventually(async () => {
      const d = await findDossierByCode(env.ctx.db, waiting.code);
      return d?.status === 'result_ready' ? d : undefined;
    });
    return readStoredFile(env.ctx.db, (await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!.storageKey);
  };

  it('prints signer, title, organisation and Vietnam time for the leader and the seal', async () => {
    const pdf = await issue();
    const text = (await pdfText(pdf)).replace(/[ \t]+/g, ' ');
    expect(text).toContain('Ký bởi: Nguyễn Đức Thắng');
    expect(text).toContain('Chức vụ: Phó Giám đốc');
    expect(text).toContain('Cơ quan: Sở Giáo dục và Đào tạo');
    const times = [...text.matchAll(/Thời gian ký: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)/g)].map((m) => m[1]!);
    expect(times).toHaveLength(2);
    // The stamp and the signature's /M are the same instant.
    const verdict = await verifyDocument(env.ctx, pdf);
    expect(verdict.valid).toBe(true);
    expect(new Date(times[0]!).toISOString()).toBe(verdict.signatures[0]!.signedAt);
  });

  it('adds the configured signature and seal images; only an admin configures them', async () => {
    const without = await imageCount(await issue());
    const admin = await api.login('admin');
    const upload = async (owner: Record<string, string>, token = admin, image = makePng()) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(owner)) form.append(k, v);
      form.append('image', new Blob([image], { type: 'image/png' }), 'image.png');
      return api.json('POST', '/api/signing-appearances', { token, form });
    };
    expect((await upload({ staff: 'leader' }, await api.login('leader'))).status).toBe(403);
    expect((await upload({ staff: 'leader' }, admin, Buffer.from('GIF89a not a png'))).status).toBe(422);
    expect((await upload({ staff: 'leader' })).status).toBe(201);
    expect((await upload({ unit: 'so-gddt' })).status).toBe(201);
    const withImages = await issue();
    expect(await imageCount(withImages)).toBe(without + 2);
    expect((await verifyDocument(env.ctx, withImages)).valid).toBe(true);
  });
});
