// Production HTTP process (DATABASE_URL + REDIS_URL): serves the API; the worker process runs the jobs.
// Stateless, so any number of copies can run behind a load balancer.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './context.js';
import { createLogger } from './logger.js';

try {
  const config = loadConfig();
  const log = createLogger(config, 'motcua-server');
  const ctx = await createContext(config, log, config.queue.kind === 'inline' ? 'embedded' : 'server');
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an error');
    else log.info({ signal }, 'closing');
    await app.close();
    await closeContext(ctx);
  });
  await app.listen({ host: config.host, port: config.port });
} catch (error) {
  if (error instanceof ConfigError) { console.error(error.message); process.exit(78); }
  throw error;
}
