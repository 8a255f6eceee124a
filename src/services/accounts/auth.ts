// Staff sign-in: scrypt password hashes (accounts/passwords.ts) and opaque session tokens (only their sha256 is stored).
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../accounts/passwords.js';
import type { Db } from '../../db/client.js';
import { deleteSession, findStaffBySession, findStaffByUsername, insertSession, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';

const SESSION_HOURS = 12;

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
