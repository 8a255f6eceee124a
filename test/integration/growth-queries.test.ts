// The statements bench:growth made flatter, over a few thousand dossiers built as the benchmark builds them
// (bench/growth-data.ts, real PostgreSQL): the tracking book comes from a server-side cursor batch by batch, in order
// and complete, also over HTTP as CSV and XLSX; and the rewritten statements (inbox on the open-dossier index, the
// reports' figures in one scan, the tracking book's lateral officer) give exactly what the former statements gave —
// those are kept below, verbatim in their logic, as the reference.
import ExcelJS from 'exceljs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDossiers, lastMonth, prepareChoices } from '../../bench/growth-data.js';
import { listInbox } from '../../src/db/repositories/dossiers.js';
import { feedbackCounts, type FeedbackCounts } from '../../src/db/repositories/feedback.js';
import { countTrackingBook, trackingBookBatches, type TrackingBookQuery } from '../../src/db/repositories/forms.js';
import { periodFigures, type Index766Query, type PeriodFigures } from '../../src/db/repositories/stats.js';
import { refreshReportRollups } from '../../src/db/repositories/report-rollup.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { staffReach } from '../../src/services/access.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { parseCsv } from '../helpers/csv.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';

const DOSSIERS = 3_000;

describe('reports over thousands of dossiers (bench:growth data)', () => {
  let env: TestEnvironment;
  let sql: postgres.Sql;
  const month = lastMonth();
  const everything: TrackingBookQuery = { from: month.start, to: month.end, everything: true, unitIds: [], agencyCodes: [] };

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    if (env.config.database.kind !== 'postgres') throw new Error('this test needs PostgreSQL');
    sql = postgres(env.config.database.url, { max: 2, onnotice: () => {} });
    await prepareChoices(sql);
    await buildDossiers(sql, 1, DOSSIERS, 'Lê Thị Thu Hà');
  }, 180_000);
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await env?.close();
  });

  it('reads the tracking book from a cursor: batch by batch while the statement stays open, in order, complete', async () => {
    const expected = await countTrackingBook(env.ctx.database, everything);
    expect(expected).toBeGreaterThan(1_000); // half of the dossiers were filed last month
    const batches = trackingBookBatches(env.ctx.database, everything, 200)[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(first.done).toBe(false);
    expect(first.value).toHaveLength(200);
    // The reader holds one batch; the rest is still on the server: the statement's backend is not idle (a query that
    // had delivered everything would have ended).
    const open = await sql<{ state: string }[]>`
      select state from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%left join lateral%'`;
    expect(open.map((r) => r.state)).toContainEqual(expect.not.stringMatching(/^idle$/));
    const rows = [...first.value!];
    let count = 1;
    for (let next = await batches.next(); !next.done; next = await batches.next()) {
      expect(next.value.length).toBeLessThanOrEqual(200);
      rows.push(...next.value);
      count++;
    }
    expect(count).toBe(Math.ceil(expected / 200));
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r.code)).size).toBe(expected);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      expect(a.submittedAt.getTime() < b.submittedAt.getTime() || (a.submittedAt.getTime() === b.submittedAt.getTime() && a.code < b.code)).toBe(true);
    }
  });

  it('gives the tracking book rows the former correlated-subquery statement gave', async () => {
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of trackingBookBatches(env.ctx.database, everything, 500)) {
      rows.push(...batch.map((r) => ({ code: r.code, status: r.status, submittedAt: r.submittedAt.getTime(), dueAt: r.dueAt?.getTime() ?? null,
        completedAt: r.completedAt?.getTime() ?? null, receivingOfficer: r.receivingOfficer })));
    }
    const reference = await sql<Array<{ code: string; status: string; submitted_at: Date; due_at: Date | null; completed_at: Date | null; officer: string | null }>>`
      select d.code, d.status, d.submitted_at, d.due_at, d.completed_at, (
        select e.actor_name from dossier_events e
        where e.dossier_id = d.id and e.actor_kind = 'staff' and e.at = d.received_at
        order by e.id desc limit 1) as officer
      from dossiers d where d.submitted_at >= ${month.start} and d.submitted_at < ${month.end}
      order by d.submitted_at, d.code`;
    expect(rows).toEqual(reference.map((r) => ({ code: r.code, status: r.status, submittedAt: new Date(r.submitted_at).getTime(),
      dueAt: r.due_at ? new Date(r.due_at).getTime() : null, completedAt: r.completed_at ? new Date(r.completed_at).getTime() : null, receivingOfficer: r.officer })));
    expect(rows.filter((r) => r.receivingOfficer === 'Lê Thị Thu Hà').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.receivingOfficer === null).length).toBeGreaterThan(0);
  });

  it('lists the clerk\'s inbox as the former statement (every matching row sorted, no closed_at) did', async () => {
    const clerk = (await findStaffByUsername(env.ctx.db, 'clerk'))!;
    const reach = await staffReach(env.ctx.db, clerk);
    const actionable: Array<{ procedureVersionId: number; status: string }> = [];
    for (const [versionId, definition] of env.ctx.catalog.allVersions()) {
      for (const [status, state] of Object.entries(definition.states)) {
        if (Object.values(state.on).some((t) => t.roles.includes('clerk'))) actionable.push({ procedureVersionId: versionId, status });
      }
    }
    const inbox = await listInbox(env.ctx.db, { actionable, ...reach, limit: 100 });
    expect(inbox).toHaveLength(100);
    const reference = await sql<{ code: string }[]>`
      select code from dossiers
      where (procedure_version_id, status) in (select * from unnest(${actionable.map((a) => a.procedureVersionId)}::int[], ${actionable.map((a) => a.status)}::text[]))
        and (unit_id = any(${reach.unitIds}::text[]) or agency_code = any(${reach.agencyCodes}::text[]))
      order by due_at asc nulls last, submitted_at asc limit 100`;
    expect(inbox.map((d) => d.code)).toEqual(reference.map((r) => r.code));
  });

  it('counts the same figures as the former EXISTS statements', async () => {
    const now = new Date();
    const period = { from: new Date(now.getTime() - 366 * 86_400_000), to: now, now };
    const national = env.ctx.catalog.listAll().map((p) => p.definition).filter((d) => d.national).map((d) => d.id);
    const resultStates: Array<[string, string]> = [['diploma-copy', 'returned'], ['school-transfer', 'returned']];
    const { rows, digital, counts } = await periodFigures(env.ctx.db, { ...period, nationalProcedureIds: national, resultStates });
    const sum = (k: 'dossiers' | 'complained' | 'satisfactory') => rows.reduce((n, r) => n + r[k], 0);
    const [ref] = await sql<Array<Record<string, number>>>`
      with d as (
        select d.*,
          exists (select 1 from feedback_items f where f.dossier_id = d.id) as complained,
          exists (select 1 from dossier_documents dd where dd.dossier_id = d.id and dd.reused_from_document_id is not null) as reused,
          exists (select 1 from citizen_documents c where c.source_dossier_id = d.id and c.kind = 'digitised') as digitised,
          exists (select 1 from issued_documents r where r.dossier_id = d.id and r.kind = 'result') as result_issued,
          exists (select 1 from issued_documents r where r.dossier_id = d.id and r.kind = 'result' and r.signed_at is not null) as result_signed,
          exists (select 1 from payments p where p.dossier_id = d.id and p.status = 'paid' and p.method = 'online') as paid_online,
          d.procedure_id = any(${national}::text[]) as national_known,
          (d.procedure_id, d.status) in (('diploma-copy', 'returned'), ('school-transfer', 'returned')) as result_state,
          (d.completed_at is not null and d.received_at is not null and d.completed_at > d.due_at)
            or (d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now}) as late
        from dossiers d where d.submitted_at >= ${period.from} and d.submitted_at < ${period.to}
      )
      select count(*)::int as dossiers,
        (count(*) filter (where complained))::int as complained,
        (count(*) filter (where d.completed_at is not null and d.received_at is not null and d.completed_at <= d.due_at
          and s.rating is distinct from 'unsatisfied' and not complained))::int as satisfactory,
        (count(*) filter (where reused))::int as reused,
        (count(*) filter (where digitised or reused))::int as digitised_or_reused,
        (count(*) filter (where result_state or result_issued))::int as results,
        (count(*) filter (where result_signed))::int as signed_results,
        (count(*) filter (where d.fee_amount > 0 and paid_online))::int as paid_online,
        (count(*) filter (where late))::int as late,
        (count(*) filter (where national_known))::int as national_known
      from d left join survey_answers s on s.dossier_id = d.id`;
    // Every test meets both answers in this data, so an inverted or NULL-swallowing rewrite would show.
    for (const k of ['complained', 'reused', 'results', 'signed_results', 'paid_online', 'satisfactory'] as const) {
      expect(ref![k], k).toBeGreaterThan(0);
      expect(ref![k], k).toBeLessThan(ref!.dossiers!);
    }
    expect({ dossiers: sum('dossiers'), complained: sum('complained'), satisfactory: sum('satisfactory') })
      .toEqual({ dossiers: ref!.dossiers, complained: ref!.complained, satisfactory: ref!.satisfactory });
    expect(digital.dossiers).toBe(ref!.dossiers);
    expect(digital.withReusedDocument).toBe(ref!.reused);
    expect({ dossiers: counts.dossiers, digitisedOrReused: counts.digitisedOrReused, results: counts.results, signedResults: counts.signedResults,
      paidOnline: counts.paidOnline, late: counts.late, nationalKnown: counts.nationalKnown })
      .toEqual({ dossiers: ref!.dossiers, digitisedOrReused: ref!.digitised_or_reused, results: ref!.results, signedResults: ref!.signed_results,
        paidOnline: ref!.paid_online, late: ref!.late, nationalKnown: ref!.national_known });
  });

  it('gives every figure the three former statements gave, for each period, procedure, reach and catalogue, and after dossiers change', async () => {
    // Facts the generator does not make: steps owed to the national portal (sent and not), documents the desk
    // digitised, a complaint about no dossier, apologies for late dossiers (decided and open).
    await sql`update dossiers set apology_due_at = due_at + interval '5 days' where due_at < now() and code like '%7'`;
    await sql`update feedback_items set status = 'answered', answered_at = due_at + (case when code like '%00' then 1 else -1 end) * interval '1 day'
      where code like '%0'`;
    await sql`
      insert into national_sync_steps (dossier_id, event_id, status, unit_id, sent_at)
      select e.dossier_id, e.id, '2', d.unit_id, case when e.id % 2 = 0 then now() end
      from dossier_events e join dossiers d on d.id = e.dossier_id where d.procedure_id = 'diploma-copy' and e.id % 3 = 0`;
    await sql`
      insert into citizen_documents (owner_personal_id, kind, title, file_name, mime_type, size_bytes, sha256, storage_key, source_dossier_id)
      select coalesce(applicant_id_number, '0'), 'digitised', 'Bản số hóa', 'scan.pdf', 'application/pdf', 1000, md5(id::text), 'test/' || id, id
      from dossiers where code like '%3'`;
    await sql`
      insert into feedback_items (code, kind, title, body, contact_name, due_at)
      values ('PAKN-TEST-NONE', 'feedback', 'Góp ý chung', 'Không về hồ sơ nào.', 'Nguyễn Văn A', now() + interval '10 days')`;
    const now = new Date();
    const national = env.ctx.catalog.listAll().map((p) => p.definition).filter((d) => d.national).map((d) => d.id);
    expect(national).toContain('diploma-copy');
    const resultStates: Array<[string, string]> = [['diploma-copy', 'returned'], ['school-transfer', 'returned']];
    const catalogue = { nationalProcedureIds: national, resultStates };
    const leader = await staffReach(env.ctx.db, (await findStaffByUsername(env.ctx.db, 'leader'))!);
    const [school] = await sql<{ agency_code: string }[]>`select agency_code from units where id = 'thpt-lam-son'`;
    const year = { from: new Date(now.getTime() - 366 * 86_400_000), to: now, now };
    const peakDay = new Date(month.start.getTime() + 9 * 86_400_000);
    const queries: Array<[string, Index766Query]> = [
      ['everything, 12 months', { ...year, ...catalogue }],
      ['the leader\'s reach', { ...year, ...catalogue, reach: leader }],
      ['a reach by agency only', { ...year, ...catalogue, reach: { unitIds: [], agencyCodes: [school!.agency_code] } }],
      ['an empty reach', { ...year, ...catalogue, reach: { unitIds: [], agencyCodes: [] } }],
      ['last month, one procedure', { from: month.start, to: month.end, now, procedureId: 'diploma-copy', ...catalogue }],
      ['one day of the peak', { from: peakDay, to: new Date(peakDay.getTime() + 86_400_000), now, ...catalogue }],
      ['no procedure known nationally, no result state', { ...year, nationalProcedureIds: [], resultStates: [] }],
      ['a period with no dossier', { from: new Date('2020-01-01T00:00:00+07:00'), to: new Date('2020-02-01T00:00:00+07:00'), now, ...catalogue }],
      ['a clock read a month ago', { ...year, now: new Date(now.getTime() - 30 * 86_400_000), ...catalogue }],
    ];
    const agencies = [undefined, ...(await sql<{ code: string }[]>`select distinct agency_code as code from units`).map((u) => u.code)];
    const department = env.ctx.organisation.departmentAgencyCode;
    const compare = async () => {
      for (const [name, q] of queries) {
        const former = await formerFigures(sql, q);
        // Both shapes of the dossiers' facts: read once for many dossiers, probed one by one for a few.
        expect(await periodFigures(env.ctx.db, q, { probedFactsUpTo: 0 }), `${name} (facts read once)`).toEqual(former);
        expect(await periodFigures(env.ctx.db, q, { probedFactsUpTo: 1_000_000 }), `${name} (facts probed)`).toEqual(former);
      }
      // The complaints' counts per answering agency, as the former statement (joined to the dossier and its unit) gave.
      for (const agencyCode of agencies) {
        const [former] = await sql<FeedbackCounts[]>`
          select count(*)::int as "received", (count(*) filter (where f.status = 'answered'))::int as "answered",
            (count(*) filter (where f.status = 'answered' and f.answered_at <= f.due_at))::int as "answeredOnTime",
            (count(*) filter (where f.status = 'open' and f.due_at < ${now}))::int as "overdue"
          from feedback_items f left join dossiers d on d.id = f.dossier_id left join units u on u.id = d.unit_id
          where f.created_at >= ${year.from} and f.created_at < ${year.to}
            ${agencyCode === undefined ? sql`` : sql`and coalesce(u.agency_code, ${department}::text) = ${agencyCode}`}`;
        expect(await feedbackCounts(env.ctx.db, { ...year, agencyCode, departmentAgencyCode: department }), agencyCode).toEqual({ ...former });
      }
    };
    await compare();
    const before = await periodFigures(env.ctx.db, queries[0]![1]);
    // Every per-dossier test meets both answers in this data, so an inverted or NULL-swallowing rewrite would show.
    for (const k of ['withSyncSteps', 'synced', 'digitisedOrReused', 'results', 'signedResults', 'paidOnline', 'late', 'lateApologised', 'open'] as const) {
      expect(before.counts[k], k).toBeGreaterThan(0);
      expect(before.counts[k], k).toBeLessThan(before.counts.dossiers);
    }
    expect(before.counts.synced).toBeLessThan(before.counts.withSyncSteps);

    // Old dossiers change as staff and citizens act on them: the next computation counts them as they are now.
    await sql`update dossiers set status = 'returned', completed_at = now(), closed_at = now(), clock_state = 'stopped', apology_due_at = now()
      where code in (select code from dossiers where completed_at is null and received_at is not null order by code limit 40)`;
    await sql`delete from survey_answers where dossier_id in (select dossier_id from survey_answers order by dossier_id limit 30)`;
    await sql`insert into feedback_items (code, kind, dossier_id, procedure_id, title, body, contact_name, due_at)
      select 'PAKN-TEST-' || code, 'complaint', id, procedure_id, 'Khiếu nại', 'Chậm trả kết quả.', applicant_name, now()
      from dossiers where completed_at is not null order by code limit 25`;
    await sql`update issued_documents set signed_at = null where id in (select id from issued_documents where signed_at is not null order by id limit 20)`;
    await sql`update national_sync_steps set sent_at = now() where sent_at is null and id % 5 = 0`;
    await sql`update payments set status = 'refunded' where id in (select id from payments order by id limit 10)`;
    await sql`update dossier_documents set reused_from_document_id = gen_random_uuid()
      where id in (select id from dossier_documents where reused_from_document_id is null order by id limit 30)`;
    const after = await periodFigures(env.ctx.db, queries[0]![1]);
    expect(after.counts.open).toBeLessThan(before.counts.open);
    expect(after.rows.reduce((n, r) => n + r.complained, 0)).toBeGreaterThan(before.rows.reduce((n, r) => n + r.complained, 0));
    expect(after.counts.signedResults).toBeLessThan(before.counts.signedResults);
    await compare();

    // The monthly rollup (db/repositories/report-rollup.ts): whole past months are summed from it. The figures stay the
    // former statements' as it is built, as old dossiers and their facts change after it, and once it is rebuilt.
    const marked = async () => (await sql<{ month: string }[]>`select distinct to_char(month, 'YYYY-MM-DD') as month from report_rollup_marks order by 1`).map((r) => r.month);
    expect(await marked()).toContain(month.from); // the changes above marked last month (never built: counted from the dossiers)
    const built = await refreshReportRollups(env.ctx.db);
    expect(built.built).toContain(month.from);
    expect(built.built.length).toBeGreaterThanOrEqual(12); // a year of filings, up to last month
    expect(await marked()).toEqual([]);
    await compare();
    // A built month's figures are read from its rows: a row changed by hand (the rollup has no trigger) shows.
    const lastMonthOnly: Index766Query = { from: month.start, to: month.end, now, ...catalogue };
    const fromRollup = await periodFigures(env.ctx.db, lastMonthOnly);
    const [{ groups }] = await sql<[{ groups: number }]>`select count(*)::int as groups from report_rollup where month = ${month.from}::date`;
    await sql`update report_rollup set dossiers = dossiers + 1 where month = ${month.from}::date`;
    expect((await periodFigures(env.ctx.db, lastMonthOnly)).counts.dossiers).toBe(fromRollup.counts.dossiers + groups);
    await sql`update report_rollup set dossiers = dossiers - 1 where month = ${month.from}::date`;

    // Old dossiers and their facts change again, one table at a time: each change marks (nothing else does), and the
    // marked months are counted from the dossiers meanwhile. Rolled up again between changes but for the last ones.
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['dossiers', () => sql`update dossiers set status = 'returned', completed_at = now(), closed_at = now(), clock_state = 'stopped'
        where code in (select code from dossiers where completed_at is null and received_at is not null order by code desc limit 40)`],
      ['survey_answers', () => sql`insert into survey_answers (dossier_id, rating)
        select id, 'unsatisfied' from dossiers d where completed_at is not null
          and not exists (select 1 from survey_answers s where s.dossier_id = d.id) order by code limit 30`],
      ['national_sync_steps', () => sql`update national_sync_steps set sent_at = now() where sent_at is null and id % 7 = 0`],
      ['feedback_items', () => sql`delete from feedback_items
        where id in (select id from feedback_items where code like 'PAKN-TEST-%' and code <> 'PAKN-TEST-NONE' order by code limit 10)`],
      ['issued_documents', () => sql`update issued_documents set signed_at = now()
        where id in (select id from issued_documents where signed_at is null and kind = 'result' order by id limit 15)`],
      ['payments', () => sql`update payments set status = 'paid' where id in (select id from payments where status = 'refunded' order by id limit 5)`],
      ['dossier_documents', () => sql`update dossier_documents set reused_from_document_id = null
        where id in (select id from dossier_documents where reused_from_document_id is not null order by id desc limit 20)`],
      ['citizen_documents', () => sql`delete from citizen_documents where id in (select id from citizen_documents where kind = 'digitised' order by id limit 20)`],
    ];
    for (const [table, change] of changes) {
      await refreshReportRollups(env.ctx.db);
      expect(await marked(), table).toEqual([]);
      await change();
      expect((await marked()).length, table).toBeGreaterThan(0);
    }
    // Not counted: an update of what the reports do not read marks nothing.
    await refreshReportRollups(env.ctx.db);
    await sql`update national_sync_steps set attempts = attempts + 1`;
    await sql`update dossiers set sla_mark = null where submitted_at < ${month.start}`;
    expect(await marked()).toEqual([]);
    await changes[0]![1]();
    expect(await marked()).toContain(month.from);
    await compare();
    await refreshReportRollups(env.ctx.db);
    expect(await marked()).toEqual([]);
    await compare();

    // A change committed after the build's snapshot keeps its mark: the build neither sees it nor deletes its mark.
    const writer = await sql.reserve();
    try {
      await writer`begin`;
      await writer`update dossiers set status = 'returned', completed_at = now(), closed_at = now(), clock_state = 'stopped'
        where code = (select code from dossiers where completed_at is null and received_at is not null
          and submitted_at >= ${month.start} and submitted_at < ${month.end} order by code limit 1)`;
      const during = await refreshReportRollups(env.ctx.db);
      expect(during.ran).toBe(true);
      await writer`commit`;
    } finally {
      writer.release();
    }
    expect(await marked()).toContain(month.from);
    await compare();
  });

  it('exports last month over HTTP as CSV and XLSX, one row per dossier, in filing order', async () => {
    const api: ApiClient = await listenForHttp(env);
    const admin = await api.login('admin');
    const expected = await countTrackingBook(env.ctx.database, everything);
    const url = `/api/reports/tracking-book?from=${month.from}&to=${month.to}`;
    const csv = await api.request('GET', `${url}&format=csv`, { token: admin });
    expect(csv.status).toBe(200);
    const lines = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
    expect(lines).toHaveLength(expected + 1);
    expect(lines.slice(1).map((l) => l[0])).toEqual(Array.from({ length: expected }, (_, i) => String(i + 1)));

    const xlsx = await api.request('GET', `${url}&format=xlsx`, { token: admin });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(expected + 1);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.getRow(expected + 1).getCell(2).value).toBe(lines[expected]![1]);
  });
});

