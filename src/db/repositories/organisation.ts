// The organisation as administrators edit it: agencies (QCVN 102 codes) and the unit tree, one row or a batch at a
// time (an import of hundreds of schools goes in a few multi-row statements, not one round trip per row).
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agencies, procedureUnits, units } from '../schema/index.js';
import type { AgencyRow, UnitRow } from './staff.js';

export type NewAgency = typeof agencies.$inferInsert;
export type NewUnit = typeof units.$inferInsert;
export type AgencyChanges = Partial<Omit<NewAgency, 'code' | 'createdAt'>>;
export type UnitChanges = Partial<Omit<NewUnit, 'id' | 'createdAt'>>;

/** Rows per multi-row statement: far below PostgreSQL's 65,535 parameters at seven columns a row. */
const BATCH_ROWS = 500;

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH_ROWS) out.push(rows.slice(i, i + BATCH_ROWS));
  return out;
}

export async function listAgenciesByCode(db: Db): Promise<AgencyRow[]> {
  return db.select().from(agencies).orderBy(asc(agencies.code));
}

/** False when the code is taken (nothing written). */
export async function insertAgency(db: Db, values: NewAgency): Promise<boolean> {
  const rows = await db.insert(agencies).values(values).onConflictDoNothing({ target: agencies.code }).returning({ code: agencies.code });
  return rows.length > 0;
}

export async function updateAgency(db: Db, code: string, changes: AgencyChanges): Promise<AgencyRow | undefined> {
  const [row] = await db.update(agencies).set(changes).where(eq(agencies.code, code)).returning();
  return row;
}

/** New agencies only: an existing code is left as it is. */
export async function insertAgencies(db: Db, rows: NewAgency[]): Promise<number> {
  let inserted = 0;
  for (const batch of batches(rows)) {
    inserted += (await db.insert(agencies).values(batch).onConflictDoNothing({ target: agencies.code }).returning({ code: agencies.code })).length;
  }
  return inserted;
}

export async function listUnits(db: Db): Promise<UnitRow[]> {
  return db.select().from(units).orderBy(asc(units.name));
}

/** False when the id is taken (nothing written). */
export async function insertUnit(db: Db, values: NewUnit): Promise<boolean> {
  const rows = await db.insert(units).values(values).onConflictDoNothing({ target: units.id }).returning({ id: units.id });
  return rows.length > 0;
}

export async function updateUnit(db: Db, id: string, changes: UnitChanges): Promise<UnitRow | undefined> {
  const [row] = await db.update(units).set(changes).where(eq(units.id, id)).returning();
  return row;
}

/**
 * Inserts new units and rewrites existing ones with the same id (an import run again updates names and places); a
 * NULL parent or abbreviation (a file without that column, or the cell left empty) keeps the stored one.
 */
export async function upsertUnits(db: Db, rows: NewUnit[]): Promise<void> {
  for (const batch of batches(rows)) {
    await db.insert(units).values(batch).onConflictDoUpdate({
      target: units.id,
      set: {
        name: sql`excluded.name`, agencyCode: sql`excluded.agency_code`, parentId: sql`coalesce(excluded.parent_id, units.parent_id)`,
        kind: sql`excluded.kind`, abbreviation: sql`coalesce(excluded.abbreviation, units.abbreviation)`,
      },
    });
  }
}

/** The parts (desk, office, leadership) a unit plays, for which procedures: a unit's kind must keep fitting them. */
export async function unitRolesPlayedBy(db: Db): Promise<Array<{ unitId: string; procedureId: string; role: string }>> {
  return db.select({ unitId: procedureUnits.unitId, procedureId: procedureUnits.procedureId, role: procedureUnits.role }).from(procedureUnits);
}
