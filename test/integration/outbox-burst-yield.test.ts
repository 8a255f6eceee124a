// The relay waits out an intake burst (jobs/relay.ts BurstYield) against real PostgreSQL: nothing is handed on while
// hundreds of rows are due and the newest just arrived, everything as soon as the arrivals pause, the overdue at once
// (an effect is never more than `maxDelayMs` late), and a trickle always at once. The rows' ages are set through
// `available_at` (when a row became due), with margins of seconds, so the test does not race the clock.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, markDone, relayBacklog } from '../../src/db/repositories/outbox.js';
import { outbox } from '../../src/db/schema/index.js';
import { burstYield, OutboxPoller, type BurstYield } from '../../src/jobs/relay.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { eventually } from '../helpers/http.js';

const BURST: BurstYield = { minBacklog: 30, quietMs: 5_000, maxDelayMs: 10_000 };

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment('production', { seedStaff: false });
  await env.ctx.jobs.close(); // this test's pollers are the only relays
});
afterAll(async () => { await env?.close(); });
beforeEach(async () => { await env.ctx.db.delete(outbox); });

/** `count` due rows, the i-th due since `agesMs(i)` ago, inserted in that order (ids ascending). */
async function dueRows(count: number, agesMs: (i: number) => number): Promise<void> {
  await env.ctx.db.insert(outbox).values(Array.from({ length: count }, (_, i) => ({
    job: 'notify-citizen', payload: { dossierId: `row-${i}`, dossierVersion: 1 },
    availableAt: sql`now() - make_interval(secs => ${agesMs(i) / 1000})`,
  })));
}

/** Wakes a relay once and waits for its drain to end; returns what it handed on. */
async function relayOnce(burst: BurstYield | undefined, batch = 200): Promise<{ delivered: string[]; waitedOut: boolean }> {
  const delivered: string[] = [];
  const poller = new OutboxPoller(env.ctx.db, { pollMs: 60_000, batch, leaseMs: 60_000, burst }, async (rows) => {
    delivered.push(...rows.map((r) => String(r.payload.dossierId)));
    await markDone(env.ctx.database, rows.map((r) => r.id));
  }, { error: () => {}, warn: () => {} });
  poller.start();
  await eventually(async () => (poller.busy ? undefined : true));
  const waitedOut = poller.waitingOutBurst;
  await poller.stop();
  return { delivered, waitedOut };
}

describe('a claim on a long backlog', () => {
  it('takes the longest-due rows (outbox_pending_idx order), whatever their ids', async () => {
    await dueRows(50, (i) => 1_000 + i * 100); // inserted newest-due first: the last row has waited longest
    const claimed = await claimDue(env.ctx.db, 10, 60_000);
    expect(claimed.map((r) => String(r.payload.dossierId)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `row-${40 + i}`));
  });
});

describe('the outbox relay waits out an intake burst', () => {
  it('hands nothing on while hundreds are due and the newest just arrived; everything once the arrivals pause', async () => {
    await dueRows(60, (i) => 2_000 - i * 30); // arrived over the last two seconds, the newest 230 ms ago
    expect(await relayBacklog(env.ctx.db, BURST.minBacklog)).toMatchObject({ atLeast: true });
    const during = await relayOnce(BURST);
    expect(during).toEqual({ delivered: [], waitedOut: true });

    // No arrival for longer than quietMs: the backlog leaves, in id order.
    await env.ctx.db.update(outbox).set({ availableAt: sql`${outbox.availableAt} - interval '6 seconds'` });
    const after = await relayOnce(BURST);
    expect(after.waitedOut).toBe(false);
    expect(after.delivered).toEqual(Array.from({ length: 60 }, (_, i) => `row-${i}`));
  });

  it('relays what has waited maxDelayMs even while the burst goes on, and waits again for the rest', async () => {
    await dueRows(20, () => 11_000); // overdue
    await dueRows(40, (i) => 1_000 - i * 20); // the burst still arriving
    const { delivered, waitedOut } = await relayOnce(BURST, 20);
    expect(delivered).toHaveLength(20);
    expect(new Set(delivered)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `row-${i}`)));
    expect(waitedOut).toBe(true);
  });

  it('relays a trickle at once, and everything at once when waiting is turned off', async () => {
    await dueRows(BURST.minBacklog - 1, (i) => 500 - i * 10);
    expect(await relayOnce(BURST)).toMatchObject({ waitedOut: false, delivered: expect.arrayContaining(['row-0']) });
    expect(await relayBacklog(env.ctx.db, 1)).toMatchObject({ atLeast: false });

    await dueRows(60, (i) => 2_000 - i * 30);
    expect(burstYield(0)).toBeUndefined(); // OUTBOX_BURST_MAX_DELAY_S=0
    const off = await relayOnce(burstYield(0));
    expect(off).toMatchObject({ waitedOut: false });
    expect(off.delivered).toHaveLength(60);
  });
});
