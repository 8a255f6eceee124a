// A real AppContext for tests, in either mode: 'production' = cloned PostgreSQL database + BullMQ on the machine's
// Redis (unique prefix), 'embedded' = PGlite in a temp dir + inline jobs. Same code paths as the real processes.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/app-context.js';
import { closeContext, createContext } from '../../src/context.js';
import { seedDemo, seedOrganisation } from '../../src/db/seed/index.js';
import { createTestDatabase, REDIS_URL, uniquePrefix } from './databases.js';
import { copyEmbeddedSnapshot, seededAppSecret, seededProduction, snapshotFits } from './start-snapshots.js';

export type Mode = 'production' | 'embedded';

export interface TestEnvironment {
  ctx: AppContext;
  app: Awaited<ReturnType<typeof buildApp>>;
  config: Config;
  close(): Promise<void>;
}

export interface TestEnvironmentOptions {
  /** Production mode: the demo (organisation, staff, keys, campaigns) unless false. The embedded default always has it. */
  seedStaff?: boolean;
  /** With `seedStaff: false`: the demo organisation alone (agencies, units, unit roles, settings), no accounts. */
  organisation?: boolean;
  env?: Record<string, string>;
  /**
   * Start from an empty database and DATA_DIR and seed here, as a real first start does, instead of copying this run's
   * snapshot of one (start-snapshots.ts). For the tests of the first start itself.
   */
  fresh?: boolean;
}

export async function startTestEnvironment(mode: Mode, options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-test-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://motcua.test', OUTBOX_POLL_MS: '100',
    // Tests file many dossiers from one address and one applicant; test/security/intake-limits.test.ts turns these on.
    INTAKE_RATE_LIMIT: '0', INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0',
    // Many messages to one dossier from one address (the authorization matrix); test/e2e/message-limits.test.ts turns it on.
    MESSAGE_RATE_LIMIT: '0',
    // Tests read the figures right after changing the data; test/integration/stats-cache.test.ts turns the cache on.
    STATS_CACHE_MS: '0',
    // Tests count the report rollup's marks and build it when they mean to; test/integration/report-rollup.test.ts
    // turns the timer on.
    REPORT_ROLLUP_EVERY_MS: '0',
    // Demo certificates without a CRL pointer, so results stay PAdES B-T and end with their last signature (what most
    // tests check with pdfsig); test/integration/signing-ltv.test.ts turns it on.
    DEMO_CA_CRL: 'off',
    // The seeded demo's keys are encrypted with the run's secret (start-snapshots.ts); other starts get their own.
    ...(mode === 'production' ? { DATABASE_URL: 'postgres://not-yet/cloned', REDIS_URL, QUEUE_PREFIX: uniquePrefix('q'),
      APP_SECRET: options.seedStaff !== false ? seededAppSecret() : randomBytes(32).toString('hex') } : {}),
    ...options.env,
  };
  // A start configured as the run's snapshot was made copies it instead of repeating the first start's work.
  // MOTCUA_TEST_FRESH_STARTS=1 starts every environment fresh (to compare, or to rule the snapshots out).
  const fromSnapshot = !options.fresh && process.env.MOTCUA_TEST_FRESH_STARTS !== '1' && (mode === 'embedded' || options.seedStaff !== false) && snapshotFits(mode, loadConfig(env));
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  if (mode === 'production') {
    const seeded = fromSnapshot ? await seededProduction() : undefined;
    database = await createTestDatabase(seeded?.templateDb);
    if (seeded) await cp(seeded.files, dataDir, { recursive: true });
    env.DATABASE_URL = options.env?.DATABASE_URL ?? database.url;
  } else if (fromSnapshot) {
    await copyEmbeddedSnapshot(dataDir);
  }
  const config = loadConfig(env);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // One process plays server and worker here: the worker role relays the outbox and runs BullMQ workers.
  const ctx = await createContext(config, log, mode === 'production' ? 'worker' : 'embedded');
  // Production starts create no organisation and no accounts; tests that need them create the demo's explicitly (or
  // cloned them with the seeded template), then reload what the context keeps in memory (the organisation's names,
  // unit roles) as an administrator's change would.
  if (mode === 'production') {
    if (options.seedStaff !== false) { if (!fromSnapshot) await seedDemo(ctx.db, ctx.signerKeys, dataDir); }
    else if (options.organisation) await seedOrganisation(ctx.db);
    await ctx.adminData.changed();
  }
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  await app.ready();
  return {
    ctx, app, config,
    close: async () => {
      await app.close();
      await closeContext(ctx);
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
