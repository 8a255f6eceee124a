// `npm start`: the embedded default — PGlite under DATA_DIR, jobs inline, demo data — API and jobs in one process.
// With DATABASE_URL/REDIS_URL set it is a server plus an in-process worker.
import { buildApp } from './app.js';
import { DEMO_PASSWORD, DEMO_STAFF } from './db/seed/index.js';
import { runProcess } from './entrypoint.js';

await runProcess('motcua', (config) => (config.queue.kind === 'inline' ? 'embedded' : 'worker'), async (ctx, log) => {
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  const { config } = ctx;
  if (config.demoData) {
    log.info(
      { accounts: DEMO_STAFF.map((s) => `${s.username} — ${s.title}`) },
      `motcua is ready at ${config.publicUrl} (embedded: PGlite in ${config.dataDir}, jobs inline). ` +
        `Demo staff accounts: ${DEMO_STAFF.map((s) => s.username).join(', ')} — password "${DEMO_PASSWORD}"`,
    );
  }
  return { close: () => app.close() };
});
