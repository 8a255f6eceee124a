// Production HTTP process (DATABASE_URL + REDIS_URL): serves the API and writes effects to the outbox; the worker
// process runs the jobs. Stateless, so any number of copies can run behind a load balancer.
import { buildApp } from './app.js';
import { runProcess } from './entrypoint.js';

await runProcess('motcua-server', (config) => (config.queue.kind === 'inline' ? 'embedded' : 'server'), async (ctx) => {
  const app = await buildApp(ctx);
  await ctx.jobs.start();
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  return { close: () => app.close() };
});
