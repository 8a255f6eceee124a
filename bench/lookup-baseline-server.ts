// Baselines for bench/admission-lookup.ts and bench/status.ts, in one child process: GET /hello, a bare fastify
// hello-world (the least an HTTP endpoint costs here); GET /result, a bare fastify handler doing exactly the admission
// look-up's one primary-key read on admission_results; and GET /dossier/:code, a bare handler doing one indexed read
// of a dossier row by its code (the unique index the status look-up starts from). Each with postgres.js (prepared,
// as motcua's raw client does), answering its row as JSON (404 when none). Prints its port on stdout once listening.
// Env: BENCH_BASE_DATABASE_URL (required), BENCH_BASE_RUN_ID (the published run; /result answers 404 without it),
// BENCH_BASE_PORT (default 0 = any free port).
import Fastify from 'fastify';
import postgres from 'postgres';

const url = process.env.BENCH_BASE_DATABASE_URL;
const runId = process.env.BENCH_BASE_RUN_ID;
if (!url) {
  console.error('lookup-baseline-server: BENCH_BASE_DATABASE_URL is required');
  process.exit(78);
}
const port = Number(process.env.BENCH_BASE_PORT ?? 0);

// Same pool size as motcua's postgres.js client (src/db/client.ts), so the comparison is about work per request.
const sql = postgres(url, { max: 10, onnotice: () => {} });
const app = Fastify({ logger: false });

app.get('/hello', async () => ({ hello: 'world' }));

app.get<{ Querystring: { pupilIdNumber?: string; birthDate?: string } }>('/result', async (request, reply) => {
  const { pupilIdNumber = '', birthDate = '' } = request.query;
  if (!runId) return reply.status(404).send({ error: 'no run' });
  const rows = await sql.unsafe<{ school_unit_id: string | null; choice_rank: number | null; total: number }[]>(
    'select school_unit_id, choice_rank, total from admission_results where run_id = $1 and pupil_id_number = $2 and birth_date = $3',
    [runId, pupilIdNumber, birthDate], { prepare: true });
  const row = rows[0];
  if (!row) return reply.status(404).send({ error: 'not found' });
  return { school: row.school_unit_id, choiceRank: row.choice_rank, total: row.total / 100 };
});

app.get<{ Params: { code: string } }>('/dossier/:code', async (request, reply) => {
  const rows = await sql.unsafe<Record<string, unknown>[]>('select * from dossiers where code = $1', [request.params.code], { prepare: true });
  const row = rows[0];
  if (!row) return reply.status(404).send({ error: 'not found' });
  return row;
});

const shutdown = async (): Promise<void> => {
  await app.close();
  await sql.end({ timeout: 2 });
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

const address = await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`${new URL(address).port}\n`);
