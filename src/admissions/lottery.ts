// The lottery tie-break of an admission campaign: the last key, used only when totals and every other key tie.
//
// Why HMAC-SHA256(seed, pupil ID) and a published seed: the draw must be verifiable by anyone after the fact. Once
// the seed is published with the results, a parent recomputes their own key — and anyone the key of any pupil ID —
// with standard tools, e.g.
//     printf '%s' '079209001234' | openssl dgst -sha256 -hmac 'the published seed'
// and reads the first 12 hex digits (48 bits) as the key. Nobody can place a pupil by choosing the filing order, and
// the key does not depend on the other pupils. What remains to trust is the choice of the seed: whoever picks it
// after seeing the scores could try seeds until one favours a pupil. So the campaign publishes a commitment
// (seedCommitment: SHA-256 of the seed) before the scores are known, and reveals the seed with the results; anyone
// checks that the revealed seed matches the commitment published earlier.
import { createHash, createHmac } from 'node:crypto';

/** Bits of the digest kept: 48 fit exactly in a JavaScript number, so keys compare fast and print without loss. */
export const LOTTERY_KEY_HEX_DIGITS = 12;

/**
 * The pupil's lottery key: the first 48 bits of HMAC-SHA256(key = seed, message = pupil ID), both UTF-8, as an
 * integer in [0, 2^48). The campaign's tie-break order says which end wins (the engine's default: the higher).
 * Two pupils with the same 48 bits (a season of 100,000 pupils has odds of about 1 in 50,000 of one such pair) fall to the pupil ID, still deterministically.
 */
export function lotteryKey(seed: string, pupilId: string): number {
  if (seed.length === 0) throw new Error('lotteryKey: the seed is empty');
  return createHmac('sha256', seed).update(pupilId, 'utf8').digest().readUIntBE(0, 6);
}

/** The same key as lowercase hex (12 digits), as openssl prints its first 12 digits: for the published explanation. */
export function lotteryKeyHex(seed: string, pupilId: string): string {
  return lotteryKey(seed, pupilId).toString(16).padStart(LOTTERY_KEY_HEX_DIGITS, '0');
}

/** What the campaign publishes before the scores are known: SHA-256 of the seed (UTF-8), lowercase hex. */
export function seedCommitment(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}
