// Baseline for bench/intake.ts: the least a multipart intake endpoint can do — a bare fastify server that reads the
// same multipart body (fields + one file, buffered) and does exactly one INSERT per request with postgres.js.
// Run as a child process by the bench (so the load generator does not share its event loop); prints its port on
// stdout once listening. Env: BENCH_BASE_DATABASE_URL (required), BENCH_BASE_PORT (default 0 = any free port).
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import postgres from 'postgres';

const url = process.env.BENCH_BASE_DATABASE_URL;
if (!url) {
  console.error('baseline-server: BENCH_BASE_DATABASE_URL is required');
  process.exit(78);
}
const port = Number(process.env.BENCH_BASE_PORT ?? 0);

// Same pool size as motcua's postgres.js client (src/db/client.ts), so the comparison is about work per request.
const sql = postgres(url, { max: 10, onnotice: () => {} });
await sql`
  create table if not exists intake (
    id uuid primary key default gen_random_uuid(),
    data jsonb not null,
    created_at timestamptz not null default now()
  )`;

const app = Fastify({ logger: false });
await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 20 } });

app.post('/dossiers', async (request, reply) => {
  const fields: Record<string, string> = {};
  const files: { field: string; name: string; bytes: number }[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      files.push({ field: part.fieldname, name: part.filename, bytes: data.length });
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(fields.data ?? '{}');
  } catch {
    return reply.status(422).send({ error: { code: 'VALIDATION_FAILED', message: 'data is not JSON' } });
  }
  const row = { procedure: fields.procedure ?? null, data, files };
  const [inserted] = await sql<{ id: string }[]>`insert into intake (data) values (${sql.json(row as postgres.JSONValue)}) returning id`;
  return reply.status(201).send({ id: inserted!.id });
});

const shutdown = async (): Promise<void> => {
  await app.close();
  await sql.end({ timeout: 2 });
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

const address = await app.listen({ host: '127.0.0.1', port });
const listening = new URL(address).port;
process.stdout.write(`${listening}\n`);
