// The batch path of the citizen's notifications (services/notifications/notify-citizen-batch.ts) against real
// PostgreSQL and a local SMTP server: a batch's events read, recorded and marked sent in one statement each. What it
// must keep of the one-by-one path: a message already sent does not leave again, one recorded but interrupted leaves
// again with its record's Message-ID, an SMS when there is no e-mail, a refused recipient goes back to the outbox alone;
// what has left is marked sent once per MARK_EVERY_MS, before more leaves (a run interrupted mid-batch and run again
// resends none of what was marked, only what left since); an event another run records meanwhile goes back to the
// outbox, no attempt counted (the one-by-one path throws to be retried rather than send it too); and the statements a
// batch sends grow only by one mark per MARK_EVERY_MS of sends, not per group (counted on the driver, postgres.js
// `debug`). Time is the process's Date, frozen in the tests that count marks and moved on by the mail server for the
// recipients it "takes MARK_EVERY_MS" to answer: the windows are exact whatever the machine's load.
import { drizzle } from 'drizzle-orm/postgres-js';
import { inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { vnDay } from '../../src/calendar/vn-time.js';
import { formatDateVN } from '../../src/documents/format.js';
import { formatTimeVN } from '../../src/services/results/one-stop-forms.js';
import type { Db } from '../../src/db/client.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findEventsToAnnounce, findNotification, markNotificationsSent, recordNotificationAttempts } from '../../src/db/repositories/notifications.js';
import { markRelayedInBatch } from '../../src/db/repositories/outbox.js';
import * as schema from '../../src/db/schema/index.js';
import { outbox } from '../../src/db/schema/index.js';
import { runNotifyBatch } from '../../src/jobs/notify-batch.js';
import { isPermanentFailure } from '../../src/jobs/registry.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { MARK_EVERY_MS, notifyCitizenBatch, SENDS_AT_ONCE } from '../../src/services/notifications/notify-citizen-batch.js';
import { messageIdFor, notifyCitizen } from '../../src/services/notifications/notify-citizen.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.js';

const REFUSED = 'day.roi@example.test';

let env: TestEnvironment;
let mail: MailCatcher;
/** Recipients the mail server answers only when their promise settles (a server hanging mid-batch). */
const holding = new Map<string, () => Promise<void>>();

/** The mail server takes MARK_EVERY_MS (on the frozen clock) to answer each of `addresses`, once. */
function slowFor(addresses: string[], before?: () => Promise<void>): void {
  for (const address of addresses) {
    holding.set(address, async () => {
      holding.delete(address);
      await before?.();
      vi.setSystemTime(Date.now() + MARK_EVERY_MS);
    });
  }
}

/** Runs `run` with the process's Date frozen (timers stay real): only slowFor's recipients move it. */
async function onFrozenClock<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    return await run();
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  mail = await startMailCatcher({ refuses: (address) => address === REFUSED, holds: (address) => holding.get(address)?.() });
  env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${mail.port}`, MAIL_FROM: 'Sở GD&ĐT <motcua@sogd.test>' } });
  // No relay: the filings' outbox rows stay for each test to run as it chooses.
  await env.ctx.jobs.close();
});
afterAll(async () => {
  if (env) closeMailer(env.config);
  await env?.close();
  await mail?.close();
});

/** Files diploma copies (one event each, version 1), each with a phone: an address to e-mail too, or null for none. */
async function file(emails: Array<string | null>): Promise<Array<{ code: string; id: string }>> {
  const filed = [];
  for (const [i, email] of emails.entries()) {
    const request = diplomaRequest(`Người nộp ${i}`);
    const data = email ? { ...request, applicantEmail: email } : request;
    const { code } = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data, files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }] });
    filed.push({ code, id: (await findDossierByCode(env.ctx.db, code))!.id });
  }
  return filed;
}
const mailsFor = (code: string) => mail.inbox.filter((m) => m.subject?.includes(code));
const outboxRowsOf = (ids: string[]) =>
  env.ctx.db.select().from(outbox).where(sql`${outbox.job} = 'notify-citizen' and ${outbox.payload} ->> 'dossierId' in ${ids}`).orderBy(outbox.id);

/** The filings' notify-citizen rows handed over as one batch, as the relay does. */
async function relayed(dossierIds: string[]): Promise<{ batch: string; ids: number[] }> {
  const ids = (await outboxRowsOf(dossierIds)).map((r) => r.id);
  const batch = `test-${Math.random().toString(36).slice(2)}`;
  await markRelayedInBatch(env.ctx.database, ids, batch, 60_000);
  return { batch, ids };
}

/**
 * Runs `run` while another run holds its record of the dossier's version-1 message inserted, not yet committed (so
 * `run`'s record statement waits on it), then lets that run commit without sending — as if it died before sending.
 * Returns how `run` settled.
 */
async function whileAnotherRunRecords<T>(dossierId: string, email: string, run: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  const other = postgres(env.config.database.url, { max: 1, onnotice: () => {} });
  try {
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => { inserted = resolve; });
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => { commit = resolve; });
    const otherRun = other.begin(async (tx) => {
      await tx`insert into citizen_notifications (dossier_id, dossier_version, channel, recipient, subject, message_id, sent_at)
        values (${dossierId}, 1, 'email', ${email}, null, '<other.run@motcua.test>', null)`;
      inserted();
      await committing;
    });
    await insertedYet;
    const settled = Promise.allSettled([run()]).then(([result]) => result!);
    try {
      await vi.waitFor(async () => {
        const [w] = await env.ctx.database.query<{ waiting: boolean }>(`select exists (select 1 from pg_stat_activity where datname = current_database()
          and wait_event_type = 'Lock' and query like '%insert into citizen_notifications%') as waiting`, []);
        expect(w?.waiting).toBe(true);
      }, { timeout: 30_000, interval: 50 });
    } finally {
      commit();
      await otherRun;
    }
    return await settled;
  } finally {
    await other.end({ timeout: 5 });
  }
}

describe('notify-citizen batch path', () => {
  it('sends each event once: one already sent stays sent, one recorded but interrupted leaves with its recorded Message-ID', async () => {
    const [sent, interrupted, fresh, phoneOnly] = await file(['da.gui@example.test', 'do.dang@example.test', 'moi@example.test', null]);
    await notifyCitizen(env.ctx, sent!.id, 1);
    expect(mailsFor(sent!.code)).toHaveLength(1);
    // An earlier run recorded this one and stopped before the send (or before marking it): its Message-ID is the one to reuse.
    await recordNotificationAttempts(env.ctx.database, [{
      dossierId: interrupted!.id, dossierVersion: 1, channel: 'email', recipient: 'do.dang@example.test', subject: 'earlier', messageId: '<earlier.attempt@motcua.test>',
    }]);

    const events = [sent!, interrupted!, fresh!, phoneOnly!].map((d) => ({ dossierId: d.id, dossierVersion: 1 }));
    const outcomes = await notifyCitizenBatch(env.ctx, events);
    expect(outcomes).toEqual(events.map(() => ({ ok: true })));

    expect(mailsFor(sent!.code)).toHaveLength(1);
    const [again] = mailsFor(interrupted!.code);
    expect(mailsFor(interrupted!.code)).toHaveLength(1);
    expect(again!.messageId).toBe('<earlier.attempt@motcua.test>');
    const [first] = mailsFor(fresh!.code);
    expect(mailsFor(fresh!.code)).toHaveLength(1);
    expect(first!.to).toMatchObject({ value: [{ address: 'moi@example.test' }] });
    expect(first!.messageId).toBe(messageIdFor(env.config.publicUrl, fresh!.id, 1));
    expect(first!.text).toContain(fresh!.code);
    // The times as the one-by-one path prints them (the batch read maps its own timestamps).
    const [announced] = await findEventsToAnnounce(env.ctx.database, [{ dossierId: fresh!.id, dossierVersion: 1 }]);
    if (!announced) throw new Error('event not found');
    expect(first!.text).toContain(`lúc ${formatTimeVN(announced.event.at)}.`);
    expect(first!.text).toContain(`Ngày hẹn trả kết quả dự kiến: ${formatDateVN(vnDay(announced.dossier.dueAt!))}`);
    // No e-mail: an SMS (logged, no gateway here), recorded as such; no mail.
    expect(mailsFor(phoneOnly!.code)).toHaveLength(0);
    expect(await findNotification(env.ctx.db, phoneOnly!.id, 1)).toMatchObject({ channel: 'sms', recipient: '0912345678', sentAt: expect.any(Date) });
    for (const d of [sent!, interrupted!, fresh!]) expect((await findNotification(env.ctx.db, d.id, 1))?.sentAt).toBeInstanceOf(Date);

    // The same batch again (a crash after the sends): nothing leaves twice.
    expect(await notifyCitizenBatch(env.ctx, events)).toEqual(events.map(() => ({ ok: true })));
    for (const d of [sent!, interrupted!, fresh!]) expect(mailsFor(d.code)).toHaveLength(1);
  });

  it('an event the batch read cannot find runs alone and fails alone (the dossier is gone)', async () => {
    const [ok] = await file(['con.lai@example.test']);
    const gone = { dossierId: '00000000-0000-4000-8000-000000000000', dossierVersion: 1 };
    const outcomes = await notifyCitizenBatch(env.ctx, [gone, { dossierId: ok!.id, dossierVersion: 1 }]);
    expect(outcomes[0]).toMatchObject({ ok: false, error: expect.objectContaining({ code: 'DOSSIER_NOT_FOUND' }) });
    expect(outcomes[1]).toEqual({ ok: true });
    expect(mailsFor(ok!.code)).toHaveLength(1);
  });

  it('a refused recipient goes back to the outbox alone, recorded but not sent; the rest of the batch is done', async () => {
    const filed = await file(['mot@example.test', REFUSED, 'hai@example.test']);
    const refused = filed[1]!;
    const batch = await relayed(filed.map((d) => d.id));
    const outcome = await runNotifyBatch(env.ctx, batch);
    const rows = await outboxRowsOf(filed.map((d) => d.id));
    const refusedRow = rows.find((r) => r.payload.dossierId === refused.id)!;
    expect(outcome).toEqual({ done: rows.filter((r) => r !== refusedRow).map((r) => r.id), retried: [refusedRow.id], failed: [] });
    expect(refusedRow).toMatchObject({ doneAt: null, failedAt: null, relayedAt: null, attempts: 1 });
    expect(refusedRow.lastError).toMatch(/550|mailbox/);
    expect(rows.filter((r) => r !== refusedRow).every((r) => r.doneAt)).toBe(true);
    for (const d of filed) expect(mailsFor(d.code)).toHaveLength(d === refused ? 0 : 1);
    // Recorded before it was tried, not marked sent: its retry sends it under the same Message-ID.
    expect(await findNotification(env.ctx.db, refused.id, 1)).toMatchObject({ sentAt: null, messageId: messageIdFor(env.config.publicUrl, refused.id, 1) });
    for (const d of filed.filter((x) => x !== refused)) expect((await findNotification(env.ctx.db, d.id, 1))?.sentAt).toBeInstanceOf(Date);
  });

  it('a run hanging mid-batch, run again meanwhile (a stalled batch, a crash), resends none of what it marked, only what left since its last mark and the group in flight', async () => {
    const filed = await file(Array.from({ length: 2 * SENDS_AT_ONCE + 2 }, (_, i) => `nhom.${i}@example.test`));
    const marked = filed.slice(0, SENDS_AT_ONCE);
    const sinceMark = filed.slice(SENDS_AT_ONCE, 2 * SENDS_AT_ONCE);
    const inFlight = filed.slice(2 * SENDS_AT_ONCE);
    // The first group takes MARK_EVERY_MS (marked after it), the second none (not marked yet), and the mail server
    // hangs on the third group's recipients (once each): the first run stops there, alive.
    slowFor(['nhom.0@example.test']);
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let reached!: () => void;
    const allReached = new Promise<void>((resolve) => { reached = resolve; });
    let waiting = inFlight.length;
    for (const i of inFlight.keys()) {
      const address = `nhom.${2 * SENDS_AT_ONCE + i}@example.test`;
      holding.set(address, () => {
        holding.delete(address);
        if (--waiting === 0) reached();
        return released;
      });
    }
    const events = filed.map((d) => ({ dossierId: d.id, dossierVersion: 1 }));
    await onFrozenClock(async () => {
      const firstRun = notifyCitizenBatch(env.ctx, events);
      try {
        await allReached;
        for (const d of marked) expect((await findNotification(env.ctx.db, d.id, 1))?.sentAt, d.code).toBeInstanceOf(Date);
        for (const d of sinceMark) expect((await findNotification(env.ctx.db, d.id, 1))?.sentAt, d.code).toBeNull();
        // BullMQ runs the stalled batch again while the first run still lives (or a worker does after a crash).
        expect(await notifyCitizenBatch(env.ctx, events)).toEqual(events.map(() => ({ ok: true })));
        for (const d of marked) expect(mailsFor(d.code), d.code).toHaveLength(1);
        for (const d of sinceMark) expect(mailsFor(d.code), d.code).toHaveLength(2);
        for (const d of inFlight) expect(mailsFor(d.code), d.code).toHaveLength(1);
      } finally {
        release();
      }
      expect(await firstRun).toEqual(events.map(() => ({ ok: true })));
    });
    for (const d of marked) expect(mailsFor(d.code)).toHaveLength(1);
    // Only what left since the first run's last mark, and the group in flight, left twice, each under its one Message-ID.
    for (const d of [...sinceMark, ...inFlight]) {
      expect(mailsFor(d.code).map((m) => m.messageId)).toEqual([messageIdFor(env.config.publicUrl, d.id, 1), messageIdFor(env.config.publicUrl, d.id, 1)]);
    }
  });

  it('an event another run records while this run records it is handed back to the outbox: not sent here, due again shortly, no attempt counted; run again, it leaves under the other run\'s Message-ID', async () => {
    const [d] = await file(['song.song@example.test']);
    const batch = await relayed([d!.id]);
    const started = Date.now();
    const run = await whileAnotherRunRecords(d!.id, 'song.song@example.test', () => runNotifyBatch(env.ctx, batch));
    expect(run).toEqual({ status: 'fulfilled', value: { done: [], retried: batch.ids, failed: [] } });
    const [row] = await outboxRowsOf([d!.id]);
    // Back with the relay (relayed_at cleared), not failed, no attempt counted.
    expect(row).toMatchObject({ attempts: 0, doneAt: null, failedAt: null, relayedAt: null });
    expect(row!.lastError).toMatch(/another run/);
    // Due again shortly: later than now (the other run gets time to send and mark it), well before the 60 s
    // hand-over lease markRelayedInBatch set (which only the reconciler's fault path would have waited out).
    expect(row!.availableAt.getTime()).toBeGreaterThan(started);
    expect(row!.availableAt.getTime()).toBeLessThan(started + 30_000);
    expect(mailsFor(d!.code)).toHaveLength(0);
    // The other run died before sending: run again, the row finds the record and sends under its Message-ID.
    const again = await relayed([d!.id]);
    expect(await runNotifyBatch(env.ctx, again)).toEqual({ done: again.ids, retried: [], failed: [] });
    expect(mailsFor(d!.code).map((m) => m.messageId)).toEqual(['<other.run@motcua.test>']);
  });

  it('the one-by-one path, meeting a record another run made meanwhile and not yet marked sent, sends nothing and throws to be retried; retried, it leaves under that run\'s Message-ID', async () => {
    const [d] = await file(['song.le@example.test']);
    const run = await whileAnotherRunRecords(d!.id, 'song.le@example.test', () => notifyCitizen(env.ctx, d!.id, 1));
    expect(run.status).toBe('rejected');
    const error = (run as PromiseRejectedResult).reason;
    expect(String(error)).toMatch(/another run/);
    expect(isPermanentFailure(error)).toBe(false);
    expect(mailsFor(d!.code)).toHaveLength(0);
    // The other run died before sending: the retry finds its record and sends under its Message-ID, once.
    await notifyCitizen(env.ctx, d!.id, 1);
    await notifyCitizen(env.ctx, d!.id, 1);
    expect(mailsFor(d!.code).map((m) => m.messageId)).toEqual(['<other.run@motcua.test>']);
  });
});

describe('statements per batch', () => {
  let client: postgres.Sql;
  let counting: AppContext;
  let statements: string[] = [];
  /** The dossier ids each sent mark carried, in order. */
  let marks: string[][] = [];

  beforeAll(() => {
    if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
    client = postgres(env.config.database.url, { max: 2, onnotice: () => {}, debug: (_connection, query, parameters) => {
      statements.push(query);
      if (query.includes('update citizen_notifications')) marks.push(String((parameters as unknown[])[0]).match(/[0-9a-f-]{36}/gi) ?? []);
    } });
    const db = drizzle(client, { schema }) as unknown as Db;
    counting = {
      ...env.ctx, db,
      database: { ...env.ctx.database, db, query: async <T>(text: string, params: unknown[]) => (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[] },
    };
  });
  afterAll(async () => { await client?.end({ timeout: 5 }); });

  /** A batch of `size` run on the frozen clock; `slow`: indexes of the recipients the mail server takes MARK_EVERY_MS for. */
  async function counted(size: number, slow: number[] = [], filed?: Array<{ code: string; id: string }>): Promise<string[]> {
    filed ??= await file(Array.from({ length: size }, (_, i) => `dem.${size}.${i}@example.test`));
    const batch = await relayed(filed.map((d) => d.id));
    slowFor(slow.map((i) => `dem.${size}.${i}@example.test`));
    statements = [];
    marks = [];
    const outcome = await onFrozenClock(() => runNotifyBatch(counting, batch));
    expect(outcome.done).toHaveLength(size);
    for (const d of filed) expect(mailsFor(d.code)).toHaveLength(1);
    expect((await env.ctx.db.select().from(outbox).where(inArray(outbox.id, batch.ids))).every((r) => r.doneAt)).toBe(true);
    // postgres.js reads the array types once on each new connection: not the batch's work.
    return statements.filter((s) => !s.includes('pg_catalog.pg_type'));
  }

  it('a batch of 12 sent within MARK_EVERY_MS sends the five statements of a batch of 2 (its rows, their events, the records, the sent mark, the done mark): one sent mark, at the end', async () => {
    await counted(1); // the agency's look-up, kept a minute per database client, is not the batch's work
    const small = await counted(2);
    const large = await counted(12);
    expect(small, small.join('\n---\n')).toHaveLength(5);
    const [rows, events, records, mark, done] = small;
    expect(mark).toMatch(/update citizen_notifications/);
    expect(large).toEqual([rows, events, records, mark, done]);
    expect(marks.map((m) => m.length)).toEqual([12]);
  });

  it('a batch whose sends take longer than MARK_EVERY_MS marks what has left after the first group past each window, before more leaves, and the rest at the end', async () => {
    // Groups of five: 0–4 (its first send takes the window), 5–9, 10–14 (its first send takes the window), 15–16.
    const size = 3 * SENDS_AT_ONCE + 2;
    const filed = await file(Array.from({ length: size }, (_, i) => `dem.${size}.${i}@example.test`));
    const ids = filed.map((d) => d.id);
    // When the second group starts leaving, the first is already marked sent.
    let firstGroupMarked: boolean | undefined;
    holding.set(`dem.${size}.${SENDS_AT_ONCE}@example.test`, async () => {
      holding.delete(`dem.${size}.${SENDS_AT_ONCE}@example.test`);
      firstGroupMarked = (await Promise.all(filed.slice(0, SENDS_AT_ONCE).map((d) => findNotification(env.ctx.db, d.id, 1)))).every((n) => n?.sentAt);
    });
    const batch = await counted(size, [0, 2 * SENDS_AT_ONCE], filed);
    expect(batch.filter((s) => s.includes('update citizen_notifications'))).toHaveLength(3);
    // Sends of a group end in any order: each mark's ids compared as a set.
    const sorted = (group: string[]) => [...group].sort();
    expect(marks.map(sorted)).toEqual([ids.slice(0, SENDS_AT_ONCE), ids.slice(SENDS_AT_ONCE, 3 * SENDS_AT_ONCE), ids.slice(3 * SENDS_AT_ONCE)].map(sorted));
    expect(firstGroupMarked).toBe(true);
  });

  it('marks made at the same moment by batches running side by side share one statement', async () => {
    const filed = await file(['cung.luc.1@example.test', 'cung.luc.2@example.test', 'cung.luc.3@example.test']);
    const keys = filed.map((d) => ({ dossierId: d.id, dossierVersion: 1 }));
    await recordNotificationAttempts(counting.database, keys.map((k, i) => ({ ...k, channel: 'email', recipient: `cung.luc.${i + 1}@example.test`, subject: 's', messageId: `<m${i}.${k.dossierId}@motcua.test>` })));
    statements = [];
    await Promise.all(keys.map((k) => markNotificationsSent(counting.database, [k])));
    expect(statements.filter((s) => s.includes('update citizen_notifications'))).toHaveLength(1);
    for (const k of keys) expect((await findNotification(env.ctx.db, k.dossierId, 1))?.sentAt).toBeInstanceOf(Date);
  });
});
