// The outbox relay against real PostgreSQL and Redis: effects survive a Redis outage and reach BullMQ exactly once.
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPending, insertOutbox } from '../../src/db/repositories/outbox.js';
import { outbox } from '../../src/db/schema/index.js';
import { BullmqDriver } from '../../src/jobs/bullmq.js';
import { DEFAULT_RETRY } from '../../src/jobs/types.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { REDIS_URL, uniquePrefix } from '../helpers/databases.js';
import { eventually } from '../helpers/http.js';

describe('outbox relay', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production', { seedStaff: false }); await env.ctx.jobs.close(); });
  afterAll(async () => { await env?.close(); });

  it('keeps effects in the outbox while Redis is unreachable, then relays each one once', async () => {
    const payloads = Array.from({ length: 5 }, (_, i) => ({ dossierId: `00000000-0000-4000-8000-00000000000${i}`, actorStaffId: null }));
    await env.ctx.db.transaction(async (tx) => insertOutbox(tx, payloads.map((payload) => ({ job: 'issue-result', payload }))));
    expect(await countPending(env.ctx.db)).toBe(5);

    const prefix = uniquePrefix('relay');
    const down = new BullmqDriver(env.ctx, 'redis://127.0.0.1:6390', prefix, false);
    await down.start();
    await new Promise((r) => setTimeout(r, 1500));
    await down.close();
    expect(await countPending(env.ctx.db)).toBe(5);
    const [failed] = await env.ctx.db.select({ lastError: outbox.lastError }).from(outbox).limit(1);
    expect(failed?.lastError).toBeTruthy();

    await env.ctx.db.update(outbox).set({ availableAt: new Date() });
    const up = new BullmqDriver(env.ctx, REDIS_URL, prefix, false);
    await up.start();
    await eventually(async () => ((await countPending(env.ctx.db)) === 0 ? true : undefined));

    // A relay that crashed after adding but before marking relays the same rows again: still one job per row.
    await env.ctx.db.update(outbox).set({ relayedAt: null, availableAt: sql`now()` });
    up.wake();
    await eventually(async () => ((await countPending(env.ctx.db)) === 0 ? true : undefined));
    await up.close();

    const queue = new Queue('issue-result', { connection: { url: REDIS_URL }, prefix });
    try {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs).toHaveLength(5);
      expect(jobs.map((j) => j.data.dossierId).sort()).toEqual(payloads.map((p) => p.dossierId).sort());
      expect(jobs.every((j) => j.opts.attempts === DEFAULT_RETRY.attempts && j.id?.startsWith('outbox-'))).toBe(true);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
