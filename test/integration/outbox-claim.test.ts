// The relay's claim against real PostgreSQL: the longest-due rows first, in outbox_pending_idx's order, whatever their
// ids — so a claim reads its `limit` index entries however long the backlog (after a Redis outage, say), instead of
// reading and sorting all of it (bench/README.md, session 25: 81 ms a claim on a 138,000-row backlog, 0.85 ms now).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue } from '../../src/db/repositories/outbox.js';
import { outbox } from '../../src/db/schema/index.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment('production', { seedStaff: false });
  await env.ctx.jobs.close(); // no other relay claims this test's rows
});
afterAll(async () => { await env?.close(); });

describe('a claim on a backlog', () => {
  it('takes the longest-due rows, whatever their ids', async () => {
    // Inserted newest-due first: the last row inserted has waited longest.
    await env.ctx.db.insert(outbox).values(Array.from({ length: 50 }, (_, i) => ({
      job: 'notify-citizen', payload: { dossierId: `row-${i}`, dossierVersion: 1 },
      availableAt: sql`now() - make_interval(secs => ${1 + i / 10})`,
    })));
    const claimed = await claimDue(env.ctx.db, 10, 60_000);
    expect(claimed.map((r) => String(r.payload.dossierId)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `row-${40 + i}`));
  });
});
