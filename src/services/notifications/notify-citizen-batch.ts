// A relayed batch of citizen notifications (jobs/notify-batch.ts) sent with the batch's database work done per batch:
// one read of every event with its dossier and notification record, one statement recording every message before it
// leaves, the sends a few at a time, and what has left marked sent in one statement once every MARK_EVERY_MS (and once
// at the end). Run one by one (notifyCitizen), each message cost three round trips and a query-builder run; marked
// after every group of five, a batch still paid about six marks for its one read (bench:burst). The guarantees are
// notifyCitizen's: recorded before it leaves, the same Message-ID on a retry, nothing sent twice but what a crash, or
// BullMQ running a stalled batch again while the first run lives, finds sent and not yet marked — at most what left
// in the last MARK_EVERY_MS, plus the group in flight; the messages are the same (composeCitizenMessage). The rare
// events the batch read does not find (a dossier deleted, an event missing) run alone through notifyCitizen, which
// says which.
import type { AppContext } from '../../app-context.js';
import {
  findEventsToAnnounce, markNotificationsSent, recordNotificationAttempts, type EventKey,
} from '../../db/repositories/notifications.js';
import { composeCitizenMessage, notifyCitizen, patiently, sendCitizenMessage, type CitizenMessage } from './notify-citizen.js';

/** Messages of a batch sent at once (the pooled SMTP transport keeps up to five connections). */
export const SENDS_AT_ONCE = 5;
/**
 * What has left is marked sent after the first group of sends that ends at least this long after the batch's last
 * mark (and at the end). It bounds what a crash or a stalled batch's re-run resends — what left since the last mark,
 * about this long's worth, and the group in flight (same Message-ID; an SMS has none) — for one mark statement per
 * window rather than one per group.
 */
export const MARK_EVERY_MS = 250;

/**
 * Per event of the batch, in its order: sent (or already sent before), or the error that kept it from leaving.
 * `elsewhere`: another run recorded the event while this one was recording it, and sends it — not a failure of this
 * event, no attempt to count; its row goes straight back to the outbox to run again shortly (jobs/notify-batch.ts),
 * and then finds the message sent, or recorded under the other run's Message-ID.
 */
export type NotifyOutcome = { ok: true } | { ok: false; error: unknown; elsewhere?: true };

const keyOf = (k: EventKey) => `${k.dossierId.toLowerCase()}/${k.dossierVersion}`;

/**
 * Sends the messages of `events`. An event that fails (its rendering, its send) is reported alone and held by nothing
 * else; throws only when the batch as a whole cannot go on (the database away for its read, its record, or — after
 * waiting it out — a mark), and then nothing it reports was lost: a run again finds what was sent.
 */
export async function notifyCitizenBatch(ctx: AppContext, events: EventKey[]): Promise<NotifyOutcome[]> {
  // One key once: the same event twice in a batch (a row relayed again) must not leave twice.
  const unique = new Map<string, EventKey>();
  for (const e of events) if (!unique.has(keyOf(e))) unique.set(keyOf(e), e);
  const outcomes = new Map<string, NotifyOutcome>();
  const failed = (key: string, error: unknown) => outcomes.set(key, { ok: false, error });

  const found = new Map((await findEventsToAnnounce(ctx.database, [...unique.values()])).map((f) => [keyOf(f), f]));
  const messages = new Map<string, CitizenMessage>();
  const alone: EventKey[] = [];
  for (const [key, event] of unique) {
    const f = found.get(key);
    if (!f) alone.push(event);
    else if (f.record?.sentAt) outcomes.set(key, { ok: true });
    else {
      try {
        messages.set(key, await composeCitizenMessage(ctx, event, f.dossier, f.event));
      } catch (error) {
        failed(key, error);
      }
    }
  }

  // Recorded before any leaves; each then carries its record's Message-ID (an interrupted attempt's on a re-run).
  const recorded = new Map((await recordNotificationAttempts(ctx.database, [...messages.values()].map((m) => m.attempt))).map((r) => [keyOf(r), r]));
  const toSend: Array<{ key: string; message: CitizenMessage; messageId: string | null }> = [];
  for (const [key, message] of messages) {
    const record = recorded.get(key);
    if (record?.sent) outcomes.set(key, { ok: true });
    else if (record?.recorded) toSend.push({ key, message, messageId: record.messageId });
    else if (record) outcomes.set(key, { ok: false, error: new Error(`notification of ${key} recorded by another run`), elsewhere: true });
    else failed(key, new Error(`notification record of ${key} not found after recording it`));
  }

  // A few at a time: the SMTP transport's pool holds several connections, and one slow server answer should not hold
  // up the whole batch. A send that fails is that message's alone.
  let sent: EventKey[] = [];
  const tasks: Array<() => Promise<void>> = [
    ...toSend.map(({ key, message, messageId }) => async () => {
      try {
        await sendCitizenMessage(ctx, message, messageId);
        sent.push(message.attempt);
        outcomes.set(key, { ok: true });
      } catch (error) {
        failed(key, error);
      }
    }),
    ...alone.map((event) => async () => {
      try {
        await notifyCitizen(ctx, event.dossierId, event.dossierVersion);
        outcomes.set(keyOf(event), { ok: true });
      } catch (error) {
        failed(keyOf(event), error);
      }
    }),
  ];
  // What has left is marked before more leaves once MARK_EVERY_MS has passed since the last mark (counted from the
  // first send), and all of it at the end: a run again (after a crash, or BullMQ's re-run of a stalled batch while this
  // one still lives) finds it sent and resends at most what left in the last window. One mark per window, not per
  // group: a batch sent within the window pays one statement. A database blip is waited out rather than failing
  // (which would send everything unmarked again).
  let lastMark = Date.now();
  const markSent = async () => {
    const left = sent;
    sent = [];
    await patiently(() => markNotificationsSent(ctx.database, left));
    lastMark = Date.now();
  };
  for (let i = 0; i < tasks.length; i += SENDS_AT_ONCE) {
    await Promise.all(tasks.slice(i, i + SENDS_AT_ONCE).map((task) => task()));
    if (Date.now() - lastMark >= MARK_EVERY_MS) await markSent();
  }
  await markSent();
  return events.map((e) => outcomes.get(keyOf(e)) ?? { ok: false, error: new Error(`notification of ${keyOf(e)} has no outcome`) });
}
