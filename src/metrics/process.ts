// Metrics that belong to the process rather than to one app built in it (tests build several apps in one process):
// Node's own (CPU, memory, event-loop lag, GC) and timings taken deep inside a use-case (signing a result), which
// has no app at hand. One registry per process; each /metrics endpoint adds its own app's metrics to it.
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const processRegistry = new Registry();

/** The signature or seal step of issuing a result (PAdES incremental update: hash, CMS, RSA, write). */
export const signingSeconds = new Histogram({
  name: 'motcua_signing_duration_seconds',
  help: 'Time to apply one signature or seal to a result PDF, by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [processRegistry],
});

/** Times one signing step; a step that throws is counted under outcome="error" and rethrown. */
export async function timeSigning<T>(kind: 'signature' | 'seal', sign: () => Promise<T>): Promise<T> {
  const end = signingSeconds.startTimer({ kind });
  try {
    const result = await sign();
    end({ outcome: 'ok' });
    return result;
  } catch (error) {
    end({ outcome: 'error' });
    throw error;
  }
}

let defaultsStarted = false;

/** Node's own metrics, started by the first endpoint that exposes them (the event-loop monitor runs from then on). */
export function startProcessMetrics(): Registry {
  if (!defaultsStarted) {
    collectDefaultMetrics({ register: processRegistry });
    defaultsStarted = true;
  }
  return processRegistry;
}
