// `npm run bench:growth`: what the staff's reading endpoints cost as the data grows. motcua runs as production runs it
// (the server as a child process on PostgreSQL); the run builds 1,000 dossiers, then grows them to 100,000
// (BENCH_SMALL / BENCH_LARGE) with bulk SQL — a year of filings over the procedures, units and states the workflows
// define, half of them in last month's admission peak, the history events, uploaded documents, survey answers and
// issued results the queries read — ANALYZEs, and measures at each size:
//   - the clerk's inbox: GET /api/inbox and the page /can-bo
//   - the leader's dashboard /can-bo/chi-so and GET /api/stats (the last 12 months; their first requests, the
//     figures' cache cold: the median of 5 periods of their own, 12 months and longer up to today)
//   - the tracking-book export of last month as CSV and as XLSX (GET /api/reports/tracking-book), with the server's
//     peak RSS while it runs and the latency of staff look-ups (GET /api/dossiers/:code) sent one after another
//     while it runs (does the export block the HTTP process?)
// It prints p50 ms over BENCH_REQUESTS requests per endpoint at each size and, last, the ratio large/small per
// endpoint. BENCH_EXPLAIN=1 adds EXPLAIN (ANALYZE, BUFFERS) summaries of the queries behind each endpoint, run on a
// connection set up as the application's. A benchmark, not a test: it never fails on time; it exits 1 when it could
// not measure (an endpoint not answering 200). See bench/README.md.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { hashPassword } from '../src/accounts/passwords.js';
import { openDatabase } from '../src/db/client.js';
import { refreshReportRollups } from '../src/db/repositories/report-rollup.js';
import { insertStaff } from '../src/db/repositories/staff.js';
import { DEMO_STAFF, seedOrganisation } from '../src/db/seed/index.js';
import * as schema from '../src/db/schema/index.js';
import { buildDossiers, lastMonth, prepareChoices, type WorkflowState } from './growth-data.js';
import {
  type Child, cleanupOnSignals, createBenchDatabase, databaseUrl, ExitError, freePort, onCleanup, positiveInt, raceStartup, runBenchmark,
  startChild, stopChild, waitForHealthz,
} from './harness.js';

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  small: positiveInt('BENCH_SMALL', 1_000),
  large: positiveInt('BENCH_LARGE', 100_000),
  requests: positiveInt('BENCH_REQUESTS', 20),
  exportRequests: positiveInt('BENCH_EXPORT_REQUESTS', 3),
  explain: process.env.BENCH_EXPLAIN === '1',
  keep: process.env.BENCH_KEEP_DATABASE === '1',
  /** Only build the data (with BENCH_KEEP_DATABASE=1: a database to try statements on), measure nothing. */
  buildOnly: process.env.BENCH_BUILD_ONLY === '1',
};

cleanupOnSignals('stopping the server and dropping the bench database');

// ---------------------------------------------------------------------------------------------------------------
// The data

// ---------------------------------------------------------------------------------------------------------------
// Measuring

async function get(base: string, url: string, token: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  let bytes = 0;
  for await (const chunk of response.body ?? []) bytes += (chunk as Uint8Array).length;
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, bytes, status: response.status };
}

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function timed(base: string, url: string, token: string, n: number): Promise<{ p50: number; bytes: number; first: number }> {
  // Warm-up (prepared statements, the figures' cache: STATS_CACHE_MS), not in the p50; printed as `first`.
  const first = await get(base, url, token);
  if (first.status !== 200) {
    console.error(`\n${url} answered ${first.status}, expected 200`);
    throw new ExitError(1);
  }
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await get(base, url, token)).ms);
  return { p50: p50(times), bytes: first.bytes, first: first.ms };
}

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

interface ExportFigure { p50: number; bytes: number; rssPeak: number; rssBefore: number; lookupP50: number; lookupMax: number; lookups: number }

