// Citizens signed in with VNeID, their family as the claims name it, and their sessions (schema/citizens.ts).
import { and, eq, gt, lte, or } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenRelations, citizens, citizenSessions } from '../schema/index.js';

export type CitizenRow = typeof citizens.$inferSelect;
export type CitizenInsert = typeof citizens.$inferInsert;
export type CitizenRelationInput = Omit<typeof citizenRelations.$inferInsert, 'citizenId' | 'updatedAt'>;

/**
 * The citizen as the provider vouches for them now: found by ID number (the same person may come back through another
 * provider or account), every vouched field refreshed, the family replaced as a whole.
 */
export async function upsertCitizen(db: Db, values: CitizenInsert, family: CitizenRelationInput[]): Promise<CitizenRow> {
  const { personalId: _personalId, id: _id, createdAt: _createdAt, ...changes } = values;
  const [row] = await db.insert(citizens).values(values)
    .onConflictDoUpdate({ target: citizens.personalId, set: changes })
    .returning();
  if (!row) throw new Error('citizen upsert returned no row');
  await db.delete(citizenRelations).where(eq(citizenRelations.citizenId, row.id));
  if (family.length > 0) {
    await db.insert(citizenRelations).values(family.map((f) => ({ ...f, citizenId: row.id }))).onConflictDoNothing();
  }
  return row;
}

/** The citizen who last signed in through this provider account (citizens_subject_uq), if any. */
export async function findCitizenBySubject(db: Db, issuer: string, subject: string): Promise<CitizenRow | undefined> {
  const [row] = await db.select().from(citizens).where(and(eq(citizens.issuer, issuer), eq(citizens.subject, subject)));
  return row;
}

export async function findCitizenById(db: Db, id: string): Promise<CitizenRow | undefined> {
  const [row] = await db.select().from(citizens).where(eq(citizens.id, id));
  return row;
}

/** The citizen's family as the last sign-in's claims listed it, unordered: read it through services/citizens/family.ts. */
export async function listRelations(db: Db, citizenId: string): Promise<Array<typeof citizenRelations.$inferSelect>> {
  return db.select().from(citizenRelations).where(eq(citizenRelations.citizenId, citizenId));
}

export async function insertCitizenSession(db: Db, values: typeof citizenSessions.$inferInsert): Promise<void> {
  await db.insert(citizenSessions).values(values);
}

/** The live session's citizen (not expired, used within the idle window). */
export async function findCitizenBySession(db: Db, tokenHash: string, now: Date, idleSince: Date) {
  const [row] = await db.select({ citizen: citizens, loa: citizenSessions.loa, idToken: citizenSessions.idToken, lastSeenAt: citizenSessions.lastSeenAt })
    .from(citizenSessions).innerJoin(citizens, eq(citizens.id, citizenSessions.citizenId))
    .where(and(eq(citizenSessions.tokenHash, tokenHash), gt(citizenSessions.expiresAt, now), gt(citizenSessions.lastSeenAt, idleSince)));
  return row;
}

/** Deletes one citizen's sessions that have expired or gone idle (citizen_sessions_citizen_idx); returns how many. */
export async function deleteStaleCitizenSessions(db: Db, citizenId: string, now: Date, idleSince: Date): Promise<number> {
  const rows = await db.delete(citizenSessions)
    .where(and(eq(citizenSessions.citizenId, citizenId), or(lte(citizenSessions.expiresAt, now), lte(citizenSessions.lastSeenAt, idleSince))))
    .returning({ tokenHash: citizenSessions.tokenHash });
  return rows.length;
}

export async function touchCitizenSession(db: Db, tokenHash: string, now: Date): Promise<void> {
  await db.update(citizenSessions).set({ lastSeenAt: now }).where(eq(citizenSessions.tokenHash, tokenHash));
}

/** Ends the session; returns its ID token (for the provider's logout) when it existed. */
export async function deleteCitizenSession(db: Db, tokenHash: string): Promise<{ idToken: string | null; citizenId: string } | undefined> {
  const [row] = await db.delete(citizenSessions).where(eq(citizenSessions.tokenHash, tokenHash))
    .returning({ idToken: citizenSessions.idToken, citizenId: citizenSessions.citizenId });
  return row;
}
