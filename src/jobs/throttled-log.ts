// An outage repeats the same error on every poll; the log should say it once, then how often it went on.
import type { Logger } from 'pino';

/** Logs a warning per `key` at most once per `everyMs`, with the count of the ones held back. */
export function throttledLogger(log: Pick<Logger, 'warn'>, everyMs: number): (key: string, obj: object, msg: string) => void {
  const seen = new Map<string, { at: number; held: number }>();
  return (key, obj, msg) => {
    const now = Date.now();
    const entry = seen.get(key);
    if (entry && now - entry.at < everyMs) { entry.held++; return; }
    log.warn({ ...obj, ...(entry?.held ? { repeated: entry.held } : {}) }, msg);
    seen.set(key, { at: now, held: 0 });
  };
}
