// Time-based one-time codes (RFC 6238) for two-factor sign-in, through the otpauth library: the 6-digit, 30-second,
// SHA-1 codes every authenticator app reads from an otpauth:// QR code. A code is accepted one step either side of
// now (clock drift); the caller gets the time step it matched, so a code once used can be refused the second time.
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;
const DIGITS = 6;

/** A new shared secret (160 bits), base32 as authenticator apps take it when typed by hand. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secretBase32: string, issuer = '', label = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The otpauth:// URI an authenticator app enrols from (shown as a QR code). */
export function totpUri(secretBase32: string, issuer: string, label: string): string {
  return totpOf(secretBase32, issuer, label).toString();
}

/** The secret written in groups of four, for typing into an app by hand. */
export function groupedSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The code for a moment (tests, and nothing else, need to make one). */
export function totpCode(secretBase32: string, at = Date.now()): string {
  return totpOf(secretBase32).generate({ timestamp: at });
}

/** The time step `code` matches (within one step of `at`), or null. Spaces in the code are ignored. */
export function matchTotp(secretBase32: string, code: string, at = Date.now()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!new RegExp(`^[0-9]{${DIGITS}}$`).test(token)) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp: at, window: 1 });
  return delta === null ? null : Math.floor(at / 1000 / PERIOD_SECONDS) + delta;
}
