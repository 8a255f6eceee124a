// `npm run faults -- [--quick] [--only a,b] [--ref COMMIT] [--env KEY=VALUE] [--keep] [--list]`: the fault suite (docs/FAULTS.md).
// Builds the production code once, starts its OWN PostgreSQL, Redis and SMTP sink on other ports, and for each
// scenario runs the production server and worker against a fresh database (cloned from a seeded template), a
// fresh Redis and an empty mailbox, puts load on them, injects the fault, lets the system settle, and measures what
// was lost, duplicated or left stuck. Exits 1 when any scenario has lost, duplicated or stuck > 0.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppProcess, beginShutdown, countLogLines, killAllChildrenSync, PgCluster, portFree, RedisServer, sleep, SmtpSink, track, type Crash } from './infra.js';
import { LoadGenerator, makePdf, type LoadStats } from './load.js';
import { measure, statusLabels, type Measurement } from './measure.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Options {
  quick: boolean;
  only: string[] | undefined;
  keep: boolean;
  ref: string | undefined;
  /** Extra environment for the server and worker (`--env RECONCILE_MS=5000`), for experiments. */
  env: Record<string, string>;
  ports: { pg: number; redis: number; http: number; smtp: number };
}

function parseArgs(argv: string[]): Options | 'list' {
  const options: Options = {
    quick: false, only: undefined, keep: false, ref: undefined, env: {},
    ports: {
      pg: Number(process.env.FAULTS_PG_PORT ?? 55432), redis: Number(process.env.FAULTS_REDIS_PORT ?? 56379),
      http: Number(process.env.FAULTS_HTTP_PORT ?? 53000), smtp: Number(process.env.FAULTS_SMTP_PORT ?? 52525),
    },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => { const v = argv[++i]; if (!v) throw new Error(`${arg} needs a value`); return v; };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--list') return 'list';
    else if (arg === '--only') options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--ref') options.ref = value();
    else if (arg === '--env') {
      const [k, ...v] = value().split('=');
      if (!k || v.length === 0) throw new Error('--env wants KEY=VALUE');
      options.env[k] = v.join('=');
    }
    else throw new Error(`unknown argument ${arg} (known: --quick, --only a,b, --ref COMMIT, --env KEY=VALUE, --keep, --list)`);
  }
  const unknown = (options.only ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return options;
}

/** Phase lengths; the fault durations themselves are fixed in scenarios.ts. */
function timing(quick: boolean) {
  return quick
    // stallMs must outlast the product's slowest self-repair: the reconciler (RECONCILE_MS, 30 s) re-hands a job only
    // when it was handed over more than a minute ago, so ~90 s can pass with nothing visibly moving.
    ? { warmMs: 8_000, afterMs: 8_000, settleMaxMs: 180_000, stallMs: 100_000, intakePerSecond: 3, lanes: 4 }
    : { warmMs: 30_000, afterMs: 45_000, settleMaxMs: 600_000, stallMs: 240_000, intakePerSecond: 4, lanes: 6 };
}

const started = Date.now();
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
const say = (text: string) => console.log(`${stamp()} ${text}`);

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, logFile?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (logFile) writeFileSync(logFile, out);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** What the production build needs from the project: the rest (tests, tools, docs) is not copied. */
const SNAPSHOT_PATHS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'migrations', 'templates', 'workflows', 'public'];

/**
 * A private snapshot of the code under test — the working tree, or `--ref`'s commit via `git archive` — built with
 * the same compilation as `npm run build` (tsc -p tsconfig.build.json, then the non-TypeScript files of src/). It
 * lives under dist/faults/<label>/ with its own package.json, so paths.ts finds ITS migrations, templates and
 * workflows, and modules resolve from the project's node_modules. Teammates editing files or running `npm run build`
 * meanwhile cannot change the code under a running fault run (the processes restart mid-run).
 */
