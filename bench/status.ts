// `npm run bench:status`: what a citizen following a dossier costs on a storm day (issue 15) — the status look-up
// (GET /api/dossiers/:code with the tracking token), the dossier page as the citizen's browser asks for it
// (/ho-so/:code with the remembered token's cookie) and the result's verification page (/verify/:code?k=…, the QR
// code's link) — against two baselines measured in the same run, on the same machine and database: a bare fastify
// hello-world and a bare fastify handler doing one indexed read of the dossier row by its code
// (bench/lookup-baseline-server.ts). A benchmark, not a test: it prints figures and never fails on time; it exits 1
// when a target does not answer 200 — a benchmark that measures 404s is worthless.
//
// Set-up through the real services, in this process, on a fresh database: the demo organisation, staff and keys,
// BENCH_DOSSIERS diploma-copy dossiers filed and received (two history events and a receipt each), and one taken on
// to a signed and sealed result. Then motcua runs as production runs it — src/server.ts in production mode on
// PostgreSQL and Redis (BullMQ), a child process so autocannon (here) does not share its event loop — and every
// request of a run asks for the next dossier of a fixed walk over all of them. Prints req/s, p50/p99, CPU ms per
// request of the server process and of the database's PostgreSQL backends, PostgreSQL transactions per request
// (each statement outside a transaction commits one), and the ratios last. BENCH_ROUNDS rounds (default 3) of the
// one-query baseline, the look-up, the page, the verification page and the baseline again, each round's ratios against
// its own baseline; the ratios printed last are the rounds' medians (this machine moves a single run's ratio by ±25 %).
// The database is dropped at the end, even on failure or Ctrl-C. See bench/README.md.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { pino } from 'pino';
import postgres from 'postgres';
import { loadConfig } from '../src/config.js';
import { closeContext, createContext } from '../src/context.js';
import { findDossierByCode } from '../src/db/repositories/dossiers.js';
import { findStaffByUsername } from '../src/db/repositories/staff.js';
import { seedDemo } from '../src/db/seed/index.js';
import type { AppContext } from '../src/app-context.js';
import type { Caller } from '../src/services/access.js';
import { verificationKeyFor } from '../src/services/access.js';
import { submitDossier } from '../src/services/intake/submit-dossier.js';
import { performAction } from '../src/services/processing/perform-action.js';
import { makePdf } from './intake-request.js';
import {
  cleaningUp, cleanupOnSignals, createBenchDatabase, databaseUrl, ExitError, freePort, onCleanup, perRequest, positiveInt, raceStartup,
  runBenchmark, serverSnapshot, startChild, startPortServer, stopChild, trackLoad, waitForHealthz, type Child,
} from './harness.js';

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  seconds: positiveInt('BENCH_SECONDS', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 2),
  dossiers: positiveInt('BENCH_DOSSIERS', 300),
  rounds: positiveInt('BENCH_ROUNDS', 3),
  /**
   * Idle seconds after each warm-up and each measured run, so PostgreSQL's backends have flushed their transaction
   * counts (an idle backend flushes after 10 s) and no run's transactions are counted in the next one. 0: no pause,
   * the transactions per request then carry the previous run's last second or so.
   */
  settleSeconds: Number(process.env.BENCH_SETTLE_SECONDS ?? 11),
  /** When set, the motcua child runs with --cpu-prof and writes its profile into this directory on exit. */
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
};
const TARGET_RATIO = 0.3;
const TRACK_COOKIE = 'motcua_track'; // routes/pages/common.ts: base64url JSON [{ code, token }]

cleanupOnSignals('stopping children and dropping the bench database');

// ---------------------------------------------------------------------------------------------------------------
// Set-up through the services

interface Filed { code: string; token: string }

const diplomaRequest = (i: number) => ({
  applicantName: `Lê Thị Lan ${i}`, applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
  relation: 'self', holderName: `Lê Thị Lan ${i}`, holderBirthDate: '2001-02-03', diplomaType: 'thpt', school: 'THPT Hàm Rồng',
  graduationYear: 2019, copies: 1,
});

async function staff(ctx: AppContext, username: string): Promise<Caller> {
  const found = await findStaffByUsername(ctx.db, username);
  if (!found) throw new Error(`no demo staff account ${username}`);
  return { kind: 'staff', staff: found };
}

