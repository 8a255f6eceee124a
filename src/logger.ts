import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** Pretty, human logs on a terminal; JSON lines elsewhere (containers, CI). */
export function createLogger(config: Pick<Config, 'logLevel'>, name: string): Logger {
  const pretty = process.stdout.isTTY;
  return pino({
    name,
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}

/**
 * Logs a recurring failure (a dependency that is down: Redis reconnecting every few hundred ms, a database that
 * refuses connections) once, then at most once per `everyMs`, with the number of occurrences left out in between.
 * `log(obj, msg)` is the call to throttle, e.g. `(o, m) => log.warn(o, m)`.
 */
export function throttledLog(log: (obj: Record<string, unknown>, msg: string) => void, everyMs = 60_000) {
  let last = -Infinity;
  let suppressed = 0;
  return (obj: Record<string, unknown>, msg: string): void => {
    const now = Date.now();
    if (now - last < everyMs) { suppressed++; return; }
    log(suppressed > 0 ? { ...obj, suppressed } : obj, msg);
    last = now;
    suppressed = 0;
  };
}
