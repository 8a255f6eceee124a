// The production HTTP server as src/server.ts builds it (role 'server': commits go to the outbox, no job workers in
// this process), on a database and a Redis the test chooses: fault tests point it at their own PostgreSQL
// (own-services.ts) or at a Redis port nothing listens on.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import { loadConfig, type Config } from '../../src/config.js';
import { closeContext, createContext } from '../../src/context.js';
import { seedDemo } from '../../src/db/seed/index.js';
import { uniquePrefix } from './databases.js';

export interface ServerApp {
  ctx: AppContext;
  app: Awaited<ReturnType<typeof buildApp>>;
  config: Config;
  close(): Promise<void>;
}

export async function startServerApp(options: {
  databaseUrl: string;
  redisUrl: string;
  seedStaff?: boolean;
  env?: Record<string, string>;
  /** Silent unless given (or TEST_LOG_LEVEL is set). */
  log?: Logger;
  /** Called before app.ready(): a test adds its own routes here. */
  extend?: (app: ServerApp['app']) => void | Promise<void>;
}): Promise<ServerApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-server-'));
  const config = loadConfig({
    NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://motcua.test',
    DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl, QUEUE_PREFIX: uniquePrefix('q'), APP_SECRET: randomBytes(32).toString('hex'),
    ...options.env,
  });
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const ctx = await createContext(config, log, 'server');
  // The demo (organisation, staff, keys) unless told not to: a production start creates none of it.
  if (options.seedStaff ?? true) {
    await seedDemo(ctx.db, ctx.signerKeys, dataDir);
    await ctx.adminData.changed();
  }
  const app = await buildApp(ctx);
  await options.extend?.(app);
  await app.ready();
  return {
    ctx, app, config,
    close: async () => {
      await app.close();
      await closeContext(ctx);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
