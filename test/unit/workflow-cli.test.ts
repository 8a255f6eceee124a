import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FIXTURE_TEMPLATES = 'test/fixtures/workflows/_templates';

// Runs the CLI the way `npm run check:workflows` does (tsx), from the project root.
function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/check-workflows.ts', ...args], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('check-workflows CLI', () => {
  it('exits 1 and prints file, path and offending name for a broken workflow', () => {
    const r = run('test/fixtures/workflows/unknown-target', '--templates', FIXTURE_TEMPLATES);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'test/fixtures/workflows/unknown-target/minimal.yaml: states.submitted.on.receive.to: chuyển tới trạng thái không tồn tại "chekced"',
    );
    expect(r.stdout).toBe('');
  });

  it('prints every problem of a directory', () => {
    const r = run('test/fixtures/workflows/bad-identifier', '--templates', FIXTURE_TEMPLATES);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('states.checking.on.ask.to');
    expect(r.stderr).toContain('states.Waiting-State');
  });

  it('exits 0 on workflows/ and prints each procedure with its hash', () => {
    // The real result template is another module's file; fall back to the fixture while it does not exist.
    const args = existsSync('templates/documents/diploma-copy.hbs') ? [] : ['--templates', FIXTURE_TEMPLATES];
    const r = run('workflows', ...args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ diploma-copy \(hash [0-9a-f]{12}\)/);
  });
});
