// Citizen sessions after a VNeID sign-in: a random token in an HttpOnly cookie (only its hash stored), ending after
// CITIZEN_SESSION_HOURS or CITIZEN_IDLE_MINUTES without use, like staff sessions but in their own table — a citizen's
// token can never be taken for a staff session, nor the reverse.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import {
  deleteCitizenSession, deleteStaleCitizenSessions, findCitizenBySession, insertCitizenSession, touchCitizenSession, type CitizenRow,
} from '../../db/repositories/citizens.js';

export const CITIZEN_COOKIE = 'motcua_citizen';
const CITIZEN_SESSION_HOURS = 8;
export const CITIZEN_IDLE_MINUTES = 30;
const TOUCH_EVERY_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface CitizenSession { citizen: CitizenRow; loa: string | null; idToken: string | null }

export async function startCitizenSession(db: Db, citizenId: string, loa: string | null, idToken: string | null): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + CITIZEN_SESSION_HOURS * 3600_000);
  await insertCitizenSession(db, { tokenHash: hashToken(token), citizenId, loa, idToken, expiresAt });
  return { token, expiresAt };
}

/**
 * Deletes the citizen's sessions nobody can use any more (expired, or idle past CITIZEN_IDLE_MINUTES): they hold ID
 * tokens. Called at each sign-in, so the rows of one citizen stay bounded by the sign-ins of one session lifetime.
 */
export async function pruneCitizenSessions(db: Db, citizenId: string, now = new Date()): Promise<number> {
  return deleteStaleCitizenSessions(db, citizenId, now, new Date(now.getTime() - CITIZEN_IDLE_MINUTES * 60_000));
}

/** The live session behind a token; using it slides the idle timeout. */
export async function citizenForToken(db: Db, token: string): Promise<CitizenSession | undefined> {
  const now = new Date();
  const tokenHash = hashToken(token);
  const found = await findCitizenBySession(db, tokenHash, now, new Date(now.getTime() - CITIZEN_IDLE_MINUTES * 60_000));
  if (!found) return undefined;
  if (now.getTime() - found.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touchCitizenSession(db, tokenHash, now);
  return { citizen: found.citizen, loa: found.loa, idToken: found.idToken };
}

/** Ends the session on the server; returns what the provider's logout needs. */
export async function endCitizenSession(db: Db, token: string): Promise<{ idToken: string | null; citizenId: string } | undefined> {
  return deleteCitizenSession(db, hashToken(token));
}