/** Exports one after another; while each runs, staff look-ups one after another and the server's RSS every 20 ms. */
async function exportRuns(base: string, url: string, token: string, lookupUrl: string, pid: number | undefined): Promise<ExportFigure> {
  const times: number[] = [];
  const lookups: number[] = [];
  let bytes = 0;
  const rssBefore = rssMb(pid);
  let rssPeak = rssBefore;
  for (let i = 0; i < settings.exportRequests; i++) {
    let running = true;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMb(pid)); }, 20);
    const probe = (async () => {
      await new Promise((r) => setTimeout(r, 50));
      while (running) lookups.push((await get(base, lookupUrl, token)).ms);
    })();
    const run = await get(base, url, token);
    running = false;
    await probe;
    clearInterval(sampler);
    if (run.status !== 200) {
      console.error(`\n${url} answered ${run.status}, expected 200`);
      throw new ExitError(1);
    }
    times.push(run.ms);
    bytes = run.bytes;
  }
  return { p50: p50(times), bytes, rssPeak, rssBefore, lookupP50: lookups.length ? p50(lookups) : 0, lookupMax: Math.max(0, ...lookups), lookups: lookups.length };
}

// ---------------------------------------------------------------------------------------------------------------
// EXPLAIN: the repositories' own statements (captured from a drizzle logger), explained on a connection set up as the
// application's (src/db/client.ts).

