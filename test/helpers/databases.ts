// Real PostgreSQL for tests: one migrated template database per run (global-setup.ts), and a fresh copy per test file,
// so files run in parallel without seeing each other's rows.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A new database cloned from the migrated template (or another made from it, such as start-snapshots.ts's seeded one);
 * drop() removes it (and any connection left open).
 */
export async function createTestDatabase(fromTemplate?: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const template = fromTemplate ?? process.env.MOTCUA_TEST_TEMPLATE_DB;
  if (!template) throw new Error('MOTCUA_TEST_TEMPLATE_DB is not set: run the tests through vitest (test/helpers/global-setup.ts)');
  const name = `motcua_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
    await skipCommitFsync(admin, name);
  } finally {
    await admin.end();
  }
  return {
    url: urlFor(name),
    name,
    drop: async () => {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try { await a.unsafe(`drop database if exists ${name} with (force)`); } finally { await a.end(); }
    },
  };
}

/**
 * A test database never outlives a crash of the server, so its commits need not wait for the WAL's fsync (5 ms a
 * commit on this machine's disk, thousands of commits a run); everything else about a commit is unchanged.
 */
export async function skipCommitFsync(admin: postgres.Sql, database: string): Promise<void> {
  await admin.unsafe(`alter database ${database} set synchronous_commit = off`);
}

export const uniquePrefix = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;
