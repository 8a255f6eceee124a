// Staff sign-in: scrypt password hashes (accounts/passwords.ts) and opaque session tokens (only their sha256 is stored).
// Wrong passwords (and wrong two-factor codes) are counted per account in PostgreSQL (every server copy sees the same
// count): past a few, the account is blocked for a growing, short while (accounts/throttle.ts) and sign-in answers
// LOGIN_THROTTLED without checking the password. Sessions end at an absolute expiry and after an idle time.
// Every sign-in, refusal, sign-out and password change is in the audit log; a refusal names the username tried.
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '../../accounts/passwords.js';
import type { Db } from '../../db/client.js';
import {
  clearLoginFailures, deleteOtherSessions, deleteSessionReturningStaff, findStaffById, findStaffBySession, findStaffByUsername, insertSession,
  touchSession, updatePasswordHash, updateStaff, type StaffRow,
} from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';
import { anonymousActor, recordAudit, staffActor } from '../audit/audit.js';
import { confirmOwnPassword, countAttempt } from './attempts.js';
import { acceptTotpCode, totpEnabled, type SecretBox } from './two-factor.js';

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

export interface LoginOptions {
  /** The two-factor code, for an account that has it on. */
  otp?: string;
  /** Where the request came from, for the audit log. */
  ip?: string | null;
  /** Opens the TOTP secrets (ctx.signerKeys); needed only for accounts with two-factor on. */
  secrets?: SecretBox;
}

/** How a username that matches no account is logged (the append-only log must not keep a mistyped password). */
export function unknownUsernameHint(tried: string): { username: string; length: number } {
  const chars = [...tried];
  return { username: `${chars.slice(0, 3).join('')}…`, length: chars.length };
}

type LoginRefusal = 'throttled' | 'temporary_password_expired' | 'wrong_password' | 'inactive' | 'totp_required' | 'totp_invalid';

export async function login(db: Db, username: string, password: string, options: LoginOptions = {}): Promise<{ token: string; staff: StaffRow; expiresAt: Date }> {
  const tried = username.trim().toLowerCase().slice(0, 100);
  const ip = options.ip ?? null;
  const refuse = async (reason: LoginRefusal, error: AppError): Promise<AppError> => {
    await recordAudit(db, anonymousActor(ip), 'auth.login_failed', tried, { username: tried, reason });
    return error;
  };
  const staff = await findStaffByUsername(db, tried);
  if (!staff) {
    await verifyPassword(password, DUMMY_HASH);
    // People type their password into the username field: what matches no account is kept only as a hint.
    const hint = unknownUsernameHint(tried);
    await recordAudit(db, anonymousActor(ip), 'auth.login_failed', hint.username, { ...hint, reason: 'unknown_username' });
    throw invalidCredentials();
  }
  // Counted first, cleared only when every factor was right: a known password cannot reset the count between code guesses.
  try {
    await countAttempt(db, staff.id);
  } catch (error) {
    throw await refuse('throttled', error as AppError);
  }
  if (!(await verifyPassword(password, staff.passwordHash))) throw await refuse('wrong_password', invalidCredentials());
  if (!staff.active) throw await refuse('inactive', invalidCredentials());
  if (staff.mustChangePassword && staff.temporaryPasswordExpiresAt && staff.temporaryPasswordExpiresAt.getTime() <= Date.now()) {
    throw await refuse('temporary_password_expired', new AppError('TEMPORARY_PASSWORD_EXPIRED',
      'Mật khẩu tạm đã hết hạn. Vui lòng liên hệ quản trị hệ thống để được cấp mật khẩu tạm mới.'));
  }
  if (totpEnabled(staff)) {
    const otp = options.otp?.trim();
    if (!otp) {
      throw await refuse('totp_required', new AppError('TOTP_REQUIRED', 'Tài khoản này bật xác thực hai lớp: vui lòng nhập mã 6 chữ số trong ứng dụng xác thực.', { otp: 'Nhập mã xác thực.' }));
    }
    if (!options.secrets) throw new Error('login: two-factor accounts need the secret box');
    if (!(await acceptTotpCode(db, options.secrets, staff, otp))) {
      throw await refuse('totp_invalid', new AppError('TOTP_INVALID', 'Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới trong ứng dụng xác thực.', { otp: 'Mã không đúng.' }));
    }
  }
  await clearLoginFailures(db, staff.id);
  // A hash made at an older cost is replaced now, while the password is at hand.
  if (needsRehash(staff.passwordHash)) await updatePasswordHash(db, staff.id, await hashPassword(password));
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.transaction(async (tx) => {
    await insertSession(tx, { tokenHash: hashToken(token), staffId: staff.id, expiresAt });
    await recordAudit(tx, staffActor(staff, ip), 'auth.login', staff.username, { twoFactor: totpEnabled(staff) });
  });
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
export async function logout(db: Db, token: string, ip: string | null = null): Promise<void> {
  await db.transaction(async (tx) => {
    const staffId = await deleteSessionReturningStaff(tx, hashToken(token));
    const staff = staffId ? await findStaffById(tx, staffId) : undefined;
    if (staff) await recordAudit(tx, staffActor(staff, ip), 'auth.logout', staff.username, {});
  });
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
 * account ends, the one that made the change (`sessionToken`) stays. A temporary password is then no longer one.
 */
export async function changePassword(
  db: Db, staff: StaffRow, sessionToken: string | null, input: { currentPassword: string; newPassword: string }, ip: string | null = null,
): Promise<{ endedSessions: number }> {
  const fresh = await findStaffById(db, staff.id);
  if (!fresh || !fresh.active) throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  await confirmOwnPassword(db, fresh, input.currentPassword);
  const weakness = passwordWeakness(input.newPassword, fresh.username)
    ?? (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC') ? 'Mật khẩu mới phải khác mật khẩu hiện tại.' : null);
  if (weakness) throw new AppError('PASSWORD_WEAK', weakness, { newPassword: weakness });
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await updateStaff(tx, fresh.id, { passwordHash, mustChangePassword: false, temporaryPasswordExpiresAt: null });
    const endedSessions = await deleteOtherSessions(tx, fresh.id, sessionToken ? hashToken(sessionToken) : null);
    await recordAudit(tx, staffActor(fresh, ip), 'auth.password_changed', fresh.username, { endedSessions, wasTemporary: fresh.mustChangePassword });
    return { endedSessions };
  });
}
