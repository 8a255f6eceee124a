// The Redis client of the request path (rate-limit counters, /readyz) and of the worker's health server. Nothing a
// request needs waits on Redis: while disconnected a command fails at once (no offline queue), a Redis that accepts
// connections but does not answer fails a command after a second; the rate limiter then lets the request through
// (skipOnError) and /readyz reports the queue as degraded. The job side has its own connections (jobs/bullmq.ts).
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { throttledLog } from './logger.js';

export function failFastRedis(url: string, log: Logger, name: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  // ioredis reports every failed reconnection attempt (several per second): the first, then one a minute.
  const warn = throttledLog((obj, msg) => log.warn(obj, msg));
  let down = false;
  redis.on('error', (err: Error) => {
    down = true;
    warn({ err: { message: err.message, code: (err as { code?: string }).code }, redis: name }, `redis (${name}) unavailable`);
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: name }, `redis (${name}) available again`);
    down = false;
  });
  return redis;
}
