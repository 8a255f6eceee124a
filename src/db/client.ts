// Opens the database the configuration names — PostgreSQL (postgres.js) in production, PGlite (Postgres in WASM)
// under DATA_DIR in the embedded default — and runs the committed migrations on it. Both give the same drizzle API.
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { MIGRATIONS_DIR } from '../paths.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** A database or an open transaction: repositories accept either, so a service decides the transaction boundary. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  migrate(): Promise<void>;
  /** Calls `onNotify` on each NOTIFY on `channel` (PostgreSQL only; PGlite runs jobs in-process and needs none). */
  listen?(channel: string, onNotify: () => void): Promise<void>;
  close(): Promise<void>;
}


export async function openDatabase(
  target: { kind: 'postgres'; url: string; max?: number } | { kind: 'pglite'; dir: string },
  options: { migrate?: boolean } = {},
): Promise<Database> {
  const database = target.kind === 'postgres' ? await openPostgres(target.url, target.max ?? 10) : await openPglite(target.dir);
  if (options.migrate ?? true) await database.migrate();
  return database;
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => { await client`select 1`; },
    listen: async (channel, onNotify) => { await client.listen(channel, onNotify); },
    close: async () => { await client.end({ timeout: 5 }); },
    migrate: async () => { await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR }); },
  };
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
    close: async () => { await client.close(); },
    migrate: async () => { await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR }); },
  };
}
