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
