// Production worker process: relays the outbox to BullMQ and runs the job handlers. Scale by running more copies.
// It serves no API, only /healthz, /readyz (the orchestrator's probes) and /metrics on WORKER_HEALTH_PORT (health.ts).
import { runProcess } from './entrypoint.js';
import { startHealthServer } from './health.js';
import { workerMetricsEndpoint } from './metrics/worker-endpoint.js';
import { failFastRedis } from './redis.js';

await runProcess('motcua-worker', (config) => (config.queue.kind === 'inline' ? 'embedded' : 'worker'), async (ctx, log) => {
  const { config } = ctx;
  const redis = config.queue.kind === 'bullmq' && config.workerHealthPort > 0 ? failFastRedis(config.queue.url, log, 'health') : undefined;
  const health = config.workerHealthPort > 0
    ? await startHealthServer({
      host: config.host, port: config.workerHealthPort, log,
      probe: { database: ctx.database, queue: { kind: config.queue.kind, ping: redis ? async () => { await redis.ping(); } : undefined } },
      metrics: workerMetricsEndpoint(ctx, redis),
    })
    : undefined;
  await ctx.jobs.start();
  log.info({ driver: ctx.jobs.kind, healthPort: health?.port ?? null }, 'worker started');
  return { close: async () => { await health?.close(); redis?.disconnect(); } };
});
