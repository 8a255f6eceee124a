// The citizen's notifications relayed in batches (BullMQ): against real PostgreSQL, Redis and a local SMTP server.
// One queued job carries a poll's notify-citizen rows; each message is sent once, recorded, and its row marked done;
// a recipient the mail server refuses goes back to the outbox alone (its attempt counted, retried later) while the
// rest of its batch is done; a batch run again sends nothing twice.
import { Queue } from 'bullmq';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findNotification } from '../../src/db/repositories/notifications.js';
import { outbox } from '../../src/db/schema/index.js';
import { BullmqDriver } from '../../src/jobs/bullmq.js';
import { NOTIFY_BATCH_QUEUE, runNotifyBatch } from '../../src/jobs/notify-batch.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL, uniquePrefix } from '../helpers/databases.js';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { ApiClient, eventually, listenForHttp } from '../helpers/http.js';

const REFUSED = 'tu.choi@example.test';

describe('notify-citizen batches', () => {
  let env: TestEnvironment;
  let api: ApiClient;
  let server: SMTPServer;
  const inbox: Array<{ to: string[]; mail: ParsedMail }> = [];
  let refusing = true;

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      // A mail server refusing one recipient (a full mailbox), until told otherwise.
      onRcptTo(address, _session, callback) {
        if (refusing && address.address === REFUSED) callback(Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 }));
        else callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream).then((mail) => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), mail }); callback(); }, callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Sở GD&ĐT <motcua@sogd.test>' } });
    // The environment's own relay is stopped: filings pile up in the outbox, and each test's driver relays them.
    await env.ctx.jobs.close();
    api = await listenForHttp(env);
  });
  afterAll(async () => {
    if (env) closeMailer(env.config);
    await env?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function file(emails: string[]): Promise<string[]> {
    const codes: string[] = [];
    for (const [i, email] of emails.entries()) {
      const filed = await api.submit('diploma-copy', { ...diplomaRequest(`Người nộp ${i}`), applicantEmail: email },
        [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
      expect(filed.status).toBe(201);
      codes.push((filed.body as { code: string }).code);
    }
    return codes;
  }
  const mailsFor = (code: string) => inbox.filter((r) => r.mail.subject?.includes(code));
  const rowsOf = async (codes: string[]) => {
    const ids = await Promise.all(codes.map(async (c) => (await findDossierByCode(env.ctx.db, c))!.id));
    return env.ctx.db.select().from(outbox).where(and2(ids)).orderBy(outbox.id);
  };
  const and2 = (ids: string[]) => sql`${outbox.job} = 'notify-citizen' and ${outbox.payload} ->> 'dossierId' in ${ids}`;

  it('sends a poll of notifications as one batch job: every message once, recorded, its row done', async () => {
    const codes = await file(Array.from({ length: 6 }, (_, i) => `lo.${i}@example.test`));
    const prefix = uniquePrefix('batch');
    const driver = new BullmqDriver(env.ctx, REDIS_URL, prefix, true);
    const batches = new Queue(NOTIFY_BATCH_QUEUE, { connection: { url: REDIS_URL }, prefix });
    const single = new Queue('notify-citizen', { connection: { url: REDIS_URL }, prefix });
    try {
      await driver.start();
      await eventually(async () => ((await rowsOf(codes)).every((r) => r.doneAt) ? true : undefined), 60_000);
      for (const code of codes) expect(mailsFor(code)).toHaveLength(1);
      for (const code of codes) {
        const dossier = (await findDossierByCode(env.ctx.db, code))!;
        expect((await findNotification(env.ctx.db, dossier.id, 1))?.sentAt).toBeTruthy();
      }
      const jobs = await batches.getJobs(['completed']);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.data.ids).toEqual((await rowsOf(codes)).map((r) => r.id));
      expect(await single.getJobCounts()).toMatchObject({ waiting: 0, completed: 0, active: 0, failed: 0 });

      // The same batch run again (a crash after the messages, before the rows were marked): nothing is sent twice.
      const rows = await rowsOf(codes);
      await env.ctx.db.update(outbox).set({ doneAt: null }).where(inArray(outbox.id, rows.map((r) => r.id)));
      const again = await runNotifyBatch(env.ctx, jobs[0]!.data);
      expect(again.done.sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
      for (const code of codes) expect(mailsFor(code)).toHaveLength(1);
      expect((await rowsOf(codes)).every((r) => r.doneAt)).toBe(true);
    } finally {
      await driver.close();
      await batches.obliterate({ force: true }); await batches.close();
      await single.obliterate({ force: true }); await single.close();
    }
  });

  it('a refused recipient goes back to the outbox alone; the rest of its batch is done and not sent again', async () => {
    refusing = true;
    const codes = await file(['a.ok@example.test', REFUSED, 'b.ok@example.test', 'c.ok@example.test']);
    const refusedCode = codes[1]!;
    const prefix = uniquePrefix('batch');
    const driver = new BullmqDriver(env.ctx, REDIS_URL, prefix, true);
    const batches = new Queue(NOTIFY_BATCH_QUEUE, { connection: { url: REDIS_URL }, prefix });
    try {
      await driver.start();
      const waiting = await eventually(async () => {
        const rows = await rowsOf(codes);
        const refused = rows.find((r) => r.attempts === 1);
        return rows.filter((r) => r.doneAt).length === 3 && refused ? refused : undefined;
      }, 60_000);
      // Back in the outbox, due after the job's backoff, with its error and one attempt counted; not failed.
      expect(waiting).toMatchObject({ doneAt: null, failedAt: null, relayedAt: null });
      expect(waiting.lastError).toMatch(/550|mailbox/);
      expect(waiting.availableAt.getTime()).toBeGreaterThan(Date.now());
      for (const code of codes.filter((c) => c !== refusedCode)) expect(mailsFor(code)).toHaveLength(1);
      expect(mailsFor(refusedCode)).toHaveLength(0);
      const [first] = await batches.getJobs(['completed']);
      expect(first).toBeDefined();

      // BullMQ runs that batch again (a stalled or crashed worker): the row it gave back still names it, but is not
      // run early — no extra attempt counted, its backoff kept, nothing sent again.
      const rerun = await runNotifyBatch(env.ctx, first!.data);
      expect(rerun).toEqual({ done: [], retried: [], failed: [] });
      expect((await rowsOf([refusedCode]))[0]).toMatchObject({ attempts: 1, relayedAt: null, availableAt: waiting.availableAt });
      for (const code of codes) expect(mailsFor(code)).toHaveLength(code === refusedCode ? 0 : 1);

      // The mailbox is back: the row's retry (made due now rather than waiting the backoff) sends it, in a batch of its own.
      refusing = false;
      await env.ctx.db.update(outbox).set({ availableAt: new Date() }).where(inArray(outbox.id, [waiting.id]));
      driver.wake();
      await eventually(async () => ((await rowsOf([refusedCode]))[0]?.doneAt ? true : undefined), 60_000);
      expect(mailsFor(refusedCode)).toHaveLength(1);
      for (const code of codes.filter((c) => c !== refusedCode)) expect(mailsFor(code)).toHaveLength(1);
      expect((await batches.getJobs(['completed']))).toHaveLength(2);
    } finally {
      await driver.close();
      await batches.obliterate({ force: true }); await batches.close();
    }
  });
});
