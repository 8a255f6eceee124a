// Concurrent calls of one statement coalesced into batches: each statement costs PostgreSQL a round trip, a parse
// and bind, and (for a write) a commit — on the admission season's first morning far more than the rows themselves
// (bench/README.md: one intake per statement cost PostgreSQL 1.8 ms of CPU per dossier, 16 per statement 0.48 ms).
//
// At rest a call leaves at once (after the current microtasks, so calls made in the same tick leave together): no
// added delay. Under load at most `maxInFlight` batches run at a time; calls arriving meanwhile queue and leave
// together in the next batch (at most `maxBatch`), so the batch size follows the load.

export interface CoalesceOptions<I> {
  /** Batches running at once (each holds one pooled connection). */
  maxInFlight: number;
  /** Calls in one batch at most. */
  maxBatch: number;
  /**
   * A call's weight (e.g. the bytes it sends) and the most a batch may carry: a batch closes before a call that would
   * take it over; a call heavier than that on its own goes alone.
   */
  weight?: { of: (item: I) => number; max: number };
}

/**
 * `run` answers a batch with one settled outcome per item, in order (an item's own failure is its `rejected`
 * outcome). When `run` throws for a batch of several because of one item's data (splitsBatch), each of its items is
 * run again alone, so one item's bad data never fails the others; any other error (the database away, a timeout) is
 * every item's, at once — running them one by one would only multiply the wait and the load. A single item's throw
 * is that item's error.
 */
export type BatchRunner<I, O> = (items: I[]) => Promise<Array<PromiseSettledResult<O>>>;

interface Waiting<I, O> { item: I; weight: number; resolve: (value: O) => void; reject: (reason: unknown) => void }

/**
 * Whether a batch's error may be one item's doing: PostgreSQL's data exceptions and integrity violations (SQLSTATE
 * classes 22 and 23: a bad value, a constraint) and errors without a code (thrown while building the statement).
 * Connection losses, timeouts and the server's own troubles are not.
 */
export function splitsBatch(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === undefined) return true;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

export function coalesce<I, O>(run: BatchRunner<I, O>, options: CoalesceOptions<I>): (item: I) => Promise<O> {
  const queue: Array<Waiting<I, O>> = [];
  let inFlight = 0;
  let scheduled = false;

  const settle = (batch: Array<Waiting<I, O>>, outcomes: Array<PromiseSettledResult<O>>): void => {
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (!outcome) waiting.reject(new Error(`batch answered ${outcomes.length} outcomes for ${batch.length} items`));
      else if (outcome.status === 'fulfilled') waiting.resolve(outcome.value);
      else waiting.reject(outcome.reason);
    });
  };

  const runAlone = async (waiting: Waiting<I, O>): Promise<void> => {
    try {
      settle([waiting], await run([waiting.item]));
    } catch (error) {
      waiting.reject(error);
    }
  };

  const launch = async (batch: Array<Waiting<I, O>>): Promise<void> => {
    inFlight++;
    try {
      let outcomes: Array<PromiseSettledResult<O>> | undefined;
      try {
        outcomes = await run(batch.map((w) => w.item));
      } catch (error) {
        if (batch.length > 1 && splitsBatch(error)) for (const waiting of batch) await runAlone(waiting);
        else for (const waiting of batch) waiting.reject(error);
      }
      if (outcomes) settle(batch, outcomes);
    } finally {
      inFlight--;
      pump();
    }
  };

  const pump = (): void => {
    if (scheduled || inFlight >= options.maxInFlight || queue.length === 0) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      while (inFlight < options.maxInFlight && queue.length > 0) void launch(queue.splice(0, nextBatchSize()));
    });
  };

  /** How many of the queue's first calls the next batch takes: up to maxBatch, and within the weight limit. */
  const nextBatchSize = (): number => {
    const limit = Math.min(options.maxBatch, queue.length);
    if (!options.weight) return limit;
    let total = 0;
    for (let n = 0; n < limit; n++) {
      total += queue[n]!.weight;
      if (total > options.weight.max) return Math.max(1, n);
    }
    return limit;
  };

  return (item) => new Promise<O>((resolve, reject) => {
    // Weighed here, in the caller's promise: a weight that throws fails this call only.
    queue.push({ item, weight: options.weight ? options.weight.of(item) : 0, resolve, reject });
    pump();
  });
}

/**
 * One coalesced caller per database handle (each test context, each process has its own), made on first use:
 * batches never mix two databases.
 */
export function perDatabase<D extends object, I, O>(make: (database: D) => (item: I) => Promise<O>): (database: D, item: I) => Promise<O> {
  const callers = new WeakMap<D, (item: I) => Promise<O>>();
  return (database, item) => {
    let caller = callers.get(database);
    if (!caller) {
      caller = make(database);
      callers.set(database, caller);
    }
    return caller(item);
  };
}
