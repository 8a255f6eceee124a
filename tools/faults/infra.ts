// The fault suite's own infrastructure: a private PostgreSQL cluster, a private Redis, an SMTP sink that can be taken
// down, and the production server/worker processes under a small supervisor (restarts what dies, as systemd or
// Kubernetes would, and counts every exit it did not ask for). Everything started here is registered in `children`
// so that any exit of the harness — normal, Ctrl-C, exception — kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * Every process this harness started and has not seen exit: killed on the way out, whatever the way out is. The
 * long-running ones are started `detached` (their own process group), so a Ctrl-C in the terminal reaches only the
 * harness — which stops them in order — instead of looking like crashes the supervisor would answer with restarts.
 */
const children = new Set<ChildProcess>();

/** Set on the way out: no supervisor may start anything after that. */
let shuttingDown = false;

/** From now on no supervisor starts anything (the first step of every way out). */
export function beginShutdown(): void {
  shuttingDown = true;
}

export function killAllChildrenSync(): void {
  shuttingDown = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(true));
  });
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no `postgres` OS user: PostgreSQL refuses to run as root and needs one');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a command to completion, output appended to `logFile`; rejects on a non-zero exit. */
function run(command: string, args: string[], options: { logFile: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv }): Promise<void> {
  const fd = openSync(options.logFile, 'a');
  const child = track(spawn(command, args, { stdio: ['ignore', fd, fd], uid: options.uid, gid: options.gid, env: options.env ?? process.env }));
  closeSync(fd);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal} (see ${options.logFile})`))));
  });
}

/** The postmaster's children and the clients connected to its port (ps + ss): who keeps a shutdown waiting. */
async function describePostgresChildren(pid: number, port: number): Promise<string> {
  const capture = (command: string, args: string[]) => new Promise<string>((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.once('error', () => resolve(''));
    child.once('exit', () => resolve(out));
  });
  const ps = (await capture('ps', ['--ppid', String(pid), '-o', 'pid=,etimes=,args='])).trim().split('\n').filter(Boolean).map((l) => l.trim().replace(/\s+/g, ' '));
  // Client side of each connection to the port: the process that holds it.
  const ss = (await capture('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`])).trim().split('\n').filter(Boolean)
    .map((l) => l.trim().replace(/\s+/g, ' '));
  return `${ps.length ? ps.join('; ') : 'no child process'} | connections: ${ss.length ? ss.join('; ') : 'none'}`;
}

/** A start-stop log of one piece of infrastructure: what the harness did to it, and any exit it did not ask for. */
export interface Crash { process: string; at: number; code: number | null; signal: string | null }

// ---------------------------------------------------------------------------------------------------------------
/** A private PostgreSQL 15 cluster under the run directory, run as the `postgres` OS user. */
export class PgCluster {
  private child: ChildProcess | undefined;
  private readonly ids = postgresIds();
  private readonly dataDir: string;
  private readonly socketDir: string;
  private expectedExit = false;
  readonly crashes: Crash[] = [];

