// `npm run bench:burst`: a registration burst on the admission season's first morning. motcua runs as production
// runs it — the server and the worker as two processes, PostgreSQL, Redis (BullMQ) — and takes `--count` (250,000)
// admission registrations of distinct pupils, posted at `--connections` (128) the way the portal's clients post
// (POST /api/dossiers, multipart: the form as JSON plus the three required documents as small real PDFs). It prints
// how long the burst took to be absorbed — until the last request was answered AND the outbox was drained (every
// submitted-notification done) —, req/s, p50/p90/p99/max latency, errors, that nothing was lost (dossiers = sent,
// every outbox row done, one notification recorded per dossier), and the CPU per registration of the server, the
// worker and PostgreSQL. The baseline (bare fastify + multipart + one INSERT, bench/baseline-server.ts) takes the same
// bodies at the same connections before and after the burst (half the count each), and the ratio is printed last.
// Both servers first take `--warmup` (2,000) requests, not measured. `--rounds` (BENCH_ROUNDS, 1) repeats baseline →
// burst → baseline with new pupils; the ratios printed last are then the rounds' medians.
// A benchmark, not a test: it never fails on time; it exits 1 when it could not measure (a smoke request not 201,
// a registration lost). See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { seedOrganisation } from '../src/db/seed/index.js';
import { BOUNDARY, HEADERS, makePdf } from './intake-request.js';
import { buildDossiers, prepareChoices } from './growth-data.js';
import {
  type Child, cleaningUp, cleanupOnSignals, cpuMs, createBenchDatabase, databaseUrl, ExitError, freePort, onCleanup, raceStartup, runBenchmark,
  startChild, startPortServer, stopChild, trackLoad, waitForHealthz,
} from './harness.js';

/** `--name value` or `--name=value` on the command line, else the environment variable, else the default. */
function option(name: string, env: string, fallback: number): number {
  const argv = process.argv.slice(2);
  let raw: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) raw = argv[i + 1];
    else if (argv[i]!.startsWith(`--${name}=`)) raw = argv[i]!.slice(name.length + 3);
  }
  raw ??= process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} (${env}) must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  count: option('count', 'BENCH_COUNT', 250_000),
  connections: option('connections', 'BENCH_CONNECTIONS', 128),
  /**
   * Dossiers already in the database before the burst (a year of filings, bench/growth-data.ts), then ANALYZE: a
   * Department opens its admission season on a database with history and statistics. On an empty, never-analysed
   * table PostgreSQL plans the per-filing statements for a table of a few pages, keeps those generic plans for the
   * whole run (autovacuum's first ANALYZE comes only after a minute) and the burst measures sequential scans of a
   * table it is filling — not what production pays.
   */
  history: option('history', 'BENCH_HISTORY', 20_000),
  /**
   * Requests sent to each server, unmeasured, before the measured runs: without them the first baseline run paid the
   * baseline server's JIT warm-up (~1,225 req/s against ~1,650 for the second in every run of session 22).
   */
  warmup: option('warmup', 'BENCH_WARMUP', 2_000),
  /**
   * Rounds of baseline → burst → baseline on the same servers, each burst of `count` new pupils: the ratios printed
   * last are the rounds' medians (one run's ratio moves by ±25 % on a 2-core machine).
   */
  rounds: option('rounds', 'BENCH_ROUNDS', 1),
  /** When set, the server and the worker run with --cpu-prof and write their profiles into this directory on exit. */
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
};
const CAMPAIGN = 'ts10-burst';
const TARGET = { ratio: 0.5, p99Ms: 250, absorbSeconds: 300 };

cleanupOnSignals('stopping children and dropping the bench databases');

// ---------------------------------------------------------------------------------------------------------------
// Requests: one multipart body per pupil, built from two fixed halves around the form's JSON.

interface Bodies { next: () => Buffer; bytes: number }