/** The demo, `count` dossiers filed and received, and the first one taken on to its signed result. */
async function setUp(env: Record<string, string>, dataDir: string, count: number): Promise<{ filed: Filed[]; verifyPath: string }> {
  const ctx = await createContext(loadConfig(env), pino({ level: 'warn' }), 'embedded');
  try {
    await seedDemo(ctx.db, ctx.signerKeys, dataDir);
    await ctx.adminData.changed();
    await ctx.jobs.start();
    const pdf = await makePdf();
    const [clerk, specialist, leader] = [await staff(ctx, 'clerk'), await staff(ctx, 'specialist'), await staff(ctx, 'leader')];
    const filed: Filed[] = [];
    for (let i = 0; i < count; i++) {
      const { code, trackingToken } = await submitDossier(ctx, {
        procedureId: 'diploma-copy', data: diplomaRequest(i), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: pdf }],
      });
      await performAction(ctx, { code, action: 'receive', caller: clerk, version: 1 });
      filed.push({ code, token: trackingToken });
    }
    const first = filed[0]!;
    const checked = await performAction(ctx, {
      code: first.code, action: 'verify', caller: specialist, version: 2,
      data: { registerBookNumber: 'SG-01', entryNumber: '77/THPT', diplomaNumber: 'B 1234567', issuedDate: '2019-07-01' },
    });
    await performAction(ctx, { code: first.code, action: 'approve', caller: leader, version: checked.version });
    const started = Date.now();
    for (;;) {
      const dossier = await findDossierByCode(ctx.db, first.code);
      if (dossier?.status === 'result_ready') {
        return { filed, verifyPath: `/verify/${encodeURIComponent(first.code)}?k=${verificationKeyFor(ctx.secret, dossier.id)}` };
      }
      if (Date.now() - started > 60_000) throw new Error(`${first.code}: no signed result within 60 s (status ${dossier?.status})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await closeContext(ctx);
  }
}

async function startMotcua(env: Record<string, string>, port: number): Promise<Child> {
  const args = ['--import', 'tsx'];
  if (settings.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`);
  const child = startChild('motcua', [...args, 'src/server.ts'], { ...process.env, ...env });
  await raceStartup(child, waitForHealthz(`http://127.0.0.1:${port}/healthz`, child));
  return child;
}

// ---------------------------------------------------------------------------------------------------------------
// Load

interface Target {
  name: string;
  base: string;
  /** The request for dossier i: path and headers. */
  request: (i: number) => { path: string; headers?: Record<string, string> };
  pid: number | undefined;
}

interface Figures {
  label: string; reqPerSec: number; p50: number; p99: number; ok: number; non2xx: number; errors: number;
  serverCpu?: number; dbCpu?: number; transactions?: number;
}

/** Each request asks for the next dossier of a fixed walk that visits them all (a step prime to their number). */
function walker(n: number): () => number {
  let step = 7919 % n || 1;
  while (gcd(step, n) !== 1) step += 1;
  let at = 0;
  return () => {
    at = (at + step) % n;
    return at;
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

async function smokeTest(target: Target): Promise<void> {
  const { path: p, headers } = target.request(0);
  const response = await fetch(`${target.base}${p}`, { headers });
  const text = await response.text();
  if (response.status !== 200) {
    console.error(`\n${target.name}: smoke request answered ${response.status}, expected 200. Response:\n${text.slice(0, 2000)}\n`);
    throw new ExitError(1);
  }
  console.log(`${target.name}: smoke request → 200, ${text.length} bytes`);
}

function load(target: Target, count: number, seconds: number): Promise<autocannon.Result> {
  const next = walker(count);
  return new Promise((resolve, reject) => {
    trackLoad(autocannon({
      url: target.base, connections: settings.connections, duration: seconds,
      requests: [{
        method: 'GET',
        setupRequest: (request) => {
          const { path: p, headers } = target.request(next());
          return { ...request, path: p, headers: { ...request.headers, ...headers } };
        },
      }],
    }, (error, result) => {
      trackLoad(undefined);
      if (cleaningUp()) reject(new ExitError(130));
      else if (error) reject(error);
      else resolve(result);
    }));
  });
}

async function measure(admin: postgres.Sql, database: string, target: Target, count: number, label = target.name): Promise<Figures> {
  process.stdout.write(`${label}: warm-up ${settings.warmupSeconds} s... `);
  const warm = await load(target, count, settings.warmupSeconds);
  process.stdout.write(`(${Math.round(warm.requests.average)} req/s, discarded) measuring ${settings.seconds} s... `);
  await settle();
  const before = await serverSnapshot(admin, database, target.pid);
  const result = await load(target, count, settings.seconds);
  const after = await serverSnapshot(admin, database, target.pid);
  await settle();
  const settled = await serverSnapshot(admin, database, target.pid);
  const figures: Figures = {
    ...perRequest(before, after, result.requests.total),
    transactions: perRequest(before, settled, result.requests.total).transactions,
    label, reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], non2xx: result.non2xx, errors: result.errors,
  };
  console.log(`${Math.round(figures.reqPerSec)} req/s`);
  if (figures.non2xx > 0 || figures.errors > 0 || warm.non2xx > 0) {
    console.warn(`\n!!! WARNING: ${label}: ${figures.non2xx} non-2xx and ${figures.errors} errors in the measured run, ` +
      `${warm.non2xx} non-2xx in the warm-up. The figures below do not measure successful requests. !!!\n`);
  }
  return figures;
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, settings.settleSeconds) * 1000));
}

