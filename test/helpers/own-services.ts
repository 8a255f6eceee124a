// A PostgreSQL or Redis of a test's own, on a free port, for fault tests that stop, restart or kill it. The machine's
// shared servers (5432, 6379) are never touched. PostgreSQL runs as the `postgres` user (the tests run as root and
// initdb refuses root); its data directory lives under the OS temp dir and is removed by close().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A port nothing listens on right now (the OS picks it; the small race with other processes is acceptable in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function asUser(user: string | undefined, command: string, args: string[], timeout = 60_000) {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  return run(file, argv, { timeout });
}

export interface OwnPostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  url: string;
  urlFor(database: string): string;
  /** The server's log (pg_ctl -l), for a failing test to print. */
  logFile: string;
  /** Fast shutdown (`pg_ctl stop -m fast`, as an operator's restart does) or `immediate` (as a crash does). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/** initdb + pg_ctl start on a free port; resolves when the server accepts connections. ~2-4 s. */
export async function startOwnPostgres(options: { port?: number } = {}): Promise<OwnPostgres> {
  const port = options.port ?? await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-pg-'));
  await chmod(dir, 0o755);
  const data = path.join(dir, 'data');
  const root = process.getuid?.() === 0;
  const user = root ? 'postgres' : undefined;
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asUser(user, path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const pgOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  const pgCtl = (...args: string[]) => asUser(user, path.join(PG_BIN, 'pg_ctl'), ['-D', data, ...args]);
  let running = false;
  const start = async () => {
    await pgCtl('-o', pgOptions, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start');
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await pgCtl('-m', mode, '-w', '-t', '30', 'stop');
    running = false;
  };
  await start();
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url: urlFor('postgres'),
    urlFor,
    logFile: path.join(dir, 'log'),
    stop,
    start,
    restart: async (mode = 'fast') => { await stop(mode); await start(); },
    close: async () => {
      await stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered (a hung Redis); resume() is SIGCONT. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** redis-server on a free port, without persistence; stop() kills it (SIGKILL, as a crash), start() brings it back empty. */
export async function startOwnRedis(options: { port?: number } = {}): Promise<OwnRedis> {
  const port = options.port ?? await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
        socket.on('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => { current.once('exit', () => resolve()); current.kill('SIGKILL'); });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    pause: () => { child?.kill('SIGSTOP'); },
    resume: () => { child?.kill('SIGCONT'); },
    close: async () => { child?.kill('SIGCONT'); await stop(); await rm(dir, { recursive: true, force: true }); },
  };
}

export interface TcpProxy {
  port: number;
  /** Forward connections to the target (the default). */
  pass(): void;
  /**
   * A network that swallows packets: existing connections are cut and new ones are accepted but never answered,
   * so a client waits for its own timeout (unlike a stopped server, which refuses at once).
   */
  blackhole(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free port in front of 127.0.0.1:targetPort, whose network a test can break. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'pass' | 'blackhole' = 'pass';
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.on('error', () => {}); };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'blackhole') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = () => { for (const socket of sockets) socket.destroy(); };
  return {
    port: (server.address() as net.AddressInfo).port,
    pass: () => { mode = 'pass'; },
    blackhole: () => { mode = 'blackhole'; cutAll(); },
    close: () => new Promise<void>((resolve) => { cutAll(); server.close(() => resolve()); }),
  };
}
