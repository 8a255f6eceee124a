import { and, eq } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { coalesce, perDatabase } from '../coalesce.js';
import { citizenNotifications, dossierEvents, dossiers } from '../schema/index.js';

export type CitizenNotificationRow = typeof citizenNotifications.$inferSelect;

export async function findNotification(db: Db, dossierId: string, dossierVersion: number): Promise<CitizenNotificationRow | undefined> {
  const [row] = await db.select().from(citizenNotifications)
    .where(and(eq(citizenNotifications.dossierId, dossierId), eq(citizenNotifications.dossierVersion, dossierVersion)));
  return row;
}

// The citizen's notifications (services/notifications/notify-citizen.ts one by one, notify-citizen-batch.ts for a
// relayed batch): events read, recorded and marked sent in one statement each for any number of them — one
// implementation for both paths. The batch path exists because three round trips and a builder run per message cost
// the worker about two thirds of an intake request's CPU (bench:burst). Constant prepared texts over unnest(...)
// arrays: the statement is the same whatever the batch's size (one event is a batch of one).

/** An event of a dossier, as one batch key. */
export interface EventKey { dossierId: string; dossierVersion: number }

/** What a message about an event says of its dossier: the only columns the batch read maps. */
export type AnnouncedDossier = Pick<typeof dossiers.$inferSelect,
  'id' | 'code' | 'applicantName' | 'applicantEmail' | 'applicantPhone' | 'procedureVersionId' | 'agencyCode' | 'trackingTokenVersion' | 'dueAt' | 'filedFor' | 'formData'>;
/** What a message says of the event it announces. */
export type AnnouncedEvent = Pick<typeof dossierEvents.$inferSelect, 'action' | 'fromStatus' | 'toStatus' | 'actorKind' | 'comment' | 'data' | 'at'>;

export interface EventToAnnounce extends EventKey {
  dossier: AnnouncedDossier;
  event: AnnouncedEvent;
  /** The event's notification record, when there is one: sent, or recorded and interrupted. */
  record: { sentAt: Date | null; messageId: string | null } | null;
}

/**
 * The events of a batch with their dossiers and notification records, in one statement. An event whose dossier or
 * history event is missing is simply absent (the caller runs it alone, which says which). The dossier's form data only
 * for a proxy's filing (the principal's e-mail is in it); the other messages never read it.
 */
export async function findEventsToAnnounce(database: Pick<Database, 'query'>, keys: EventKey[]): Promise<EventToAnnounce[]> {
  if (keys.length === 0) return [];
  const rows = await database.query<{
    dossier_id: string; dossier_version: number; code: string; applicant_name: string; applicant_email: string | null; applicant_phone: string | null;
    procedure_version_id: number; agency_code: string; tracking_token_version: number; due_at: Date | string | null; filed_for: AnnouncedDossier['filedFor'];
    form_data: Record<string, unknown>; action: string; from_status: string | null; to_status: string; actor_kind: AnnouncedEvent['actorKind'];
    comment: string | null; data: Record<string, unknown> | null; at: Date | string; recorded: boolean; sent_at: Date | string | null; message_id: string | null;
  }>(`
    select k.dossier_id, k.dossier_version, d.code, d.applicant_name, d.applicant_email, d.applicant_phone, d.procedure_version_id,
      d.agency_code, d.tracking_token_version, d.due_at, d.filed_for,
      case when d.filed_for = 'proxy' and e.action = 'submit' then d.form_data else '{}'::jsonb end as form_data,
      e.action, e.from_status, e.to_status, e.actor_kind, e.comment, e.data, e.at,
      n.dossier_id is not null as recorded, n.sent_at, n.message_id
    from unnest($1::uuid[], $2::int[]) as k (dossier_id, dossier_version)
    join dossiers d on d.id = k.dossier_id
    join lateral (
      select action, from_status, to_status, actor_kind, comment, data, at from dossier_events
      where dossier_id = k.dossier_id and dossier_version = k.dossier_version order by id limit 1
    ) e on true
    left join citizen_notifications n on n.dossier_id = k.dossier_id and n.dossier_version = k.dossier_version`,
  [keys.map((k) => k.dossierId), keys.map((k) => k.dossierVersion)]);
  // Timestamps as drizzle leaves them on the shared postgres.js client (it reads them as text, to map them itself).
  const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  return rows.map((r) => ({
    dossierId: r.dossier_id, dossierVersion: r.dossier_version,
    dossier: {
      id: r.dossier_id, code: r.code, applicantName: r.applicant_name, applicantEmail: r.applicant_email, applicantPhone: r.applicant_phone,
      procedureVersionId: r.procedure_version_id, agencyCode: r.agency_code, trackingTokenVersion: r.tracking_token_version, dueAt: r.due_at === null ? null : date(r.due_at),
      filedFor: r.filed_for, formData: r.form_data,
    },
    event: { action: r.action, fromStatus: r.from_status, toStatus: r.to_status, actorKind: r.actor_kind, comment: r.comment, data: r.data, at: date(r.at) },
    record: r.recorded ? { sentAt: r.sent_at === null ? null : date(r.sent_at), messageId: r.message_id } : null,
  }));
}

