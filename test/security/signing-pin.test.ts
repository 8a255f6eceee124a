// Finding 2 (signing PIN): PINs have at least 6 digits; wrong PINs are counted per key in PostgreSQL, and from the
// 5th the key is locked for a growing while (423 SIGNING_PIN_LOCKED + Retry-After) during which even the right PIN
// is refused unchecked — single signing and batch signing alike, and a concurrent burst gets no more tries.
// scrypt (PINs and passwords) runs asynchronously, off the event loop.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/passwords.js';
import { PIN_MAX_LOCK_SECONDS } from '../../src/accounts/throttle.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { insertStaff } from '../../src/db/repositories/staff.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { issueCertificate } from '../../src/signing/keys.js';
import { createPkcs12 } from '../../src/signing/pkcs12.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

const PIN = '724153';
let env: TestEnvironment;
let adminToken: string;
let token: string;
const codes: string[] = [];

async function apiLogin(username: string): Promise<string> {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  return r.json().token as string;
}

const call = (method: 'GET' | 'POST', url: string, bearer: string, payload?: object) =>
  env.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload ? { payload } : {}) });

const sign = (code: string, pin: string) => call('POST', `/api/dossiers/${encodeURIComponent(code)}/signatures/sign`, token, { pin });

async function keyState() {
  const result = await env.ctx.db.execute(sql`select k.pin_failures, k.pin_locked_until > now() as locked,
    extract(epoch from k.pin_locked_until - now()) as seconds_left
    from signing_keys k join staff_accounts s on s.id = k.staff_id where s.username = 'pgd2' and k.active`);
  const [row] = rowsOf<{ pin_failures: number; locked: boolean | null; seconds_left: string | null }>(result);
  return { failures: Number(row!.pin_failures), locked: row!.locked === true, secondsLeft: row!.seconds_left === null ? null : Number(row!.seconds_left) };
}

const setKeyState = (failures: number, lockedFor: string | null) => env.ctx.db.execute(sql`update signing_keys set pin_failures = ${failures},
  pin_locked_until = ${lockedFor === null ? null : sql`now() + ${lockedFor}::interval`}
  where active and staff_id = (select id from staff_accounts where username = 'pgd2')`);

function registration(pin: string): { payload: Buffer; headers: Record<string, string> } {
  // Built by hand: inject takes a multipart body as bytes.
  const boundary = '----motcua-test-boundary';
  const part = (name: string, value: string | Buffer, fileName?: string) => Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${fileName ? `; filename="${fileName}"` : ''}\r\n`
      + `${fileName ? 'Content-Type: application/x-pkcs12\r\n' : ''}\r\n`),
    Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([part('staff', 'pgd2'), part('password', 'p12-pass'), part('pin', pin), part('pkcs12', p12, 'pgd2.p12'), Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${adminToken}` },
  };
}
let p12: Buffer;

