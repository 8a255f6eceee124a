// The data bench:growth grows (and test/integration/growth-queries.test.ts reads): dossiers made in bulk with SQL, not
// through HTTP — a year of filings over the procedures, units and states the workflows registered at the server's
// boot define, half of them in last month's peak, with what the inbox, the reports and the tracking book read.
import type postgres from 'postgres';

/** Vietnam calendar month (yyyy-mm-01 … last day) before the current one: the export's period and the filing peak. */
export function lastMonth(now = new Date()): { from: string; to: string; start: Date; end: Date } {
  const vn = new Date(now.getTime() + 7 * 3_600_000);
  const start = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from: day(start), to: day(new Date(end.getTime() - 86_400_000)), start: new Date(start.getTime() - 7 * 3_600_000), end: new Date(end.getTime() - 7 * 3_600_000) };
}

export interface WorkflowState { on?: Record<string, { roles?: string[] }> }

/**
 * Tables the generator draws from: every (procedure version, state) the server registered at boot, split into final
 * states (no action leaves them) and open ones, and every unit with its agency.
 */
export async function prepareChoices(sql: postgres.Sql): Promise<{ versions: number; finals: number; open: number; units: number }> {
  const versions = await sql<{ id: number; procedure_id: string; definition: { states: Record<string, WorkflowState> } }[]>`
    select id, procedure_id, definition from procedure_versions order by id`;
  if (versions.length === 0) throw new Error('no procedure versions: did the server register the workflows?');
  const finals: Array<[number, string, string]> = [];
  const open: Array<[number, string, string]> = [];
  for (const v of versions) {
    for (const [status, state] of Object.entries(v.definition.states)) {
      (Object.keys(state.on ?? {}).length === 0 ? finals : open).push([v.id, v.procedure_id, status]);
    }
  }
  await sql`create table bench_final (i int primary key, version_id int, procedure_id text, status text)`;
  await sql`create table bench_open (i int primary key, version_id int, procedure_id text, status text)`;
  for (const [table, rows] of [['bench_final', finals], ['bench_open', open]] as const) {
    for (const [i, [id, procedure, status]] of rows.entries()) {
      await sql`insert into ${sql(table)} values (${i}, ${id}, ${procedure}, ${status})`;
    }
  }
  await sql`create table bench_units as select (row_number() over (order by id))::int - 1 as i, id, agency_code from units`;
  return { versions: versions.length, finals: finals.length, open: open.length, units: (await sql<{ n: number }[]>`select count(*)::int as n from bench_units`)[0]!.n };
}

/**
 * Dossiers `first` … `last`: even numbers in last month's peak, odd ones spread over the last 365 days; filed more
 * than 30 days ago: 95 % closed in a final state; else in an open state (the initial `submitted` not received yet).
 * Each gets its history (filed; received by the clerk; decided), two uploaded documents, and when decided a survey
 * answer one time in five and an issued result one time in two.
 */
