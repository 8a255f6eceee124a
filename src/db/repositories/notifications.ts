import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { citizenNotifications } from '../schema/index.js';

export type CitizenNotificationRow = typeof citizenNotifications.$inferSelect;

export async function findNotification(db: Db, dossierId: string, dossierVersion: number): Promise<CitizenNotificationRow | undefined> {
  const [row] = await db.select().from(citizenNotifications)
    .where(and(eq(citizenNotifications.dossierId, dossierId), eq(citizenNotifications.dossierVersion, dossierVersion)));
  return row;
}

export async function recordNotification(db: Db, values: typeof citizenNotifications.$inferInsert): Promise<void> {
  await db.insert(citizenNotifications).values(values).onConflictDoNothing();
}
