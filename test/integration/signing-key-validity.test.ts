// Signing keys whose certificate is out of date (expired, or not valid yet), stored straight through SignerKeys as a
// key left in place would be (the upload refuses them): the leader's approval is refused at once, the signing job
// refuses the leader's key and the Department's seal with SIGNING_KEY_EXPIRED and keeps retrying (not a permanent
// failure) until a valid key is registered, then signs; a PIN key is refused before its PIN is checked. A wrong PIN
// through batch signing is audited with the official's address. PostgreSQL + BullMQ.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { isPermanentFailure } from '../../src/jobs/registry.js';
import type { KeyOwner } from '../../src/services/keys/signer-keys.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { issueResult } from '../../src/services/results/issue-result.js';
import { issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';
import { certificateValid } from '../helpers/signing-tools.js';

const DAY_MS = 86_400_000;
const PIN = '135790';

describe('signing keys out of their validity', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let ca: CertificateAndKey;
  let leaderToken: string;

  const now = Date.now();
  const expired = () => certificateValid('Nguyen Duc Thang', new Date(now - 400 * DAY_MS), new Date(now - 3 * DAY_MS));
  const notYetValid = () => certificateValid('Nguyen Duc Thang', new Date(now + 3 * DAY_MS), new Date(now + 400 * DAY_MS));
  const valid = async (commonName: string) => ({ ...(await issueCertificate(ca, { commonName, organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' })), chainPem: [ca.certificatePem] });
  /** The owner's new active key, stored without the upload's checks. */
  const storeKey = (owner: KeyOwner, material: CertificateAndKey, pin?: string) => env.ctx.signerKeys.store(owner, material, pin);
  const leaderId = async () => (await findStaffByUsername(env.ctx.db, 'leader'))!.id;
  const status = async (code: string) => (await findDossierByCode(env.ctx.db, code))!.status;

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    api = await listenForHttp(env);
    const caDir = path.join(env.config.dataDir, 'demo-ca');
    ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
    leaderToken = await api.login('leader');
  });
  afterAll(async () => {
    await env?.close();
  });

  it("refuses the leader's approval while their own certificate is expired or not valid yet", async () => {
    const staffId = await leaderId();
    await storeKey({ staffId }, expired());
    const waiting = await dossierAwaitingApproval(env.ctx);
    const refused = await api.act(waiting.code, 'approve', leaderToken, { version: waiting.version });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('SIGNING_KEY_EXPIRED');
    expect(refused.body.error.message).toMatch(/^Chứng thư số của bạn đã hết hạn ngày \d{1,2}\/\d{1,2}\/\d{4}\. .*quản trị viên nạp chứng thư số mới\.$/);
    expect(await status(waiting.code)).toBe('awaiting_approval');

    await storeKey({ staffId }, notYetValid());
    const early = await api.act(waiting.code, 'approve', leaderToken, { version: waiting.version });
    expect([early.status, early.body.error.code]).toEqual([422, 'SIGNING_KEY_EXPIRED']);
    expect(early.body.error.message).toContain('chưa đến ngày hiệu lực');

    // A valid key again: the approval goes through and the result is signed.
    await storeKey({ staffId }, await valid('Nguyễn Đức Thắng'));
    expect((await api.act(waiting.code, 'approve', leaderToken, { version: waiting.version })).status).toBe(200);
    await eventually(async () => ((await status(waiting.code)) === 'result_ready' ? true : undefined), 30_000, 200);
  }, 60_000);

  it('the signing job refuses an expired seal or signer key, keeps retrying, and signs once a valid key is registered', async () => {
    await storeKey({ unitId: 'so-gddt' }, expired());
    const waiting = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version: waiting.version });
    const dossier = (await findDossierByCode(env.ctx.db, waiting.code))!;

    const sealRefusal = await issueResult(env.ctx, dossier.id, await leaderId()).catch((error: unknown) => error);
    expect(sealRefusal).toMatchObject({ code: 'SIGNING_KEY_EXPIRED', statusCode: 422 });
    expect((sealRefusal as Error).message).toContain('Chứng thư số của con dấu số đơn vị so-gddt đã hết hạn');
    // Retried like a missing key, not given up at once.
    expect(isPermanentFailure(sealRefusal)).toBe(false);

    // The leader's own key expiring after the approval: refused before the seal is even looked at.
    await storeKey({ staffId: await leaderId() }, expired());
    await expect(issueResult(env.ctx, dossier.id, await leaderId())).rejects.toMatchObject({
      code: 'SIGNING_KEY_EXPIRED', message: expect.stringContaining('Chứng thư số của người ký đã hết hạn'),
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await findIssuedDocument(env.ctx.db, dossier.id, 'result')).toBeUndefined();
    expect(await status(waiting.code)).not.toBe('result_ready');

    // Valid keys again: a later try of the job signs.
    await storeKey({ staffId: await leaderId() }, await valid('Nguyễn Đức Thắng'));
    await storeKey({ unitId: 'so-gddt' }, await valid('Sở Giáo dục và Đào tạo Thanh Hóa'));
    await eventually(async () => ((await status(waiting.code)) === 'result_ready' ? true : undefined), 60_000, 250);
  }, 90_000);

  it('refuses an expired PIN-locked key before checking its PIN (nothing counted), and audits a wrong PIN with the address', async () => {
    const staffId = await leaderId();
    await storeKey({ staffId }, await valid('Nguyễn Đức Thắng'), PIN);
    const waiting = await dossierAwaitingApproval(env.ctx);
    expect((await api.act(waiting.code, 'approve', leaderToken, { version: waiting.version })).status).toBe(200);
    await eventually(async () => {
      const pending = await api.json('GET', '/api/signatures/pending', { token: leaderToken });
      return pending.body.items.some((i: { code: string }) => i.code === waiting.code) ? true : undefined;
    }, 30_000, 200);

    // A wrong PIN through batch signing: audited with the official and the address of their request.
    const wrong = await api.json('POST', '/api/signatures/batch', { token: leaderToken, json: { codes: [waiting.code], pin: '000000' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'SIGNING_PIN_INVALID']);
    const [failure] = await listAuditEntries(env.ctx.db, { action: 'key.pin_failed', limit: 1 });
    expect(failure).toMatchObject({ actorName: 'Nguyễn Đức Thắng (leader)', ip: '127.0.0.1', target: 'staff:leader' });

    // The certificate ends while the result waits: the batch is refused as a whole, the PIN not even checked.
    await storeKey({ staffId }, expired(), PIN);
    const refused = await api.json('POST', '/api/signatures/batch', { token: leaderToken, json: { codes: [waiting.code], pin: '000000' } });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'SIGNING_KEY_EXPIRED']);
    const single = await api.json('POST', `/api/dossiers/${encodeURIComponent(waiting.code)}/signatures/sign`, { token: leaderToken, json: { pin: PIN } });
    expect([single.status, single.body.error.code]).toEqual([422, 'SIGNING_KEY_EXPIRED']);
    expect(await listAuditEntries(env.ctx.db, { action: 'key.pin_failed', limit: 10 })).toHaveLength(1);
    expect(await status(waiting.code)).not.toBe('result_ready');
  }, 60_000);
});
