// `npm start`: the embedded default — PGlite under DATA_DIR, jobs inline, demo data — API and jobs in one process.
// With DATABASE_URL/REDIS_URL set it behaves like server.ts plus an in-process worker.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './context.js';
import { DEMO_PASSWORD, DEMO_STAFF } from './db/seed/index.js';
import { createLogger } from './logger.js';

try {
  const config = loadConfig();
  const log = createLogger(config, 'motcua');
  const ctx = await createContext(config, log, config.queue.kind === 'inline' ? 'embedded' : 'worker');
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an error');
    else log.info({ signal }, 'closing');
    await app.close();
    await closeContext(ctx);
  });
  await app.listen({ host: config.host, port: config.port });
  if (config.demoData) {
    log.info(
      { accounts: DEMO_STAFF.map((s) => `${s.username} (${s.title})`), password: DEMO_PASSWORD },
      `motcua (embedded: PGlite at ${config.database.kind === 'pglite' ? config.database.dir : ''}, jobs inline) at ${config.publicUrl} — demo accounts use password "${DEMO_PASSWORD}"`,
    );
  }
} catch (error) {
  if (error instanceof ConfigError) { console.error(error.message); process.exit(78); }
  throw error;
}
