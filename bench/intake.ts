// `npm run bench:intake`: online intake throughput (POST /api/dossiers) of the real server against a baseline
// (bare fastify + @fastify/multipart + one postgres.js INSERT per request, bench/baseline-server.ts) on the same
// machine, same body, same load. A benchmark, not a test: it prints figures and never fails on time. It does exit 1
// when a target does not answer the request with 201 — a benchmark that measures 422s is worthless.
//
// Both servers run as child processes so autocannon (in this process) does not share their event loop. Each run
// gets two fresh databases, dropped at the end even on failure or Ctrl-C. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { seedOrganisation } from '../src/db/seed/index.js';
import { HEADERS, intakeRequestBody, realisticRequestBody } from './intake-request.js';
import { type Child, cleaningUp, cleanupOnSignals, databaseUrl, ExitError, freePort, onCleanup, perRequest, positiveInt, raceStartup, runBenchmark, serverSnapshot, startChild, stopChild, trackLoad, waitForHealthz } from './harness.js';

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  seconds: positiveInt('BENCH_SECONDS', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 2),
  /** When set, the motcua child runs with --cpu-prof and writes its profile into this directory on exit. */
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  /** `realistic`: a ~300 KB JPEG + a ~600 KB PDF per dossier instead of one small PDF (issue 15). */
  files: process.env.BENCH_FILES === 'realistic' ? 'realistic' as const : 'small' as const,
  /** `s3`: motcua stores files in a local S3-compatible server (s3rver, a child process) instead of PostgreSQL. */
  storage: process.env.BENCH_STORAGE === 's3' ? 's3' as const : 'postgres' as const,
};
const TARGET_RATIO = 0.3;

cleanupOnSignals('stopping children and dropping the bench databases');

// ---------------------------------------------------------------------------------------------------------------
// Databases

/** The admin connection (database `test` by default): creates the bench databases and finds their backends. */
let admin: postgres.Sql | undefined;

async function createDatabases(names: string[]): Promise<void> {
  const sql = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
  admin = sql;
  onCleanup('close the admin connection', () => sql.end({ timeout: 5 }));
  for (const name of names) {
    await sql.unsafe(`create database "${name}"`);
    // Dropped on a connection of its own: the admin one may be busy or broken when a run is interrupted.
    onCleanup(`drop database ${name}`, async () => {
      const dropper = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    });
  }
}

