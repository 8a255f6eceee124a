// Production worker process: relays the outbox to BullMQ and runs the job handlers. Scale by running more copies.
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './context.js';
import { createLogger } from './logger.js';

try {
  const config = loadConfig();
  const log = createLogger(config, 'motcua-worker');
  const ctx = await createContext(config, log, config.queue.kind === 'inline' ? 'embedded' : 'worker');
  await ctx.jobs.start();
  log.info({ driver: ctx.jobs.kind }, 'worker started');
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an error');
    else log.info({ signal }, 'closing: finishing running jobs');
    await closeContext(ctx);
  });
} catch (error) {
  if (error instanceof ConfigError) { console.error(error.message); process.exit(78); }
  throw error;
}