/**
 * Pupil `i`'s registration: a 12-digit pupil ID no other request has, the campaign, three choices among the demo
 * schools (rotating, so every school receives), the parent's contact, and the three documents a grade-10 registration
 * requires (birth certificate, residence proof, school record) as the same small real PDF.
 */
async function registrationBodies(schools: string[], start: number): Promise<Bodies> {
  const pdf = await makePdf();
  const file = (name: string, filename: string) => [
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`),
    pdf, Buffer.from('\r\n'),
  ];
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="procedure"\r\n\r\nadmission-registration\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n`);
  const tail = Buffer.concat([Buffer.from('\r\n'), ...file('birthCertificate', 'khai-sinh.pdf'), ...file('residenceProof', 'cu-tru.pdf'),
    ...file('schoolRecord', 'hoc-ba.pdf'), Buffer.from(`--${BOUNDARY}--\r\n`)]);
  let i = start;
  const form = (n: number) => {
    const s = (k: number) => schools[(n + k) % schools.length]!;
    return JSON.stringify({
      campaign: CAMPAIGN, grade: '10', pupilName: `Nguyễn Văn Học Sinh ${n}`, pupilIdNumber: `0383${String(n).padStart(8, '0')}`,
      pupilBirthDate: new Date(Date.UTC(2011, 0, 1) + (n % 365) * 86_400_000).toISOString().slice(0, 10), pupilGender: n % 2 ? 'male' : 'female',
      residence: 'Phường Ba Đình, TP Thanh Hóa', previousSchool: 'THCS Trần Mai Ninh', parentName: `Nguyễn Văn Phụ Huynh ${n}`,
      parentPhone: `09${String(n).padStart(8, '0')}`, parentEmail: `phuhuynh${n}@example.vn`,
      choice1: s(0), choice2: s(1), choice3: s(2), priority: 'none',
    });
  };
  const sample = Buffer.concat([head, Buffer.from(form(start)), tail]);
  return { next: () => Buffer.concat([head, Buffer.from(form(i++)), tail]), bytes: sample.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

async function startMotcua(url: string, dataDir: string, prefix: string): Promise<{ server: Child; worker: Child; base: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production', DATABASE_URL: url, REDIS_URL: settings.redisUrl, QUEUE_PREFIX: prefix,
    APP_SECRET: randomBytes(32).toString('hex'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir,
    PUBLIC_URL: `http://127.0.0.1:${port}`, WORKER_HEALTH_PORT: '0',
    // One load generator is one address: the per-address limit would refuse it. The per-contact limits stay on (each
    // parent has an e-mail and phone of their own), so their queries are paid as in production.
    INTAKE_RATE_LIMIT: '0',
  };
  // One directory per process: tsx's loader thread writes a profile of its own next to the main thread's.
  const prof = (name: string) => (settings.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(settings.cpuProfDir, name)}`] : []);
  // The server first: its start migrates the database. Then the worker (relay + BullMQ workers).
  const server = startChild('server', ['--import', 'tsx', ...prof('server'), 'src/server.ts'], env);
  const base = `http://127.0.0.1:${port}`;
  await raceStartup(server, waitForHealthz(`${base}/healthz`, server));
  const worker = startChild('worker', ['--import', 'tsx', ...prof('worker'), 'src/worker.ts'], env);
  return { server, worker, base };
}

/** The demo organisation (units and roles) and a campaign open now with every demo school; returns the school ids. */
async function prepare(url: string): Promise<string[]> {
  const database = await openDatabase({ kind: 'postgres', url, max: 1 }, { migrate: false });
  try {
    await seedOrganisation(database.db);
  } finally {
    await database.close();
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const schools = (await sql<{ id: string }[]>`select id from units where kind = 'school_office' order by id`).map((r) => r.id);
    if (schools.length < 3) throw new Error('the demo organisation has fewer than three school units');
    await sql`insert into admission_campaigns (id, name, grade, school_year, opens_at, closes_at, choices, rule)
      values (${CAMPAIGN}, 'Tuyển sinh lớp 10 (benchmark)', 10, '2026-2027', now() - interval '1 day', now() + interval '30 days', 3, 'deferred-acceptance')`;
    const quota = Math.ceil(settings.count / schools.length);
    for (const s of schools) await sql`insert into campaign_schools (campaign_id, school_unit_id, quota) values (${CAMPAIGN}, ${s}, ${quota})`;
    return schools;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `settings.history` dossiers of the past year over every procedure (growth-data.ts, which vacuums and analyses). */
async function buildHistory(url: string): Promise<void> {
  const started = Date.now();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await prepareChoices(sql);
    await buildDossiers(sql, 1, settings.history, 'Cán bộ một cửa (benchmark)');
  } finally {
    await sql.end({ timeout: 5 });
  }
  console.log(`history: ${settings.history} dossiers of the past year, vacuumed and analysed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Load and CPU

interface Run { seconds: number; rate: number; sent: number; ok: number; non2xx: number; errors: number; timeouts: number; p50: number; p90: number; p99: number; max: number }

/**
 * Posts `amount` requests; `seconds` until the last answer, `rate` the answers a second while every connection was
 * busy: over the middle 80 % of the answers (from the 10 % to the 90 % mark). Why not count / autocannon's duration,
 * as until session 24: with `amount` autocannon ends only on its next one-second sample, so the duration was rounded
 * up to whole seconds (5,000 baseline requests answered in 2.1 s counted as 3.0 s: the baseline came out at exactly
 * 1,650, 1,240 or 2,470 req/s); and each connection sends its share of `amount`, so a connection whose SYN was
 * dropped at the start (1 s to retransmit) ends the run a second late with the others done — 40 % of a 2.5 s baseline
 * run, 7 % of a 13 s burst. The steady rate is measured the same way for both servers.
 */
function post(url: string, bodies: Bodies, amount: number): Promise<Run> {
  const started = process.hrtime.bigint();
  const answers: bigint[] = [];
  return new Promise((resolve, reject) => {
    const load = autocannon({
      url, connections: settings.connections, amount, timeout: 30,
      requests: [{ method: 'POST', headers: HEADERS, setupRequest: (request) => ({ ...request, body: bodies.next() }) }],
    }, (error, result) => {
      trackLoad(undefined);
      if (cleaningUp()) return reject(new ExitError(130));
      if (error) return reject(error);
      const seconds = Number((answers.at(-1) ?? started) - started) / 1e9;
      const from = Math.floor(answers.length * 0.1);
      const to = Math.max(from + 1, Math.floor(answers.length * 0.9)) - 1;
      const steady = answers.length > 10 ? Number(answers[to]! - answers[from]!) / 1e9 : seconds;
      resolve({
        seconds, rate: answers.length > 10 ? (to - from) / steady : result['2xx'] / seconds, sent: result.requests.sent, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
        p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max,
      });
    });
    load.on('response', () => { answers.push(process.hrtime.bigint()); });
    trackLoad(load);
  });
}

/** CPU time so far of some processes and of every PostgreSQL backend connected to a database. */
async function cpuSnapshot(admin: postgres.Sql, database: string, pids: Record<string, number | undefined>) {
  const db = new Map<number, { ms: number; by: string }>();
  for (const { pid, by } of await admin<{ pid: number; by: string }[]>`
    select pid, application_name as by from pg_stat_activity where datname = ${database}`) {
    const ms = cpuMs(pid);
    if (ms !== undefined) db.set(pid, { ms, by });
  }
  const processes = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  return { db, processes };
}

type Snapshot = Awaited<ReturnType<typeof cpuSnapshot>>;

/** CPU ms per request between two snapshots; a backend that connected in between counts from zero. */
function cpuPer(before: Snapshot, after: Snapshot, requests: number): Record<string, number | undefined> {
  let db = 0;
  const by: Record<string, number> = {};
  for (const [pid, { ms, by: name }] of after.db) {
    const used = ms - (before.db.get(pid)?.ms ?? 0);
    db += used;
    // The application's connections say whose they are (db/client.ts): motcua-server, motcua-worker.
    const owner = name.startsWith('motcua-') ? `postgres(${name.slice('motcua-'.length)})` : 'postgres(other)';
    by[owner] = (by[owner] ?? 0) + used / requests;
  }
  const out: Record<string, number | undefined> = { postgres: db / requests, ...by };
  for (const [name, ms] of Object.entries(after.processes)) {
    const start = before.processes[name];
    out[name] = ms === undefined || start === undefined ? undefined : (ms - start) / requests;
  }
  return out;
}

/**
 * The baseline's server and PostgreSQL CPU per request (the mean of its two runs) ÷ motcua's server, worker and
 * PostgreSQL CPU per registration: what the throughput ratio would be if these processes had the machine to
 * themselves. Steadier than the req/s ratio on a shared 2-core machine, whose speed moves by ±20 % between runs; the
 * load generator (autocannon, in this process) costs both the same per request and is left out of both.
 */
function cpuRatio(motcua: Record<string, number | undefined>, baselineRuns: Array<Record<string, number | undefined>>): number {
  const base = baselineRuns.reduce((sum, b) => sum + (b.server ?? 0) + (b.postgres ?? 0), 0) / baselineRuns.length;
  const ours = (motcua.server ?? 0) + (motcua.worker ?? 0) + (motcua.postgres ?? 0);
  return ours > 0 ? base / ours : 0;
}

async function smoke(url: string, body: Buffer, name: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: HEADERS, body });
  const text = await response.text();
  if (response.status !== 201) {
    console.error(`\n${name}: smoke request answered ${response.status}, expected 201. Response:\n${text}\n`);
    throw new ExitError(1);
  }
  console.log(`${name}: smoke request → 201 ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`);
}

interface Drain { pending: number; failed: number; total: number }

async function outboxState(sql: postgres.Sql): Promise<Drain> {
  const [row] = await sql<{ pending: number; failed: number; total: number }[]>`
    select count(*) filter (where done_at is null and failed_at is null)::int as pending,
           count(*) filter (where failed_at is not null)::int as failed, count(*)::int as total from outbox`;
  return row!;
}

/** The outbox's last row id so far (the rows of a burst come after it). */
async function lastOutboxId(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ id: number | null }[]>`select max(id)::float8 as id from outbox`;
  return Number(row!.id ?? 0);
}

/** When the last of the outbox rows after `afterId` was done, in epoch ms. */
async function lastDoneAt(sql: postgres.Sql, afterId: number): Promise<number> {
  const [row] = await sql<{ ms: number | null }[]>`select (extract(epoch from max(done_at)) * 1000)::float8 as ms from outbox where id > ${afterId}`;
  return Number(row!.ms ?? 0);
}

async function countDossiers(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from dossiers`;
  return row!.n;
}

async function countNotified(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from citizen_notifications where sent_at is not null`;
  return row!.n;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const cpu = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const motcuaDb = `motcua_bench_burst_${suffix}`;
  const baseDb = `motcua_bench_burst_base_${suffix}`;
  const baselineEach = Math.max(1, Math.ceil(settings.count / 2));
  console.log(`admission registration burst: ${settings.count} registrations at ${settings.connections} connections; baseline ${baselineEach} ` +
    `before and after; ${os.cpus().length} CPUs, node ${process.version}`);

  const admin = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
  onCleanup('close the admin connection', () => admin.end({ timeout: 5 }));
  await createBenchDatabase(settings.adminUrl, motcuaDb);
  await createBenchDatabase(settings.adminUrl, baseDb);
  const motcuaUrl = databaseUrl(settings.adminUrl, motcuaDb);
  console.log(`databases: ${motcuaDb}, ${baseDb} (dropped at the end); Redis ${settings.redisUrl}, queue prefix bench-${suffix}`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-burst-'));
  onCleanup('remove DATA_DIR', () => rm(dataDir, { recursive: true, force: true }));

  const motcua = await startMotcua(motcuaUrl, dataDir, `bench-${suffix}`);
  onCleanup('remove the bench queue keys from Redis', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `bench-${suffix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  const schools = await prepare(motcuaUrl);
  await buildHistory(motcuaUrl);
  const baseline = await startPortServer('baseline', 'bench/baseline-server.ts', { BENCH_BASE_DATABASE_URL: databaseUrl(settings.adminUrl, baseDb), BENCH_BASE_PORT: '0' });
  const baselineUrl = `http://127.0.0.1:${baseline.port}/dossiers`;
  const motcuaIntake = `${motcua.base}/api/dossiers`;

  // Pupil numbers: 1 … count for the burst, then ranges of their own for the smoke requests and the baseline.
  const burst = await registrationBodies(schools, 1);
  const smokeBodies = await registrationBodies(schools, settings.count + 1);
  console.log(`request: POST multipart/form-data, about ${burst.bytes} bytes (form JSON + 3 PDFs)`);
  await smoke(motcuaIntake, smokeBodies.next(), 'motcua');
  await smoke(baselineUrl, smokeBodies.next(), 'baseline');
  const db = postgres(motcuaUrl, { max: 1, onnotice: () => {} });
  onCleanup('close the motcua database connection', () => db.end({ timeout: 5 }));
  process.stdout.write(`warm-up: ${settings.warmup} requests to each, not measured... `);
  const warmupStart = settings.count + 10 + 2 * baselineEach + 10;
  await post(baselineUrl, await registrationBodies(schools, warmupStart), settings.warmup);
  await post(motcuaIntake, await registrationBodies(schools, warmupStart + settings.warmup), settings.warmup);
  // The history's and the warm-up's dirty pages written out now, not by a checkpoint in the middle of a measured run.
  await admin.unsafe('checkpoint');
  console.log('done');
  // The smoke and warm-up registrations' notifications done: the worker is up and the pipeline runs end to end.
  for (let waited = 0; (await outboxState(db)).pending > 0; waited += 100) {
    if (waited > 60_000) throw new Error('the smoke registration was not notified within 60 s: is the worker running?');
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = { server: motcua.server.process.pid, worker: motcua.worker.process.pid };
  const baselinePids = { server: baseline.child.process.pid };
  // Pupil numbers of each round: the first round's as always (the burst from 1, the baselines after it), later rounds'
  // in blocks of their own past the warm-up's.
  const roundBlock = settings.count + 2 * baselineEach + 30;
  const firstPupilOf = (round: number) => (round === 1 ? 1 : warmupStart + 2 * settings.warmup + 10 + (round - 2) * roundBlock);

  /** Baseline, burst (+ drain), baseline: the machine is quiet at each start, the two baselines cancel its drift. */
  const measureRound = async (round: number) => {
    const first = firstPupilOf(round);
    const before = await outboxState(db);
    const dossiersBefore = await countDossiers(db);
    const notifiedBefore = await countNotified(db);
    const label = settings.rounds > 1 ? ` [round ${round}]` : '';
    process.stdout.write(`baseline #1${label}: ${baselineEach} requests... `);
    const baseCpu1 = await cpuSnapshot(admin, baseDb, baselinePids);
    const base1 = await post(baselineUrl, await registrationBodies(schools, first + settings.count + 10), baselineEach);
    const baseCpu1After = await cpuSnapshot(admin, baseDb, baselinePids);
    console.log(`${base1.rate.toFixed(0)} req/s`);

    process.stdout.write(`motcua${label}: ${settings.count} registrations... `);
    const outboxBefore = await lastOutboxId(db);
    const cpuBefore = await cpuSnapshot(admin, motcuaDb, pids);
    const started = Date.now();
    const run = await post(motcuaIntake, round === 1 ? burst : await registrationBodies(schools, first), settings.count);
    // The last answer's time (post's), not now: autocannon returned on its next whole-second sample.
    const answeredAt = started + run.seconds * 1000;
    process.stdout.write(`answered in ${((answeredAt - started) / 1000).toFixed(1)} s (${run.rate.toFixed(0)} req/s while all connections were busy); draining the outbox... `);
    let state = await outboxState(db);
    let lastProgress = Date.now();
    let lastPending = state.pending;
    while (state.pending > 0) {
      await new Promise((r) => setTimeout(r, 100));
      state = await outboxState(db);
      if (state.pending < lastPending) { lastPending = state.pending; lastProgress = Date.now(); }
      if (Date.now() - lastProgress > 120_000) throw new Error(`the outbox stopped draining: ${state.pending} rows pending for 2 minutes`);
    }
    // When the last row was done (PostgreSQL's clock is this machine's), not when this poll saw it.
    const absorbedAt = Math.max(answeredAt, await lastDoneAt(db, outboxBefore));
    const cpuAfter = await cpuSnapshot(admin, motcuaDb, pids);
    console.log(`drained ${((absorbedAt - answeredAt) / 1000).toFixed(1)} s later`);

    process.stdout.write(`baseline #2${label}: ${baselineEach} requests... `);
    const baseCpu2 = await cpuSnapshot(admin, baseDb, baselinePids);
    const base2 = await post(baselineUrl, await registrationBodies(schools, first + settings.count + 10 + baselineEach), baselineEach);
    const baseCpu2After = await cpuSnapshot(admin, baseDb, baselinePids);
    console.log(`${base2.rate.toFixed(0)} req/s`);

    // Nothing lost: a dossier per 201, a done outbox row per dossier (its submitted-notification), a notification each.
    const created = await countDossiers(db) - dossiersBefore;
    const notified = await countNotified(db) - notifiedBefore;
    const outboxNew = state.total - before.total;
    const absorb = (absorbedAt - started) / 1000;
    const per = cpuPer(cpuBefore, cpuAfter, Math.max(1, run.ok));
    const basePer = [cpuPer(baseCpu1, baseCpu1After, Math.max(1, base1.ok)), cpuPer(baseCpu2, baseCpu2After, Math.max(1, base2.ok))];
    const baseRate = (base1.rate + base2.rate) / 2;
    return {
      label, base1, base2, run, absorb, answered: (answeredAt - started) / 1000, drained: (absorbedAt - answeredAt) / 1000,
      per, created, basePer, notified, outboxNew, failed: state.failed - before.failed, pending: state.pending,
      baseRate, intakeRate: run.rate, absorbRate: run.ok / absorb,
      cpuRatio: cpuRatio(per, basePer),
      // A request autocannon gave up on (timeout) may still have been written: lost means a 201 without its dossier,
      // or a dossier without its done outbox row and sent notification.
      lost: created < run.ok || outboxNew !== created || state.failed !== before.failed || notified !== created,
    };
  };
  const rounds: Array<Awaited<ReturnType<typeof measureRound>>> = [];
  for (let round = 1; round <= settings.rounds; round++) {
    console.log('');
    rounds.push(await measureRound(round));
  }
  await stopChild(motcua.worker); // flush the CPU profiles when BENCH_CPU_PROF is set
  await stopChild(motcua.server);
  await stopChild(baseline.child);

  for (const r of rounds) {
    const { base1, base2, run, per } = r;
    console.log('');
    console.log(`time to absorb ${settings.count} registrations${r.label}: ${r.absorb.toFixed(1)} s (answers ${r.answered.toFixed(1)} s, then the outbox ${r.drained.toFixed(1)} s)`);
    console.log(`motcua:      ${r.intakeRate.toFixed(0)} req/s answered, ${r.absorbRate.toFixed(0)} registrations/s absorbed; latency p50 ${ms(run.p50)}, p90 ${ms(run.p90)}, p99 ${ms(run.p99)}, max ${ms(run.max)}`);
    console.log(`baseline #1: ${base1.rate.toFixed(0)} req/s; p50 ${ms(base1.p50)}, p90 ${ms(base1.p90)}, p99 ${ms(base1.p99)}, max ${ms(base1.max)}`);
    console.log(`baseline #2: ${base2.rate.toFixed(0)} req/s; p50 ${ms(base2.p50)}, p90 ${ms(base2.p90)}, p99 ${ms(base2.p99)}, max ${ms(base2.max)}`);
    console.log(`errors: motcua ${run.non2xx} non-2xx, ${run.errors} errors (${run.timeouts} timeouts); baseline ${base1.non2xx + base2.non2xx} non-2xx, ${base1.errors + base2.errors} errors`);
    console.log(`nothing lost: ${run.ok} answered 201, ${r.created} dossiers written, ${r.outboxNew} outbox rows (${r.failed} failed, ${r.pending} pending), ${r.notified} notifications sent`);
    console.log(`CPU ms per registration: server ${cpu(per.server)}, worker ${cpu(per.worker)}, PostgreSQL ${cpu(per.postgres)} (its backends of this database: `
      + `for the server ${cpu(per['postgres(server)'] ?? 0)}, for the worker ${cpu(per['postgres(worker)'] ?? 0)}, other ${cpu(per['postgres(other)'] ?? 0)})`);
    console.log(`baseline CPU ms per request: server ${r.basePer.map((b) => cpu(b.server)).join(' / ')}, PostgreSQL ${r.basePer.map((b) => cpu(b.postgres)).join(' / ')} (#1 / #2); `
      + `CPU ratio (baseline's server + PostgreSQL ÷ motcua's server + worker + PostgreSQL) ${r.cpuRatio.toFixed(2)}`);
  }
  if (settings.cpuProfDir) console.log(`CPU profiles written to {server,worker}/ under ${settings.cpuProfDir}`);
  const median = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  /** The median of the rounds, and each round's in brackets when there are several. */
  const summary = (values: number[], digits: number) =>
    `${median(values).toFixed(digits)}${values.length > 1 ? ` (rounds: ${values.map((v) => v.toFixed(digits)).join(', ')})` : ''}`;
  const intakeRate = median(rounds.map((r) => r.intakeRate));
  const baseRate = median(rounds.map((r) => r.baseRate));
  // Little's law for a closed loop (each connection posts again once answered): mean latency = connections / rate, so a
  // p99 under the target needs at least connections / target requests a second, whatever the code does.
  console.log(`latency floor at ${settings.connections} connections: mean = connections / rate = ${ms((settings.connections / intakeRate) * 1000)} for motcua, `
    + `${ms((settings.connections / baseRate) * 1000)} for the baseline; p99 < ${TARGET.p99Ms} ms needs more than ${Math.ceil(settings.connections / (TARGET.p99Ms / 1000))} req/s`);
  console.log(`targets: absorbed within ${TARGET.absorbSeconds} s, p99 < ${TARGET.p99Ms} ms, intake/baseline >= ${TARGET.ratio}`);
  const errors = rounds.reduce((n, r) => n + r.run.non2xx + r.run.errors + r.base1.non2xx + r.base2.non2xx + r.base1.errors + r.base2.errors, 0);
  const lost = rounds.some((r) => r.lost);
  if (errors > 0) console.warn('!!! WARNING: errors during the runs — see above. !!!');
  if (lost) console.warn('!!! WARNING: a registration or its notification is missing — see "nothing lost" above. !!!');
  if (rounds.length > 1) console.log(`motcua p99 ms: ${summary(rounds.map((r) => r.run.p99), 0)}`);
  console.log(`CPU ratio (what a request costs the baseline's server and PostgreSQL ÷ a registration motcua's three processes; the load generator left out): ${summary(rounds.map((r) => r.cpuRatio), 2)}`);
  console.log(`answered/baseline ratio: ${summary(rounds.map((r) => r.intakeRate / r.baseRate), 2)}`);
  console.log(`absorbed/baseline ratio: ${summary(rounds.map((r) => r.absorbRate / r.baseRate), 2)}`);
  if (lost) throw new ExitError(1);
}

await runBenchmark(main);
