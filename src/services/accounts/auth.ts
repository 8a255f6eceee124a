// Staff sign-in: scrypt password hashes and opaque session tokens (only their sha256 is stored).
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { deleteSession, findStaffBySession, findStaffByUsername, insertSession, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };
const SESSION_HOURS = 12;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Checked against when the username is unknown, so a wrong username costs as long as a wrong password.
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));

export async function login(db: Db, username: string, password: string): Promise<{ token: string; staff: StaffRow; expiresAt: Date }> {
  const staff = await findStaffByUsername(db, username.trim().toLowerCase());
  const ok = await verifyPassword(password, staff?.passwordHash ?? DUMMY_HASH);
  if (!staff || !ok || !staff.active) throw new AppError('INVALID_CREDENTIALS', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await insertSession(db, { tokenHash: hashToken(token), staffId: staff.id, expiresAt });
  return { token, staff, expiresAt };
}

export async function staffForToken(db: Db, token: string): Promise<StaffRow | undefined> {
  return findStaffBySession(db, hashToken(token), new Date());
}

/** Signing out ends the session on the server too: a copied cookie or token stops working at once. */
export async function logout(db: Db, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}