  constructor(private readonly runDir: string, readonly port: number) {
    this.dataDir = path.join(runDir, 'pg', 'data');
    this.socketDir = path.join(runDir, 'pg', 'sock');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<void> {
    for (const dir of [path.join(this.runDir, 'pg'), this.dataDir, this.socketDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chownSync(dir, this.ids.uid, this.ids.gid);
    }
    await run(path.join(PG_BIN, 'initdb'), ['-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], {
      logFile: this.logFile, ...this.ids, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    });
  }

  get logFile(): string { return path.join(this.runDir, 'logs', 'postgres.log'); }
  get running(): boolean { return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null); }

  async start(): Promise<void> {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    const child = track(spawn(path.join(PG_BIN, 'postgres'), [
      '-D', this.dataDir, '-p', String(this.port), '-k', this.socketDir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=64MB',
    ], { stdio: ['ignore', fd, fd], ...this.ids, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' }, detached: true }));
    closeSync(fd);
    this.expectedExit = false;
    child.once('exit', (code, signal) => {
      if (!this.expectedExit) this.crashes.push({ process: 'postgres', at: Date.now(), code, signal });
    });
    this.child = child;
    await this.waitReady(30_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sql = postgres(this.url(), { max: 1, connect_timeout: 2, onnotice: () => {} });
      try {
        await sql`select 1`;
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections in ${timeoutMs} ms: ${String(error)} (see ${this.logFile})`);
        if (!this.running) throw new Error(`PostgreSQL exited during start-up (see ${this.logFile})`);
      } finally {
        await sql.end({ timeout: 1 }).catch(() => {});
      }
      await sleep(200);
    }
  }

  /**
   * Fast shutdown (SIGINT = `pg_ctl stop -m fast`): open transactions roll back, clients are disconnected. When it
   * has not finished after `fastWaitMs` (pg_ctl would keep waiting up to 60 s), the processes still there are
   * written to `log` and the shutdown is made immediate (SIGQUIT), so a restart scenario stays a restart.
   */
  async stopFast(log: (text: string) => void = () => {}, fastWaitMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    const begun = Date.now();
    child.kill('SIGINT');
    if (await waitExit(child, fastWaitMs)) {
      log(`postgres fast shutdown took ${((Date.now() - begun) / 1000).toFixed(1)} s`);
      return;
    }
    log(`postgres fast shutdown NOT finished after ${fastWaitMs / 1000} s; still there: ${await describePostgresChildren(child.pid!, this.port)}`);
    child.kill('SIGQUIT');
    if (!(await waitExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
    log('postgres stopped with an immediate shutdown (SIGQUIT); the next start runs crash recovery');
  }

  /** One short-lived connection for the harness's own statements. */
  async withSql<T>(database: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
    const sql = postgres(this.url(database), { max: 2, connect_timeout: 5, onnotice: () => {} });
    try {
      return await fn(sql);
    } finally {
      await sql.end({ timeout: 2 }).catch(() => {});
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
/** A private Redis: `persistent` = AOF with fsync on every write (data survives kill -9), otherwise no persistence. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private expectedExit = false;
  readonly crashes: Crash[] = [];

  constructor(private readonly dir: string, readonly port: number, readonly persistent: boolean, private readonly logFile: string) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string { return `redis://127.0.0.1:${this.port}`; }
  get running(): boolean { return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null); }

  async start(): Promise<void> {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--daemonize', 'no',
      ...(this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ];
    const child = track(spawn('redis-server', args, { stdio: ['ignore', fd, fd], detached: true }));
    closeSync(fd);
    this.expectedExit = false;
    child.once('exit', (code, signal) => {
      if (!this.expectedExit) this.crashes.push({ process: 'redis', at: Date.now(), code, signal });
    });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await this.ping())) {
      if (Date.now() > deadline) throw new Error(`Redis did not answer PING (see ${this.logFile})`);
      await sleep(100);
    }
  }

  /** kill -9: whatever was not fsynced is gone (with appendfsync always, nothing acknowledged is). */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    child.kill('SIGKILL');
    await waitExit(child, 5000);
  }

  async ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ port: this.port, host: '127.0.0.1' });
      let answer = '';
      const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
      socket.setTimeout(1000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.on('data', (d) => { answer += d.toString(); if (answer.includes('\r\n')) done(answer.startsWith('+PONG')); });
    });
  }

  /** Number of keys (to show the empty flavour really came back empty). */
  async dbsize(): Promise<number | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect({ port: this.port, host: '127.0.0.1' });
      let answer = '';
      const done = (v: number | undefined) => { socket.destroy(); resolve(v); };
      socket.setTimeout(1000, () => done(undefined));
      socket.once('error', () => done(undefined));
      socket.once('connect', () => socket.write('DBSIZE\r\n'));
      socket.on('data', (d) => { answer += d.toString(); const m = /^:(\d+)\r\n/.exec(answer); if (m) done(Number(m[1])); });
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface ReceivedMail { messageId: string; to: string[]; subject: string; at: number }