beforeAll(async () => {
  env = await startTestEnvironment('production');
  const caDir = path.join(env.config.dataDir, 'demo-ca');
  const ca = { certificatePem: await readFile(path.join(caDir, 'ca.crt.pem'), 'utf8'), privateKeyPem: await readFile(path.join(caDir, 'ca.key.pem'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: 'Lưu Văn Khải', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa', title: 'Phó Giám đốc' });
  p12 = createPkcs12(cert.privateKeyPem, cert.certificatePem, [ca.certificatePem], 'p12-pass');
  await insertStaff(env.ctx.db, { username: 'pgd2', fullName: 'Lưu Văn Khải', title: 'Phó Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo') });
  adminToken = await apiLogin('admin');
  const ok = await env.app.inject({ method: 'POST', url: '/api/signing-keys', ...registration(PIN) });
  expect(ok.statusCode).toBe(201);
  expect(ok.json().mode).toBe('pin');

  token = await apiLogin('pgd2');
  const leader = await staffCaller(env.ctx, 'pgd2');
  for (let i = 0; i < 3; i++) {
    const waiting = await dossierAwaitingApproval(env.ctx);
    await performAction(env.ctx, { code: waiting.code, action: 'approve', caller: leader, version: waiting.version });
    codes.push(waiting.code);
  }
  await eventually(async () => {
    const pending = (await call('GET', '/api/signatures/pending', token)).json();
    return pending.items.filter((i: { waitingFor: string }) => i.waitingFor === 'pin').length === codes.length ? true : undefined;
  }, 60_000, 200);
}, 180_000);
afterAll(async () => { await env?.close(); });

describe('signing PIN', () => {
  it('refuses a PIN shorter than 6 digits at registration', async () => {
    for (const pin of ['1234', '12345', '12ab56']) {
      const r = await env.app.inject({ method: 'POST', url: '/api/signing-keys', ...registration(pin) });
      expect(r.statusCode).toBe(422);
      expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { pin: expect.stringContaining('6') } });
    }
    // The key registered with a 6-digit PIN is still the one in use.
    expect((await call('GET', '/api/signatures/pending', token)).json().items).toHaveLength(codes.length);
  });

  it('the audit\'s attack: after 5 wrong PINs the key is locked and the right PIN is refused unchecked', async () => {
    const code = codes[0]!;
    for (let i = 1; i <= 5; i++) {
      const r = await sign(code, String(100000 + i));
      expect(r.statusCode).toBe(422);
      expect(r.json().error.code).toBe('SIGNING_PIN_INVALID');
      if (i < 5) expect(r.json().error.message).toContain(`Còn ${5 - i} lần thử`);
      else expect(r.json().error.message).toContain('tạm khóa đến');
    }
    const state = await keyState();
    expect(state).toMatchObject({ failures: 5, locked: true });
    expect(state.secondsLeft).toBeGreaterThan(50);
    expect(state.secondsLeft).toBeLessThanOrEqual(60);

    const right = await sign(code, PIN);
    expect(right.statusCode).toBe(423);
    expect(right.json().error).toMatchObject({ code: 'SIGNING_PIN_LOCKED', message: expect.stringMatching(/thử lại lúc \d\d:\d\d:\d\d/) });
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(60);
    const batch = await call('POST', '/api/signatures/batch', token, { codes, pin: PIN });
    expect(batch.statusCode).toBe(423);
    expect(batch.json().error.code).toBe('SIGNING_PIN_LOCKED');
    // Refused attempts are not counted; nothing was signed.
    expect((await keyState()).failures).toBe(5);
    expect((await findDossierByCode(env.ctx.db, code))?.status).toBe('signing');

    // The lock grows: once over, the next wrong PIN locks for 2 minutes.
    await setKeyState(5, '-1 second');
    expect((await sign(code, '999999')).statusCode).toBe(422);
    const longer = await keyState();
    expect(longer).toMatchObject({ failures: 6, locked: true });
    expect(longer.secondsLeft).toBeGreaterThan(110);
    expect(longer.secondsLeft).toBeLessThanOrEqual(120);
    // ... and is capped at one hour.
    await setKeyState(40, '-1 second');
    expect((await sign(code, '999998')).statusCode).toBe(422);
    expect((await keyState()).secondsLeft).toBeLessThanOrEqual(PIN_MAX_LOCK_SECONDS);
    expect((await keyState()).secondsLeft).toBeGreaterThan(PIN_MAX_LOCK_SECONDS - 60);

    // After the lock the right PIN signs, and the count starts again from zero.
    await setKeyState(40, '-1 second');
    const signed = await sign(code, PIN);
    expect(signed.statusCode).toBe(200);
    expect(signed.json().status).toBe('result_ready');
    expect(await keyState()).toMatchObject({ failures: 0, locked: false });
  }, 120_000);

  it('judges concurrent attempts one after another: a burst of 20 wrong PINs gets exactly 5 checked', async () => {
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(codes[1]!, String(200000 + i))));
    const byStatus = burst.map((r) => r.statusCode);
    expect(byStatus.filter((s) => s === 422)).toHaveLength(5);
    expect(byStatus.filter((s) => s === 423)).toHaveLength(15);
    expect((await keyState()).failures).toBe(5);
    await setKeyState(5, '-1 second');
    const batch = await call('POST', '/api/signatures/batch', token, { codes: codes.slice(1), pin: PIN });
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toMatchObject({ signed: 2, failed: 0 });
    expect((await keyState()).failures).toBe(0);
  }, 120_000);

  it('runs scrypt asynchronously everywhere (no scryptSync in src/)', async () => {
    const root = path.resolve('src');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders = [];
    for (const file of files) if ((await readFile(path.join(root, file), 'utf8')).includes('scryptSync')) offenders.push(file);
    expect(offenders).toEqual([]);
  });
});
