// Part of `npm run check:cycles`: an import whose every name is marked `type` (`import { type A } from …`) still
// loads the module at run time under verbatimModuleSyntax, while dependency-cruiser counts it as type-only — so it
// could hide a runtime cycle. Such imports must be written `import type { A } from …`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const offenders = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (file.endsWith('.ts')) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const m = /^import\s*\{([^}]*)\}\s*from/.exec(line);
        if (m && m[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
  }
};
walk('src');
if (offenders.length > 0) {
  console.error(`Write these as \`import type { … }\` (they load the module at run time as written):\n${offenders.join('\n')}`);
  process.exit(1);
}