/** A local SMTP catcher (smtp-server + mailparser) that can be taken down and brought back on the same port. */
export class SmtpSink {
  private server: SMTPServer | undefined;
  readonly inbox: ReceivedMail[] = [];
  /** Sessions refused or broken while the sink was up (should stay 0). */
  parseErrors = 0;

  constructor(readonly port: number) {}

  get up(): boolean { return this.server !== undefined; }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 1000,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        simpleParser(stream).then((mail) => {
          this.inbox.push({
            messageId: mail.messageId ?? `(none)-${this.inbox.length}`,
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: (mail.subject ?? '').normalize('NFC'),
            at: Date.now(),
          });
          callback();
        }, (error: Error) => { this.parseErrors++; callback(error); });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * A production process (`node dist/src/server.js` or `worker.js`) under supervision: an exit the harness did not
 * ask for is recorded as a crash and the process is started again after a short back-off, as a service manager would.
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private expectedExit = false;
  private supervising = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = 1000;
  readonly crashes: Crash[] = [];
  starts = 0;

  constructor(readonly name: string, private readonly script: string, private readonly env: NodeJS.ProcessEnv, readonly logFile: string) {}

  get running(): boolean { return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null); }
  get pid(): number | undefined { return this.running ? this.child?.pid : undefined; }

  start(): void {
    this.supervising = true;
    this.spawnNow();
  }

  private spawnNow(): void {
    if (!this.supervising || this.running || shuttingDown) return;
    const fd = openSync(this.logFile, 'a');
    const child = track(spawn(process.execPath, [this.script], { stdio: ['ignore', fd, fd], env: this.env, detached: true }));
    closeSync(fd);
    this.starts++;
    this.expectedExit = false;
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      if (this.expectedExit) return;
      this.crashes.push({ process: this.name, at: Date.now(), code, signal });
      // A process that dies right after starting (e.g. the database is down) is restarted less eagerly.
      this.backoffMs = Date.now() - startedAt < 10_000 ? Math.min(this.backoffMs * 2, 5000) : 1000;
      this.scheduleRestart(this.backoffMs);
    });
    this.child = child;
  }

  private scheduleRestart(ms: number): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.spawnNow(), ms);
  }

  /** The fault: kill -9, then the supervisor starts it again after `restartAfterMs`. */
  async kill9(restartAfterMs = 1000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    child.kill('SIGKILL');
    await waitExit(child, 5000);
    this.backoffMs = 1000;
    this.scheduleRestart(restartAfterMs);
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceMs`); no restart. */
  async stop(graceMs = 15_000): Promise<void> {
    this.supervising = false;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    child.kill('SIGTERM');
    if (!(await waitExit(child, graceMs))) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
  }
}

/** Error (50) and fatal (60) pino lines, plus lines that are not JSON at all (uncaught exceptions' stack traces). */
export function countLogLines(file: string): { error: number; fatal: number; nonJson: number; warn: number; samples: string[] } {
  const result = { error: 0, fatal: 0, nonJson: 0, warn: 0, samples: [] as string[] };
  if (!existsSync(file)) return result;
  const seen = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let entry: { level?: number; msg?: string; err?: { message?: string; type?: string } } | undefined;
    try { entry = JSON.parse(line); } catch { entry = undefined; }
    if (!entry || typeof entry.level !== 'number') {
      result.nonJson++;
      // The first line of a stack trace says what happened; the "    at ..." lines add nothing to a summary.
      if (!/^\s+at /.test(line) && !/^\s*\^?\s*$/.test(line)) bump(seen, `[stderr] ${line.trim().slice(0, 200)}`);
      continue;
    }
    if (entry.level === 40) result.warn++;
    if (entry.level >= 50) {
      if (entry.level >= 60) result.fatal++; else result.error++;
      bump(seen, `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.type ?? ''} ${entry.err.message}` : ''}`.slice(0, 240));
    }
  }
  result.samples = [...seen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([text, n]) => `${n}× ${text}`);
  return result;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
