// Where a benchmark's PostgreSQL time goes, statement by statement and plan node by plan node: a PostgreSQL of its own
// (never the machine's shared one, whose settings we do not change) with pg_stat_statements and auto_explain loaded,
// on a port of its own, with the shared server's other settings. Point a benchmark at it, then read the report:
//
//   npm run pg-profile -- start                 # prints the BENCH_DATABASE_URL to use
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5440/postgres npm run bench:burst -- --count 5000
//   npm run pg-profile -- report                # statements by total time, per call and per row; WAL bytes
//   npm run pg-profile -- plans 'insert into dossiers'   # the logged plans (with triggers) of matching statements
//   npm run pg-profile -- stop
//
// `reset` empties the statistics and the plan log between runs. Figures are wall time inside PostgreSQL (a backend
// waiting for the CPU is counted), so compare them within one run; CPU per registration is bench:burst's own figure.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const DIR = process.env.PG_PROFILE_DIR ?? path.join(os.tmpdir(), 'motcua-pg-profile');
const PORT = Number(process.env.PG_PROFILE_PORT ?? 5440);
const URL = `postgres://postgres@127.0.0.1:${PORT}/postgres`;
const DATA = path.join(DIR, 'data');
const LOG = path.join(DIR, 'log');
/** Plans of statements slower than this are logged (`plans`): the intake batch, not every small look-up. */
const PLAN_MIN_MS = Number(process.env.PG_PROFILE_PLAN_MIN_MS ?? 3);

// The shared server's settings that shape a write-heavy benchmark (the rest are PostgreSQL's defaults on both).
const SETTINGS = [
  'listen_addresses=127.0.0.1', `port=${PORT}`, `unix_socket_directories=${DIR}`, 'max_wal_size=1GB', 'autovacuum=off',
  'shared_preload_libraries=pg_stat_statements,auto_explain', 'pg_stat_statements.track=all',
  `auto_explain.log_min_duration=${PLAN_MIN_MS}ms`, 'auto_explain.log_analyze=on', 'auto_explain.log_buffers=on',
  'auto_explain.log_wal=on', 'auto_explain.log_triggers=on', 'auto_explain.log_nested_statements=on',
];

async function asPostgres(command: string, args: string[]): Promise<string> {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return (await run(file, argv, { timeout: 120_000 })).stdout;
}

async function start(): Promise<void> {
  if (!existsSync(DATA)) {
    await mkdir(DIR, { recursive: true });
    await chmod(DIR, 0o755);
    if (process.getuid?.() === 0) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      await chown(DIR, uid, gid);
    }
    await asPostgres(path.join(PG_BIN, 'initdb'), ['-D', DATA, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    await writeFile(path.join(DIR, 'settings.conf'), `${SETTINGS.map((s) => s.replace('=', " = '") + "'").join('\n')}\n`);
    await appendFile(path.join(DATA, 'postgresql.conf'), `include '${path.join(DIR, 'settings.conf')}'\n`);
  }
  await asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', DATA, '-l', LOG, '-w', '-t', '60', 'start']);
  await withSql((sql) => sql`create extension if not exists pg_stat_statements`);
  console.log(`PostgreSQL with pg_stat_statements and auto_explain on port ${PORT} (data in ${DIR}).`);
  console.log(`Run a benchmark against it: BENCH_DATABASE_URL=${URL} npm run bench:burst -- --count 5000`);
}

async function stop(): Promise<void> {
  if (existsSync(DATA)) await asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', DATA, '-m', 'fast', '-w', 'stop']).catch(() => '');
  await rm(DIR, { recursive: true, force: true });
  console.log('stopped; data removed');
}

async function reset(): Promise<void> {
  await withSql((sql) => sql`select pg_stat_statements_reset()`);
  await writeFile(LOG, '');
  console.log('statistics and plan log emptied');
}

async function report(limit: number): Promise<void> {
  const rows = await withSql((sql) => sql<Array<{ calls: string; exec_ms: number; per_call_ms: number; rows: string; per_row_ms: number | null; wal_bytes: string; query: string }>>`
    select calls, round(total_exec_time::numeric, 1)::float8 as exec_ms, round((total_exec_time / calls)::numeric, 3)::float8 as per_call_ms,
      rows, case when rows > 0 then round((total_exec_time / rows)::numeric, 4)::float8 end as per_row_ms, wal_bytes,
      left(regexp_replace(query, '\\s+', ' ', 'g'), 140) as query
    from pg_stat_statements where query not ilike '%pg_stat_statements%'
    order by total_exec_time desc limit ${limit}`);
  const total = rows.reduce((sum, r) => sum + r.exec_ms, 0);
  console.log('exec ms  share  calls     ms/call  rows      ms/row   WAL bytes    statement');
  for (const r of rows) {
    console.log(`${String(r.exec_ms).padStart(7)}  ${(100 * r.exec_ms / total).toFixed(1).padStart(4)}%  ${r.calls.padEnd(8)}  ${String(r.per_call_ms).padEnd(7)}  `
      + `${r.rows.padEnd(8)}  ${String(r.per_row_ms ?? '').padEnd(7)}  ${r.wal_bytes.padEnd(11)}  ${r.query}`);
  }
}

/** The logged plans whose query text contains `pattern` (the last `count`), with their trigger times. */
async function plans(pattern: string, count: number): Promise<void> {
  const log = await readFile(LOG, 'utf8').catch(() => '');
  const entries = log.split(/\n(?=\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] LOG: {2}duration: )/).filter((e) => e.includes('plan:') && e.toLowerCase().includes(pattern.toLowerCase()));
  for (const entry of entries.slice(-count)) console.log(`${entry.trim()}\n`);
  if (entries.length === 0) console.log(`no logged plan matches ${JSON.stringify(pattern)} (plans are logged above ${PLAN_MIN_MS} ms)`);
}

async function withSql<T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(URL, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const [command, argument, countArg] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  start, stop, reset,
  report: () => report(Number(argument ?? 25)),
  plans: () => plans(argument ?? 'insert', Number(countArg ?? 2)),
};
const chosen = command ? commands[command] : undefined;
if (!chosen) {
  console.error('usage: npm run pg-profile -- start | report [rows] | plans <text in the statement> [count] | reset | stop');
  process.exit(64);
}
await chosen();
