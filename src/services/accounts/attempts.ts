// One counted guess at an account's secrets (its password, a two-factor code), under the per-account sign-in throttle
// (accounts/throttle.ts): counted BEFORE the secret is checked, and refused untried while the account is blocked.
import { LOGIN_FREE_FAILURES, LOGIN_MAX_BLOCK_SECONDS, retryWhen, secondsUntil } from '../../accounts/throttle.js';
import type { Db } from '../../db/client.js';
import { verifyPassword } from '../../accounts/passwords.js';
import { clearLoginFailures, findStaffById, reserveLoginAttempt, type StaffRow } from '../../db/repositories/staff.js';
import { AppError } from '../../errors.js';

export function loginThrottled(until: Date | null): AppError {
  const at = until ?? new Date(Date.now() + 1000);
  const error = new AppError('LOGIN_THROTTLED', `Tài khoản đã nhập sai mật khẩu nhiều lần nên tạm thời bị chặn đăng nhập. Vui lòng thử lại lúc ${retryWhen(at)}.`);
  error.retryAfterSeconds = secondsUntil(at);
  return error;
}

/** Counts one attempt for the account, or throws LOGIN_THROTTLED (nothing counted) while it is blocked. */
export async function countAttempt(db: Db, staffId: string): Promise<void> {
  const counted = await reserveLoginAttempt(db, staffId, { freeFailures: LOGIN_FREE_FAILURES, maxBlockSeconds: LOGIN_MAX_BLOCK_SECONDS });
  if (counted === null) throw loginThrottled((await findStaffById(db, staffId))?.loginBlockedUntil ?? null);
}

/**
 * A signed-in account proves it is its owner by typing its current password (changing the password, enrolling a
 * two-factor app): counted like a sign-in, so a borrowed session cannot guess it; PASSWORD_WRONG when it is wrong.
 */
export async function confirmOwnPassword(db: Db, staff: StaffRow, password: string): Promise<void> {
  await countAttempt(db, staff.id);
  if (!(await verifyPassword(password, staff.passwordHash))) {
    throw new AppError('PASSWORD_WRONG', 'Mật khẩu hiện tại không đúng.', { currentPassword: 'Không đúng.' });
  }
  await clearLoginFailures(db, staff.id);
}
