// The SLA sweep on a real database: it marks a dossier due soon and an overdue one, raises one alert per dossier and
// date for the holding unit (twice run, once raised), the overdue dossier's next action is refused until an apology
// with a new date, and an extension moves the due date. Also the clock across a supplement pause through the services.
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnDay, vnInstant, vnToday } from '../../src/calendar/vn-time.js';
import { addWorkingDays, nextWorkingDay, workingCalendar, workingDaysBetween } from '../../src/calendar/working-days.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { listSlaAlerts } from '../../src/db/repositories/routing.js';
import { dossiers } from '../../src/db/schema/index.js';
import { runJob } from '../../src/jobs/registry.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { sweepSla } from '../../src/services/processing/sla-sweep.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { REDIS_URL } from '../helpers/databases.js';
import { eventually } from '../helpers/http.js';

let env: TestEnvironment;
beforeAll(async () => { env = await startTestEnvironment('production'); });
afterAll(async () => { await env?.close(); });

async function receivedDossier(): Promise<string> {
  const { ctx } = env;
  const { code } = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'a.pdf', data: await makePdf() }] });
  await performAction(ctx, { code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
  return code;
}

async function setDue(code: string, dueAt: Date): Promise<void> {
  await env.ctx.db.update(dossiers).set({ dueAt }).where(eq(dossiers.code, code));
}

describe('SLA sweep, apology and extension', () => {
  it('is a repeatable BullMQ job in production', async () => {
    const config = env.config.queue;
    if (config.kind !== 'bullmq') throw new Error('production mode expected');
    const queue = new Queue('sla-sweep', { connection: { url: REDIS_URL }, prefix: config.prefix });
    try {
      const schedulers = await eventually(async () => {
        const list = await queue.getJobSchedulers();
        return list.length > 0 ? list : undefined;
      });
      expect(schedulers).toEqual([expect.objectContaining({ key: 'sla-sweep', every: 600_000 })]);
    } finally {
      await queue.close();
    }
  });

  it('marks overdue and due-soon dossiers once and alerts the holding unit', async () => {
    const late = await receivedDossier();
    const soon = await receivedDossier();
    const fine = await receivedDossier();
    const today = vnToday();
    await setDue(late, vnInstant('2026-01-05', '17:00'));
    await setDue(soon, vnInstant(nextWorkingDay(today), '16:00'));
    await setDue(fine, vnInstant(addWorkingDays(nextWorkingDay(today), 5), '17:00'));

    const first = await sweepSla(env.ctx.db);
    expect(first.overdue).toBeGreaterThanOrEqual(1);
    expect((await findDossierByCode(env.ctx.db, late))!.slaMark).toBe('overdue');
    expect((await findDossierByCode(env.ctx.db, soon))!.slaMark).toBe('due_soon');
    expect((await findDossierByCode(env.ctx.db, fine))!.slaMark).toBeNull();
    const alerts = await listSlaAlerts(env.ctx.db, ['qlcl']);
    expect(alerts.filter((a) => a.data?.code === late).map((a) => a.kind)).toEqual(['overdue']);
    expect(alerts.filter((a) => a.data?.code === soon).map((a) => a.kind)).toEqual(['due_soon']);

    // The job runs the same sweep; a second pass raises nothing new.
    await runJob(env.ctx, 'sla-sweep', {});
    expect((await listSlaAlerts(env.ctx.db, ['qlcl'])).length).toBe(alerts.length);
  });

  it('refuses to go on with an overdue dossier until an apology gives a new date', async () => {
    const { ctx } = env;
    const code = await receivedDossier();
    await setDue(code, vnInstant('2026-01-05', '17:00'));
    const specialist = await staffCaller(ctx, 'specialist');
    const verify = { registerBookNumber: 'SG-1', entryNumber: '1/THPT', diplomaNumber: 'B 1', issuedDate: '2019-07-01' };
    await expect(performAction(ctx, { code, action: 'verify', caller: specialist, version: 2, data: verify })).rejects.toMatchObject({ code: 'APOLOGY_REQUIRED' });

    await expect(performAction(ctx, { code, action: 'apologise', caller: specialist, version: 2, data: { newDate: nextWorkingDay(vnToday()) } }))
      .rejects.toMatchObject({ code: 'COMMENT_REQUIRED' });
    await expect(performAction(ctx, { code, action: 'apologise', caller: specialist, version: 2, comment: 'Sổ gốc đang được số hóa', data: { newDate: vnToday() } }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // A citizen cannot apologise on the unit's behalf.
    await expect(performAction(ctx, { code, action: 'apologise', caller: await staffCaller(ctx, 'school'), version: 2, comment: 'x', data: { newDate: nextWorkingDay(vnToday()) } }))
      .rejects.toMatchObject({ code: 'UNIT_FORBIDDEN' });
    const newDate = addWorkingDays(vnToday(), 2);
    const apologised = await performAction(ctx, { code, action: 'apologise', caller: specialist, version: 2, comment: 'Sổ gốc đang được số hóa', data: { newDate } });
    expect(apologised).toMatchObject({ status: 'checking', version: 3 });
    const row = (await findDossierByCode(ctx.db, code))!;
    expect(row.apologyDueAt).toEqual(vnInstant(newDate, workingCalendar.closeAt));
    expect(row.dueAt).toEqual(vnInstant('2026-01-05', '17:00'));
    expect((await performAction(ctx, { code, action: 'verify', caller: specialist, version: 3, data: verify })).status).toBe('awaiting_approval');
  });

  it('extends the due date by working days, with a reason', async () => {
    const { ctx } = env;
    const code = await receivedDossier();
    const before = (await findDossierByCode(ctx.db, code))!.dueAt!;
    const clerk = await staffCaller(ctx, 'clerk');
    await expect(performAction(ctx, { code, action: 'extend', caller: clerk, version: 2, data: { workingDays: 3 } })).rejects.toMatchObject({ code: 'COMMENT_REQUIRED' });
    await performAction(ctx, { code, action: 'extend', caller: clerk, version: 2, comment: 'Cần xác minh với trường cấp bằng', data: { workingDays: 3 } });
    const after = (await findDossierByCode(ctx.db, code))!.dueAt!;
    expect(workingDaysBetween(before, after)).toBe(3);
    expect(vnDay(after)).toBe(addWorkingDays(vnDay(before), 3));
    // A 1-day procedure may be extended by 5 working days in all, twice at most: not pushed months away.
    const again = { code, action: 'extend', caller: clerk, version: 3, comment: 'Chờ xác minh thêm', data: { workingDays: 3 } };
    await expect(performAction(ctx, again)).rejects.toMatchObject({ code: 'EXTENSION_LIMIT', statusCode: 422 });
    await performAction(ctx, { ...again, data: { workingDays: 2 } });
    await expect(performAction(ctx, { ...again, version: 4, data: { workingDays: 1 } })).rejects.toMatchObject({ code: 'EXTENSION_LIMIT' });
    expect(workingDaysBetween(before, (await findDossierByCode(ctx.db, code))!.dueAt!)).toBe(5);
  });

  it('keeps the clock across a supplement pause: resumed on resubmission, not restarted by the second receipt', async () => {
    const { ctx } = env;
    const code = await receivedDossier();
    const specialist = await staffCaller(ctx, 'specialist');
    await performAction(ctx, { code, action: 'request_supplement', caller: specialist, version: 2, comment: 'Bổ sung giấy ủy quyền' });
    // Pretend the citizen took a while: paused five working days ago, and the dossier was due three working days ago.
    const today = vnToday();
    let pausedDay = today;
    for (let i = 0; i < 5; i++) pausedDay = previousWorkingDay(pausedDay);
    let dueDay = today;
    for (let i = 0; i < 3; i++) dueDay = previousWorkingDay(dueDay);
    await env.ctx.db.update(dossiers).set({ clockPausedAt: vnInstant(pausedDay, '10:00'), dueAt: vnInstant(dueDay, '17:00') }).where(eq(dossiers.code, code));
    const paused = (await findDossierByCode(ctx.db, code))!;
    expect(paused.clockState).toBe('paused');
    // Not swept as overdue while paused.
    await sweepSla(ctx.db);
    expect((await findDossierByCode(ctx.db, code))!.slaMark).toBeNull();

    const token = (await import('../../src/services/access.js')).trackingTokenFor(ctx.secret, paused.id);
    await performAction(ctx, { code, action: 'resubmit', caller: { kind: 'public', bearer: token }, version: 3 });
    const resumed = (await findDossierByCode(ctx.db, code))!;
    expect(resumed.clockState).toBe('running');
    // Paused five working days before today: the wait is those that followed it — five if today is a working day
    // (four before it and today), else four.
    const waited = workingCalendar.isWorkingDay(today) ? 5 : 4;
    expect(workingDaysBetween(paused.clockPausedAt!, new Date())).toBe(waited);
    expect(vnDay(resumed.dueAt!)).toBe(addWorkingDays(dueDay, waited));
    await performAction(ctx, { code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 4 });
    expect((await findDossierByCode(ctx.db, code))!.dueAt).toEqual(resumed.dueAt);
  });
});

function previousWorkingDay(day: string): string {
  let d = new Date(`${day}T12:00:00Z`);
  do { d = new Date(d.getTime() - 86_400_000); } while (!workingCalendar.isWorkingDay(d.toISOString().slice(0, 10)));
  return d.toISOString().slice(0, 10);
}
