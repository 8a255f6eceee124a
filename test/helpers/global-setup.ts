// Runs once per vitest run, before any test file: creates this run's template database with every migration applied
// (its name goes to the test workers through the environment) and drops it at the end. A per-run name lets several
// runs share one PostgreSQL server without dropping each other's template. Also the run's secret for the seeded demo
// and the removal of the snapshots (start-snapshots.ts) the test files made from the template.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';
import { ADMIN_URL, skipCommitFsync, urlFor } from './databases.js';
import { removeSnapshots } from './start-snapshots.js';

export default async function setup(): Promise<() => Promise<void>> {
  const template = `motcua_tpl_${randomBytes(5).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${template}`);
    await skipCommitFsync(admin, template);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ kind: 'postgres', url: urlFor(template), max: 1 });
  await database.close();
  process.env.MOTCUA_TEST_TEMPLATE_DB = template;
  process.env.MOTCUA_TEST_APP_SECRET = randomBytes(32).toString('hex');
  return async () => {
    const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await removeSnapshots(template, a);
      await a.unsafe(`drop database if exists ${template} with (force)`);
    } finally { await a.end(); }
  };
}
