// What every process (main, server, worker) does around its own start: parse the configuration, build the context,
// close gracefully on a signal, and turn a configuration or workflow mistake into a clear message and exit code.
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { AppContext, ProcessRole } from './app-context.js';
import { closeContext, createContext } from './context.js';
import { guardPostgresWriteRace, postgresFixActive } from './db/postgres-fix.js';
import { createLogger, throttledLog } from './logger.js';
import { WorkflowCheckError } from './workflow/loader.js';

/** EX_CONFIG from sysexits.h: the process cannot run as configured; restarting will not help. */
const EXIT_CONFIG = 78;

export async function runProcess(
  name: string,
  role: (config: Config) => ProcessRole,
  start: (ctx: AppContext, log: Logger) => Promise<{ close?: () => Promise<void> } | void>,
): Promise<void> {
  try {
    const config = loadConfig();
    const log = createLogger(config, name);
    // A database restart must not end the process (db/postgres-fix.ts): patched as postgres.js loads, and guarded here
    // in case the patch could not be applied.
    const writeRace = throttledLog((obj, msg) => log.warn(obj, msg));
    guardPostgresWriteRace((err) => writeRace({ err }, 'postgres.js write on a closed connection (porsager/postgres#1154) ignored; the pool reconnects'));
    const ctx = await createContext(config, log, role(config));
    if (config.database.kind === 'postgres' && !postgresFixActive()) {
      log.warn('postgres.js was loaded without the write-race fix (db/postgres-fix.ts); a database restart may leave connections stuck');
    }
    const started = await start(ctx, log);
    closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
      if (err) log.error({ err }, 'closing after an error');
      else log.info({ signal }, 'closing: finishing what is running');
      await started?.close?.();
      await closeContext(ctx);
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof WorkflowCheckError) {
      console.error(`${name}: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}
