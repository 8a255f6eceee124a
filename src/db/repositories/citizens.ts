// Citizens signed in with VNeID, their family as the claims name it, and their sessions (schema/citizens.ts).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenRelations } from '../schema/index.js';

/** The ID numbers of the citizen's children (as the last sign-in's claims listed them). */
export async function childPersonalIds(db: Db, citizenId: string): Promise<string[]> {
  const rows = await db.select({ personalId: citizenRelations.personalId }).from(citizenRelations)
    .where(and(eq(citizenRelations.citizenId, citizenId), eq(citizenRelations.relation, 'child')));
  return rows.map((r) => r.personalId);
}
