// Batch signing with a PIN-locked key: an admin uploads the official's PKCS#12 with a PIN; each approved result
// waits for that PIN; one batch call signs 100 of them, each dossier moving on by itself, and a bad entry in
// the middle fails alone. A wrong PIN signs nothing.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { verifyDocument } from '../../src/services/results/verify-document.js';
import { createPinLeader } from '../helpers/pin-leader.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { pdfsig } from '../helpers/pdf-tools.js';

const BATCH = 100;
const PIN = '246810';

describe('batch signing with a PIN-locked key', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let token: string;
  const codes: string[] = [];

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    const form = await createPinLeader(env, PIN);
    const admin = await api.login('admin');
    const registered = await api.json('POST', '/api/signing-keys', { token: admin, form });
    expect(registered.status).toBe(201);
    expect(registered.body.mode).toBe('pin');
    // Only an admin manages keys.
    expect((await api.json('POST', '/api/signing-keys', { token: await api.login('leader'), form })).status).toBe(403);

    token = await api.login('pgd');
    const leader = await staffCaller(env.ctx, 'pgd');
    for (let i = 0; i < BATCH; i++) {
      const waiting = await dossierAwaitingApproval(env.ctx);
      await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: leader, version: waiting.version });
      codes.push(waiting.code);
    }
    await eventually(async () => {
      const pending = await api.json('GET', '/api/signatures/pending', { token });
      return pending.body.items.filter((i: { waitingFor: string }) => i.waitingFor === 'pin').length === BATCH ? true : undefined;
    }, 120_000, 250);
  }, 240_000);
  afterAll(async () => { await env?.close(); });

  it('a wrong PIN signs nothing', async () => {
    const wrong = await api.json('POST', '/api/signatures/batch', { token, json: { codes, pin: '000000' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('SIGNING_PIN_INVALID');
    expect((await findDossierByCode(env.ctx.db, codes[0]!))?.status).toBe('signing');
  });

  it(`signs ${BATCH} results in one call; a bad entry in the middle fails alone`, async () => {
    const withBad = [...codes.slice(0, 50), 'KHONG-TON-TAI', ...codes.slice(50)];
    const { status, body } = await api.json('POST', '/api/signatures/batch', { token, json: { codes: withBad, pin: PIN } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ signed: BATCH, failed: 1 });
    expect(body.results[50]).toMatchObject({ code: 'KHONG-TON-TAI', ok: false, error: { code: 'DOSSIER_NOT_FOUND' } });
    expect(body.results.filter((r: { ok: boolean; status?: string }) => r.ok && r.status === 'result_ready')).toHaveLength(BATCH);

    // Each one moved on and carries a valid, distinct result.
    const hashes = new Set<string>();
    for (const code of codes) {
      const dossier = (await findDossierByCode(env.ctx.db, code))!;
      expect(dossier.status).toBe('result_ready');
      const issued = (await findIssuedDocument(env.ctx.db, dossier.id, 'result'))!;
      const pdf = await readStoredFile(env.ctx.db, issued.storageKey);
      hashes.add(createHash('sha256').update(pdf).digest('hex'));
      const verdict = await verifyDocument(env.ctx, pdf);
      expect(verdict).toMatchObject({ valid: true, dossierCode: code });
      expect(verdict.signatures.map((s) => s.signer)).toEqual(['Đỗ Minh Tuấn', 'Sở Giáo dục và Đào tạo Thanh Hóa']);
    }
    expect(hashes.size).toBe(BATCH);
    const sample = await readStoredFile(env.ctx.db, (await findIssuedDocument(env.ctx.db, (await findDossierByCode(env.ctx.db, codes[99]!))!.id, 'result'))!.storageKey);
    expect((await pdfsig(sample)).match(/Signature is Valid/g)).toHaveLength(2);

    // Signing again is refused per dossier (nothing pending), not a crash.
    const again = await api.json('POST', '/api/signatures/batch', { token, json: { codes: codes.slice(0, 2), pin: PIN } });
    expect(again.body).toMatchObject({ signed: 0, failed: 2 });
    expect(again.body.results[0].error.code).toBe('SIGNING_NOT_PENDING');
  }, 120_000);
});
