// `npm run bench:lookup`: the result-day look-up (GET /api/admissions/result) of the real server, in production mode
// on PostgreSQL, against two baselines measured in the same run on the same machine and the same data: (a) a bare
// fastify hello-world and (b) a bare fastify handler doing the look-up's one primary-key read on admission_results
// (bench/lookup-baseline-server.ts). A benchmark, not a test: it prints figures and never fails on time. It exits 1
// when a target does not answer a known pupil with 200 — a benchmark that measures 404s is worthless.
//
// The published run is built directly in the database (bulk inserts: BENCH_PUPILS registrations, their results and
// the schools' cut-offs), as the assignment job would leave it. Every request asks for a different pupil (a fixed
// pseudo-random walk over all of them), so neither PostgreSQL nor anything else answers from a single hot row.
// Servers run as child processes so autocannon (in this process) does not share their event loop; the database is
// dropped at the end, even on failure or Ctrl-C. See bench/README.md.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { seedOrganisation } from '../src/db/seed/index.js';
import { type Child, cleaningUp, cleanupOnSignals, cpuMs, databaseUrl, ExitError, freePort, onCleanup, positiveInt, raceStartup, runBenchmark, startChild, stopChild, trackLoad, waitForHealthz } from './harness.js';

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  seconds: positiveInt('BENCH_SECONDS', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 2),
  pupils: positiveInt('BENCH_PUPILS', 100_000),
  /** When set, the motcua child runs with --cpu-prof and writes its profile into this directory on exit. */
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
};
const CAMPAIGN = 'ts10-bench';

cleanupOnSignals('stopping children and dropping the bench database');

// ---------------------------------------------------------------------------------------------------------------
// Database

async function createDatabase(name: string): Promise<void> {
  const sql = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  onCleanup(`drop database ${name}`, async () => {
    const dropper = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await dropper.end({ timeout: 5 });
    }
  });
}

/** The pupil ID and birth date of pupil `i` (1-based): what the requests ask for. */
function pupil(i: number): { id: string; birthDate: string } {
  const birth = new Date(Date.UTC(2011, 0, 1) + (i % 365) * 86_400_000);
  return { id: `0383${String(i).padStart(8, '0')}`, birthDate: birth.toISOString().slice(0, 10) };
}

/**
 * A published run of `pupils` registrations, in bulk: the campaign with every demo school (quota: an even share of 90 %
 * of the pupils), one admission-registration dossier per pupil, a done and published run, each pupil's result (one in
 * ten not admitted) and each school's cut-off. Statistics are refreshed, as autovacuum would after such a load.
 */
