// A time limit on a promise, for reads and shutdowns that must not hang on a dependency (Redis, PostgreSQL, BullMQ).
// The error carries what timed out and the limit, so each caller words it for its readers (logs, the queue page).

export class TimeoutError extends Error {
  constructor(readonly what: string, readonly ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `promise`, or a TimeoutError after `ms`; the timer never outlives the race. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