/**
 * The reports' three former statements (before periodFigures: src/db/repositories/stats.ts at 245185a), verbatim in
 * their logic — each per-dossier test joins the dossiers of the period — as the reference for the figures.
 */
async function formerFigures(sql: postgres.Sql, q: Index766Query): Promise<PeriodFigures> {
  const [from, to, now] = [q.from.toISOString(), q.to.toISOString(), q.now.toISOString()];
  const ofPeriod = (id: postgres.PendingQuery<postgres.Row[]>) => sql`join dossiers p on p.id = ${id} and p.submitted_at >= ${from}::timestamptz and p.submitted_at < ${to}::timestamptz`;
  const filters = sql`d.submitted_at >= ${from}::timestamptz and d.submitted_at < ${to}::timestamptz
    ${q.procedureId ? sql`and d.procedure_id = ${q.procedureId}` : sql``}
    ${q.reach ? sql`and (d.unit_id = any(${q.reach.unitIds}::text[]) or d.agency_code = any(${q.reach.agencyCodes}::text[]))` : sql``}`;
  const complained = sql`d.id in (select f.dossier_id from feedback_items f ${ofPeriod(sql`f.dossier_id`)})`;
  const reused = sql`d.id in (select dd.dossier_id from dossier_documents dd ${ofPeriod(sql`dd.dossier_id`)} where dd.reused_from_document_id is not null)`;
  const rows = await sql<PeriodFigures['rows']>`
    select d.procedure_id as "procedureId", to_char((d.submitted_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM') as "month",
      d.status as "status", count(*)::int as "dossiers",
      (count(*) filter (where d.channel in ('online', 'national')))::int as "online",
      (count(*) filter (where d.completed_at is not null and d.received_at is not null))::int as "completed",
      (count(*) filter (where d.completed_at is not null and d.received_at is not null and d.completed_at <= d.due_at))::int as "onTime",
      (count(*) filter (where d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now}::timestamptz))::int as "lateOpen",
      count(s.id)::int as "rated",
      (count(*) filter (where s.rating = 'unsatisfied'))::int as "unsatisfied",
      (count(*) filter (where ${complained}))::int as "complained",
      (count(*) filter (where d.completed_at is not null and d.received_at is not null and d.completed_at <= d.due_at
        and s.rating is distinct from 'unsatisfied' and not ${complained}))::int as "satisfactory"
    from dossiers d left join survey_answers s on s.dossier_id = d.id
    where ${filters}
    group by 1, 2, 3 order by 2, 1, 3`;
  const [digital] = await sql<Array<PeriodFigures['digital']>>`
    select count(*)::int as "dossiers", (count(*) filter (where d.channel in ('online', 'national')))::int as "online",
      (count(*) filter (where d.channel in ('online', 'national') and d.loa is not null))::int as "vneid",
      (count(*) filter (where ${reused}))::int as "withReusedDocument"
    from dossiers d where ${filters}`;
  const nationalKnown = sql`d.procedure_id = any(${q.nationalProcedureIds}::text[])`;
  const hasSteps = sql`d.id in (select e.dossier_id from national_sync_steps n join dossier_events e on e.id = n.event_id ${ofPeriod(sql`e.dossier_id`)})`;
  const unsent = sql`d.id in (select n.dossier_id from national_sync_steps n ${ofPeriod(sql`n.dossier_id`)} where n.sent_at is null)`;
  const lateOpen = sql`(d.completed_at is null and d.clock_state = 'running' and d.due_at < ${now}::timestamptz)`;
  const lateDecided = sql`(d.completed_at is not null and d.received_at is not null and d.completed_at > d.due_at)`;
  const digitised = sql`d.id in (select c.source_dossier_id from citizen_documents c ${ofPeriod(sql`c.source_dossier_id`)} where c.kind = 'digitised')`;
  const resultIssued = sql`d.id in (select r.dossier_id from issued_documents r ${ofPeriod(sql`r.dossier_id`)} where r.kind = 'result')`;
  const resultSigned = sql`d.id in (select r.dossier_id from issued_documents r ${ofPeriod(sql`r.dossier_id`)} where r.kind = 'result' and r.signed_at is not null)`;
  const resultState = sql`(d.procedure_id, d.status) in (select * from unnest(${q.resultStates.map(([p]) => p)}::text[], ${q.resultStates.map(([, s]) => s)}::text[]))`;
  const paidOnline = sql`d.id in (select y.dossier_id from payments y ${ofPeriod(sql`y.dossier_id`)} where y.status = 'paid' and y.method = 'online')`;
  const [counts] = await sql<Array<PeriodFigures['counts']>>`
    select count(*)::int as "dossiers",
      (count(*) filter (where d.citizen_id is not null or d.applicant_email is not null or d.applicant_phone is not null))::int as "followedOnline",
      (count(*) filter (where ${nationalKnown}))::int as "nationalKnown",
      (count(*) filter (where ${nationalKnown} and ${hasSteps}))::int as "withSyncSteps",
      (count(*) filter (where ${nationalKnown} and ${hasSteps} and not ${unsent}))::int as "synced",
      (count(*) filter (where d.completed_at is null and d.clock_state in ('running', 'paused')))::int as "open",
      (count(*) filter (where ${lateDecided} or ${lateOpen}))::int as "late",
      (count(*) filter (where (${lateDecided} or ${lateOpen}) and d.apology_due_at is not null))::int as "lateApologised",
      (count(*) filter (where ${digitised} or ${reused}))::int as "digitisedOrReused",
      (count(*) filter (where ${resultState} or ${resultIssued}))::int as "results",
      (count(*) filter (where ${resultSigned}))::int as "signedResults",
      (count(*) filter (where d.fee_amount > 0))::int as "withFee",
      (count(*) filter (where d.fee_amount > 0 and ${paidOnline}))::int as "paidOnline"
    from dossiers d where ${filters}`;
  return { rows: [...rows], digital: { ...digital! }, counts: { ...counts! } };
}
