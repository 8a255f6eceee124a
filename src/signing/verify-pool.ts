// A small pool of worker threads (piscina) for verify-worker.ts, so checking an uploaded PDF — hashing, CMS parsing,
// RSA — never runs on the server's event loop. Bounded three ways: threads (at most 2, leaving a core to the event
// loop), a short queue (a full one is refused at once, not queued without end) and a time budget per file (the
// thread running an over-budget file is terminated and replaced).
//
// The worker file is the sibling of this module: verify-worker.ts when running from sources (tsx, vitest: the
// thread then needs tsx's loader, passed with --import unless the process already runs under it), verify-worker.js
// once compiled (dist/src/signing/).
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { VerifyTask, VerifyTaskResult } from './verify-worker.js';

export const VERIFIER_THREADS = Math.min(2, Math.max(1, availableParallelism() - 1));
/** Files waiting for a thread (beyond one running per thread); each holds its bytes (≤ the verify size limit) meanwhile. */
export const VERIFIER_MAX_QUEUE = 8;
/** From submission (queue wait included) to answer. A normal result takes a few milliseconds. */
export const VERIFY_TIME_BUDGET_MS = 5_000;
/** Heap of one verifier thread: far above what a bounded verification needs, far below the server's. */
const THREAD_HEAP_MB = 256;

/** Every thread busy and the queue full: try again shortly. */
export class VerifierBusyError extends Error {
  constructor() {
    super('verifier queue is full');
    this.name = 'VerifierBusyError';
  }
}

/** The file was not verified within the time budget (its thread was stopped). */
export class VerifierTimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(`verification exceeded ${budgetMs} ms`);
    this.name = 'VerifierTimeoutError';
  }
}

const here = fileURLToPath(import.meta.url);
const fromSources = here.endsWith('.ts');
const workerFile = path.join(path.dirname(here), fromSources ? 'verify-worker.ts' : 'verify-worker.js');

function workerExecArgv(): string[] | undefined {
  // Compiled, or already under tsx (`tsx src/main.ts`, `node --import tsx`): the threads inherit the process's flags.
  if (!fromSources || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

let pool: Piscina<VerifyTask, VerifyTaskResult> | undefined;
let holders = 0;
/** Files running or waiting. Counted here: piscina's maxQueue does not count tasks that carry an AbortSignal. */
let inFlight = 0;

function currentPool(): Piscina<VerifyTask, VerifyTaskResult> {
  // Made on first use, so processes that never verify (the job worker, most tests) start no thread.
  pool ??= new Piscina<VerifyTask, VerifyTaskResult>({
    filename: workerFile,
    minThreads: 1,
    maxThreads: VERIFIER_THREADS,
    maxQueue: VERIFIER_MAX_QUEUE,
    idleTimeout: 60_000,
    execArgv: workerExecArgv(),
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
  });
  return pool;
}

/**
 * Holds the pool open for one app; the returned function lets go, and the last holder's release destroys it
 * (buildApp releases on close, so tests and graceful shutdowns leave no thread behind). Idle threads are unref'd
 * by piscina and never keep a process alive on their own.
 */
export function retainVerifierPool(): () => Promise<void> {
  holders++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    holders--;
    if (holders > 0 || !pool) return;
    const closing = pool;
    pool = undefined;
    await closing.destroy();
  };
}

export interface VerifyInPoolOptions {
  /** Default VERIFY_TIME_BUDGET_MS. */
  timeoutMs?: number;
  /**
   * The caller hands the bytes over: when `pdf` is the only view of its memory (as a freshly read upload is), that
   * memory is moved to the thread instead of copied, and `pdf` is empty afterwards. Copying 10 MB on this VM holds
   * the event loop for ~35 ms (page faults on the fresh copy).
   */
  handOver?: boolean;
}

/** Verifies `pdf` in a verifier thread; throws VerifierBusyError or VerifierTimeoutError when the bounds are hit. */
export async function verifyInPool(pdf: Buffer, anchorsPem: string, options: VerifyInPoolOptions = {}): Promise<VerifyTaskResult> {
  if (inFlight >= VERIFIER_THREADS + VERIFIER_MAX_QUEUE) throw new VerifierBusyError();
  const budgetMs = options.timeoutMs ?? VERIFY_TIME_BUDGET_MS;
  const signal = AbortSignal.timeout(budgetMs);
  // Moved, not cloned: the bytes the thread gets are either pdf's own memory (handed over, sole owner) or an exact
  // copy (a Buffer may share its memory with other Buffers, which must not be taken away from them).
  const owned = options.handOver === true && pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength && pdf.buffer instanceof ArrayBuffer;
  const bytes = owned ? new Uint8Array(pdf.buffer, 0, pdf.byteLength) : new Uint8Array(pdf.byteLength);
  if (!owned) bytes.set(pdf);
  inFlight++;
  try {
    return await currentPool().run({ pdf: bytes, anchorsPem }, { signal, transferList: [bytes.buffer] });
  } catch (error) {
    if (signal.aborted) throw new VerifierTimeoutError(budgetMs);
    if (error instanceof Error && /queue is at limit|No task queue available/.test(error.message)) throw new VerifierBusyError();
    throw error;
  } finally {
    inFlight--;
  }
}