async function buildPublishedRun(url: string, pupils: number): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const schools = (await sql<{ id: string; agency_code: string }[]>`select id, agency_code from units where kind = 'school_office' order by id`);
    if (schools.length === 0) throw new Error('the demo organisation has no school units');
    const [version] = await sql<{ id: number }[]>`
      select id from procedure_versions where procedure_id = 'admission-registration' order by id desc limit 1`;
    if (!version) throw new Error('no procedure version of admission-registration: did the server load its catalog?');
    const quota = Math.ceil((pupils * 0.9) / schools.length);
    await sql`insert into admission_campaigns (id, name, grade, school_year, opens_at, closes_at, choices, rule)
      values (${CAMPAIGN}, 'Tuyển sinh lớp 10 (benchmark)', 10, '2026-2027', now() - interval '30 days', now() - interval '10 days', 3, 'deferred-acceptance')`;
    for (const s of schools) await sql`insert into campaign_schools (campaign_id, school_unit_id, quota) values (${CAMPAIGN}, ${s.id}, ${quota})`;
    const ids = sql.array(schools.map((s) => s.id));
    const agencies = sql.array(schools.map((s) => s.agency_code));
    const n = schools.length;
    await sql`
      insert into dossiers (code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data, applicant_name)
      select 'BENCH-' || i, 'admission-registration', ${version.id}, (${agencies}::text[])[1 + i % ${n}], (${ids}::text[])[1 + i % ${n}], 'submitted',
        jsonb_build_object('campaign', ${CAMPAIGN}::text, 'pupilIdNumber', '0383' || lpad(i::text, 8, '0'),
          'pupilBirthDate', to_char(date '2011-01-01' + (i % 365), 'YYYY-MM-DD'), 'choice1', (${ids}::text[])[1 + i % ${n}]),
        'Phụ huynh ' || i
      from generate_series(1, ${pupils}) as i`;
    const runId = randomUUID();
    await sql`insert into admission_runs (id, campaign_id, status, progress, rule, seed, finished_at, published_at)
      values (${runId}, ${CAMPAIGN}, 'done', 1, 'deferred-acceptance', ${randomBytes(16).toString('hex')}, now(), now())`;
    await sql`
      insert into admission_results (run_id, campaign_id, pupil_id_number, dossier_id, birth_date, school_unit_id, choice_rank, total)
      select ${runId}, ${CAMPAIGN}, d.form_data ->> 'pupilIdNumber', d.id, d.form_data ->> 'pupilBirthDate',
        case when i % 10 = 0 then null else d.unit_id end, case when i % 10 = 0 then null else 1 + i % 3 end, 1000 + (i * 7919) % 2000
      from (select id, unit_id, form_data, substr(code, 7)::int as i from dossiers where procedure_id = 'admission-registration' and code like 'BENCH-%') d`;
    await sql`
      insert into admission_cutoffs (run_id, school_unit_id, quota, admitted, cutoff)
      select ${runId}, s.school_unit_id, s.quota, count(r.pupil_id_number)::int, min(r.total)
      from campaign_schools s left join admission_results r on r.run_id = ${runId} and r.school_unit_id = s.school_unit_id
      where s.campaign_id = ${CAMPAIGN} group by s.school_unit_id, s.quota`;
    await sql`analyze dossiers`;
    await sql`analyze admission_results`;
    return runId;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function seedDemoOrganisation(url: string): Promise<void> {
  const database = await openDatabase({ kind: 'postgres', url, max: 1 }, { migrate: false });
  try {
    await seedOrganisation(database.db);
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

async function startBaseline(url: string, runId: string): Promise<{ child: Child; base: string }> {
  let resolvePort!: (port: number) => void;
  const portLine = new Promise<number>((resolve) => { resolvePort = resolve; });
  let seen = false;
  const child = startChild('baseline', ['--import', 'tsx', 'bench/lookup-baseline-server.ts'],
    { ...process.env, NODE_ENV: 'production', BENCH_BASE_DATABASE_URL: url, BENCH_BASE_RUN_ID: runId, BENCH_BASE_PORT: '0' },
    (line) => {
      if (seen || !/^\d+$/.test(line.trim())) return false;
      seen = true;
      resolvePort(Number(line.trim()));
      return true;
    });
  const port = await raceStartup(child, portLine);
  return { child, base: `http://127.0.0.1:${port}` };
}

async function startMotcua(url: string, dataDir: string): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production', DATABASE_URL: url, APP_SECRET: randomBytes(32).toString('hex'), PORT: String(port), HOST: '127.0.0.1',
    LOG_LEVEL: 'warn', DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`,
    // One load generator on one address: the per-client limit would refuse it (it is a flood guard, not the subject).
    ADMISSION_LOOKUP_RATE_LIMIT: '0',
  };
  // No REDIS_URL: the inline job driver (the look-up creates no jobs).
  delete env.REDIS_URL;
  const args = ['--import', 'tsx'];
  if (settings.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`);
  const child = startChild('motcua', [...args, 'src/server.ts'], env);
  const base = `http://127.0.0.1:${port}`;
  await raceStartup(child, waitForHealthz(`${base}/healthz`, child));
  return { child, base };
}

// ---------------------------------------------------------------------------------------------------------------
// Load

interface Target {
  name: string;
  base: string;
  /** The request path for pupil i (the hello-world ignores it). */
  path: (i: number) => string;
  pid: number | undefined;
}

interface Figures { label: string; reqPerSec: number; p50: number; p99: number; ok: number; non2xx: number; errors: number; serverCpu?: number }

/** Each request asks for the next pupil of a fixed walk that visits them all (a step prime to their number). */
function walker(pupils: number): () => number {
  let step = 7919;
  while (gcd(step, pupils) !== 1) step += 2;
  let at = 0;
  return () => {
    at = (at + step) % pupils;
    return at + 1;
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

async function smokeTest(target: Target): Promise<void> {
  const response = await fetch(`${target.base}${target.path(1)}`);
  const text = await response.text();
  if (response.status !== 200) {
    console.error(`\n${target.name}: smoke request answered ${response.status}, expected 200. Response:\n${text}\n`);
    throw new ExitError(1);
  }
  console.log(`${target.name}: smoke request → 200 ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`);
}

function load(target: Target, seconds: number): Promise<autocannon.Result> {
  const next = walker(settings.pupils);
  return new Promise((resolve, reject) => {
    trackLoad(autocannon({
      url: target.base, connections: settings.connections, duration: seconds,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: target.path(next()) }) }],
    }, (error, result) => {
      trackLoad(undefined);
      if (cleaningUp()) reject(new ExitError(130));
      else if (error) reject(error);
      else resolve(result);
    }));
  });
}

