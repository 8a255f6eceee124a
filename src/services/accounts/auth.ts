// Staff sign-in: scrypt password hashes (accounts/passwords.ts) and opaque session tokens (only their sha256 is stored).
// Wrong passwords are counted per account in PostgreSQL (every server copy sees the same count): past a few, the
// account is blocked for a growing, short while (accounts/throttle.ts) and sign-in answers LOGIN_THROTTLED without
// checking the password. Sessions end at an absolute expiry and after an idle time.
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '../../accounts/passwords.js';
import { LOGIN_FREE_FAILURES, LOGIN_MAX_BLOCK_SECONDS, retryWhen, secondsUntil } from '../../accounts/throttle.js';
import type { Db } from '../../db/client.js';
import {
  clearLoginFailures, deleteOtherSessions, deleteSession, findStaffById, findStaffBySession, findStaffByUsername, insertSession,
  reserveLoginAttempt, touchSession, updatePasswordHash, type StaffRow,
} from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';

/** Absolute session length, however busy. */
const SESSION_HOURS = 12;
/** A staff session unused for this long is over (sliding: each use moves it on). */
export const SESSION_IDLE_MINUTES = 30;
/** last_seen_at is written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Checked against when the username is unknown, so a wrong username costs as long as a wrong password.
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'Tên đăng nhập hoặc mật khẩu không đúng.');

function throttled(until: Date | null): AppError {
  const at = until ?? new Date(Date.now() + 1000);
  const error = new AppError('LOGIN_THROTTLED', `Tài khoản đã nhập sai mật khẩu nhiều lần nên tạm thời bị chặn đăng nhập. Vui lòng thử lại lúc ${retryWhen(at)}.`);
  error.retryAfterSeconds = secondsUntil(at);
  return error;
}

/**
 * Checks `password` for the account under the per-account throttle: the attempt is counted first (atomically, and
 * refused untried while the account is blocked), and only a right password clears the count.
 */
async function checkPassword(db: Db, staff: StaffRow, password: string, wrong: () => AppError): Promise<void> {
  const counted = await reserveLoginAttempt(db, staff.id, { freeFailures: LOGIN_FREE_FAILURES, maxBlockSeconds: LOGIN_MAX_BLOCK_SECONDS });
  if (counted === null) throw throttled((await findStaffById(db, staff.id))?.loginBlockedUntil ?? null);
  if (!(await verifyPassword(password, staff.passwordHash))) throw wrong();
  await clearLoginFailures(db, staff.id);
}

export async function login(db: Db, username: string, password: string): Promise<{ token: string; staff: StaffRow; expiresAt: Date }> {
  const staff = await findStaffByUsername(db, username.trim().toLowerCase());
  if (!staff) {
    await verifyPassword(password, DUMMY_HASH);
    throw invalidCredentials();
  }
  await checkPassword(db, staff, password, invalidCredentials);
  if (!staff.active) throw invalidCredentials();
  // A hash made at an older cost is replaced now, while the password is at hand.
  if (needsRehash(staff.passwordHash)) await updatePasswordHash(db, staff.id, await hashPassword(password));
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await insertSession(db, { tokenHash: hashToken(token), staffId: staff.id, expiresAt });
  return { token, staff, expiresAt };
}

/** The account behind a session token, if the session is live; using it slides the idle timeout. */
export async function staffForToken(db: Db, token: string): Promise<StaffRow | undefined> {
  const now = new Date();
  const tokenHash = hashToken(token);
  const found = await findStaffBySession(db, tokenHash, now, new Date(now.getTime() - SESSION_IDLE_MINUTES * 60_000));
  if (!found) return undefined;
  if (now.getTime() - found.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touchSession(db, tokenHash, now);
  return found.staff;
}

/** Signing out ends the session on the server too: a copied cookie or token stops working at once. */
export async function logout(db: Db, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}

const COMMON_PASSWORDS = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', 'qwertyuiop', 'password123', 'matkhau123', 'abc1234567', 'abcd123456', 'admin12345',
]);

/** Why a new password is refused, or null when it is acceptable. */
export function passwordWeakness(password: string, username: string): string | null {
  const value = password.normalize('NFC');
  if ([...value].length < 10) return 'Mật khẩu mới phải có ít nhất 10 ký tự.';
  if (new Set(value).size < 5) return 'Mật khẩu mới quá đơn giản (quá ít ký tự khác nhau).';
  if (value.toLowerCase().includes(username.toLowerCase())) return 'Mật khẩu mới không được chứa tên đăng nhập.';
  if (COMMON_PASSWORDS.has(value.toLowerCase())) return 'Mật khẩu mới quá phổ biến, dễ bị đoán.';
  return null;
}

/**
 * A signed-in account changes its own password: the current one must be right (a wrong one counts towards the
 * sign-in throttle, so a borrowed session cannot guess it), the new one strong enough; every other session of the
 * account ends, the one that made the change (`sessionToken`) stays.
 */
export async function changePassword(
  db: Db, staff: StaffRow, sessionToken: string | null, input: { currentPassword: string; newPassword: string },
): Promise<{ endedSessions: number }> {
  const fresh = await findStaffById(db, staff.id);
  if (!fresh || !fresh.active) throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  await checkPassword(db, fresh, input.currentPassword, () => new AppError('PASSWORD_WRONG', 'Mật khẩu hiện tại không đúng.', { currentPassword: 'Không đúng.' }));
  const weakness = passwordWeakness(input.newPassword, fresh.username)
    ?? (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC') ? 'Mật khẩu mới phải khác mật khẩu hiện tại.' : null);
  if (weakness) throw new AppError('PASSWORD_WEAK', weakness, { newPassword: weakness });
  await updatePasswordHash(db, fresh.id, await hashPassword(input.newPassword));
  return { endedSessions: await deleteOtherSessions(db, fresh.id, sessionToken ? hashToken(sessionToken) : null) };
}
