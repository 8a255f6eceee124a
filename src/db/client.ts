// Opens the database the configuration names — PostgreSQL (postgres.js) in production, PGlite (Postgres in WASM)
// under DATA_DIR in the embedded default — and runs the committed migrations on it. Both give the same drizzle API.
import { mkdirSync } from 'node:fs';
import type { Sql } from 'postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { MIGRATIONS_DIR } from '../paths.js';
import { registerPostgresFix } from './postgres-fix.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** A database or an open transaction: repositories accept either, so a service decides the transaction boundary. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  /** One parameterised statement straight to the driver (prepared and reused), for hot paths the builder would slow. */
  query<T>(text: string, params: unknown[]): Promise<T[]>;
  /**
   * A statement's rows in batches of `batchSize`, read from a server-side cursor (PostgreSQL) as the caller asks for
   * them: an export of any size holds one batch in memory, and a slow reader slows the reading instead of buffering.
   * PGlite (the embedded default: one process, small data) reads them all and hands them out in batches.
   */
  cursor<T>(text: string, params: unknown[], batchSize: number): AsyncIterable<T[]>;
  migrate(): Promise<void>;
  /** Calls `onNotify` on each NOTIFY on `channel` (PostgreSQL only; PGlite runs jobs in-process and needs none). */
  listen?(channel: string, onNotify: () => void): Promise<void>;
  close(): Promise<void>;
}


export async function openDatabase(
  target: { kind: 'postgres'; url: string; max?: number } | { kind: 'pglite'; dir: string },
  options: { migrate?: boolean; applicationName?: string } = {},
): Promise<Database> {
  const database = target.kind === 'postgres' ? await openPostgres(target.url, target.max ?? 10, options.applicationName) : await openPglite(target.dir);
  if (options.migrate ?? true) await database.migrate();
  return database;
}

async function openPostgres(url: string, max: number, applicationName = 'motcua'): Promise<Database> {
  // Before the first import of postgres.js: it is patched as it loads (postgres-fix.ts).
  registerPostgresFix();
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // Named in pg_stat_activity (motcua-server, motcua-worker): an operator, and bench:burst, tell whose backends work.
  const client = postgres(url, { max, onnotice: () => {}, ...connectionDefaults(url), connection: { application_name: applicationName } });
  const db = drizzle(preparedStatements(client), { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => { await client`select 1`; },
    query: async <T>(text: string, params: unknown[]) => (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[],
    cursor: <T>(text: string, params: unknown[], batchSize: number) => reportCursor<T>(client, text, params, batchSize),
    listen: async (channel, onNotify) => { await client.listen(channel, onNotify); },
    close: async () => { await client.end({ timeout: 5 }); },
    migrate: async () => { await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR }); },
  };
}

/**
 * Why the reports run with JIT off, and only they: PostgreSQL compiles a statement to machine code once its estimated
 * cost passes jit_above_cost (100,000), which the reports reach from a few tens of thousands of dossiers, and here the
 * compilation costs more than it saves. bench:growth at 100,000 dossiers (EXPLAIN ANALYZE, default settings): the
 * Decision 766 counts spent 2.0 s of 4.7 s compiling, the digital counts 0.48 s of 1.08 s, the tracking book 0.11 s
 * (the issue's own profile: 737 ms of JIT for a 571 ms statement). It is set per transaction (`set_config(..., true)`),
 * not as a connection start-up parameter: PgBouncer (in any mode) and some managed proxies refuse start-up parameters
 * they do not know, and the application would not connect at all. Ordinary statements keep the server's setting.
 */
export const JIT_OFF_FOR_TRANSACTION = `select set_config('jit', 'off', true)`;

/**
 * A report's rows from a server-side cursor on a connection of its own (reserved from the pool), inside a read-only
 * transaction with JIT off (JIT_OFF_FOR_TRANSACTION). Leaving the loop early — a download closed or cut — closes the
 * cursor, rolls the transaction back and gives the connection back to the pool.
 */
async function* reportCursor<T>(client: Sql, text: string, params: unknown[], batchSize: number): AsyncGenerator<T[]> {
  const reserved = await client.reserve();
  let open = false;
  try {
    await reserved.unsafe('begin read only');
    open = true;
    await reserved.unsafe(JIT_OFF_FOR_TRANSACTION);
    for await (const rows of reserved.unsafe(text, params as never[], { prepare: true }).cursor(batchSize)) yield rows as unknown as T[];
    await reserved.unsafe('commit');
    open = false;
  } finally {
    if (open) await reserved.unsafe('rollback').catch(() => {});
    reserved.release();
  }
}

/**
 * How the pool behaves while PostgreSQL is away, so a request fails in bounded time (and gets 503, plugins/errors.ts)
 * instead of waiting: a connection attempt gives up after 3 s (postgres.js default: 30 s), reconnection backs off to
 * at most 1 s (default: up to 20 s after a few refused attempts, which kept the pool away for that long after
 * PostgreSQL was back), and idle connections are closed after a minute, so a connection half-dead behind a NAT or a
 * proxy is not the one a request picks. `?connect_timeout=` or `?idle_timeout=` in DATABASE_URL win over these.
 */
function connectionDefaults(url: string) {
  const given = new URL(url).searchParams;
  const defaults = { connect_timeout: 3, idle_timeout: 60, backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) };
  return Object.fromEntries(Object.entries(defaults).filter(([name]) => !given.has(name)));
}

/**
 * drizzle runs every statement through postgres.js with `prepare: false`, which costs a Describe round trip and a
 * re-parse on every query. Routing drizzle's calls through a client that prepares (and, per connection, reuses)
 * statements halves the round trips. Not for pgbouncer in transaction mode (set DATABASE_URL to PostgreSQL itself).
 */
function preparedStatements(client: Sql): Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: object) =>
          target.unsafe(query, params as never, { ...options, prepare: true });
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const fn = args.at(-1) as (tx: Sql) => unknown;
          const wrapped = (tx: Sql) => fn(preparedStatements(tx));
          return (target.begin as (...a: unknown[]) => unknown)(...args.slice(0, -1), wrapped);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => { await client.query('select 1'); },
    query: async <T>(text: string, params: unknown[]) => (await client.query<T>(text, params)).rows,
    cursor: <T>(text: string, params: unknown[], batchSize: number) => (async function* () {
      const { rows } = await client.query<T>(text, params);
      for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
    })(),
    close: async () => { await client.close(); },
    migrate: async () => { await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR }); },
  };
}
