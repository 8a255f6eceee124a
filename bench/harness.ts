// What every benchmark that starts servers as child processes needs: settings from the environment, one cleanup list
// run once (newest first) on success, failure or a signal, child processes with prefixed output, start-up races,
// free ports and /proc CPU time. Used by bench/intake.ts and bench/admission-lookup.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A child must be ready within this (BENCH_STARTUP_SECONDS, default 30; more on a machine loaded by other work). */
const STARTUP_TIMEOUT_MS = Number(process.env.BENCH_STARTUP_SECONDS ?? 30) * 1000 || 30_000;

export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

/** A benchmark's chosen exit status (1: a target did not answer as it must), raised through the cleanup. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup: every resource registers its undo step; they run once, newest first, on success, failure or a signal.

const cleanups: { label: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;
let currentLoad: autocannon.Instance | undefined;

export function onCleanup(label: string, run: () => Promise<void>): void {
  cleanups.push({ label, run });
}

/** The load running now, stopped first by a cleanup (a signal mid-measurement). */
export function trackLoad(load: autocannon.Instance | undefined): void {
  currentLoad = load;
}

/** Whether the cleanup has begun (a measurement interrupted by it means nothing). */
export function cleaningUp(): boolean {
  return cleaning !== undefined;
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    currentLoad?.stop();
    for (const step of cleanups.reverse()) {
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup failed (${step.label}):`, error instanceof Error ? error.message : error);
      }
    }
  })();
  return cleaning;
}

/**
 * Cleans up on SIGINT/SIGTERM. `process.on`, not `once`: Ctrl-C reaches this process several times (from the
 * terminal, relayed by npm and by tsx's wrapper), and a second, unhandled SIGINT would kill it before the databases
 * are dropped.
 */
export function cleanupOnSignals(what: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cleaning) return;
      console.error(`\n${signal}: ${what}...`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface Child { name: string; process: ChildProcess; exited: Promise<void> }

export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, onStdoutLine?: (line: string) => boolean): Child {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle = (stream: NodeJS.ReadableStream, isStdout: boolean) => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        // A readiness line (a baseline's port) is consumed; everything else is forwarded, prefixed.
        if (isStdout && onStdoutLine?.(line)) continue;
        if (line.trim() !== '') process.stderr.write(`[${name}] ${line}\n`);
      }
    });
  };
  handle(child.stdout!, true);
  handle(child.stderr!, false);
  const result: Child = { name, process: child, exited };
  onCleanup(`stop ${name}`, () => stopChild(result));
  return result;
}

export function isRunning(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: Child): Promise<void> {
  if (!isRunning(child)) return;
  child.process.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
  if ((await Promise.race([child.exited.then(() => 'exited' as const), timer])) === 'timeout' && isRunning(child)) {
    console.error(`[${child.name}] did not stop within 5 s of SIGTERM: SIGKILL`);
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

function startupFailure(child: Child, why: string): Error {
  return new Error(`${child.name} ${why}; its output is above, prefixed [${child.name}]`);
}

/** Resolves with `ready`, or rejects when the child exits first or nothing happens within 30 s. */
export async function raceStartup<T>(child: Child, ready: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      ready,
      child.exited.then(() => {
        throw startupFailure(child, `exited during start-up (code ${child.process.exitCode}, signal ${child.process.signalCode})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(startupFailure(child, `not ready within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitForHealthz(url: string, child: Child): Promise<void> {
  while (isRunning(child)) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// CPU accounting from /proc (Linux only; callers show "-" elsewhere). USER_HZ is 100 on every Linux we run on.
const USER_HZ = 100;

/** CPU milliseconds (user + system, all threads) a process has used so far. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Databases and servers shared by the benchmarks written after the first two (bench/admission-burst.ts, intake's fix).

/** Creates a fresh database through the admin connection; it is dropped (with force) by the cleanup. */
export async function createBenchDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  // Dropped on a connection of its own: any other may be busy or broken when a run is interrupted.
  onCleanup(`drop database ${name}`, async () => {
    const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await dropper.end({ timeout: 5 });
    }
  });
}

/**
 * A baseline server script that prints its port on stdout once listening (bench/baseline-server.ts and the like),
 * started as a child process; resolves with that port.
 */
export async function startPortServer(name: string, script: string, env: NodeJS.ProcessEnv): Promise<{ child: Child; port: number }> {
  let resolvePort!: (port: number) => void;
  const portLine = new Promise<number>((resolve) => { resolvePort = resolve; });
  let seen = false;
  const child = startChild(name, ['--import', 'tsx', script], { ...process.env, ...env }, (line) => {
    if (seen || !/^\d+$/.test(line.trim())) return false;
    seen = true;
    resolvePort(Number(line.trim()));
    return true;
  });
  return { child, port: await raceStartup(child, portLine) };
}

/** Runs a benchmark's main, then the cleanup, and exits with its status (ExitError's code, 1 on any other error). */
export async function runBenchmark(main: () => Promise<void>): Promise<never> {
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    if (error instanceof ExitError) exitCode = error.code;
    else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      exitCode = 1;
    }
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU of a server and of the PostgreSQL backends of its database, and the database's transactions (bench/status.ts).

export interface ServerSnapshot {
  /** CPU ms of the server process so far. */
  server?: number;
  /** CPU ms so far of each PostgreSQL backend connected to the database. */
  db: Map<number, number>;
  /** Transactions committed or rolled back in the database so far (pg_stat_database; flushed by busy backends about once a second). */
  transactions?: number;
}

/** `admin`: a postgres.js connection to any database of the same cluster. */
export async function serverSnapshot(admin: import('postgres').Sql, database: string, pid: number | undefined): Promise<ServerSnapshot> {
  const db = new Map<number, number>();
  for (const row of await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database}`) {
    const ms = cpuMs(row.pid);
    if (ms !== undefined) db.set(row.pid, ms);
  }
  const [stats] = await admin<{ n: number }[]>`select (xact_commit + xact_rollback)::float8 as n from pg_stat_database where datname = ${database}`;
  return { server: cpuMs(pid), db, transactions: stats ? Number(stats.n) : undefined };
}

/** Per request between two snapshots: server and PostgreSQL CPU ms, and transactions. */
export function perRequest(before: ServerSnapshot, after: ServerSnapshot, requests: number): { serverCpu?: number; dbCpu?: number; transactions?: number } {
  if (requests === 0) return {};
  let db: number | undefined;
  for (const [pid, ms] of after.db) {
    const start = before.db.get(pid);
    if (start !== undefined) db = (db ?? 0) + ms - start;
  }
  return {
    serverCpu: before.server !== undefined && after.server !== undefined ? (after.server - before.server) / requests : undefined,
    dbCpu: db === undefined ? undefined : db / requests,
    transactions: before.transactions !== undefined && after.transactions !== undefined ? (after.transactions - before.transactions) / requests : undefined,
  };
}
