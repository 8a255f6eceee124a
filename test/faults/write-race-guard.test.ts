// The second line of defence (db/postgres-fix.ts): if postgres.js could not be patched as it loads, the process
// guard keeps a database restart from ending the process — recognising the real error postgres.js 3.4.9 throws —
// and still lets every other uncaught exception end it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-services.js';

const CHILD = 'test/fixtures/processes/unpatched-postgres.ts';

function startChild(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const waitFor = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('the postgres.js write-race guard', () => {
  let pg: OwnPostgres;
  beforeAll(async () => { pg = await startOwnPostgres(); });
  afterAll(async () => { await pg?.close(); });

  it('keeps an unpatched process alive through PostgreSQL restarts that make postgres.js throw', async () => {
    const run = startChild([], { DATABASE_URL: pg.url });
    expect(await waitFor(() => run.output().includes('READY'), 20_000)).toBe(true);
    // The race needs a transaction in flight when the server goes: usually the first restart, a few at most.
    for (let i = 0; i < 6 && !run.output().includes('CAUGHT'); i++) {
      await new Promise((r) => setTimeout(r, 300));
      await pg.restart('fast');
    }
    expect(run.output()).toContain("CAUGHT Cannot read properties of null (reading 'write')");
    expect(run.child.exitCode).toBeNull();
    run.child.stdin.end();
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain('ALIVE');
  });

  it('lets any other uncaught exception end the process', async () => {
    const run = startChild(['--throw']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('CLOSING after an ordinary bug');
    expect(run.output()).not.toContain('ALIVE');
  });
});
