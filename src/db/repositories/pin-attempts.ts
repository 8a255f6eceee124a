// The wrong-PIN count of a signing key and its lock (signing_keys.pin_failures / pin_locked_until). Read with the
// row locked, inside the caller's transaction, so concurrent attempts on one key are judged one after another.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { signingKeys } from '../schema/index.js';

export interface PinState { failures: number; lockedUntil: Date | null; now: Date }

/** Locks the key's row until the transaction ends; `now` is the database's clock, which every server copy shares. */
export async function lockPinState(tx: Db, keyId: string): Promise<PinState | undefined> {
  const [row] = await tx.select({ failures: signingKeys.pinFailures, lockedUntil: signingKeys.pinLockedUntil, now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)) })
    .from(signingKeys).where(eq(signingKeys.id, keyId)).for('update');
  return row;
}

/** One more wrong PIN; locks the key for `lockSeconds` from now when that is above zero. Returns the lock's end. */
export async function recordPinFailure(tx: Db, keyId: string, failures: number, lockSeconds: number): Promise<Date | null> {
  const [row] = await tx.update(signingKeys)
    .set({ pinFailures: failures, pinLockedUntil: lockSeconds > 0 ? sql`now() + make_interval(secs => ${lockSeconds})` : null })
    .where(eq(signingKeys.id, keyId))
    .returning({ lockedUntil: signingKeys.pinLockedUntil });
  return row?.lockedUntil ?? null;
}

export async function clearPinFailures(tx: Db, keyId: string): Promise<void> {
  await tx.update(signingKeys).set({ pinFailures: 0, pinLockedUntil: null }).where(eq(signingKeys.id, keyId));
}