/** A message about to leave, as its record holds it. */
export interface NotificationAttempt extends EventKey {
  channel: 'email' | 'sms' | 'none'; recipient: string | null; subject: string | null; messageId: string | null;
}

/**
 * Records a batch's messages before they leave (sentAt null), in one statement; an existing record is kept as it is.
 * For each event: the Message-ID its record carries (an interrupted earlier attempt's, so a resend is recognisably the
 * same message), and whether that record was already marked sent (a run that raced this one) — then it must not leave
 * again. `recorded` false only when another run's record appeared between the statement's snapshot and its insert;
 * the caller tries that event later.
 */
export async function recordNotificationAttempts(
  database: Pick<Database, 'query'>, attempts: NotificationAttempt[],
): Promise<Array<EventKey & { recorded: boolean; messageId: string | null; sent: boolean }>> {
  if (attempts.length === 0) return [];
  const rows = await database.query<{ dossier_id: string; dossier_version: number; inserted: boolean; existed: boolean; message_id: string | null; sent: boolean }>(`
    with k as (
      select * from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
        as k (dossier_id, dossier_version, channel, recipient, subject, message_id)
    ), ins as (
      insert into citizen_notifications (dossier_id, dossier_version, channel, recipient, subject, message_id, sent_at)
      select dossier_id, dossier_version, channel, recipient, subject, message_id, null from k
      on conflict do nothing returning dossier_id, dossier_version, message_id
    )
    select k.dossier_id, k.dossier_version, ins.dossier_id is not null as inserted, n.dossier_id is not null as existed,
      case when ins.dossier_id is not null then ins.message_id else n.message_id end as message_id,
      coalesce(n.sent_at is not null, false) as sent
    from k
    left join ins on ins.dossier_id = k.dossier_id and ins.dossier_version = k.dossier_version
    left join citizen_notifications n on n.dossier_id = k.dossier_id and n.dossier_version = k.dossier_version`,
  [attempts.map((a) => a.dossierId), attempts.map((a) => a.dossierVersion), attempts.map((a) => a.channel),
    attempts.map((a) => a.recipient), attempts.map((a) => a.subject), attempts.map((a) => a.messageId)]);
  return rows.map((r) => ({
    dossierId: r.dossier_id, dossierVersion: r.dossier_version, recorded: r.inserted || r.existed, messageId: r.message_id, sent: r.sent,
  }));
}

/**
 * Marks messages sent (the batch path marks what has left once every MARK_EVERY_MS and at the end). The worker runs
 * several batches at once, each marking now and then: marks made at the same moment share one statement (db/coalesce.ts).
 */
export async function markNotificationsSent(database: Pick<Database, 'query'>, keys: EventKey[]): Promise<void> {
  if (keys.length === 0) return;
  await coalescedMarks(database, keys);
}

const coalescedMarks = perDatabase((database: Pick<Database, 'query'>) => coalesce<EventKey[], void>(async (groups) => {
  const keys = groups.flat();
  await database.query(`
    update citizen_notifications n set sent_at = now()
    from unnest($1::uuid[], $2::int[]) as k (dossier_id, dossier_version)
    where n.dossier_id = k.dossier_id and n.dossier_version = k.dossier_version`,
  [keys.map((k) => k.dossierId), keys.map((k) => k.dossierVersion)]);
  return groups.map(() => ({ status: 'fulfilled', value: undefined }));
}, { maxInFlight: 1, maxBatch: 64 }));
