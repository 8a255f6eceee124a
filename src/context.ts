// The composition root: builds the AppContext (app-context.ts) once per process — database, catalog, keys,
// effects registry and job driver. server.ts, worker.ts, main.ts (embedded default) and the tests all start from createContext().
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppContext, ProcessRole } from './app-context.js';
import type { Config } from './config.js';
import { openDatabase } from './db/client.js';
import { DEMO_PASSWORD, seedDemo } from './db/seed/index.js';
import { createEffectRegistry } from './effects/index.js';
import { BullmqDriver, OutboxOnlyDriver } from './jobs/bullmq.js';
import { InlineJobDriver } from './jobs/inline.js';
import { ProcedureCatalog } from './services/procedures/catalog.js';
import { SignerKeys } from './services/keys/signer-keys.js';
import { demoCrlUrl } from './services/keys/demo-crl.js';
import { loadWorkflowDir } from './workflow/loader.js';
import { AdminData } from './services/administration/admin-data.js';
import { loadCalendar, seedBundledCalendarYears } from './services/administration/calendar.js';
import { loadOrganisationInfo, UNSET_ORGANISATION } from './services/administration/organisation-info.js';
import { forgetIntakeOrganisation } from './services/intake/organisation-cache.js';
import { createFileStorage } from './storage/index.js';

export async function createContext(config: Config, log: Logger, role: ProcessRole): Promise<AppContext> {
  await mkdir(config.dataDir, { recursive: true });
  // Files are checked before the database is touched: a broken workflow stops start-up with the file and name.
  const effects = createEffectRegistry();
  const workflows = loadWorkflowDir(config.workflowsDir, { templatesDir: config.templatesDir, effects: effects.names });
  const database = await openDatabase(config.database, { applicationName: `motcua-${role}` });
  const secret = config.appSecret ?? (await embeddedSecret(config.dataDir, 'app-secret'));
  const keySecret = config.keyEncryptionSecret ?? (await embeddedSecret(config.dataDir, 'key-encryption-secret'));
  const db = database.db;
  const catalog = await ProcedureCatalog.publish(db, workflows);
  const signerKeys = new SignerKeys(db, keySecret);

  const adminData = new AdminData(db, log, config.adminRefreshMs);
  const organisation = { ...UNSET_ORGANISATION };
  // Intake routes with units and role assignments read a few seconds at a time: a change drops that copy at once.
  // Registered first: a later loader's failure stops the reload (AdminData.load), and dropping this copy cannot fail.
  adminData.register('intake-routing', async () => forgetIntakeOrganisation(database));
  adminData.register('organisation', (d) => loadOrganisationInfo(d, organisation));
  adminData.register('calendar', loadCalendar);
  adminData.register('procedures', () => catalog.reload());

  const files = createFileStorage(config.storage, log);
  const ctx = { config, database, db, catalog, signerKeys, log, secret, effects, adminData, organisation, files } as unknown as AppContext;
  ctx.jobs = config.queue.kind === 'inline'
    ? new InlineJobDriver(ctx)
    : role === 'server' ? new OutboxOnlyDriver() : new BullmqDriver(ctx, config.queue.url, config.queue.prefix);

  // Only the embedded demo gets an organisation; production starts empty (npm run admin:create, then /quan-tri/thiet-lap).
  if (config.demoData) {
    const created = await seedDemo(db, signerKeys, config.dataDir, config.demoCaCrl ? { crlUrl: demoCrlUrl(config.publicUrl) } : {});
    if (created.length > 0) log.info(`demo staff accounts created: ${created.join(', ')} (password "${DEMO_PASSWORD}")`);
  }
  await seedBundledCalendarYears(db);
  await adminData.refresh(true);
  adminData.start();
  return ctx;
}

export async function closeContext(ctx: AppContext): Promise<void> {
  ctx.adminData.stop();
  await ctx.jobs.close();
  await ctx.database.close();
  ctx.files.close();
}

/** The embedded default has no environment to read secrets from: make one on first start and keep it. */
async function embeddedSecret(dataDir: string, name: string): Promise<string> {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
