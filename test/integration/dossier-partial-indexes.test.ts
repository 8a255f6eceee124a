// Migration 0021 indexes the dossiers' idempotency key, citizen and subject person only where they are set (most
// admission filings have none of the three). A partial index serves a query only when PostgreSQL can prove the query
// stays inside the index's WHERE — for a prepared statement's generic plan, from `column = $1` alone. This test sends
// the repositories' own statements (captured on the driver) and asks PostgreSQL for their generic plans, with
// sequential scans priced out, so a plan that cannot use the index shows a Seq Scan whatever the table's size.
import { randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { listCitizenDossiers } from '../../src/db/repositories/citizen-dossiers.js';
import { findLiveDossierOfSubject } from '../../src/db/repositories/dossier-subjects.js';
import { findDossierByIdempotencyKey } from '../../src/db/repositories/dossiers.js';
import * as schema from '../../src/db/schema/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
let client: postgres.Sql;
let db: Db;
let sent: Array<{ query: string; parameters: unknown[] }> = [];

beforeAll(async () => {
  env = await startTestEnvironment('production');
  if (env.config.database.kind !== 'postgres') throw new Error('production mode runs on PostgreSQL');
  client = postgres(env.config.database.url, { max: 1, onnotice: () => {}, debug: (_c, query, parameters) => { sent.push({ query, parameters }); } });
  db = drizzle(client, { schema }) as unknown as Db;
});
afterAll(async () => {
  await client?.end({ timeout: 5 });
  await env?.close();
});

/** The one statement `run` sends (postgres.js's own type look-ups left out). */
async function statementOf(run: () => Promise<unknown>): Promise<{ query: string; parameters: unknown[] }> {
  sent = [];
  await run();
  const statements = sent.filter((s) => !s.query.includes('pg_catalog.pg_type'));
  expect(statements).toHaveLength(1);
  return statements[0]!;
}

/** The generic plan of a statement (what a prepared statement runs after its fifth execution), sequential scans priced out. */
async function genericPlan({ query, parameters }: { query: string; parameters: unknown[] }): Promise<string> {
  // In a transaction rolled back at the end: the settings and the prepared statement leave nothing behind.
  let plan = '';
  await client.begin(async (tx) => {
    await tx.unsafe('set local plan_cache_mode = force_generic_plan');
    await tx.unsafe('set local enable_seqscan = off');
    const name = `partial_${randomUUID().replaceAll('-', '')}`;
    await tx.unsafe(`prepare ${name} as ${query}`);
    // The look-ups' parameters are strings and numbers (drizzle sends `in (…)` lists one parameter per value).
    const literals = parameters.map((p) => (p === null ? 'null' : `'${String(p).replaceAll("'", "''")}'`));
    const rows = await tx.unsafe<Array<{ 'QUERY PLAN': string }>>(`explain execute ${name}${literals.length ? `(${literals.join(', ')})` : ''}`);
    plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    throw ROLLBACK;
  }).catch((error: unknown) => { if (error !== ROLLBACK) throw error; });
  return plan;
}

const ROLLBACK = new Error('rolled back on purpose');

describe('the dossiers\' partial indexes (migration 0021) serve the look-ups', () => {
  it('a replayed Idempotency-Key finds its dossier by dossiers_idempotency_key_uq', async () => {
    const plan = await genericPlan(await statementOf(() => findDossierByIdempotencyKey(db, 'key-of-a-retried-filing')));
    expect(plan, plan).toMatch(/dossiers_idempotency_key_uq/);
    expect(plan, plan).not.toMatch(/Seq Scan on dossiers/);
  });

  it('a live dossier of the same person and procedure is found by dossiers_subject_person_idx', async () => {
    const plan = await genericPlan(await statementOf(() => findLiveDossierOfSubject(db, '038201000001', 'admission-registration')));
    expect(plan, plan).toMatch(/dossiers_subject_person_idx/);
    expect(plan, plan).not.toMatch(/Seq Scan on dossiers/);
  });

  it('a signed-in citizen\'s dossiers are found by dossiers_citizen_idx and dossiers_subject_person_idx', async () => {
    const plan = await genericPlan(await statementOf(() => listCitizenDossiers(db, {
      citizenId: randomUUID(), personalIds: ['038201000001', '038215000002'], limit: 20,
    })));
    expect(plan, plan).toMatch(/dossiers_citizen_idx/);
    expect(plan, plan).toMatch(/dossiers_subject_person_idx/);
    expect(plan, plan).not.toMatch(/Seq Scan on dossiers/);
  });
});
