// PostgreSQL restarts under load. postgres.js 3.4.9 used to kill the process here (an uncaught TypeError from
// nextWrite, porsager/postgres#1154/#1208) and, when that error was merely caught, to leave connections stuck
// (db/postgres-fix.ts). The database the app opens must come back by itself, and the worker process must live on.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { postgresFixActive } from '../../src/db/postgres-fix.js';
import { REDIS_URL, uniquePrefix } from '../helpers/databases.js';
import { eventually } from '../helpers/http.js';
import { freePort, startOwnPostgres, type OwnPostgres } from '../helpers/own-services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function healthcheck(env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/healthcheck.ts'], { env: { ...process.env, HEALTH_URL: '', ...env }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a PostgreSQL restart', () => {
  let pg: OwnPostgres;
  beforeAll(async () => { pg = await startOwnPostgres(); });
  afterAll(async () => { await pg?.close(); });

  it('is survived by the app\'s database under load: no uncaught error, and every query succeeds again afterwards', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => { uncaught.push(error); };
    process.on('uncaughtException', onUncaught);
    let database: Database | undefined;
    try {
      database = await openDatabase({ kind: 'postgres', url: pg.url, max: 6 });
      expect(postgresFixActive()).toBe(true);
      const db = database;
      let stop = false;
      let ok = 0;
      const failures = new Map<string, number>();
      // Transactions (whose ROLLBACK after a dropped connection was the crash) and plain prepared statements.
      const loop = async (i: number) => {
        while (!stop) {
          try {
            if (i % 2 === 0) {
              await db.db.transaction(async (tx) => { await tx.execute(sql`select pg_sleep(0.01)`); await tx.execute(sql`select count(*) from outbox`); });
            } else {
              await db.query('select $1::int as n, pg_sleep(0.005)', [i]);
            }
            ok++;
          } catch (error) {
            const e = error as { code?: string; cause?: { code?: string } };
            const code = e.cause?.code ?? e.code ?? 'other';
            failures.set(code, (failures.get(code) ?? 0) + 1);
            await sleep(20);
          }
        }
      };
      const loops = Array.from({ length: 10 }, (_, i) => loop(i));
      for (const mode of ['fast', 'fast', 'immediate', 'fast'] as const) {
        const before = ok;
        await eventually(async () => (ok > before + 20 ? true : undefined), 20_000, 20);
        await pg.restart(mode);
      }
      await eventually(async () => { await db.ping(); return true; }, 15_000, 100);
      stop = true;
      await Promise.all(loops);
      // Nothing stuck: a burst using every connection of the pool succeeds, each query well inside the connect timeout.
      const burst = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
        const started = Date.now();
        const [row] = await db.query<{ n: number }>('select $1::int as n', [i]);
        return { n: row?.n, ms: Date.now() - started };
      }));
      expect(burst.map((r) => r.n)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(Math.max(...burst.map((r) => r.ms))).toBeLessThan(2_500);
      expect(ok).toBeGreaterThan(80);
      // What a restart costs callers: failed queries with connection codes, never anything else.
      expect([...failures.keys()].every((code) => /^(CONNECTION_CLOSED|CONNECTION_DESTROYED|CONNECT_TIMEOUT|ECONNREFUSED|ECONNRESET|EPIPE|57P01|57P03|08\w{3})$/.test(code)), JSON.stringify(Object.fromEntries(failures))).toBe(true);
    } finally {
      process.off('uncaughtException', onUncaught);
      await database?.close();
    }
    expect(uncaught.map(String)).toEqual([]);
  });

  it('leaves the worker process alive, and its /readyz ready again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-worker-'));
    const healthPort = await freePort();
    let output = '';
    const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: {
        ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, DATABASE_URL: pg.url, REDIS_URL, QUEUE_PREFIX: uniquePrefix('q'),
        APP_SECRET: randomBytes(32).toString('hex'), WORKER_HEALTH_PORT: String(healthPort), HOST: '127.0.0.1', LOG_LEVEL: 'info', OUTBOX_POLL_MS: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    worker.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const ready = async () => {
      const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
      return response.status === 200 ? (await response.json()) as { status: string } : undefined;
    };
    try {
      await eventually(ready, 40_000, 200);
      expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);
      // The image's HEALTHCHECK finds the worker's port when nothing serves PORT.
      const closedPort = String(await freePort());
      expect(await healthcheck({ PORT: closedPort, WORKER_HEALTH_PORT: String(healthPort) })).toBe(0);
      expect(await healthcheck({ PORT: closedPort, WORKER_HEALTH_PORT: closedPort })).toBe(1);
      for (const mode of ['fast', 'immediate', 'fast'] as const) {
        await sleep(300);
        await pg.restart(mode);
      }
      expect(await eventually(ready, 20_000, 200)).toMatchObject({ status: 'ready', database: 'postgres', queue: 'bullmq' });
      expect(worker.exitCode, output).toBeNull();
      expect(output).not.toContain('nextWrite');
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => { if (worker.exitCode !== null) r(null); else worker.once('exit', r); });
      await rm(dataDir, { recursive: true, force: true });
    }
    // The outage is in the log, but not one line per failed attempt (the count is printed for the record).
    const lines = output.split('\n').filter(Boolean);
    console.log(`worker log during 3 PostgreSQL restarts: ${lines.length} lines`);
  });
});