async function measure(target: Target, label = target.name): Promise<Figures> {
  process.stdout.write(`${label}: warm-up ${settings.warmupSeconds} s... `);
  const warm = await load(target, settings.warmupSeconds);
  process.stdout.write(`(${Math.round(warm.requests.average)} req/s, discarded) measuring ${settings.seconds} s... `);
  const before = cpuMs(target.pid);
  const result = await load(target, settings.seconds);
  const after = cpuMs(target.pid);
  const figures: Figures = {
    label, reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], non2xx: result.non2xx, errors: result.errors,
    serverCpu: before !== undefined && after !== undefined && result.requests.total > 0 ? (after - before) / result.requests.total : undefined,
  };
  console.log(`${Math.round(figures.reqPerSec)} req/s`);
  if (figures.non2xx > 0 || figures.errors > 0 || warm.non2xx > 0) {
    console.warn(`\n!!! WARNING: ${label}: ${figures.non2xx} non-2xx and ${figures.errors} errors in the measured run, ` +
      `${warm.non2xx} non-2xx in the warm-up. The figures below do not measure successful look-ups. !!!\n`);
  }
  return figures;
}

function printTable(rows: Figures[]): void {
  const header = ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'server CPU ms/req'];
  const cells = rows.map((r) => [r.label, r.reqPerSec.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.ok), String(r.non2xx),
    String(r.errors), r.serverCpu === undefined ? '-' : r.serverCpu.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const database = `motcua_bench_lookup_${randomBytes(4).toString('hex')}`;
  console.log(`admission look-up benchmark: ${settings.pupils} pupils, ${settings.connections} connections, ${settings.seconds} s per run ` +
    `(+${settings.warmupSeconds} s warm-up), ${os.cpus().length} CPUs, node ${process.version}`);
  await createDatabase(database);
  const url = databaseUrl(settings.adminUrl, database);
  console.log(`database: ${database} (dropped at the end)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-'));
  onCleanup('remove DATA_DIR', () => rm(dataDir, { recursive: true, force: true }));

  // motcua first: its start migrates the database and records the procedure versions the dossiers point to.
  const motcua = await startMotcua(url, dataDir);
  await seedDemoOrganisation(url);
  const started = Date.now();
  const runId = await buildPublishedRun(url, settings.pupils);
  console.log(`published run ${runId}: ${settings.pupils} dossiers, results and cut-offs built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const baseline = await startBaseline(url, runId);

  const query = (i: number) => {
    const p = pupil(i);
    return `pupilIdNumber=${p.id}&birthDate=${p.birthDate}`;
  };
  const hello: Target = { name: '(a) fastify hello-world', base: baseline.base, path: () => '/hello', pid: baseline.child.process.pid };
  const oneQuery: Target = { name: '(b) fastify + one PK query', base: baseline.base, path: (i) => `/result?${query(i)}`, pid: baseline.child.process.pid };
  const lookup: Target = {
    name: '(c) motcua GET /api/admissions/result', base: motcua.base, path: (i) => `/api/admissions/result?campaign=${CAMPAIGN}&${query(i)}`,
    pid: motcua.child.process.pid,
  };
  for (const target of [hello, oneQuery, lookup]) await smokeTest(target);
  console.log('');

  // (b) twice, before and after (c): their mean cancels most of the machine's drift.
  const a = await measure(hello);
  const b1 = await measure(oneQuery, '(b) fastify + one PK query #1');
  const c = await measure(lookup);
  const b2 = await measure(oneQuery, '(b) fastify + one PK query #2');
  const b: Figures = {
    label: '(b) fastify + one PK query (mean)', reqPerSec: (b1.reqPerSec + b2.reqPerSec) / 2, p50: (b1.p50 + b2.p50) / 2, p99: (b1.p99 + b2.p99) / 2,
    ok: b1.ok + b2.ok, non2xx: b1.non2xx + b2.non2xx, errors: b1.errors + b2.errors,
    serverCpu: b1.serverCpu !== undefined && b2.serverCpu !== undefined ? (b1.serverCpu + b2.serverCpu) / 2 : undefined,
  };
  await stopChild(motcua.child);
  await stopChild(baseline.child);

  console.log('');
  printTable([a, b1, b2, b, c]);
  console.log('server CPU: CPU time of the server process (all threads) during the measured run ÷ requests (PostgreSQL not included).');
  const bad = [a, b1, b2, c].reduce((n, f) => n + f.non2xx + f.errors, 0);
  if (bad > 0) console.warn(`!!! WARNING: ${bad} non-2xx responses or errors during the measured runs — see above. !!!`);
  console.log(`lookup/hello-world ratio (c)/(a): ${(c.reqPerSec / a.reqPerSec).toFixed(2)}`);
  console.log(`lookup/one-query ratio (c)/(b): ${(c.reqPerSec / b.reqPerSec).toFixed(2)}`);
}

await runBenchmark(main);
