import { and, asc, eq } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
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

/**
 * Records the message before it leaves (sentAt null); an existing record for the event is kept as it is. Returns the
 * Message-ID the record carries. Constant prepared texts rather than the builder, like markNotificationSent: the worker
 * runs both once per intake notification (bench:burst's worker profile: drizzle's builder was its largest cost).
 */
export async function recordNotificationAttempt(
  database: Pick<Database, 'query'>, values: { dossierId: string; dossierVersion: number; channel: 'email' | 'sms' | 'none'; recipient: string | null; subject: string | null; messageId: string | null },
): Promise<{ messageId: string | null }> {
  // One round trip for a first attempt (every intake notification of a registration burst); a retry reads the record.
  const [inserted] = await database.query<{ message_id: string | null }>(`
    insert into citizen_notifications (dossier_id, dossier_version, channel, recipient, subject, message_id, sent_at)
    values ($1::uuid, $2::int, $3::text, $4::text, $5::text, $6::text, null)
    on conflict do nothing returning message_id`,
  [values.dossierId, values.dossierVersion, values.channel, values.recipient, values.subject, values.messageId]);
  if (inserted) return { messageId: inserted.message_id };
  const [row] = await database.query<{ message_id: string | null }>(
    'select message_id from citizen_notifications where dossier_id = $1::uuid and dossier_version = $2::int', [values.dossierId, values.dossierVersion]);
  if (!row) throw new Error('notification record vanished');
  return { messageId: row.message_id };
}

export async function markNotificationSent(database: Pick<Database, 'query'>, dossierId: string, dossierVersion: number): Promise<void> {
  await database.query('update citizen_notifications set sent_at = now() where dossier_id = $1::uuid and dossier_version = $2::int', [dossierId, dossierVersion]);
}