function printTable(rows: Figures[]): void {
  const header = ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'server CPU ms/req', 'db CPU ms/req', 'db xacts/req'];
  const num = (v: number | undefined, digits: number) => (v === undefined ? '-' : v.toFixed(digits));
  const cells = rows.map((r) => [r.label, r.reqPerSec.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.ok), String(r.non2xx),
    String(r.errors), num(r.serverCpu, 3), num(r.dbCpu, 3), num(r.transactions, 1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function meanOf(label: string, a: Figures, b: Figures): Figures {
  const mean = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? undefined : (x + y) / 2);
  return {
    label, reqPerSec: (a.reqPerSec + b.reqPerSec) / 2, p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2,
    ok: a.ok + b.ok, non2xx: a.non2xx + b.non2xx, errors: a.errors + b.errors,
    serverCpu: mean(a.serverCpu, b.serverCpu), dbCpu: mean(a.dbCpu, b.dbCpu), transactions: mean(a.transactions, b.transactions),
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const database = `motcua_bench_status_${randomBytes(4).toString('hex')}`;
  console.log(`status benchmark: ${settings.dossiers} dossiers, ${settings.connections} connections, ${settings.seconds} s per run ` +
    `(+${settings.warmupSeconds} s warm-up), ${os.cpus().length} CPUs, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await createBenchDatabase(settings.adminUrl, database);
  const url = databaseUrl(settings.adminUrl, database);
  console.log(`database: ${database} (dropped at the end)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-'));
  onCleanup('remove DATA_DIR', () => rm(dataDir, { recursive: true, force: true }));
  const admin = postgres(settings.adminUrl, { max: 1, onnotice: () => {} });
  onCleanup('close the admin connection', () => admin.end({ timeout: 5 }));

  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production', DATABASE_URL: url, APP_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir,
    PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PUBLIC_URL: `http://127.0.0.1:${port}`,
    // Certificates without a CRL pointer: the set-up signs offline (nothing serves the demo CA's CRL yet).
    DEMO_CA_CRL: 'off',
    INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0',
  };
  const started = Date.now();
  // In-process, jobs inline (no REDIS_URL): the receipts and the result are rendered and signed before this returns.
  const { filed, verifyPath } = await setUp(env, dataDir, settings.dossiers);
  console.log(`set-up: ${filed.length} dossiers filed and received, one signed result, in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const motcua = await startMotcua({ ...env, REDIS_URL: settings.redisUrl, QUEUE_PREFIX: `bench-status-${randomUUID().slice(0, 8)}` }, port);
  const baseline = await startPortServer('baseline', 'bench/lookup-baseline-server.ts', {
    NODE_ENV: 'production', BENCH_BASE_DATABASE_URL: url, BENCH_BASE_PORT: '0',
  });
  const base = `http://127.0.0.1:${baseline.port}`;
  const motcuaBase = `http://127.0.0.1:${port}`;
  const enc = (i: number) => encodeURIComponent(filed[i]!.code);
  const hello: Target = { name: '(a) fastify hello-world', base, request: () => ({ path: '/hello' }), pid: baseline.child.process.pid };
  const oneQuery: Target = { name: '(b) fastify + one indexed query', base, request: (i) => ({ path: `/dossier/${enc(i)}` }), pid: baseline.child.process.pid };
  const lookup: Target = {
    name: '(c) GET /api/dossiers/:code (token)', base: motcuaBase, pid: motcua.process.pid,
    request: (i) => ({ path: `/api/dossiers/${enc(i)}`, headers: { authorization: `Bearer ${filed[i]!.token}` } }),
  };
  const cookies = filed.map((f) => `${TRACK_COOKIE}=${Buffer.from(JSON.stringify([{ code: f.code, token: f.token }])).toString('base64url')}`);
  const page: Target = {
    name: '(d) page /ho-so/:code (cookie)', base: motcuaBase, pid: motcua.process.pid,
    request: (i) => ({ path: `/ho-so/${enc(i)}`, headers: { cookie: cookies[i]! } }),
  };
  const verify: Target = { name: '(e) /verify/:code?k= (signed result)', base: motcuaBase, pid: motcua.process.pid, request: () => ({ path: verifyPath }) };
  for (const target of [hello, oneQuery, lookup, page, verify]) await smokeTest(target);
  console.log('');

  const n = filed.length;
  const a = await measure(admin, database, hello, n);
  const rows: Figures[] = [a];
  const rounds: Array<Record<'b' | 'c' | 'd' | 'e', Figures>> = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const r = settings.rounds > 1 ? ` [round ${round}]` : '';
    // (b) before and after the motcua runs: their mean cancels most of the machine's drift within the round.
    const b1 = await measure(admin, database, oneQuery, n, `(b) fastify + one indexed query #1${r}`);
    const c = await measure(admin, database, lookup, n, `${lookup.name}${r}`);
    const d = await measure(admin, database, page, n, `${page.name}${r}`);
    const e = await measure(admin, database, verify, n, `${verify.name}${r}`);
    const b2 = await measure(admin, database, oneQuery, n, `(b) fastify + one indexed query #2${r}`);
    const b = meanOf(`(b) fastify + one indexed query (mean)${r}`, b1, b2);
    rounds.push({ b, c, d, e });
    rows.push(b1, b2, b, c, d, e);
  }
  await stopChild(motcua); // flushes the CPU profile when BENCH_CPU_PROF is set
  await stopChild(baseline.child);

  console.log('');
  printTable(rows);
  console.log('CPU: the server process (all threads) and the PostgreSQL backends of the database during the measured run ÷ requests. ' +
    'db xacts: PostgreSQL transactions per request (pg_stat_database; each statement outside a transaction is one).');
  if (settings.cpuProfDir) console.log(`motcua CPU profile written to ${settings.cpuProfDir}`);
  const bad = rows.reduce((sum, f) => sum + f.non2xx + f.errors, 0);
  if (bad > 0) console.warn(`!!! WARNING: ${bad} non-2xx responses or errors during the measured runs — see above. !!!`);
  console.log(`load average now: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Each round's ratio against its own baseline; the median of the rounds, and every round's in brackets.
  const ratio = (k: 'c' | 'd' | 'e') => {
    const each = rounds.map((r) => r[k].reqPerSec / r.b.reqPerSec);
    const sorted = [...each].sort((x, y) => x - y);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    return `${median.toFixed(2)}${each.length > 1 ? ` (rounds: ${each.map((x) => x.toFixed(2)).join(', ')})` : ''}`;
  };
  console.log(`hello-world/one-query (a)/(b, first round): ${(a.reqPerSec / rounds[0]!.b.reqPerSec).toFixed(2)}`);
  console.log(`verify/one-query (e)/(b): ${ratio('e')}`);
  console.log(`target: look-up and page ≥ ${TARGET_RATIO.toFixed(2)} of the one-query baseline (median of the rounds)`);
  console.log(`page/one-query ratio (d)/(b): ${ratio('d')}`);
  console.log(`look-up/one-query ratio (c)/(b): ${ratio('c')}`);
}

await runBenchmark(main);
