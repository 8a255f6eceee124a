// `npm run bench:notices [-- --count N]`: admission notices signed in bulk by the job queue, in production mode
// (PostgreSQL, Redis, BullMQ, a separate worker process). A benchmark, not a test: it prints figures and fails only
// when the notices do not all get signed.
//
// The bench process builds the season in a fresh database: the demo organisation, staff and signing keys (the
// principals' server-held keys and the schools' seals, as the embedded demo seeds them), N registrations and a done,
// published run admitting every pupil at their first choice (bulk SQL, as the assignment job would leave it). Then:
// 1. Baseline, in the bench process: BASELINE_SAMPLES notices issued one at a time through the same use-case the
//    queue runs (services/results/issue-result.ts: render, sign, seal, store, move on), each alone; per-notice wall
//    and CPU time, times N = the time N notices take one after another.
// 2. Bulk: startNotices (the use-case behind POST /api/admin/campaigns/:id/assignment/:runId/notices) with the
//    administrator as caller; the worker process runs the apply-admission-run batches and the issue-result jobs;
//    the clock stops when every admitted dossier has its signed notice. Worker CPU from /proc.
// The database and the queue's Redis keys are removed at the end, even on failure or Ctrl-C. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { AppContext } from '../src/app-context.js';
import { loadConfig } from '../src/config.js';
import { closeContext, createContext } from '../src/context.js';
import { noticeCounts } from '../src/db/repositories/admission-notices.js';
import { findStaffByUsername } from '../src/db/repositories/staff.js';
import { createLogger } from '../src/logger.js';
import { startNotices } from '../src/services/admissions/notices.js';
import { issueResult } from '../src/services/results/issue-result.js';
import {
  type Child, cpuMs, createBenchDatabase, databaseUrl, ExitError, freePort, onCleanup, positiveInt, runBenchmark, startChild, stopChild, waitForHealthz,
  cleanupOnSignals,
} from './harness.js';

const { values: args } = parseArgs({ options: { count: { type: 'string' } }, strict: false });
const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  count: typeof args.count === 'string' ? Number(args.count) : positiveInt('BENCH_NOTICES', 2000),
  baselineSamples: positiveInt('BENCH_BASELINE_SAMPLES', 10),
  concurrency: positiveInt('BENCH_WORKER_CONCURRENCY', 4),
  timeoutSeconds: positiveInt('BENCH_TIMEOUT_SECONDS', 3600),
};
if (!Number.isSafeInteger(settings.count) || settings.count < 1) throw new Error('--count: a positive whole number');
const CAMPAIGN = 'ts10-bench-notices';

cleanupOnSignals('stopping the worker, dropping the bench database and the queue keys');

/** N registrations (+ the baseline's, already in `signing`), a done published run admitting every pupil at choice 1. */
async function buildSeason(url: string, pupils: number, baseline: number): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const schools = await sql<{ id: string; agency_code: string }[]>`select id, agency_code from units where kind = 'school_office' order by id`;
    const [version] = await sql<{ id: number }[]>`select id from procedure_versions where procedure_id = 'admission-registration' order by id desc limit 1`;
    if (schools.length === 0 || !version) throw new Error('the demo organisation or the admission procedure is missing');
    const quota = Math.ceil(pupils / schools.length);
    await sql`insert into admission_campaigns (id, name, grade, school_year, opens_at, closes_at, choices, rule)
      values (${CAMPAIGN}, 'Tuyển sinh lớp 10 (benchmark thông báo)', 10, '2026-2027', now() - interval '30 days', now() - interval '10 days', 3, 'deferred-acceptance')`;
    for (const s of schools) await sql`insert into campaign_schools (campaign_id, school_unit_id, quota) values (${CAMPAIGN}, ${s.id}, ${quota})`;
    const ids = sql.array(schools.map((s) => s.id));
    const agencies = sql.array(schools.map((s) => s.agency_code));
    const n = schools.length;
    const insert = (from: number, to: number, prefix: string, status: string) => sql`
      insert into dossiers (code, procedure_id, procedure_version_id, agency_code, unit_id, status, form_data, applicant_name)
      select ${prefix} || i, 'admission-registration', ${version.id}, (${agencies}::text[])[1 + i % ${n}], (${ids}::text[])[1 + i % ${n}], ${status},
        jsonb_build_object('campaign', ${CAMPAIGN}::text, 'grade', '10', 'pupilName', 'Học sinh ' || i, 'pupilIdNumber', '0384' || lpad(i::text, 8, '0'),
          'pupilBirthDate', to_char(date '2011-01-01' + (i % 365), 'YYYY-MM-DD'), 'pupilGender', 'female', 'residence', 'Phường Điện Biên, TP Thanh Hóa',
          'parentName', 'Phụ huynh ' || i, 'parentPhone', '0912000333', 'priority', 'none', 'choice1', (${ids}::text[])[1 + i % ${n}]),
        'Phụ huynh ' || i
      from generate_series(${from}::int, ${to}::int) as i`;
    await insert(1, pupils, 'BN-', 'submitted');
    await insert(pupils + 1, pupils + baseline, 'BB-', 'signing');
    const runId = (await sql<{ id: string }[]>`insert into admission_runs (campaign_id, status, progress, rule, seed, finished_at, published_at)
      values (${CAMPAIGN}, 'done', 1, 'deferred-acceptance', ${randomBytes(16).toString('hex')}, now(), now()) returning id`)[0]!.id;
    await sql`
      insert into admission_results (run_id, campaign_id, pupil_id_number, dossier_id, birth_date, school_unit_id, choice_rank, total)
      select ${runId}, ${CAMPAIGN}, form_data ->> 'pupilIdNumber', id, form_data ->> 'pupilBirthDate', unit_id, 1, 2000 + (substr(code, 4)::int * 7919) % 2000
      from dossiers where code like 'BN-%'`;
    await sql`
      insert into admission_cutoffs (run_id, school_unit_id, quota, admitted, cutoff)
      select ${runId}, s.school_unit_id, s.quota, count(r.pupil_id_number)::int, min(r.total)
      from campaign_schools s left join admission_results r on r.run_id = ${runId} and r.school_unit_id = s.school_unit_id
      where s.campaign_id = ${CAMPAIGN} group by s.school_unit_id, s.quota`;
    await sql`analyze`;
    return runId;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One notice at a time through issue-result, in this process: per-notice wall and CPU milliseconds. */
