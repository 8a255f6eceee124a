// Growing delays after repeated wrong secrets (sign-in passwords, signing PINs). Pure: the counters live in
// PostgreSQL (staff_accounts, signing_keys) so every server copy sees the same ones; this only says how long.
import { VN_OFFSET_MINUTES } from '../calendar/vn-time.js';

/**
 * Sign-in: the first LOGIN_FREE_FAILURES wrong passwords cost nothing; each further one blocks the account for
 * 2^(n - LOGIN_FREE_FAILURES) seconds, capped at LOGIN_MAX_BLOCK_SECONDS. The cap is deliberately short: anyone
 * who knows a username can trigger the block, so the block must stay a delay, never a lock-out (an outsider keeps
 * a victim waiting at most 15 minutes after their last guess, while being held to about four guesses an hour).
 */
export const LOGIN_FREE_FAILURES = 5;
export const LOGIN_MAX_BLOCK_SECONDS = 15 * 60;

export function loginBlockSeconds(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0;
  return Math.min(2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_BLOCK_SECONDS);
}

/**
 * Signing PIN: only the key's owner, signed in, can try it, so an outsider cannot use the lock against anyone and it
 * can be harsh: from the PIN_FREE_FAILURES-th wrong PIN on, each locks the key for 2^(n - PIN_FREE_FAILURES) minutes,
 * capped at one hour — a 6-digit PIN then takes decades to guess.
 */
export const PIN_FREE_FAILURES = 5;
export const PIN_MAX_LOCK_SECONDS = 60 * 60;

export function pinLockSeconds(failures: number): number {
  if (failures < PIN_FREE_FAILURES) return 0;
  return Math.min(60 * 2 ** (failures - PIN_FREE_FAILURES), PIN_MAX_LOCK_SECONDS);
}

/** Whole seconds from now until `until` (at least 1, for a Retry-After header). */
export function secondsUntil(until: Date, now: Date = new Date()): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/** "08:45:10 (sau 3 phút)" in Vietnam time: when the user may try again. */
export function retryWhen(until: Date, now: Date = new Date()): string {
  const local = new Date(until.getTime() + VN_OFFSET_MINUTES * 60_000);
  const clock = local.toISOString().slice(11, 19);
  const seconds = secondsUntil(until, now);
  const wait = seconds < 60 ? `${seconds} giây` : `${Math.ceil(seconds / 60)} phút`;
  return `${clock} (sau ${wait})`;
}
