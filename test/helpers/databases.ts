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

/** A new database cloned from the migrated template; drop() removes it (and any connection left open). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const template = process.env.MOTCUA_TEST_TEMPLATE_DB;
  if (!template) throw new Error('MOTCUA_TEST_TEMPLATE_DB is not set: run the tests through vitest (test/helpers/global-setup.ts)');
  const name = `motcua_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
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

export const uniquePrefix = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;