async function snapshotAndBuild(ref: string | undefined): Promise<{ dir: string; describe: string }> {
  const label = ref ? (await runCommand('git', ['rev-parse', '--short=12', ref], process.env)).trim() : 'worktree';
  const dir = path.join(ROOT, 'dist', 'faults', label);
  // Earlier snapshots go too (the port check already ruled out another fault run using one).
  rmSync(path.join(ROOT, 'dist', 'faults'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const head = (await runCommand('git', ['rev-parse', '--short=12', ref ?? 'HEAD'], process.env)).trim();
  let describe: string;
  if (ref) {
    const tar = path.join(dir, 'snapshot.tar');
    await runCommand('git', ['archive', '--format=tar', '-o', tar, ref, ...SNAPSHOT_PATHS], process.env);
    await runCommand('tar', ['-xf', tar, '-C', dir], process.env);
    rmSync(tar);
    describe = `commit ${head}`;
  } else {
    for (const p of SNAPSHOT_PATHS) cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
    const dirty = (await runCommand('git', ['status', '--porcelain', '--', ...SNAPSHOT_PATHS], process.env)).trim().split('\n').filter(Boolean).length;
    describe = `working tree on ${head}${dirty ? ` with ${dirty} uncommitted change(s) under ${SNAPSHOT_PATHS.join(', ')}` : ' (clean)'}`;
  }
  // The seed script runs (tsx) against the snapshot's own src/, like the processes.
  mkdirSync(path.join(dir, 'tools', 'faults'), { recursive: true });
  cpSync(path.join(ROOT, 'tools', 'faults', 'seed.ts'), path.join(dir, 'tools', 'faults', 'seed.ts'));
  await runCommand(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(dir, 'tsconfig.build.json')], process.env);
  const copy = (from: string) => {
    for (const entry of readdirSync(from)) {
      const file = path.join(from, entry);
      if (statSync(file).isDirectory()) copy(file);
      else if (!entry.endsWith('.ts')) cpSync(file, path.join(dir, 'dist', path.relative(dir, file)));
    }
  };
  copy(path.join(dir, 'src'));
  return { dir, describe };
}

interface ScenarioResult {
  name: string;
  summary: string;
  load: LoadStats;
  measurement: Measurement | undefined;
  settledInMs: number;
  settleOutcome: 'at rest' | 'no progress' | 'time limit' | 'not measured';
  crashes: Crash[];
  logs: Record<string, { error: number; fatal: number; nonJson: number; warn: number; samples: string[] }>;
  faultLog: string[];
  /** What clients saw: acknowledgements per second before the fault and after it ended, and how long after the end
   *  of the fault (for a kill: the kill itself) the first acknowledgement and the last transient failure came. */
  clients?: { acksPerSecBefore: number; acksPerSecAfter: number; firstAckAfterMs: number | null; lastFailureAfterMs: number | null };
  error?: string;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'list') {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(12)} ${s.summary}`);
    return 0;
  }
  const options = parsed;
  const t = timing(options.quick);
  const scenarios = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name));

  for (const [what, port] of Object.entries(options.ports)) {
    if (!(await portFree(port))) throw new Error(`port ${port} (${what}) is in use — another fault run? (override with FAULTS_${what.toUpperCase()}_PORT)`);
  }

  const runDir = mkdtempSync(path.join(os.tmpdir(), 'motcua-faults-'));
  chmodSync(runDir, 0o755); // the postgres user must reach its data directory below
  mkdirSync(path.join(runDir, 'logs'), { recursive: true });
  const runId = path.basename(runDir).replace('motcua-faults-', '');
  say(`run directory ${runDir} (logs/, report.json); ${options.quick ? 'quick' : 'full'} run of ${scenarios.map((s) => s.name).join(', ')}`);

  const pg = new PgCluster(runDir, options.ports.pg);
  removeRunFiles = () => {
    if (options.keep) return;
    for (const dir of ['pg', 'data', 'redis']) {
      try { rmSync(path.join(runDir, dir), { recursive: true, force: true, maxRetries: 3 }); } catch { /* a dying process still writing: left in /tmp */ }
    }
  };
  const cleanup = async () => {
    beginShutdown();
    await pg.stopFast().catch(() => {});
    killAllChildrenSync();
    removeRunFiles?.();
  };
  cleanupHook = cleanup;

  say(`snapshot of the ${options.ref ? `commit ${options.ref}` : 'working tree'} and build (tsc -p tsconfig.build.json) ...`);
  const snapshot = await snapshotAndBuild(options.ref);
  const dist = path.join(snapshot.dir, 'dist');
  say(`code under test: ${snapshot.describe} → ${path.relative(ROOT, dist)}`);

  say(`initdb + postgres on 127.0.0.1:${options.ports.pg}`);
  await pg.init();
  await pg.start();

  const dataDir = path.join(runDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const appSecret = randomBytes(32).toString('hex');
  const baseEnv = (database: string, queuePrefix: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? 'C.UTF-8', TZ: process.env.TZ,
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(options.ports.http), PUBLIC_URL: `http://127.0.0.1:${options.ports.http}`,
    DATA_DIR: dataDir, DATABASE_URL: pg.url(database), REDIS_URL: `redis://127.0.0.1:${options.ports.redis}`, QUEUE_PREFIX: queuePrefix,
    APP_SECRET: appSecret, KEY_ENCRYPTION_SECRET: appSecret, LOG_LEVEL: 'warn',
    SMTP_URL: `smtp://127.0.0.1:${options.ports.smtp}`, MAIL_FROM: 'Sở GD&ĐT (fault suite) <motcua@faults.test>',
    LOGIN_RATE_LIMIT: '10000',
    // One load generator files every dossier from one address: the intake limits would refuse it (they are tested elsewhere).
    INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0',
    ...options.env,
  });

  say('seeding the template database (migrations, organisation, demo staff and keys)');
  await pg.withSql('postgres', (sql) => sql`create database faults_template`);
  await runCommand(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(snapshot.dir, 'tools', 'faults', 'seed.ts')], baseEnv('faults_template', 'faults-seed'), path.join(runDir, 'logs', 'seed.log'));

  const pdf = await makePdf();
  const labels = statusLabels(path.join(snapshot.dir, 'workflows'));
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    results.push(await runScenario(scenario, { options, t, pg, runDir, runId, baseEnv, dist, pdf, labels }));
    writeFileSync(path.join(runDir, 'report.json'), JSON.stringify({ started: new Date(started).toISOString(), code: snapshot.describe, options, results }, null, 2));
  }

  const table = `${new Date(started).toISOString()} · ${snapshot.describe} · ${options.quick ? 'quick' : 'full'} run\n\n${renderTable(results)}`;
  console.log('\n' + table);
  writeFileSync(path.join(runDir, 'table.txt'), table + '\n');
  say(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min; logs and report.json in ${runDir}`);
  await cleanup();
  return results.some((r) => !r.measurement || r.measurement.lost + r.measurement.duplicated + r.measurement.stuck > 0 || r.error) ? 1 : 0;
}

async function runScenario(scenario: Scenario, c: {
  options: Options; t: ReturnType<typeof timing>; pg: PgCluster; runDir: string; runId: string; pdf: Buffer;
  baseEnv: (database: string, queuePrefix: string) => NodeJS.ProcessEnv; dist: string; labels: Record<string, string>;
}): Promise<ScenarioResult> {
  const { t, pg } = c;
  const logDir = path.join(c.runDir, 'logs', scenario.name);
  mkdirSync(logDir, { recursive: true });
  const database = `faults_${scenario.name.replace(/-/g, '_')}`;
  const faultLog: string[] = [];
  const log = (text: string) => { faultLog.push(`${stamp()} ${text}`); say(`  ${scenario.name}: ${text}`); };
  say(`── ${scenario.name}: ${scenario.summary}`);

  await pg.start(); // a previous scenario may have left it down after a failure
  await pg.withSql('postgres', async (sql) => {
    await sql.unsafe(`drop database if exists ${database}`);
    await sql.unsafe(`create database ${database} template faults_template`);
  });
  const redis = new RedisServer(path.join(c.runDir, 'redis', scenario.name), c.options.ports.redis, scenario.redisPersistent, path.join(logDir, 'redis.log'));
  await redis.start();
  const sink = new SmtpSink(c.options.ports.smtp);
  await sink.start();
  const env = c.baseEnv(database, `faults-${scenario.name}`);
  const server = new AppProcess('server', path.join(c.dist, 'src', 'server.js'), env, path.join(logDir, 'server.log'));
  const worker = new AppProcess('worker', path.join(c.dist, 'src', 'worker.js'), env, path.join(logDir, 'worker.log'));
  const pgCrashesBefore = pg.crashes.length;
  const baseUrl = `http://127.0.0.1:${c.options.ports.http}`;
  const load = new LoadGenerator(baseUrl, { scenario: scenario.name, runId: c.runId, intakePerSecond: t.intakePerSecond, lanes: t.lanes, pdf: c.pdf, requestTimeoutMs: 15_000 });

  const result: ScenarioResult = {
    name: scenario.name, summary: scenario.summary, load: load.stats, measurement: undefined, settledInMs: 0,
    settleOutcome: 'not measured', crashes: [], logs: {}, faultLog,
  };
  try {
    server.start();
    worker.start();
    await waitReady(baseUrl, 60_000);
    await sleep(2000); // the worker has no HTTP endpoint: give it the time to connect and start its relay
    for (const role of ['clerk', 'specialist', 'leader'] as const) await load.login(role);

    load.start();
    const loadStart = Date.now();
    log(`load on: ${t.intakePerSecond} intakes/s, ${t.lanes} lanes`);
    await sleep(t.warmMs);
    const faultStart = Date.now();
    const workInFlight = async () => {
      const until = Date.now() + 10_000;
      while (Date.now() < until && !load.dossiers.some((d) => d.stage === 'signing')) await sleep(50);
    };
    await scenario.inject({ pg, redis, sink, server, worker, quick: c.options.quick, log, workInFlight });
    const faultEnd = Date.now();
    await sleep(t.afterMs);
    const loadEnd = Date.now();
    await load.stop();
    const acksIn = (from: number, to: number) => load.acks.filter((a) => a.at >= from && a.at < to).length;
    const firstAck = load.acks.map((a) => a.at).filter((at) => at >= faultEnd).sort((a, b) => a - b)[0];
    const lastFailure = load.failures.filter((at) => at >= faultEnd).sort((a, b) => b - a)[0];
    result.clients = {
      acksPerSecBefore: acksIn(loadStart, faultStart) / ((faultStart - loadStart) / 1000),
      acksPerSecAfter: acksIn(faultEnd, loadEnd) / ((loadEnd - faultEnd) / 1000),
      firstAckAfterMs: firstAck === undefined ? null : firstAck - faultEnd,
      lastFailureAfterMs: lastFailure === undefined ? null : lastFailure - faultEnd,
    };
    log(`load off: ${load.stats.attempted.intake} intakes, ${load.stats.attempted.action} actions attempted`);

    // Settling: no more load, no hand repair; measure until at rest, until nothing moves for stallMs, or the limit.
    const settleStart = Date.now();
    let lastSignature = '';
    let lastChange = Date.now();
    for (;;) {
      await sleep(3000);
      try {
        const m = await pg.withSql(database, (sql) => measure(sql, { acks: load.acks, inbox: sink.inbox, labels: c.labels }));
        result.measurement = m;
        if (m.signature !== lastSignature) { lastSignature = m.signature; lastChange = Date.now(); }
        if (m.stuck === 0) { result.settleOutcome = 'at rest'; break; }
        if (Date.now() - lastChange > t.stallMs) { result.settleOutcome = 'no progress'; break; }
        if (Date.now() - settleStart > t.settleMaxMs) { result.settleOutcome = 'time limit'; break; }
      } catch (error) {
        if (Date.now() - settleStart > t.settleMaxMs) throw error;
      }
    }
    result.settledInMs = Date.now() - settleStart;
    const m = result.measurement!;
    log(`settled (${result.settleOutcome}) in ${(result.settledInMs / 1000).toFixed(0)} s: lost ${m.lost}, duplicated ${m.duplicated}, stuck ${m.stuck}`);
  } catch (error) {
    result.error = String((error as Error).stack ?? error);
    log(`ERROR ${String(error)}`);
    await load.stop(2000);
  } finally {
    result.crashes = [...server.crashes, ...worker.crashes, ...redis.crashes, ...pg.crashes.slice(pgCrashesBefore)];
    await Promise.all([server.stop(), worker.stop()]);
    await redis.kill9();
    await sink.stop();
    result.logs = { server: countLogLines(server.logFile), worker: countLogLines(worker.logFile) };
    writeFileSync(path.join(logDir, 'load-notes.log'), load.notes.join('\n') + '\n');
    writeFileSync(path.join(logDir, 'mails.json'), JSON.stringify(sink.inbox, null, 1));
    printDetails(result);
  }
  return result;
}

