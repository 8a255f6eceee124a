// Staff passwords: scrypt hashes with their parameters in the stored string, so the cost can be raised later
// without breaking existing hashes: an older hash still verifies, and sign-in re-hashes it at the current cost
// (needsRehash). scrypt runs on libuv's thread pool (the async form), never on the event loop.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams { N: number; r: number; p: number; keyLength: number }

/** N = 2^15, r = 8: 32 MiB and tens of milliseconds per hash (2^14 until the 2026 security review). */
export const PASSWORD_SCRYPT: ScryptParams = { N: 1 << 15, r: 8, p: 1, keyLength: 32 };

// scrypt needs 128·N·r bytes; Node refuses anything above 32 MiB unless told (and N = 2^15, r = 8 is exactly 32 MiB).
const maxmemFor = (N: number, r: number) => 256 * N * r;

export function scryptAsync(secret: string | Buffer, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  const N = options.N ?? options.cost ?? 16384;
  const r = options.r ?? options.blockSize ?? 8;
  return new Promise((resolve, reject) => scrypt(secret, salt, keyLength, { maxmem: maxmemFor(N, r), ...options }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: ScryptParams = PASSWORD_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, params.keyLength, { N: params.N, r: params.r, p: params.p });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

// Bounds on what a stored string may ask for, so a corrupt row cannot make one sign-in allocate gigabytes.
const MAX_N = 1 << 20;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || !Number.isInteger(R) || R < 1 || R > 32 || !Number.isInteger(P) || P < 1 || P > 16) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length < 16) return false;
  const actual = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P });
  return timingSafeEqual(actual, expected);
}

/** True when a (verified) hash was made with other parameters than today's: sign-in then stores a fresh one. */
export function needsRehash(stored: string, params: ScryptParams = PASSWORD_SCRYPT): boolean {
  const [scheme, n, r, p, , key] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p
    || Buffer.from(key ?? '', 'base64url').length !== params.keyLength;
}
