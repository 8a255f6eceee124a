import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenNotifications } from '../schema/index.js';

export type CitizenNotificationRow = typeof citizenNotifications.$inferSelect;

export async function findNotification(db: Db, dossierId: string, dossierVersion: number): Promise<CitizenNotificationRow | undefined> {
  const [row] = await db.select().from(citizenNotifications)
    .where(and(eq(citizenNotifications.dossierId, dossierId), eq(citizenNotifications.dossierVersion, dossierVersion)));
  return row;
}

/** Records the message before it leaves (sentAt null); an existing record for the event is returned as it is. */
export async function recordNotificationAttempt(db: Db, values: typeof citizenNotifications.$inferInsert): Promise<CitizenNotificationRow> {
  // One round trip for a first attempt (every intake notification of a registration burst); a retry reads the record.
  const [inserted] = await db.insert(citizenNotifications).values({ ...values, sentAt: null }).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const row = await findNotification(db, values.dossierId, values.dossierVersion);
  if (!row) throw new Error('notification record vanished');
  return row;
}

export async function markNotificationSent(db: Db, dossierId: string, dossierVersion: number): Promise<void> {
  await db.update(citizenNotifications).set({ sentAt: new Date() })
    .where(and(eq(citizenNotifications.dossierId, dossierId), eq(citizenNotifications.dossierVersion, dossierVersion)));
}