async function waitReady(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server not ready on ${baseUrl} in ${timeoutMs} ms`);
    await sleep(250);
  }
}

function printDetails(r: ScenarioResult): void {
  const m = r.measurement;
  const lines = [`  ${r.name} details:`];
  const l = r.load;
  lines.push(`    load: ${l.httpRequests} HTTP requests, ${l.transient} transient failures retried, ${l.intakeReplays} intake replays (200), ${l.appliedUnacked} actions applied with the answer lost, ${l.abandoned} abandoned at stop`);
  const cl = r.clients;
  if (cl) {
    lines.push(`    clients: ${cl.acksPerSecBefore.toFixed(1)} acknowledged/s before the fault, ${cl.acksPerSecAfter.toFixed(1)}/s after it ended; first acknowledgement ${cl.firstAckAfterMs === null ? 'never' : `${(cl.firstAckAfterMs / 1000).toFixed(1)} s`} after, last transient failure ${cl.lastFailureAfterMs === null ? 'none' : `${(cl.lastFailureAfterMs / 1000).toFixed(1)} s`} after`);
  }
  if (Object.keys(l.unexpected).length > 0) lines.push(`    unexpected answers: ${Object.entries(l.unexpected).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  if (m) {
    const b = m.breakdown;
    lines.push(`    db: ${m.dossiers} dossiers, ${m.events} events, ${m.emailsReceived} e-mails received; outbox: ${m.outbox}`);
    lines.push(`    lost: intakes ${b.lostIntakes}, actions ${b.lostActions}, e-mails ${b.lostEmails}, receipts ${b.lostReceipts}, results ${b.lostResults}`);
    lines.push(`    duplicated: dossiers ${b.dupDossiers}, actions ${b.dupEvents}, e-mails per event ${b.dupEmails} (Message-IDs received more than once: ${b.dupMessageIds})`);
    lines.push(`    stuck: in signing ${b.inSystemState}, events without e-mail ${b.eventsWithoutEmail}, receipts missing ${b.receiptsMissing}, outbox rows not done ${b.outboxNotDone} (of which failed for good, waiting for an admin retry: ${b.outboxFailed})`);
    for (const e of m.examples) lines.push(`      e.g. ${e}`);
  }
  if (r.crashes.length > 0) lines.push(`    crashes: ${r.crashes.map((c) => `${c.process} exit ${c.code ?? c.signal}`).join(', ')}`);
  for (const [name, c] of Object.entries(r.logs)) {
    if (c.error + c.fatal + c.nonJson === 0) continue;
    lines.push(`    ${name} log: ${c.error} error, ${c.fatal} fatal, ${c.nonJson} non-JSON lines, ${c.warn} warn`);
    for (const s of c.samples) lines.push(`      ${s}`);
  }
  if (r.error) lines.push(`    harness error: ${r.error.split('\n')[0]}`);
  console.log(lines.join('\n'));
}

function renderTable(results: ScenarioResult[]): string {
  const header = ['scenario', 'attempted', 'acknowledged', 'lost', 'duplicated', 'stuck', 'recovered-by-itself', 'crashes', 'error-log lines (server/worker)', 'client errors after fault', 'settled'];
  const rows = results.map((r) => {
    const m = r.measurement;
    const logs = r.logs;
    const errs = (n?: { error: number; fatal: number; nonJson: number }) => (n ? n.error + n.fatal + n.nonJson : 0);
    return [
      r.name,
      String(r.load.attempted.intake + r.load.attempted.action),
      String(r.load.acknowledged.intake + r.load.acknowledged.action),
      m ? String(m.lost) : '?', m ? String(m.duplicated) : '?', m ? String(m.stuck) : '?',
      r.error ? 'ERROR' : m && m.stuck === 0 ? 'yes' : 'no',
      r.crashes.length === 0 ? '0' : `${r.crashes.length} (${summariseCrashes(r.crashes)})`,
      `${errs(logs.server)}/${errs(logs.worker)}`,
      r.clients?.lastFailureAfterMs == null ? '-' : `until +${(r.clients.lastFailureAfterMs / 1000).toFixed(0)} s`,
      `${r.settleOutcome} ${(r.settledInMs / 1000).toFixed(0)} s`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function summariseCrashes(crashes: Crash[]): string {
  const counts = new Map<string, number>();
  for (const c of crashes) counts.set(c.process, (counts.get(c.process) ?? 0) + 1);
  return [...counts.entries()].map(([p, n]) => `${p} ×${n}`).join(', ');
}

// Whatever way the harness ends, nothing it started keeps running.
let cleanupHook: (() => Promise<void>) | undefined;
let removeRunFiles: (() => void) | undefined;
let signalled = false;
process.on('exit', () => killAllChildrenSync());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // `on`, not `once`: a Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a second
  // signal without a handler would kill it before the cleanup.
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    // Synchronous on purpose: tsx (the parent) may not wait long. The run's database is thrown away, so PostgreSQL
    // gets SIGKILL like the rest (its backends exit when they see the postmaster gone).
    console.error(`\n${signal}: killing every process the fault suite started`);
    killAllChildrenSync();
    removeRunFiles?.();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`fault suite failed: ${(error as Error).stack ?? String(error)}`);
    await cleanupHook?.().catch(() => {});
    process.exit(2);
  },
);
