import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { masterRegisterEntries } from '../schema/index.js';

export type RegisterEntryRow = typeof masterRegisterEntries.$inferSelect;
export type NewRegisterEntry = typeof masterRegisterEntries.$inferInsert;

/** Upsert on (diploma type, diploma number): re-importing a corrected file fixes rows instead of duplicating them. */
export async function upsertRegisterEntries(db: Db, rows: NewRegisterEntry[]): Promise<number> {
  let count = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const done = await db.insert(masterRegisterEntries).values(chunk).onConflictDoUpdate({
      target: [masterRegisterEntries.diplomaType, masterRegisterEntries.diplomaNumber],
      set: {
        holderName: sql`excluded.holder_name`, holderKey: sql`excluded.holder_key`, holderBirthDate: sql`excluded.holder_birth_date`,
        school: sql`excluded.school`, graduationYear: sql`excluded.graduation_year`, registerBookNumber: sql`excluded.register_book_number`,
        entryNumber: sql`excluded.entry_number`, issuedDate: sql`excluded.issued_date`, classification: sql`excluded.classification`,
      },
    }).returning({ id: masterRegisterEntries.id });
    count += done.length;
  }
  return count;
}

export async function findByHolder(db: Db, q: { holderKey: string; birthDate: string; diplomaType: string }): Promise<RegisterEntryRow[]> {
  return db.select().from(masterRegisterEntries).where(and(
    eq(masterRegisterEntries.holderKey, q.holderKey), eq(masterRegisterEntries.holderBirthDate, q.birthDate),
    eq(masterRegisterEntries.diplomaType, q.diplomaType),
  )).limit(20);
}

export async function findByDiplomaNumber(db: Db, diplomaType: string, diplomaNumber: string): Promise<RegisterEntryRow | undefined> {
  const [row] = await db.select().from(masterRegisterEntries)
    .where(and(eq(masterRegisterEntries.diplomaType, diplomaType), eq(masterRegisterEntries.diplomaNumber, diplomaNumber)));
  return row;
}
