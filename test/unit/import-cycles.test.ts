// `npm run check:cycles` guards DESIGN rule 11 (no runtime import cycles). This proves the rule in
// .dependency-cruiser.cjs does what it says, with the same configuration the check uses: a runtime cycle is
// reported, a cycle closed only by `import type` is not.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The fixture has its own src/ so the rule's `from: ^src/` applies to it unchanged (paths are relative to baseDir).
const fixture = path.join(root, 'test/fixtures/import-cycles');

let result: ICruiseResult;

beforeAll(async () => {
  const options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.cjs'));
  const tsConfigFile = path.join(root, options.tsConfig?.fileName ?? 'tsconfig.json');
  const reporterOutput = await cruise(
    ['src'],
    { ...options, baseDir: fixture, tsConfig: { fileName: tsConfigFile } },
    undefined,
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  result = reporterOutput.output as ICruiseResult;
});

const cycleViolations = (folder: string) => result.summary.violations.filter(
  (v) => v.rule.name === 'no-runtime-cycle' && v.from.startsWith(`src/${folder}/`),
);

describe('no-runtime-cycle (.dependency-cruiser.cjs)', () => {
  it('cruises the fixture, with the type-only import recognised as such', () => {
    const sources = result.modules.map((m) => m.source).sort();
    expect(sources).toEqual(['src/runtime/a.ts', 'src/runtime/b.ts', 'src/type-only/a.ts', 'src/type-only/b.ts']);
    const typeOnlyB = result.modules.find((m) => m.source === 'src/type-only/b.ts');
    expect(typeOnlyB?.dependencies.map((d) => [d.resolved, d.dependencyTypes.includes('type-only')]))
      .toEqual([['src/type-only/a.ts', true]]);
  });

  it('reports a runtime cycle a.ts → b.ts → a.ts', () => {
    const violations = cycleViolations('runtime');
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]?.rule.severity).toBe('error');
    expect(violations.map((v) => `${v.from} → ${v.to}`)).toContain('src/runtime/a.ts → src/runtime/b.ts');
  });

  it('does not report a cycle closed only by `import type`', () => {
    expect(cycleViolations('type-only')).toEqual([]);
    expect(result.summary.violations.every((v) => v.from.startsWith('src/runtime/'))).toBe(true);
  });
});
