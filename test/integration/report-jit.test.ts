// The reports turn PostgreSQL's JIT off for their own transaction only (src/db/client.ts JIT_OFF_FOR_TRANSACTION), not
// as a connection start-up parameter (PgBouncer and managed proxies refuse unknown ones): inside a report's
// transaction and its export cursor `jit` is off, on the pool's ordinary connections it is the server's setting.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { withoutJit } from '../../src/db/repositories/stats.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

describe('JIT off for the reports only (real PostgreSQL)', () => {
  let env: TestEnvironment;
  const jitOfEveryConnection = async () => {
    // More statements at once than the pool has connections: each of them answers.
    const all = await Promise.all(Array.from({ length: 12 }, () =>
      env.ctx.database.query<{ jit: string }>(`select current_setting('jit') as jit, pg_sleep(0.05)::text`, [])));
    return new Set(all.map(([row]) => row!.jit));
  };

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    if (env.config.database.kind !== 'postgres') throw new Error('this test needs PostgreSQL');
  });
  afterAll(async () => { await env?.close(); });

  it('connects with the server\'s jit setting (no start-up parameter): on here, as PostgreSQL\'s default', async () => {
    expect(await jitOfEveryConnection()).toEqual(new Set(['on']));
    const [row] = await env.ctx.database.query<{ source: string }>(`select source from pg_settings where name = 'jit'`, []);
    expect(row!.source).not.toBe('client');
  });

  it('runs a report statement with jit off inside its transaction, and leaves the connection as it was', async () => {
    const inside = await withoutJit(env.ctx.db, async (tx) => rowsOf<{ jit: string; ro: string }>(
      await tx.execute(sql`select current_setting('jit') as jit, current_setting('transaction_read_only') as ro`)));
    expect(inside).toEqual([{ jit: 'off', ro: 'on' }]);
    expect(await jitOfEveryConnection()).toEqual(new Set(['on']));
  });

  it('reads an export cursor with jit off, and gives its connection back with jit on', async () => {
    const seen: string[] = [];
    for await (const batch of env.ctx.database.cursor<{ jit: string }>(`select current_setting('jit') as jit from generate_series(1, 5)`, [], 2)) {
      seen.push(...batch.map((r) => r.jit));
    }
    expect(seen).toEqual(['off', 'off', 'off', 'off', 'off']);
    // Left early (a closed download): the transaction is rolled back, the connection back in the pool unchanged.
    for await (const batch of env.ctx.database.cursor<{ jit: string }>(`select current_setting('jit') as jit from generate_series(1, 5)`, [], 2)) {
      expect(batch[0]!.jit).toBe('off');
      break;
    }
    expect(await jitOfEveryConnection()).toEqual(new Set(['on']));
    const [idle] = await env.ctx.database.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`, []);
    expect(idle!.n).toBe(0);
  });
});
