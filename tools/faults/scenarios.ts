// The faults, each injected while the load generator runs. Durations are the same in --quick and full runs (the
// interesting part is an outage longer than the jobs' retry window); --quick shortens the load around them.
import type { AppProcess, PgCluster, RedisServer, SmtpSink } from './infra.js';
import { sleep } from './infra.js';

export interface FaultEnv {
  pg: PgCluster;
  redis: RedisServer;
  sink: SmtpSink;
  server: AppProcess;
  worker: AppProcess;
  quick: boolean;
  /** Resolves once a dossier waits for its signing job (or after 10 s): a kill then hits a busy worker. */
  workInFlight(): Promise<void>;
  /** Timestamped lines for the report: what was done to whom, when. */
  log(text: string): void;
}

export interface Scenario {
  name: string;
  summary: string;
  /** Redis flavour for this scenario: AOF + fsync always (data kept across a restart) or no persistence at all. */
  redisPersistent: boolean;
  inject(env: FaultEnv): Promise<void>;
}

const REDIS_DOWN_MS = 30_000;
const PG_DOWN_MS = 60_000;
const SMTP_DOWN_MS = 30_000;

export const SCENARIOS: Scenario[] = [
  {
    name: 'baseline',
    summary: 'no fault: checks the harness and the measurement (must always pass)',
    redisPersistent: true,
    async inject() {},
  },
  {
    name: 'worker-kill',
    summary: 'kill -9 of the worker while a result is being signed (and e-mails sent); restarted after 1 s; twice 8 s apart (3 times 15 s apart in a full run)',
    redisPersistent: true,
    async inject(env) {
      const times = env.quick ? 2 : 3;
      for (let i = 0; i < times; i++) {
        await env.workInFlight();
        env.log(`kill -9 worker (pid ${env.worker.pid ?? '-'})`);
        await env.worker.kill9(1000);
        if (i < times - 1) await sleep(env.quick ? 8000 : 15_000);
      }
    },
  },
  {
    name: 'server-kill',
    summary: 'kill -9 of the API server with requests in flight; restarted after 1 s (3 times 15 s apart in a full run)',
    redisPersistent: true,
    async inject(env) {
      const times = env.quick ? 1 : 3;
      for (let i = 0; i < times; i++) {
        env.log(`kill -9 server (pid ${env.server.pid ?? '-'})`);
        await env.server.kill9(1000);
        if (i < times - 1) await sleep(15_000);
      }
    },
  },
  {
    name: 'redis-kept',
    summary: 'Redis killed (-9) and down 30 s, back with its data (appendonly yes, appendfsync always)',
    redisPersistent: true,
    async inject(env) {
      env.log('kill -9 redis (persistent)');
      await env.redis.kill9();
      await sleep(REDIS_DOWN_MS);
      await env.redis.start();
      env.log(`redis back, ${await env.redis.dbsize()} keys`);
    },
  },
  {
    name: 'redis-empty',
    summary: 'Redis killed (-9) and down 30 s, back EMPTY (no persistence): every queued, delayed and active job is gone',
    redisPersistent: false,
    async inject(env) {
      env.log('kill -9 redis (no persistence)');
      await env.redis.kill9();
      await sleep(REDIS_DOWN_MS);
      await env.redis.start();
      env.log(`redis back, ${await env.redis.dbsize()} keys`);
    },
  },
  {
    name: 'pg-restart',
    summary: 'PostgreSQL fast restart (pg_ctl restart -m fast: SIGINT to the postmaster, start again at once)',
    redisPersistent: true,
    async inject(env) {
      env.log('postgres fast shutdown');
      await env.pg.stopFast(env.log);
      await env.pg.start();
      env.log('postgres back');
    },
  },
  {
    name: 'pg-outage',
    summary: 'PostgreSQL down 60 s (fast shutdown, start again after 60 s)',
    redisPersistent: true,
    async inject(env) {
      env.log('postgres fast shutdown');
      await env.pg.stopFast(env.log);
      await sleep(PG_DOWN_MS);
      await env.pg.start();
      env.log('postgres back');
    },
  },
  {
    name: 'smtp-down',
    summary: 'the SMTP server down 30 s (connections refused), then up again',
    redisPersistent: true,
    async inject(env) {
      env.log('smtp down');
      await env.sink.stop();
      await sleep(SMTP_DOWN_MS);
      await env.sink.start();
      env.log('smtp up');
    },
  },
];
