// `npm run check:workflows [dir] [--templates dir]`: validates every workflow file the way the server does
// at boot, so an author (or CI) sees every problem before deploying. Exit 1 on any problem.

import { parseArgs } from 'node:util';
import { createEffectRegistry } from '../effects/index.js';
import { formatProblem, loadWorkflowDir, WorkflowCheckError } from '../workflow/loader.js';

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { templates: { type: 'string', default: 'templates' } },
  });
  // Relative defaults keep the messages short (workflows/x.yaml) when run from the project root, as npm does.
  const dir = positionals[0] ?? 'workflows';
  try {
    for (const wf of loadWorkflowDir(dir, { templatesDir: values.templates, effects: createEffectRegistry().names })) {
      console.log(`✓ ${wf.definition.id} (hash ${wf.hash.slice(0, 12)}) ${wf.file}`);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof WorkflowCheckError)) throw err;
    for (const p of err.problems) console.error(formatProblem(p));
    console.error(`${err.problems.length} lỗi trong quy trình.`);
    return 1;
  }
}

process.exitCode = main();