async function countRows(url: string, table: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe<{ n: string }[]>(`select count(*)::text as n from ${table}`);
    return Number(row?.n ?? 0);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Waits until every outbox row of the database is done or failed (the server's background work is over). */
async function drainOutbox(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = Date.now();
  try {
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where done_at is null and failed_at is null`;
      if (!row || row.n === 0) break;
      if (Date.now() - started > 300_000) throw new Error(`motcua's outbox still holds ${row.n} rows after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  console.log(`motcua: background work (intake notifications) drained ${((Date.now() - started) / 1000).toFixed(1)} s after the load`);
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

async function startBaseline(databaseUrl: string): Promise<{ child: Child; url: string }> {
  let resolvePort!: (port: number) => void;
  const portLine = new Promise<number>((resolve) => { resolvePort = resolve; });
  let seen = false;
  const child = startChild(
    'baseline',
    ['--import', 'tsx', 'bench/baseline-server.ts'],
    { ...process.env, BENCH_BASE_DATABASE_URL: databaseUrl, BENCH_BASE_PORT: '0' },
    (line) => {
      if (seen || !/^\d+$/.test(line.trim())) return false;
      seen = true;
      resolvePort(Number(line.trim()));
      return true;
    },
  );
  const port = await raceStartup(child, portLine);
  return { child, url: `http://127.0.0.1:${port}/dossiers` };
}

/** s3rver in a child process (not in this one: autocannon's event loop stays its own), on a free port, bucket made. */
async function startLocalS3(dir: string): Promise<Record<string, string>> {
  const port = await freePort();
  const bucket = 'motcua-bench';
  const child = startChild('s3rver', ['node_modules/s3rver/bin/s3rver.js', '-d', dir, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', bucket], process.env);
  const endpoint = `http://127.0.0.1:${port}`;
  await raceStartup(child, (async () => {
    for (;;) {
      try {
        await fetch(`${endpoint}/${bucket}`, { signal: AbortSignal.timeout(1000) });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })());
  return {
    STORAGE_DRIVER: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
}

/** The database's size and the cluster's WAL position (WAL is shared: other databases' writes count too). */
async function growthMark(database: string): Promise<{ dbBytes: number; walLsn: string; dossiers: number }> {
  const [row] = await admin!.unsafe<{ db: string; lsn: string }[]>(`select pg_database_size($1)::text as db, pg_current_wal_lsn()::text as lsn`, [database]);
  return { dbBytes: Number(row!.db), walLsn: row!.lsn, dossiers: await countRows(databaseUrl(settings.adminUrl, database), 'dossiers') };
}

async function walBytes(from: string, to: string): Promise<number> {
  const [row] = await admin!.unsafe<{ n: string }[]>(`select pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text as n`, [from, to]);
  return Number(row!.n);
}

async function startMotcua(databaseUrl: string, dataDir: string, storageEnv: Record<string, string> = {}): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    APP_SECRET: randomBytes(32).toString('hex'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // One client filing as fast as it can, always for the same applicant: the anonymous-intake limits would refuse it.
    INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0',
    ...storageEnv,
  };
  // No REDIS_URL: the inline job driver, which sends the intake notifications in this process (drained before baseline #2).
  delete env.REDIS_URL;
  const args = ['--import', 'tsx'];
  if (settings.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`);
  args.push('src/server.ts');
  const child = startChild('motcua', args, env);
  const base = `http://127.0.0.1:${port}`;
  await raceStartup(child, waitForHealthz(`${base}/healthz`, child));
  return { child, url: `${base}/api/dossiers` };
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
// Load

interface Target {
  name: string;
  url: string;
  /** The server process, for its CPU time. */
  pid: number | undefined;
  /** Its database, whose backends' CPU time is counted. */
  database: string;
}

interface Figures {
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** CPU milliseconds per request: the server process (all threads) and its PostgreSQL backends. */
  serverCpu?: number;
  dbCpu?: number;
}

/** One request with fetch before any load: the target must accept the body with 201. */
async function smokeTest(target: Target, body: Buffer): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: HEADERS, body });
  const text = await response.text();
  if (response.status !== 201) {
    console.error(`\n${target.name}: smoke request answered ${response.status}, expected 201. Response:\n${text}\n`);
    throw new ExitError(1);
  }
  console.log(`${target.name}: smoke request → 201 ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`);
}

function load(target: Target, body: Buffer, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    trackLoad(autocannon(
      { url: target.url, method: 'POST', headers: HEADERS, body, connections: settings.connections, duration: seconds },
      (error, result) => {
        trackLoad(undefined);
        if (cleaningUp()) reject(new ExitError(130)); // interrupted: these figures mean nothing
        else if (error) reject(error);
        else resolve(result);
      },
    ));
  });
}

async function measure(target: Target, body: Buffer, label = target.name): Promise<Figures> {
  process.stdout.write(`${label}: warm-up ${settings.warmupSeconds} s... `);
  const warm = await load(target, body, settings.warmupSeconds);
  process.stdout.write(`(${Math.round(warm.requests.average)} req/s, discarded) measuring ${settings.seconds} s... `);
  // CPU from /proc (Linux only; the columns show "-" elsewhere): the server process and its database's backends.
  const snapshot = () => (admin ? serverSnapshot(admin, target.database, target.pid) : undefined);
  const before = await snapshot();
  const result = await load(target, body, settings.seconds);
  const after = await snapshot();
  const { serverCpu, dbCpu } = before && after ? perRequest(before, after, result.requests.total) : {};
  const figures: Figures = {
    serverCpu, dbCpu,
    label,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(`${Math.round(figures.reqPerSec)} req/s`);
  if (figures.non2xx > 0 || figures.errors > 0 || warm.non2xx > 0) {
    console.warn(
      `\n!!! WARNING: ${label}: ${figures.non2xx} non-2xx responses and ${figures.errors} connection errors ` +
        `(${result.timeouts} timeouts) in the measured run, ${warm.non2xx} non-2xx in the warm-up. ` +
        'The figures below do not measure successful intake. !!!\n',
    );
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function printTable(rows: Figures[]): void {
  const header = ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'server CPU ms/req', 'db CPU ms/req'];
  const cpu = (ms: number | undefined) => (ms === undefined ? '-' : ms.toFixed(2));
  const cells = rows.map((r) => [
    r.label,
    r.reqPerSec.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.ok),
    String(r.non2xx),
    String(r.errors),
    cpu(r.serverCpu),
    cpu(r.dbCpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function mean(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : (a + b) / 2;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const motcuaDb = `motcua_bench_${suffix}`;
  const baseDb = `motcua_bench_base_${suffix}`;

  console.log(
    `intake benchmark: ${settings.connections} connections, ${settings.seconds} s per run (+${settings.warmupSeconds} s warm-up), ` +
      `${os.cpus().length} CPUs, node ${process.version}`,
  );
  const small = settings.files === 'small' ? await intakeRequestBody() : undefined;
  const realistic = settings.files === 'realistic' ? await realisticRequestBody() : undefined;
  const body = (small ?? realistic)!.body;
  const fileBytes = small ? small.pdf.length : realistic!.fileBytes;
  console.log(`request: POST multipart/form-data, ${body.length} bytes (files: ${settings.files}, ${fileBytes} bytes of files per dossier); motcua stores files in ${settings.storage}`);

  await createDatabases([motcuaDb, baseDb]);
  console.log(`databases: ${motcuaDb}, ${baseDb} (dropped at the end)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-'));
  onCleanup('remove DATA_DIR', () => rm(dataDir, { recursive: true, force: true }));

  const baseline = await startBaseline(databaseUrl(settings.adminUrl, baseDb));
  const baselineTarget: Target = { name: 'baseline', url: baseline.url, pid: baseline.child.process.pid, database: baseDb };
  await smokeTest(baselineTarget, body);

  const storageEnv = settings.storage === 's3' ? await startLocalS3(path.join(dataDir, 's3')) : {};
  const motcua = await startMotcua(databaseUrl(settings.adminUrl, motcuaDb), dataDir, storageEnv);
  // A production start loads no organisation: give the (migrated) database the demo one, whose unit roles let
  // diploma-copy take dossiers, as an administrator would before going live.
  await seedDemoOrganisation(databaseUrl(settings.adminUrl, motcuaDb));
  const motcuaTarget: Target = { name: 'motcua', url: motcua.url, pid: motcua.child.process.pid, database: motcuaDb };
  await smokeTest(motcuaTarget, body);
  console.log('');

  // baseline, motcua, baseline again: the mean of the two baselines cancels most of the machine's drift. Only the
  // server under load is running work; the other one idles.
  const base1 = await measure(baselineTarget, body, 'baseline #1');
  const growthBefore = await growthMark(motcuaDb);
  const intake = await measure(motcuaTarget, body, 'motcua');
  const growthAfter = await growthMark(motcuaDb);
  // motcua's inline driver sends the intake notifications in-process after the load stops: left running, they would
  // slow baseline #2 by a fifth to a third and overstate the ratio (issue 15). Wait until its outbox is drained.
  await drainOutbox(databaseUrl(settings.adminUrl, motcuaDb));
  const base2 = await measure(baselineTarget, body, 'baseline #2');
  const baseMean: Figures = {
    label: 'baseline (mean)',
    reqPerSec: (base1.reqPerSec + base2.reqPerSec) / 2,
    p50: (base1.p50 + base2.p50) / 2,
    p99: (base1.p99 + base2.p99) / 2,
    ok: base1.ok + base2.ok,
    non2xx: base1.non2xx + base2.non2xx,
    errors: base1.errors + base2.errors,
    serverCpu: mean(base1.serverCpu, base2.serverCpu),
    dbCpu: mean(base1.dbCpu, base2.dbCpu),
  };

  await stopChild(motcua.child); // flushes the CPU profile when BENCH_CPU_PROF is set
  await stopChild(baseline.child);
  const [motcuaRows, baseRows] = await Promise.all([
    countRows(databaseUrl(settings.adminUrl, motcuaDb), 'dossiers'),
    countRows(databaseUrl(settings.adminUrl, baseDb), 'intake'),
  ]);

  console.log('');
  printTable([base1, base2, baseMean, intake]);
  console.log('CPU columns: CPU time during the measured run ÷ requests — the server process (all threads) and the PostgreSQL backends of its database.');
  console.log(`rows written: motcua ${motcuaRows} dossiers, baseline ${baseRows} rows (incl. warm-up and smoke requests)`);
  if (settings.cpuProfDir) console.log(`motcua CPU profile written to ${settings.cpuProfDir}`);
  const bad = base1.non2xx + base2.non2xx + intake.non2xx + base1.errors + base2.errors + intake.errors;
  if (bad > 0) console.warn(`!!! WARNING: ${bad} non-2xx responses or errors during the measured runs — see above. !!!`);
  console.log(`target: intake/baseline ratio >= ${TARGET_RATIO.toFixed(2)}`);
  const filed = growthAfter.dossiers - growthBefore.dossiers;
  const perDossier = (bytes: number) => `${(bytes / Math.max(1, filed) / 1024).toFixed(1)} KiB`;
  const dbGrowth = growthAfter.dbBytes - growthBefore.dbBytes;
  const wal = await walBytes(growthBefore.walLsn, growthAfter.walLsn);
  console.log(`database growth over ${filed} dossiers (warm-up + measured run): ${perDossier(dbGrowth)} per dossier (pg_database_size), `
    + `${perDossier(wal)} of WAL per dossier (pg_current_wal_lsn, whole cluster); files ${(fileBytes / 1024).toFixed(1)} KiB per dossier in ${settings.storage}`);
  console.log(`intake/baseline ratio: ${(intake.reqPerSec / baseMean.reqPerSec).toFixed(2)}`);
  if (settings.files === 'realistic') {
    // The figure this mode is for: 1.0 or more when the bytes go into PostgreSQL, near 0 when only metadata does.
    console.log(`database growth / file bytes per dossier: ${(dbGrowth / Math.max(1, filed) / fileBytes).toFixed(3)}`);
  }
}

await runBenchmark(main);
