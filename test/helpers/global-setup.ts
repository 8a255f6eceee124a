// Runs once per vitest run, before any test file: creates this run's template database with every migration applied
// (its name goes to the test workers through the environment) and drops it at the end. A per-run name lets several
// runs share one PostgreSQL server without dropping each other's template.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';
import { ADMIN_URL, urlFor } from './databases.js';

export default async function setup(): Promise<() => Promise<void>> {
  const template = `motcua_tpl_${randomBytes(5).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${template}`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ kind: 'postgres', url: urlFor(template), max: 1 });
  await database.close();
  process.env.MOTCUA_TEST_TEMPLATE_DB = template;
  return async () => {
    const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    try { await a.unsafe(`drop database if exists ${template} with (force)`); } finally { await a.end(); }
  };
}