async function baseline(ctx: AppContext, samples: number): Promise<{ wallMs: number; cpuMs: number }> {
  const rows = await ctx.db.execute<{ id: string; unit_id: string }>(
    'select id, unit_id from dossiers where code like \'BB-%\' order by code' as never);
  const dossiers = (Array.isArray(rows) ? rows : (rows as { rows: Array<{ id: string; unit_id: string }> }).rows);
  // The first one warms the template, fonts and keys up; it is not counted.
  const [first, ...rest] = dossiers;
  await issueResult(ctx, first!.id, null);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const d of rest.slice(0, samples)) await issueResult(ctx, d.id, null);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const k = Math.min(samples, rest.length);
  return { wallMs: wall / k, cpuMs: (cpu.user + cpu.system) / 1000 / k };
}

async function main(): Promise<void> {
  const name = `motcua_bench_notices_${randomBytes(4).toString('hex')}`;
  await createBenchDatabase(settings.adminUrl, name);
  const url = databaseUrl(settings.adminUrl, name);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-notices-'));
  onCleanup('remove the data directory', () => rm(dataDir, { recursive: true, force: true }));
  const prefix = `bench-notices-${randomBytes(4).toString('hex')}`;
  onCleanup('remove the queue keys', async () => {
    const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 2 });
    try {
      for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    } finally {
      redis.disconnect();
    }
  });
  const healthPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, NODE_ENV: 'production', DATABASE_URL: url, APP_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir,
    REDIS_URL: settings.redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PUBLIC_URL: 'http://127.0.0.1:3000',
    WORKER_HEALTH_PORT: String(healthPort), WORKER_CONCURRENCY: String(settings.concurrency), DEMO_CA_CRL: 'off',
  };

  // The bench's own context: migrates, publishes the catalogue, seeds the demo organisation, staff and keys (what an
  // administrator would set up); role 'server' with Redis: it runs no job (the outbox is the worker's).
  const config = { ...loadConfig(env), demoData: true };
  const ctx = await createContext(config, createLogger(config, 'bench'), 'server');
  onCleanup('close the bench context', () => closeContext(ctx));
  const runId = await buildSeason(url, settings.count, settings.baselineSamples + 1);
  const admin = await findStaffByUsername(ctx.db, 'admin');
  if (!admin) throw new Error('no demo administrator');

  const perNotice = await baseline(ctx, settings.baselineSamples);
  console.log(`baseline: one notice issued alone (render, sign, seal, store, move on): ${perNotice.wallMs.toFixed(1)} ms wall, ${perNotice.cpuMs.toFixed(1)} ms CPU`);

  const worker: Child = startChild('worker', ['--import', 'tsx', 'src/worker.ts'], env);
  onCleanup('stop the worker', () => stopChild(worker));
  await waitForHealthz(`http://127.0.0.1:${healthPort}/readyz`, worker);
  const workerCpu0 = cpuMs(worker.process.pid) ?? 0;

  const t0 = performance.now();
  const { total } = await startNotices(ctx, { kind: 'staff', staff: admin, ip: '127.0.0.1' } as never, CAMPAIGN, runId);
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  let counts = await noticeCounts(ctx.db, runId);
  let lastPrint = 0;
  while (counts.signed + counts.failedJobs < counts.admitted) {
    if (Date.now() > deadline) {
      console.error(`timed out: ${counts.signed} of ${counts.admitted} signed`);
      throw new ExitError(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    counts = await noticeCounts(ctx.db, runId);
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      console.log(`  … applied ${counts.applied}/${total}, signed ${counts.signed}/${counts.admitted}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const workerCpu = (cpuMs(worker.process.pid) ?? 0) - workerCpu0;
  if (counts.failedJobs > 0) {
    console.error(`${counts.failedJobs} notices failed`);
    throw new ExitError(1);
  }

  const sequential = (perNotice.wallMs * total) / 1000;
  console.log(`bulk: ${total} admitted pupils, POST → all notices signed in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(1)} notices/s), `
    + `worker CPU ${(workerCpu / total).toFixed(1)} ms per notice (concurrency ${settings.concurrency})`);
  console.log(`baseline × ${total}: ${sequential.toFixed(1)} s one after another (${(1000 / perNotice.wallMs).toFixed(1)} notices/s)`);
  console.log(`ratio bulk / baseline: ${(seconds / sequential).toFixed(2)} (time), ${((workerCpu / total) / perNotice.cpuMs).toFixed(2)} (CPU per notice)`);
}

await runBenchmark(main);
