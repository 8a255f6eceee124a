// Production worker process: relays the outbox to BullMQ and runs the job handlers. Scale by running more copies.
import { runProcess } from './entrypoint.js';

await runProcess('motcua-worker', (config) => (config.queue.kind === 'inline' ? 'embedded' : 'worker'), async (ctx, log) => {
  await ctx.jobs.start();
  log.info({ driver: ctx.jobs.kind }, 'worker started');
});
