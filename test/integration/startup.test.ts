// Start-up as operators meet it: a broken workflow file stops the real server process with the file and the name;
// a production start creates no demo accounts, the embedded one does (with a signing key for the leader).
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { readOrganisationSettings } from '../../src/db/repositories/administration.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { findActiveStaffKey } from '../../src/db/repositories/issued-documents.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => { for (const c of cleanups) await c(); });

describe('start-up', () => {
  it('refuses a workflow with a transition to an unknown state, naming the file, the path and the state', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-wf-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp('workflows', dir, { recursive: true });
    const file = path.join(dir, 'diploma-copy.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('to: awaiting_approval', 'to: awaiting_aproval'));
    const result = await run(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, WORKFLOWS_DIR: dir, DATA_DIR: path.join(dir, 'data'), PORT: '0' }, timeout: 60_000,
    }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('states.checking.on.verify.to');
    expect(result.stderr).toContain('"awaiting_aproval"');
  });

  it('creates no demo accounts in production', async () => {
    const env: TestEnvironment = await startTestEnvironment('production', { seedStaff: false });
    cleanups.push(() => env.close());
    for (const username of ['clerk', 'specialist', 'leader', 'admin', 'school']) {
      expect(await findStaffByUsername(env.ctx.db, username)).toBeUndefined();
    }
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'clerk', password: 'demo' } })).statusCode).toBe(401);
  });

  it('loads no demo organisation in production: no agencies, units, staff, campaigns or unit roles, and set-up not done', async () => {
    const env: TestEnvironment = await startTestEnvironment('production', { seedStaff: false });
    cleanups.push(() => env.close());
    const counts = rowsOf<Record<string, number>>(await env.ctx.db.execute(sql`select
      (select count(*)::int from agencies) as agencies, (select count(*)::int from units) as units,
      (select count(*)::int from staff_accounts) as staff, (select count(*)::int from admission_campaigns) as campaigns,
      (select count(*)::int from procedure_units) as unit_roles, (select count(*)::int from signing_keys) as keys`))[0];
    expect(counts).toEqual({ agencies: 0, units: 0, staff: 0, campaigns: 0, unit_roles: 0, keys: 0 });
    expect(await readOrganisationSettings(env.ctx.db)).toMatchObject({ provinceName: '', departmentAgencyCode: null, setupCompletedAt: null });
    expect(env.ctx.organisation).toMatchObject({ setupCompleted: false, provinceName: '' });
  });

  it('creates the demo accounts and the leader\'s demo certificate in the embedded default', async () => {
    // Fresh: this is the first start the other tests' snapshot copies (test/helpers/start-snapshots.ts).
    const env: TestEnvironment = await startTestEnvironment('embedded', { fresh: true });
    cleanups.push(() => env.close());
    const leader = await findStaffByUsername(env.ctx.db, 'leader');
    expect(leader?.roles).toEqual(['leader']);
    expect(await findActiveStaffKey(env.ctx.db, leader!.id)).toMatchObject({ certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'school', password: 'demo' } })).statusCode).toBe(200);
  });
});
