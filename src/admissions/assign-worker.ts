// The assignment engine in a worker thread (assign-thread.ts starts it): a province's run keeps the job worker's event
// loop free, and its progress reaches the caller while it runs (posted on a MessagePort, not returned at the end).
import type { MessagePort } from 'node:worker_threads';
import { assign, AssignmentInputError, type AssignmentInput, type AssignmentInputProblem, type AssignmentResult } from './assignment.js';

export interface AssignTask {
  input: AssignmentInput;
  /** Receives each progress fraction (0..1) as the engine reports it. */
  progress: MessagePort;
}

/** An input error crosses the thread as data (an Error's class does not survive structured cloning). */
export type AssignTaskResult =
  | { ok: true; result: AssignmentResult }
  | { ok: false; problem: AssignmentInputProblem; message: string; field: string; pupilId?: string; choice?: number };

export function runAssignTask(task: AssignTask): AssignTaskResult {
  try {
    return { ok: true, result: assign(task.input, { onProgress: (fraction) => task.progress.postMessage(fraction) }) };
  } catch (error) {
    if (!(error instanceof AssignmentInputError)) throw error;
    return {
      ok: false, problem: error.problem, message: error.message, field: Object.keys(error.fields ?? {})[0] ?? 'pupils',
      ...(error.pupilId !== undefined ? { pupilId: error.pupilId } : {}), ...(error.choice !== undefined ? { choice: error.choice } : {}),
    };
  } finally {
    task.progress.close();
  }
}

// piscina calls the default export with each task.
export default runAssignTask;
