// Runs assign() in a worker thread (assign-worker.ts) and hands its progress to `onProgress` as it comes. A run is rare
// (once per campaign, again after re-marking), so each one starts its own thread and stops it after: no pool to keep
// open, and a crashed or exhausted thread never outlives its run. Loading the worker follows signing/verify-pool.ts:
// the .ts sibling under tsx/vitest (with tsx's loader unless the process already runs under it), the .js once compiled.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AssignmentInputError, type AssignmentInput, type AssignmentResult } from './assignment.js';
import type { AssignTask, AssignTaskResult } from './assign-worker.js';

const here = fileURLToPath(import.meta.url);
const fromSources = here.endsWith('.ts');
const workerFile = path.join(path.dirname(here), fromSources ? 'assign-worker.ts' : 'assign-worker.js');

function workerExecArgv(): string[] | undefined {
  if (!fromSources || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** assign(input) off the event loop; throws AssignmentInputError as assign() would. */
export async function assignInThread(input: AssignmentInput, onProgress: (fraction: number) => void): Promise<AssignmentResult> {
  const pool = new Piscina<AssignTask, AssignTaskResult>({ filename: workerFile, minThreads: 1, maxThreads: 1, execArgv: workerExecArgv() });
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (fraction: number) => onProgress(fraction));
  try {
    const answer = await pool.run({ input, progress: port2 }, { transferList: [port2] });
    if (!answer.ok) throw new AssignmentInputError(answer.problem, answer.message, answer.field, answer.pupilId, answer.choice);
    // The last fraction may still be in flight on the port when the answer comes back: the run is complete now.
    onProgress(1);
    return answer.result;
  } finally {
    port1.close();
    await pool.destroy();
  }
}