async function explainAll(url: string, leaderId: string, clerkId: string): Promise<void> {
  const { listInbox } = await import('../src/db/repositories/dossiers.js');
  const { periodFigures } = await import('../src/db/repositories/stats.js');
  const { trackingBookStatement } = await import('../src/db/repositories/forms.js');
  const { findStaffById } = await import('../src/db/repositories/staff.js');
  const { staffReach } = await import('../src/services/access.js');
  const captured: Array<{ query: string; params: unknown[] }> = [];
  const client = postgres(url, { max: 1, onnotice: () => {} });
  // As the application runs its reports: JIT off, per transaction since JIT_OFF_FOR_TRANSACTION, on every connection
  // before it (APP_CONNECTION_SETTINGS); an older tree with neither: PostgreSQL's defaults.
  const app = await import('../src/db/client.js') as { APP_CONNECTION_SETTINGS?: Record<string, string>; JIT_OFF_FOR_TRANSACTION?: string };
  try {
    const settings = app.JIT_OFF_FOR_TRANSACTION ? { jit: 'off' } : (app.APP_CONNECTION_SETTINGS ?? {});
    for (const [name, value] of Object.entries(settings)) await client.unsafe(`set ${name} = '${value}'`);
    const db = drizzle(client, { schema, logger: { logQuery: (query, params) => { captured.push({ query, params }); } } }) as never;
    const leader = (await findStaffById(db, leaderId))!;
    const clerk = (await findStaffById(db, clerkId))!;
    const clerkReach = await staffReach(db, clerk);
    const leaderReach = await staffReach(db, leader);
    const versions = await client<{ id: number; definition: { states: Record<string, WorkflowState> } }[]>`select id, definition from procedure_versions`;
    const actionable = versions.flatMap((v) => Object.entries(v.definition.states)
      .filter(([, s]) => Object.values(s.on ?? {}).some((t) => (t.roles ?? []).includes('clerk')))
      .map(([status]) => ({ procedureVersionId: v.id, status })));
    const now = new Date();
    const year = { from: new Date(now.getTime() - 365 * 86_400_000), to: now, now, reach: leaderReach };
    const month = lastMonth();
    const statements: Array<[string, () => Promise<unknown> | { text: string; params: unknown[] }]> = [
      ['inbox (clerk, 100)', () => listInbox(db, { actionable, ...clerkReach, limit: 100 })],
      ['stats: periodFigures (leader, 12 months)', () => periodFigures(db, { ...year, nationalProcedureIds: ['diploma-copy'], resultStates: [['diploma-copy', 'returned']] })],
      ['tracking book (clerk, last month)', () => trackingBookStatement({ from: month.start, to: month.end, everything: false, ...clerkReach })],
    ];
    for (const [name, run] of statements) {
      captured.length = 0;
      const given = run();
      if (given instanceof Promise) await given;
      const statement = given instanceof Promise ? captured.at(-1)! : { query: given.text, params: given.params };
      const plan = await client.unsafe(`explain (analyze, buffers, settings) ${statement.query}`, statement.params as never[]);
      const lines = plan.map((r) => String((r as Record<string, unknown>)['QUERY PLAN']));
      const keep = lines.filter((l) => /Scan|Sort|Limit|Aggregate|Gather|Join|Loop|SubPlan|JIT|Functions|Timing|Execution Time|Planning Time|Settings/.test(l));
      console.log(`\n--- EXPLAIN ${name}`);
      for (const l of keep.slice(0, 40)) console.log(`  ${l}`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Figures { [endpoint: string]: number }

/** The first day (yyyy-mm-01) of the Vietnam calendar month `back` months before the current one. */
function vnMonthsAgo(back: number): string {
  const today = new Date(Date.now() + 7 * 3_600_000);
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
}

/** Cold requests of the figures sampled per endpoint and size; their median is the "first request" figure. */
const FIRST_SAMPLES = 5;

/**
 * The figures' first requests: FIRST_SAMPLES periods of their own (from the first day of a month 11 + offset + … months
 * back up to today: every key new to the figures' cache, the part counted from the dossiers the same), one request
 * each, the median; then the p50 of the first period, now cached.
 */
async function timedFigures(base: string, path: string, token: string, n: number, offset: number, step: number): Promise<{ p50: number; bytes: number; first: number }> {
  const firsts: number[] = [];
  for (let i = 0; i < FIRST_SAMPLES; i++) {
    // The two sizes interleaved (12, 14, 16… months at the first; 13, 15, 17… at the second): periods of about the
    // same lengths at both, none the same.
    const url = `${path}?from=${vnMonthsAgo(11 + offset + 2 * i + step)}`;
    const cold = await get(base, url, token);
    if (cold.status !== 200) {
      console.error(`\n${url} answered ${cold.status}, expected 200`);
      throw new ExitError(1);
    }
    firsts.push(cold.ms);
  }
  const cached = await timed(base, `${path}?from=${vnMonthsAgo(11 + offset + step)}`, token, n);
  return { ...cached, first: p50(firsts) };
}

async function measure(base: string, tokens: { clerk: string; leader: string }, lookupCode: string, pid: number | undefined, label: string, step: number): Promise<{ figures: Figures; exports: Record<string, ExportFigure> }> {
  const n = settings.requests;
  const month = lastMonth();
  const figures: Figures = {};
  const show = (name: string, r: { p50: number; bytes: number; first: number }) => {
    figures[name] = r.p50;
    figures[`${name}, first request`] = r.first;
    console.log(`  ${name.padEnd(34)} p50 ${r.p50.toFixed(1).padStart(8)} ms   first ${r.first.toFixed(0).padStart(6)} ms   (${(r.bytes / 1024).toFixed(0)} KiB)`);
  };
  console.log(`\n${label}: p50 of ${n} requests each (one at a time, after one warm-up: "first"; the dashboard and /api/stats ` +
    `after the first are answered from the figures' cache, STATS_CACHE_MS, default 60 s; their "first" is the median of ` +
    `${FIRST_SAMPLES} first requests of periods of their own, 12 months and longer up to today)`);
  show('GET /api/inbox (clerk)', await timed(base, '/api/inbox', tokens.clerk, n));
  show('GET /can-bo (clerk inbox page)', await timed(base, '/can-bo', tokens.clerk, n));
  // Periods of their own for each (step, endpoint, sample): each first request finds the figures' cache cold.
  show('GET /can-bo/chi-so (leader)', await timedFigures(base, '/can-bo/chi-so', tokens.leader, n, 0, step));
  show('GET /api/stats (leader)', await timedFigures(base, '/api/stats', tokens.leader, n, 2 * FIRST_SAMPLES, step));
  show('GET /api/dossiers/:code (clerk)', await timed(base, `/api/dossiers/${lookupCode}`, tokens.clerk, n));
  const exports: Record<string, ExportFigure> = {};
  for (const format of ['csv', 'xlsx'] as const) {
    const url = `/api/reports/tracking-book?from=${month.from}&to=${month.to}&format=${format}`;
    const r = await exportRuns(base, url, tokens.clerk, `/api/dossiers/${lookupCode}`, pid);
    exports[format] = r;
    figures[`tracking book ${format.toUpperCase()} (clerk, ${month.from.slice(0, 7)})`] = r.p50;
    console.log(`  tracking book ${format.toUpperCase().padEnd(4)} ${month.from.slice(0, 7)}            p50 ${r.p50.toFixed(0).padStart(8)} ms   ` +
      `(${(r.bytes / 1024 / 1024).toFixed(1)} MiB); server RSS ${r.rssBefore.toFixed(0)} → peak ${r.rssPeak.toFixed(0)} MiB; ` +
      `${r.lookups} look-ups meanwhile: p50 ${r.lookupP50.toFixed(0)} ms, max ${r.lookupMax.toFixed(0)} ms`);
  }
  return { figures, exports };
}

async function login(base: string, username: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }),
  });
  const body = await response.json() as { token?: string };
  if (response.status !== 200 || !body.token) {
    console.error(`login ${username}: ${response.status} ${JSON.stringify(body)}`);
    throw new ExitError(1);
  }
  return body.token;
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const dbName = `motcua_bench_growth_${suffix}`;
  console.log(`growth with data: ${settings.small.toLocaleString('en')} then ${settings.large.toLocaleString('en')} dossiers; ` +
    `${os.cpus().length} CPUs, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (settings.keep) {
    // Kept for EXPLAIN sessions after the run (drop it by hand): created without the cleanup's drop.
    const admin = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${dbName}"`).finally(() => admin.end({ timeout: 5 }));
    console.log(`database ${dbName} is kept (BENCH_KEEP_DATABASE=1)`);
  } else {
    await createBenchDatabase(settings.adminUrl, dbName);
  }
  const url = databaseUrl(settings.adminUrl, dbName);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-growth-'));
  onCleanup('remove DATA_DIR', () => rm(dataDir, { recursive: true, force: true }));

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { REDIS_URL: _redis, ...inherited } = process.env;
  // No REDIS_URL: the inline job driver (the reads measured here create no jobs).
  const env: NodeJS.ProcessEnv = {
    ...inherited, NODE_ENV: 'production', DATABASE_URL: url, APP_SECRET: randomBytes(32).toString('hex'), PORT: String(port),
    HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir, PUBLIC_URL: base,
  };
  const server: Child = startChild('server', ['--import', 'tsx', 'src/server.ts'], env);
  await raceStartup(server, waitForHealthz(`${base}/healthz`, server));

  const database = await openDatabase({ kind: 'postgres', url, max: 1 }, { migrate: false });
  let clerkId: string; let leaderId: string;
  try {
    await seedOrganisation(database.db);
    const passwordHash = await hashPassword('demo');
    const person = (username: string) => DEMO_STAFF.find((s) => s.username === username)!;
    const clerk = await insertStaff(database.db, { ...person('clerk'), roles: [...person('clerk').roles], passwordHash });
    const leader = await insertStaff(database.db, { ...person('leader'), roles: [...person('leader').roles], passwordHash });
    clerkId = clerk.id; leaderId = leader.id;
  } finally {
    await database.close();
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  onCleanup('close the bench connection', () => sql.end({ timeout: 5 }));
  const choices = await prepareChoices(sql);
  console.log(`generator: ${choices.versions} procedure versions, ${choices.finals} final and ${choices.open} open states, ${choices.units} units`);
  const tokens = { clerk: await login(base, 'clerk'), leader: await login(base, 'leader') };

  const results: Array<{ size: number; figures: Figures; exports: Record<string, ExportFigure> }> = [];
  let built = 0;
  for (const size of [settings.small, settings.large]) {
    const started = Date.now();
    console.log(`\nbuilding ${size.toLocaleString('en')} dossiers…`);
    await buildDossiers(sql, built + 1, size, DEMO_STAFF.find((s) => s.username === 'clerk')!.fullName, (n) => process.stdout.write(`  ${n.toLocaleString('en')} dossiers\r`));
    process.stdout.write('\n');
    built = size;
    const [counts] = await sql<{ dossiers: number; events: number; open: number; peak: number }[]>`
      select (select count(*)::int from dossiers) as dossiers, (select count(*)::int from dossier_events) as events,
        (select count(*)::int from dossiers where closed_at is null) as open,
        (select count(*)::int from dossiers where submitted_at >= ${lastMonth().start.toISOString()}::timestamptz and submitted_at < ${lastMonth().end.toISOString()}::timestamptz) as peak`;
    console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts!.dossiers} dossiers (${counts!.open} open, ${counts!.peak} last month), ${counts!.events} events; load average ${os.loadavg()[0]!.toFixed(2)}`);
    // The past months' report figures rolled up, as the timer (REPORT_ROLLUP_EVERY_MS, every minute) keeps them on a
    // live system; the current month and the period's partial months are counted from the dossiers.
    // The server's own timer (inline driver) may be building at the same moment: until a run finds nothing to do.
    const rollupStarted = Date.now();
    let months = 0;
    for (;;) {
      const rollup = await refreshReportRollups(drizzle(sql, { schema }) as never);
      months += rollup.built.length;
      if (rollup.ran && rollup.built.length === 0) break;
      if (!rollup.ran) await new Promise((r) => setTimeout(r, 100));
    }
    await sql`analyze report_rollup, report_rollup_months, report_rollup_marks`;
    const [rolled] = await sql<{ rows: number }[]>`select count(*)::int as rows from report_rollup`;
    console.log(`report figures of ${months} past months rolled up in ${Date.now() - rollupStarted} ms (${rolled!.rows} rollup rows)`);
    if (settings.buildOnly) continue;
    const [lookup] = await sql<{ code: string }[]>`select d.code from dossiers d join units u on u.id = d.unit_id where u.agency_code = (select agency_code from units where id = 'mot-cua') order by d.submitted_at desc limit 1`;
    results.push({ size, ...(await measure(base, tokens, lookup!.code, server.process.pid, `${size.toLocaleString('en')} dossiers`, results.length)) });
    if (settings.explain) await explainAll(url, leaderId, clerkId);
  }
  await stopChild(server);
  if (settings.buildOnly) return;

  const [small, large] = results as [typeof results[0], typeof results[0]];
  console.log(`\nload average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`ratio ${large.size.toLocaleString('en')}/${small.size.toLocaleString('en')} dossiers (p50 ms; target ≤ 2 for the inbox and the dashboard):`);
  // The first requests: what computing the figures costs (the dashboard's and /api/stats' cache is cold).
  const order = [...Object.keys(small.figures).filter((k) => !k.endsWith('first request')),
    ...['GET /can-bo/chi-so (leader)', 'GET /api/stats (leader)'].map((k) => `${k}, first request`)];
  for (const name of order) {
    console.log(`  ${name.padEnd(54)} ${small.figures[name]!.toFixed(1).padStart(8)} → ${large.figures[name]!.toFixed(1).padStart(8)} ms   ratio ${(large.figures[name]! / small.figures[name]!).toFixed(2)}`);
  }
}

await runBenchmark(main);