export async function buildDossiers(sql: postgres.Sql, first: number, last: number, clerkName: string, progress?: (built: number) => void): Promise<void> {
  const peak = lastMonth();
  const batch = 25_000;
  for (let from = first; from <= last; from += batch) {
    const to = Math.min(last, from + batch - 1);
    await sql.begin(async (tx) => {
      await tx`
        create temporary table bench_new on commit drop as
        with base as (
          select g,
            case when g % 2 = 0
              then ${peak.start.toISOString()}::timestamptz + random() * (${peak.end.toISOString()}::timestamptz - ${peak.start.toISOString()}::timestamptz)
              else now() - random() * interval '365 days' end as submitted_at,
            random() as r1, random() as r2, random() as r3
          from generate_series(${from}::int, ${to}::int) g
        ), picked as (
          select b.*, (b.submitted_at < now() - interval '30 days' and b.r1 < 0.95) as closed from base b
        )
        select p.g, gen_random_uuid() as id, p.submitted_at, p.closed, p.r2, p.r3,
          coalesce(f.version_id, o.version_id) as version_id, coalesce(f.procedure_id, o.procedure_id) as procedure_id,
          coalesce(f.status, o.status) as status, u.id as unit_id, u.agency_code
        from picked p
          left join bench_final f on p.closed and f.i = floor(p.r2 * (select count(*) from bench_final))::int
          left join bench_open o on not p.closed and o.i = floor(p.r2 * (select count(*) from bench_open))::int
          join bench_units u on u.i = floor(p.r3 * (select count(*) from bench_units))::int`;
      await tx`
        insert into dossiers (id, code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data,
          applicant_name, applicant_email, applicant_phone, applicant_address, applicant_id_number, channel,
          submitted_at, received_at, due_at, clock_state, completed_at, closed_at, loa, fee_amount, updated_at)
        select n.id, 'BENCH-' || lpad(n.g::text, 7, '0'), n.procedure_id, n.version_id, n.agency_code, n.unit_id, n.status,
          jsonb_build_object('applicantName', 'Nguyễn Văn ' || n.g),
          'Nguyễn Văn ' || n.g, 'congdan' || n.g || '@example.vn', '09' || lpad((n.g % 100000000)::text, 8, '0'),
          'Số ' || (n.g % 300) || ', phường Điện Biên, TP Thanh Hóa', lpad(n.g::text, 12, '0'),
          (array['online', 'online', 'online', 'desk', 'national'])[1 + n.g % 5],
          -- Due as the working-day clock sets it (calendar/working-days.ts): at the office's close, 17:00 Vietnam time.
          n.submitted_at, r.received_at, (date_trunc('day', (r.received_at + interval '10 days') at time zone 'UTC' + interval '7 hours') + interval '10 hours') at time zone 'UTC',
          case when n.closed then 'stopped' when r.received_at is null then 'not_started' else 'running' end,
          case when n.closed then c.completed_at end, case when n.closed then c.completed_at end,
          case when n.g % 3 = 0 then 'high' end, case when n.g % 4 = 0 then 50000 end, coalesce(c.completed_at, r.received_at, n.submitted_at)
        from bench_new n
          cross join lateral (select case when n.status in ('submitted', 'refused', 'withdrawn') then null
                                          else n.submitted_at + interval '2 hours' end as received_at) r
          cross join lateral (select coalesce(r.received_at, n.submitted_at) + n.r2 * interval '14 days' as completed_at) c`;
      await tx`
        insert into dossier_events (dossier_id, at, action, from_status, to_status, actor_kind, actor_id, actor_name, dossier_version)
        select d.id, d.submitted_at, 'submit', null, 'submitted', 'citizen', null, d.applicant_name, 1
        from bench_new n join dossiers d on d.id = n.id
        union all
        select d.id, d.received_at, 'receive', 'submitted', 'checking', 'staff', null, ${clerkName}, 2
        from bench_new n join dossiers d on d.id = n.id where d.received_at is not null
        union all
        select d.id, d.completed_at, 'decide', 'checking', d.status, 'staff', null, ${clerkName}, 3
        from bench_new n join dossiers d on d.id = n.id where d.completed_at is not null`;
      await tx`
        insert into dossier_documents (dossier_id, document_key, file_name, mime_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at)
        select n.id, k, k || '.pdf', 'application/pdf', 300000, md5(n.id::text || k), 'bench/' || n.id || '/' || k, 'citizen', n.submitted_at
        from bench_new n cross join unnest(array['identity', 'request']) k`;
      // The citizen was told of each step (citizen_notifications, kept for good) through the outbox, whose done rows
      // stay OUTBOX_RETENTION_DAYS (30): the worker's statements meet tables of a live Department's size, not empty ones.
      await tx`
        insert into citizen_notifications (dossier_id, dossier_version, channel, recipient, subject, sent_at, attempted_at)
        select d.id, e.dossier_version, 'email', d.applicant_email, 'Thông báo về hồ sơ ' || d.code, e.at, e.at
        from bench_new n join dossiers d on d.id = n.id join dossier_events e on e.dossier_id = d.id`;
      await tx`
        insert into outbox (job, payload, created_at, available_at, attempts, relayed_at, done_at)
        select 'notify-citizen', jsonb_build_object('dossierId', e.dossier_id, 'dossierVersion', e.dossier_version), e.at, e.at, 1, e.at, e.at
        from bench_new n join dossier_events e on e.dossier_id = n.id where e.at > now() - interval '30 days'`;
      await tx`
        insert into survey_answers (dossier_id, rating, created_at)
        select n.id, (array['very_satisfied', 'satisfied', 'unsatisfied'])[1 + n.g % 3], d.completed_at
        from bench_new n join dossiers d on d.id = n.id where d.completed_at is not null and n.g % 5 = 0`;
      await tx`
        insert into issued_documents (dossier_id, kind, storage_key, sha256, size_bytes, signed_at, created_at)
        select n.id, 'result', 'bench/' || n.id || '/result', md5(n.id::text), 200000, d.completed_at, d.completed_at
        from bench_new n join dossiers d on d.id = n.id where d.completed_at is not null and n.g % 2 = 1`;
      // Less common facts, so that every per-dossier test of the reports meets both answers: a document re-used from
      // the citizen's store (1 in 7), an unsigned result (decided, 1 in 2 of the even ones: 1 in 10), a complaint
      // (1 in 50), an online payment of the fee (1 in 8 of those owing one).
      await tx`update dossier_documents dd set reused_from_document_id = gen_random_uuid()
        from bench_new n where dd.dossier_id = n.id and dd.document_key = 'identity' and n.g % 7 = 0`;
      await tx`
        insert into issued_documents (dossier_id, kind, storage_key, sha256, size_bytes, signed_at, created_at)
        select n.id, 'result', 'bench/' || n.id || '/result', md5(n.id::text), 200000, null, d.completed_at
        from bench_new n join dossiers d on d.id = n.id where d.completed_at is not null and n.g % 10 = 0`;
      await tx`
        insert into feedback_items (code, kind, dossier_id, procedure_id, title, body, contact_name, due_at, created_at)
        select 'PAKN-BENCH-' || lpad(n.g::text, 7, '0'), 'feedback', n.id, n.procedure_id, 'Phản ánh về hồ sơ',
          'Hồ sơ giải quyết chậm so với giấy hẹn.', 'Nguyễn Văn ' || n.g, n.submitted_at + interval '10 days', n.submitted_at + interval '1 day'
        from bench_new n where n.g % 50 = 0`;
      await tx`
        insert into payments (dossier_id, reference, method, amount, lines, status, created_at, paid_at)
        select n.id, 'bench' || n.g, 'online', 50000, '[]'::jsonb, 'paid', n.submitted_at, n.submitted_at
        from bench_new n where n.g % 4 = 0 and n.g % 8 = 0`;
    });
    progress?.(to);
  }
  // VACUUM as well as ANALYZE: a live database's old rows are long vacuumed; left to autovacuum, the bulk load's
  // tables are vacuumed a minute later, in the middle of whatever is being measured (bench:burst's first baseline
  // run came out at half the second's).
  await sql`vacuum analyze`;
}

