// The outbox is the effects' ledger (DESIGN rule 6), on real PostgreSQL and Redis: a job Redis lost is handed over
// again and its dossier moves on; a dossier stranded in a system state with nothing left to move it is recovered;
// an effect that fails for good is shown to admins and retried from the API; an interrupted e-mail is resent with
// the same Message-ID and a sent one never again.
import { simpleParser, type ParsedMail } from 'mailparser';
import { Queue } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findNotification, recordNotificationAttempts } from '../../src/db/repositories/notifications.js';
import { insertOutbox, listForDossier } from '../../src/db/repositories/outbox.js';
import { outbox } from '../../src/db/schema/index.js';
import { BullmqDriver } from '../../src/jobs/bullmq.js';
import { BATCH_JOB_ID_PREFIX, NOTIFY_BATCH_QUEUE } from '../../src/jobs/notify-batch.js';
import { JOBS } from '../../src/jobs/registry.js';
import { DEFAULT_RETRY, retryWindowMs } from '../../src/jobs/types.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { messageIdFor, notifyCitizen } from '../../src/services/notifications/notify-citizen.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { recoverStrandedDossiers } from '../../src/services/processing/recover-stranded.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL, uniquePrefix } from '../helpers/databases.js';
import { dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { eventually } from '../helpers/http.js';

const statusOf = async (env: TestEnvironment, code: string) => (await findDossierByCode(env.ctx.db, code))?.status;

describe('effects ledger (BullMQ)', () => {
  let env: TestEnvironment;
  let prefix: string;
  let driver: BullmqDriver | undefined;
  const inbox: ParsedMail[] = [];
  let smtp: SMTPServer;

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onData(stream, _session, callback) { simpleParser(stream).then((mail) => { inbox.push(mail); callback(); }, callback); },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as { port: number }).port;
    env = await startTestEnvironment('production', { env: { SMTP_URL: `smtp://127.0.0.1:${port}`, RECONCILE_MS: '1000' } });
    // The test plays the worker itself, so it can take Redis's data away between hand-over and run.
    await env.ctx.jobs.close();
    prefix = env.config.queue.kind === 'bullmq' ? env.config.queue.prefix : uniquePrefix('ledger');
  });
  afterAll(async () => {
    await driver?.close();
    closeMailer(env.config);
    await env?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const loseRedisData = async () => {
    for (const name of [...Object.keys(JOBS), NOTIFY_BATCH_QUEUE]) {
      const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  };
  /** What the reconciler would see once its first look is due. */
  const dueForALook = () => env.ctx.db.update(outbox).set({ availableAt: sql`now()` }).where(sql`${outbox.relayedAt} is not null and ${outbox.doneAt} is null`);

  it('hands a job that Redis lost over again, and the dossier gets its signed result', async () => {
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    const relayOnly = new BullmqDriver(env.ctx, REDIS_URL, prefix, false);
    await relayOnly.start();
    await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version });
    relayOnly.wake();
    const dossierId = (await findDossierByCode(env.ctx.db, code))!.id;
    await eventually(async () => ((await listForDossier(env.ctx.db, dossierId)).every((r) => r.relayedAt) ? true : undefined));
    await relayOnly.close();

    await loseRedisData();
    const rows = await listForDossier(env.ctx.db, dossierId);
    expect(rows.find((r) => r.job === 'issue-result')).toMatchObject({ doneAt: null, failedAt: null });
    expect(await statusOf(env, code)).toBe('signing');

    driver = new BullmqDriver(env.ctx, REDIS_URL, prefix, true);
    await driver.start();
    await dueForALook();
    await eventually(async () => ((await statusOf(env, code)) === 'result_ready' ? true : undefined), 30_000);
    await driver.idle(20_000);
    expect((await listForDossier(env.ctx.db, dossierId)).every((r) => r.doneAt !== null)).toBe(true);
  });

  it('moves on a dossier stranded in a system state with nothing left in the outbox', async () => {
    const { code, version } = await dossierAwaitingApproval(env.ctx);
    const dossierId = (await findDossierByCode(env.ctx.db, code))!.id;
    await driver!.close();
    driver = undefined;
    await performAction(env.ctx, { code, action: 'approve', caller: await staffCaller(env.ctx, 'leader'), version });
    // The effect is gone as it was before the outbox became a ledger (marked done on enqueue, then lost).
    await env.ctx.db.update(outbox).set({ relayedAt: sql`now()`, doneAt: sql`now()` }).where(sql`${outbox.payload}->>'dossierId' = ${dossierId}`);
    expect(await recoverStrandedDossiers(env.ctx, 60_000)).toEqual([]); // not quiet long enough yet

    const recovered = await recoverStrandedDossiers(env.ctx, 0);
    expect(recovered).toEqual([{ code, status: 'signing', jobs: ['issue-result'] }]);
    expect(await recoverStrandedDossiers(env.ctx, 0)).toEqual([]); // its effect is now in the outbox

    driver = new BullmqDriver(env.ctx, REDIS_URL, prefix, true);
    await driver.start();
    await eventually(async () => ((await statusOf(env, code)) === 'result_ready' ? true : undefined), 30_000);
  });

  it('records an effect that fails for good, shows it to admins only, and retries it from the API', async () => {
    const ghost = '00000000-0000-4000-8000-00000000dead';
    await env.ctx.db.transaction((tx) => insertOutbox(tx, [{ job: 'notify-citizen', payload: { dossierId: ghost, dossierVersion: 1 } }]));
    driver!.wake();
    const failed = await eventually(async () => {
      const [row] = await env.ctx.db.select().from(outbox).where(sql`${outbox.payload}->>'dossierId' = ${ghost}`);
      return row?.failedAt ? row : undefined;
    });
    expect(failed.lastError).toContain('is gone');

    const login = async (username: string) => (await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } })).json().token as string;
    const admin = await login('admin');
    const listed = await env.app.inject({ method: 'GET', url: '/api/admin/effects', headers: { authorization: `Bearer ${admin}` } });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toContainEqual(expect.objectContaining({ id: failed.id, job: 'notify-citizen', label: 'Gửi thư điện tử / tin nhắn cho công dân.', dossierCode: null }));
    const clerk = await login('clerk');
    const refused = await env.app.inject({ method: 'GET', url: '/api/admin/effects', headers: { authorization: `Bearer ${clerk}` } });
    expect(refused.statusCode).toBe(403);

    // The same list on the administrators' page, with a retry button; the menu shows it to admins only.
    const page = await env.app.inject({ method: 'GET', url: '/can-bo/tac-vu-loi', headers: { authorization: `Bearer ${admin}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Gửi thư điện tử / tin nhắn cho công dân');
    expect(page.body).toContain(`/can-bo/tac-vu-loi/${failed.id}/chay-lai`);
    expect(page.body).toContain('href="/can-bo/tac-vu-loi"');
    const clerkInbox = await env.app.inject({ method: 'GET', url: '/can-bo', headers: { authorization: `Bearer ${clerk}` } });
    expect(clerkInbox.body).not.toContain('href="/can-bo/tac-vu-loi"');
    expect((await env.app.inject({ method: 'GET', url: '/can-bo/tac-vu-loi', headers: { authorization: `Bearer ${clerk}` } })).statusCode).toBe(403);

    // It ran in a batch job (notify-citizen-batch), which completed: the batch gives a failing row back to the outbox
    // (retryRowLater), failed for good here since a vanished dossier is not worth retrying; BullMQ holds no failed job.
    const firstBatch = failed.payload.relayBatch as string;
    expect(typeof firstBatch).toBe('string');
    expect(failed.attempts).toBe(1);
    const batches = new Queue(NOTIFY_BATCH_QUEUE, { connection: { url: REDIS_URL }, prefix });
    expect(await batches.getJobState(`${BATCH_JOB_ID_PREFIX}${firstBatch}`)).toBe('completed');
    const single = new Queue('notify-citizen', { connection: { url: REDIS_URL }, prefix });
    expect(await single.getJob(`outbox-${failed.id}`)).toBeUndefined();
    await single.close();

    const retried = await env.app.inject({ method: 'POST', url: `/api/admin/effects/${failed.id}/retry`, headers: { authorization: `Bearer ${admin}` } });
    expect(retried.statusCode).toBe(200);
    const [reset] = await env.ctx.db.select().from(outbox).where(eq(outbox.id, failed.id));
    expect(reset).toMatchObject({ attempts: 0, failedAt: null });
    // The retry really runs the row again, in a new batch job (the completed one is still held in Redis for an hour, so
    // a batch named after the row's id and attempts would be skipped by BullMQ): it fails again, later.
    const rerun = await eventually(async () => {
      const [row] = await env.ctx.db.select().from(outbox).where(eq(outbox.id, failed.id));
      return row?.failedAt && row.failedAt > failed.failedAt! ? row : undefined;
    }, 30_000, 300);
    expect(rerun.attempts).toBe(1);
    const secondBatch = rerun.payload.relayBatch as string;
    expect(secondBatch).not.toBe(firstBatch);
    expect(await batches.getJobState(`${BATCH_JOB_ID_PREFIX}${secondBatch}`)).toBe('completed');
    expect(await batches.getJobState(`${BATCH_JOB_ID_PREFIX}${firstBatch}`)).toBe('completed'); // the old one untouched
    await batches.close();
    const again = await env.app.inject({ method: 'POST', url: '/api/admin/effects/999999999/retry', headers: { authorization: `Bearer ${admin}` } });
    expect(again.json().error.code).toBe('NOT_FOUND');
  });

  it('resends an interrupted e-mail with the same Message-ID, and never a sent one', async () => {
    // The test plays the worker here: a running one would send the dossier's own notify-citizen effect for version 2
    // as soon as the e-mail address appears, racing the two hand-played sends below.
    await driver?.close();
    driver = undefined;
    const { code } = await dossierAwaitingApproval(env.ctx);
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    await env.ctx.db.execute(sql`update dossiers set applicant_email = 'mai@example.test' where id = ${dossier.id}`);
    await env.ctx.db.execute(sql`delete from citizen_notifications where dossier_id = ${dossier.id} and dossier_version = 2`);
    // A first attempt was recorded, then the process died before it could say "sent".
    await recordNotificationAttempts(env.ctx.database, [{
      dossierId: dossier.id, dossierVersion: 2, channel: 'email', recipient: 'mai@example.test', subject: null,
      messageId: messageIdFor(env.config.publicUrl, dossier.id, 2),
    }]);
    await notifyCitizen(env.ctx, dossier.id, 2);
    await notifyCitizen(env.ctx, dossier.id, 2);
    const id = messageIdFor(env.config.publicUrl, dossier.id, 2);
    expect(inbox.filter((m) => m.messageId === id)).toHaveLength(1);
    expect((await findNotification(env.ctx.db, dossier.id, 2))?.sentAt).toBeInstanceOf(Date);
  });

  it('keeps e-mails trying for hours and other jobs for minutes before reporting them', () => {
    expect(retryWindowMs(JOBS['notify-citizen']!.retry!)).toBeGreaterThan(6 * 3600_000);
    expect(retryWindowMs(DEFAULT_RETRY)).toBeGreaterThan(10 * 60_000);
    expect(JOBS['issue-result']!.retry).toBeUndefined();
  });
});
