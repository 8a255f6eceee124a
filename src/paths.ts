// Where the project's own folders (migrations/, templates/, workflows/) are, whether the code runs from src/ under tsx
// or from dist/src/ after `npm run build`: walk up from this file to the folder holding package.json.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('motcua: cannot find the project root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
export const DEFAULT_TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
export const DEFAULT_WORKFLOWS_DIR = path.join(PROJECT_ROOT, 'workflows');
