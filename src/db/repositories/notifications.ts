import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenNotifications, dossierEvents, dossiers } from '../schema/index.js';

export type CitizenNotificationRow = typeof citizenNotifications.$inferSelect;

export async function findNotification(db: Db, dossierId: string, dossierVersion: number): Promise<CitizenNotificationRow | undefined> {
  const [row] = await db.select().from(citizenNotifications)
    .where(and(eq(citizenNotifications.dossierId, dossierId), eq(citizenNotifications.dossierVersion, dossierVersion)));
  return row;
}

/**
 * What the job announcing one event needs, in one statement instead of three (the notification record's sent time,
 * the dossier, the event): a registration burst runs this once per filing. Undefined when the dossier or its event is
 * missing (the caller then looks again step by step to say which).
 */
export async function findEventToAnnounce(db: Db, dossierId: string, dossierVersion: number) {
  const [row] = await db.select({ dossier: dossiers, event: dossierEvents, sentAt: citizenNotifications.sentAt })
    .from(dossierEvents)
    .innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId))
    .leftJoin(citizenNotifications, and(eq(citizenNotifications.dossierId, dossierEvents.dossierId), eq(citizenNotifications.dossierVersion, dossierEvents.dossierVersion)))
    .where(and(eq(dossierEvents.dossierId, dossierId), eq(dossierEvents.dossierVersion, dossierVersion)))
    .orderBy(asc(dossierEvents.id)).limit(1);
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
