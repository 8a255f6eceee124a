// The report figures' monthly rollup on the embedded database (PGlite): the triggers of migration 0020 mark the past
// months that staff acts change, refreshReportRollups rolls them up, and the figures stay what counting the dossiers
// gives; in production the worker's timer (REPORT_ROLLUP_EVERY_MS) does it on its own. test/integration/growth-queries.test.ts checks the same against the
// former statements over thousands of dossiers on PostgreSQL.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { periodFigures, type Index766Query } from '../../src/db/repositories/stats.js';
import { refreshReportRollups } from '../../src/db/repositories/report-rollup.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';

describe('report rollup (embedded database)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('embedded'); }, 120_000);
  afterAll(async () => { await env?.close(); });

  const query = (): Index766Query => {
    const now = new Date();
    return { from: new Date(now.getTime() - 400 * 86_400_000), to: now, now, nationalProcedureIds: ['diploma-copy'], resultStates: [['diploma-copy', 'returned']] };
  };
  const select = async <T>(statement: ReturnType<typeof sql>) => rowsOf<T>(await env.ctx.db.execute(statement));
  const marks = async () => (await select<{ n: number }>(sql`select count(*)::int as n from report_rollup_marks`))[0]!.n;
  const builtMonths = async () => (await select<{ n: number }>(sql`select count(*)::int as n from report_rollup_months`))[0]!.n;
  /** The figures counted from the dossiers alone: the rollup forgotten, then rebuilt. */
  const counted = async () => {
    await env.ctx.db.execute(sql`delete from report_rollup_months`);
    const figures = await periodFigures(env.ctx.db, query());
    await refreshReportRollups(env.ctx.db);
    return figures;
  };

  it('marks the past months staff acts change, rolls them up, and counts the same', async () => {
    const clerk = await staffCaller(env.ctx, 'clerk');
    const codes: string[] = [];
    for (const name of ['Lê Thị Lan', 'Trần Văn Bình', 'Ngô Thị Cúc']) {
      const { code } = await submitDossier(env.ctx, {
        procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
      });
      codes.push(code);
    }
    await performAction(env.ctx, { code: codes[0]!, action: 'receive', caller: clerk, version: 1 });
    // Filed this month: intake marked nothing (the current month is never rolled up).
    const before = await marks();
    // The same dossiers as if filed three and two months ago (a clock running, one of them past its due time).
    await env.ctx.db.execute(sql`
      update dossiers set submitted_at = submitted_at - interval '95 days', received_at = received_at - interval '95 days',
        due_at = due_at - interval '80 days' where code = ${codes[0]!}`);
    await env.ctx.db.execute(sql`update dossiers set submitted_at = submitted_at - interval '62 days' where code in (${codes[1]!}, ${codes[2]!})`);
    expect(await marks()).toBeGreaterThan(before);

    await refreshReportRollups(env.ctx.db);
    expect(await marks()).toBe(0);
    expect(await builtMonths()).toBeGreaterThanOrEqual(2);
    const rolled = await periodFigures(env.ctx.db, query());
    expect(rolled.counts.dossiers).toBeGreaterThanOrEqual(3);
    expect(rolled.counts.late).toBeGreaterThanOrEqual(1); // the running clock past its due time, read now
    expect(rolled).toEqual(await counted());

    // A staff act on an old dossier marks its month: counted from the dossiers until the next run rolls it up again.
    await performAction(env.ctx, { code: codes[1]!, action: 'receive', caller: clerk, version: 1 });
    expect(await marks()).toBeGreaterThanOrEqual(1); // one per statement that touched it
    const changed = await periodFigures(env.ctx.db, query());
    expect(changed.counts.open).toBe(rolled.counts.open + 1);
    expect(changed).toEqual(await counted());
    expect(await marks()).toBe(0);
    expect(await periodFigures(env.ctx.db, query())).toEqual(changed);
  });

  it('marks nothing for an update of what the figures do not read, and forgets every built month on TRUNCATE', async () => {
    await refreshReportRollups(env.ctx.db);
    expect(await marks()).toBe(0);
    const past = sql`submitted_at < now() - interval '40 days'`;
    expect((await select<{ n: number }>(sql`select count(*)::int as n from dossiers where ${past}`))[0]!.n).toBeGreaterThan(0);
    // The SLA sweep's mark, the assignee, the form: not counted.
    await env.ctx.db.execute(sql`update dossiers set sla_mark = 'overdue', assignee_id = null, form_data = form_data where ${past}`);
    expect(await marks()).toBe(0);
    // An apology with a new return date: counted (late dossiers apologised for).
    await env.ctx.db.execute(sql`update dossiers set apology_due_at = now() + interval '5 days' where ${past}`);
    expect(await marks()).toBeGreaterThan(0);
    const apologised = await periodFigures(env.ctx.db, query());
    await refreshReportRollups(env.ctx.db);
    expect(await marks()).toBe(0);
    expect(await periodFigures(env.ctx.db, query())).toEqual(apologised);

    // TRUNCATE has no rows to mark: every built month is forgotten, counted from the dossiers until rebuilt.
    await env.ctx.db.execute(sql`insert into survey_answers (dossier_id, rating) select id, 'unsatisfied' from dossiers where ${past} limit 1`);
    await refreshReportRollups(env.ctx.db);
    const rated = await periodFigures(env.ctx.db, query());
    expect(rated.rows.reduce((n, r) => n + r.rated, 0)).toBeGreaterThanOrEqual(1);
    await env.ctx.db.execute(sql`truncate survey_answers`);
    expect(await builtMonths()).toBe(0);
    const truncated = await periodFigures(env.ctx.db, query());
    expect(truncated.rows.reduce((n, r) => n + r.rated, 0)).toBe(0);
    await refreshReportRollups(env.ctx.db);
    expect(await builtMonths()).toBeGreaterThanOrEqual(2);
    expect(await periodFigures(env.ctx.db, query())).toEqual(truncated);
  });
});

describe('report rollup timer (production: the worker)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production', { env: { REPORT_ROLLUP_EVERY_MS: '200' } }); }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('rolls a month changed by a staff act up again on its own', async () => {
    const { code } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    await env.ctx.db.execute(sql`update dossiers set submitted_at = submitted_at - interval '70 days' where code = ${code}`);
    const month = rowsOf<{ month: string }>(await env.ctx.db.execute(sql`
      select to_char(report_month(submitted_at), 'YYYY-MM-DD') as month from dossiers where code = ${code}`))[0]!.month;
    const built = async () => rowsOf<{ at: string }>(await env.ctx.db.execute(sql`
      select built_at::text as at from report_rollup_months where month = ${month}::date`))[0]?.at;
    const unmarked = async () => rowsOf<{ n: number }>(await env.ctx.db.execute(sql`
      select count(*)::int as n from report_rollup_marks where month = ${month}::date`))[0]!.n === 0;
    await eventually(async () => ((await built()) && (await unmarked()) ? true : undefined));
    const first = await built();
    await performAction(env.ctx, { code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
    await eventually(async () => ((await unmarked()) && (await built()) !== first ? true : undefined));
  });
});
