// db/coalesce.ts: concurrent calls share batches under load, leave at once at rest, and one item's failure never
// fails the others.
import { describe, expect, it } from 'vitest';
import { coalesce, perDatabase, splitsBatch, type BatchRunner } from '../../src/db/coalesce.js';

/** A runner that records each batch and answers once `release` is called (the batch is "in flight" until then). */
function gatedRunner(answer: (item: number) => PromiseSettledResult<number> = (n) => ({ status: 'fulfilled', value: n * 10 })) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const run: BatchRunner<number, number> = async (items) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map(answer);
  };
  const releaseAll = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { run, batches, releaseAll };
}

const settleAll = <T>(promises: Array<Promise<T>>) => Promise.allSettled(promises);

describe('coalesce', () => {
  it('sends a call made at rest alone and at once', async () => {
    const { run, batches, releaseAll } = gatedRunner();
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 10 });
    const answer = call(4);
    await Promise.resolve();
    await Promise.resolve();
    expect(batches).toEqual([[4]]);
    await releaseAll();
    expect(await answer).toBe(40);
  });

  it('puts the calls made while a batch runs into the next batch, in order, at most maxBatch each', async () => {
    const { run, batches, releaseAll } = gatedRunner();
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 3 });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4, 5, 6].map((n) => call(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    const done = settleAll([first, ...rest]);
    await releaseAll();
    const outcomes = await done;
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const { run, batches, releaseAll } = gatedRunner();
    const call = coalesce(run, { maxInFlight: 2, maxBatch: 10 });
    const calls = [call(1)];
    await new Promise((resolve) => setImmediate(resolve));
    calls.push(call(2));
    await new Promise((resolve) => setImmediate(resolve));
    calls.push(call(3), call(4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]);
    const done = settleAll(calls);
    await releaseAll();
    await done;
    expect(batches).toEqual([[1], [2], [3, 4]]);
  });

  it('closes a batch before a call that would take it over its weight; a call heavier than that goes alone', async () => {
    const { run, batches, releaseAll } = gatedRunner();
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 10, weight: { of: (n) => n, max: 10 } });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const done = settleAll([first, ...[4, 5, 2, 30, 3].map((n) => call(n))]);
    await releaseAll();
    await done;
    expect(batches).toEqual([[1], [4, 5], [2], [30], [3]]);
  });

  it("rejects only the item whose outcome is rejected", async () => {
    const { run, releaseAll } = gatedRunner((n) => (n === 2 ? { status: 'rejected', reason: new Error('two refused') } : { status: 'fulfilled', value: n }));
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 10 });
    const done = settleAll([call(1), call(2), call(3)]);
    await releaseAll();
    const outcomes = await done;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('two refused'));
  });

  it('runs each item of a batch that threw alone: only the bad one fails', async () => {
    const batches: number[][] = [];
    let gate: (() => void) | undefined;
    const call = coalesce<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => { gate = resolve; });
      if (items.includes(13)) throw new Error('statement failed');
      return items.map((n) => ({ status: 'fulfilled', value: n }));
    }, { maxInFlight: 1, maxBatch: 10 });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const done = settleAll([first, call(12), call(13), call(14)]);
    await new Promise((resolve) => setImmediate(resolve));
    gate!();
    const outcomes = await done;
    expect(batches).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new Error('statement failed'));
  });

  it('fails every item of a batch at once, without running them alone, when the error is not one item\'s (the database away)', async () => {
    const batches: number[][] = [];
    let gate: (() => void) | undefined;
    const lost = Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });
    const call = coalesce<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => { gate = resolve; });
      if (items.length > 1) throw lost;
      return items.map((n) => ({ status: 'fulfilled', value: n }));
    }, { maxInFlight: 1, maxBatch: 10 });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const done = settleAll([first, call(2), call(3), call(4)]);
    await new Promise((resolve) => setImmediate(resolve));
    gate!();
    const outcomes = await done;
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value))).toEqual([1, lost, lost, lost]);
  });

  it('splits a batch for data exceptions, integrity violations and errors without a code — nothing else', () => {
    expect(splitsBatch(new Error('built wrong'))).toBe(true);
    expect(splitsBatch(Object.assign(new Error('duplicate'), { code: '23505' }))).toBe(true);
    expect(splitsBatch(Object.assign(new Error('null value'), { code: '23502' }))).toBe(true);
    expect(splitsBatch(Object.assign(new Error('bad date'), { code: '22007' }))).toBe(true);
    expect(splitsBatch(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(false);
    expect(splitsBatch(Object.assign(new Error('shutting down'), { code: '57P01' }))).toBe(false);
    expect(splitsBatch(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(splitsBatch(Object.assign(new Error('timeout'), { code: 'CONNECT_TIMEOUT' }))).toBe(false);
  });

  it('fails only the call whose weight cannot be computed', async () => {
    const call = coalesce<number, number>(async (items) => items.map((n) => ({ status: 'fulfilled', value: n })),
      { maxInFlight: 1, maxBatch: 10, weight: { of: (n) => { if (n === 2) throw new Error('no weight'); return n; }, max: 100 } });
    const outcomes = await settleAll([call(1), call(2), call(3)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects every item when the runner answers the wrong number of outcomes', async () => {
    const call = coalesce<number, number>(async () => [], { maxInFlight: 1, maxBatch: 10 });
    await expect(call(1)).rejects.toThrow(/0 outcomes for 1 items/);
  });

  it('keeps one coalesced caller per database handle', async () => {
    const seen: Array<[string, number[]]> = [];
    const byDatabase = perDatabase((database: { name: string }) => coalesce<number, number>(async (items) => {
      seen.push([database.name, items]);
      return items.map((n) => ({ status: 'fulfilled', value: n }));
    }, { maxInFlight: 1, maxBatch: 10 }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    await Promise.all([byDatabase(a, 1), byDatabase(b, 2), byDatabase(a, 3)]);
    expect(seen.filter(([name]) => name === 'a').flatMap(([, items]) => items)).toEqual([1, 3]);
    expect(seen.filter(([name]) => name === 'b').flatMap(([, items]) => items)).toEqual([2]);
  });
});
