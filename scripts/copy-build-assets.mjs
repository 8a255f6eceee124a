// `npm run build`, after tsc: copies every file under src/ that tsc does not emit (seed YAML, JSON data, anything
// added later) to the same place under dist/src/, so the built code finds what the sources read next to themselves.
// READMEs and TypeScript stay behind. tsc already emits a JSON file imported with `with { type: 'json' }`; copying
// it again is harmless and keeps this list from depending on how a file is read.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const SOURCE = 'src';
const TARGET = path.join('dist', 'src');
const copied = [];

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) { walk(from); continue; }
    if (/\.(ts|mts|cts)$/.test(entry.name) || entry.name === 'README.md') continue;
    const to = path.join(TARGET, path.relative(SOURCE, from));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to);
    copied.push(path.relative(SOURCE, from));
  }
}

walk(SOURCE);
console.log(`build assets copied to ${TARGET}: ${copied.join(', ') || 'none'}`);
