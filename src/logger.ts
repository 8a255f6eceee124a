import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

/**
 * Query parameters that are secrets: a tracking token (old printed links `/tra-cuu?code=&token=`), the verification
 * key of a result's QR link, and the CSRF token multipart page forms send in the query.
 */
const SECRET_QUERY = /([?&](?:token|k|_csrf)=)[^&#]*/gi;

/**
 * Path segments that are secrets: the one-time tokens of a signing agent's download and upload URLs
 * (`/api/signing-agent/<token>/document`, `…/signed`), which are the whole right to fetch or sign the document.
 */
const SECRET_PATH = /(\/api\/signing-agent\/)[^/?#]*/gi;

/** The URL as request logs keep it: secret query values and path tokens replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]').replace(SECRET_PATH, '$1[redacted]');
}

/** fastify's request serializer (same fields), with the URL redacted. */
export const requestSerializers = {
  req: (req: { method?: string; url?: string; host?: string; ip?: string; headers?: Record<string, unknown>; socket?: { remotePort?: number } }) => ({
    method: req.method, url: req.url === undefined ? undefined : redactUrl(req.url), version: req.headers?.['accept-version'],
    host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort,
  }),
};

/** Pretty, human logs on a terminal; JSON lines elsewhere (containers, CI). `destination`: tests capture the lines. */
export function createLogger(config: Pick<Config, 'logLevel'>, name: string, destination?: DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY;
  const options = {
    name,
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: requestSerializers,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
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
