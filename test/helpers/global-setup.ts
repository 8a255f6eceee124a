// Runs once before the integration and e2e projects: (re)creates the template database with every migration applied.
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';
import { ADMIN_URL, TEMPLATE_DB, urlFor } from './databases.js';

export default async function setup(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    // Another project's setup may be building it right now: serialise on an advisory lock.
    await admin`select pg_advisory_lock(727274)`;
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
    const database = await openDatabase({ kind: 'postgres', url: urlFor(TEMPLATE_DB), max: 1 });
    await database.close();
  } finally {
    await admin`select pg_advisory_unlock(727274)`;
    await admin.end();
  }
}
