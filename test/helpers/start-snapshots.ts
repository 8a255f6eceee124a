// What a first start writes, made once per vitest run and copied by every later start with the same configuration.
// A first embedded start (PGlite's initdb and every migration in WASM, then the demo seed) costs ~20 s of CPU and a
// production start's seedDemo ~2 s (ten RSA keys, a hundred commits); the suite has about 30 of the one and 130 of
// the other. Each snapshot is made by the real code (createContext, seedDemo) on this run's migrated template, so a
// broken first start still fails every test that uses one; test/integration/startup.test.ts starts fresh (`fresh`).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import postgres from 'postgres';
import { loadConfig, type Config } from '../../src/config.js';
import { closeContext, createContext } from '../../src/context.js';
import { seedDemo } from '../../src/db/seed/index.js';
import { ADMIN_URL, REDIS_URL, skipCommitFsync, urlFor } from './databases.js';

function template(): string {
  const name = process.env.MOTCUA_TEST_TEMPLATE_DB;
  if (!name) throw new Error('MOTCUA_TEST_TEMPLATE_DB is not set: run the tests through vitest (test/helpers/global-setup.ts)');
  return name;
}

/**
 * What global-setup.ts removes at the end of the run, with what a builder killed mid-way left (the `-b…`/`_b…` names;
 * its advisory lock went with its connection and the next file built again).
 */
export async function removeSnapshots(templateDb: string, admin: postgres.Sql): Promise<void> {
  const names = snapshotNames(templateDb);
  const databases = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${names.seededDatabase}%`}`;
  for (const { datname } of databases) await admin.unsafe(`drop database if exists ${datname} with (force)`);
  const prefixes = [path.basename(names.seededFiles), path.basename(names.embeddedDir)];
  for (const entry of await readdir(os.tmpdir())) {
    if (prefixes.some((p) => entry.startsWith(p))) await rm(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

/** The snapshots' names for this run's template. */
export function snapshotNames(templateDb: string) {
  return {
    seededDatabase: `${templateDb}_demo`,
    seededFiles: path.join(os.tmpdir(), `motcua-seeded-${templateDb}`),
    embeddedDir: path.join(os.tmpdir(), `motcua-embedded-${templateDb}`),
  };
}

/** The test environment's defaults (context.ts) that the first start's rows and files depend on. */
const BASE_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://motcua.test', DEMO_CA_CRL: 'off' };

function baseConfig(mode: 'production' | 'embedded', dataDir: string, databaseUrl = 'postgres://snapshot/none'): Config {
  return loadConfig({ ...BASE_ENV, DATA_DIR: dataDir, ...(mode === 'production' ? { DATABASE_URL: databaseUrl, REDIS_URL, APP_SECRET: seededAppSecret() } : {}) });
}

/** What the first start's database rows and DATA_DIR files depend on besides the code. */
function startFingerprint(config: Config): string {
  return JSON.stringify([config.demoData, config.demoCaCrl, config.demoCaCrl ? config.publicUrl : '', config.workflowsDir,
    config.templatesDir, config.keyEncryptionSecret ?? null]);
}

/**
 * Whether a start with this configuration may begin from the snapshot: one that differs in what the first start
 * writes (a CRL in the demo certificates, other workflows, its own secret) starts fresh.
 */
export function snapshotFits(mode: 'production' | 'embedded', config: Config): boolean {
  return startFingerprint(config) === startFingerprint(baseConfig(mode, config.dataDir));
}

/** One builder per run, across the test workers: the others wait for it and then copy. */
async function once(lockName: string, built: () => Promise<boolean>, build: () => Promise<void>): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin`select pg_advisory_lock(hashtext(${lockName}))`;
    if (!(await built())) await build();
  } finally {
    await admin.end();
  }
}

/** The production demo's secret: the keys in the seeded template are encrypted with it (keyEncryptionSecret = APP_SECRET). */
export function seededAppSecret(): string {
  const secret = process.env.MOTCUA_TEST_APP_SECRET;
  if (!secret) throw new Error('MOTCUA_TEST_APP_SECRET is not set: run the tests through vitest (test/helpers/global-setup.ts)');
  return secret;
}

/**
 * The migrated template with what a production start plus seedDemo write (catalog, calendar, demo organisation, staff
 * and keys), and the DATA_DIR files seedDemo wrote (the demo CA). Returns the database to clone and the files to copy.
 */
export async function seededProduction(): Promise<{ templateDb: string; files: string }> {
  const names = snapshotNames(template());
  await once(names.seededDatabase, async () => existsSync(names.seededFiles), async () => {
    const building = `${names.seededDatabase}_b${randomBytes(3).toString('hex')}`;
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const dataDir = await mkdtemp(`${names.seededFiles}-b`);
    try {
      await admin.unsafe(`create database ${building} template ${template()}`);
      await skipCommitFsync(admin, building);
      const buildConfig = baseConfig('production', dataDir, urlFor(building));
      // The server role: no job workers to start or stop for a database that only gets seeded.
      const ctx = await createContext(buildConfig, pino({ level: 'silent' }), 'server');
      try {
        await seedDemo(ctx.db, ctx.signerKeys, dataDir);
      } finally {
        await closeContext(ctx);
      }
      await admin.unsafe(`alter database ${building} rename to ${names.seededDatabase}`);
      await rename(dataDir, names.seededFiles);
    } catch (error) {
      await admin.unsafe(`drop database if exists ${building} with (force)`);
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    } finally {
      await admin.end();
    }
  });
  return { templateDb: names.seededDatabase, files: names.seededFiles };
}

/** A DATA_DIR after a first embedded start (PGlite's database, secrets, demo CA): copied into `dataDir`. */
export async function copyEmbeddedSnapshot(dataDir: string): Promise<void> {
  const { embeddedDir } = snapshotNames(template());
  await once(embeddedDir, async () => existsSync(embeddedDir), async () => {
    const building = await mkdtemp(`${embeddedDir}-b`);
    try {
      await closeContext(await createContext(baseConfig('embedded', building), pino({ level: 'silent' }), 'embedded'));
      await rename(building, embeddedDir);
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      throw error;
    }
  });
  await cp(embeddedDir, dataDir, { recursive: true });
}
