// The per-process admin data cache: a reload that fails after a committed change is logged, not thrown at the request
// that made the change, and the next poll retries it; a caller waiting behind another reload never receives that
// reload's error.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import type { Db } from '../../src/db/client.js';

let revision = 1;
vi.mock('../../src/db/repositories/administration.js', () => ({ readRevision: async () => revision }));
const { AdminData } = await import('../../src/services/administration/admin-data.js');

function makeLog() {
  return { warn: vi.fn() } as unknown as Logger & { warn: ReturnType<typeof vi.fn> };
}

describe('AdminData', () => {
  beforeEach(() => { revision = 1; });

  it('changed() resolves when the reload fails, logs it, and the next poll reloads', async () => {
    const log = makeLog();
    const data = new AdminData({} as Db, log, 0);
    let fail = false;
    const loader = vi.fn(async () => { if (fail) throw new Error('database away'); });
    data.register('calendar', loader);
    await data.refresh();
    expect(loader).toHaveBeenCalledTimes(1);

    fail = true;
    revision = 2;
    await expect(data.changed()).resolves.toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);

    fail = false;
    await data.refresh(); // a poll: the revision seen is still 1, so it reloads
    expect(loader).toHaveBeenCalledTimes(3);
    await data.refresh(); // now current: nothing to do
    expect(loader).toHaveBeenCalledTimes(3);
  });

  it('a refresh waiting behind a failing reload runs its own and does not inherit the error', async () => {
    const data = new AdminData({} as Db, makeLog(), 0);
    let release!: () => void;
    let calls = 0;
    data.register('procedures', async () => {
      calls += 1;
      if (calls === 1) {
        await new Promise<void>((resolve) => { release = resolve; });
        throw new Error('first reload failed');
      }
    });
    const first = data.refresh(true);
    await vi.waitFor(() => expect(calls).toBe(1));
    const second = data.refresh(true);
    release();
    await expect(first).rejects.toThrow('loading procedures failed');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
