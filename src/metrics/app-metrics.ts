// One process's /metrics (server or worker): the process-wide registry (Node's metrics, signing times) plus this
// app's own — HTTP latency (server only) and the queue, outbox and failed-effect gauges, read on each scrape from
// the QueueInspector (cheap counts with a time limit). The gauges describe the whole installation, not this copy:
// every copy reports the same values, so aggregate them with max(), not sum().
import { Gauge, Histogram, Registry } from 'prom-client';
import type { QueueInspector, QueueStatus } from '../services/operations/queue-status.js';
import { startProcessMetrics } from './process.js';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export interface AppMetrics {
  /** Server only: records one HTTP request (route = the route's pattern, never the raw URL). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** The exposition text: process metrics, then this app's. */
  scrape(): Promise<string>;
}

export function createAppMetrics(inspector: QueueInspector): AppMetrics {
  const registry = new Registry();
  const httpSeconds = new Histogram({
    name: 'motcua_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // A scrape runs every gauge's collect() at once; they share the inspector's one read.
  const fromStatus = <L extends string>(
    gauge: { name: string; help: string; labelNames?: readonly L[] },
    fill: (set: (labels: Partial<Record<L, string>>, value: number) => void, status: QueueStatus) => void,
  ) => new Gauge<L>({
    ...gauge,
    registers: [registry],
    async collect() {
      this.reset();
      const status = await inspector.status();
      fill((labels, value) => this.set(labels as never, value), status);
    },
  });

  fromStatus({ name: 'motcua_queue_jobs', help: 'Jobs per queue and state (embedded: outbox rows per job; active unknown)', labelNames: ['queue', 'state'] as const }, (set, status) => {
    for (const queue of status.queues ?? []) {
      for (const state of QUEUE_STATES) {
        const value = queue[state];
        if (value !== null) set({ queue: queue.name, state }, value);
      }
    }
  });
  fromStatus({ name: 'motcua_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job per queue (0: none waiting)', labelNames: ['queue'] as const }, (set, status) => {
    for (const queue of status.queues ?? []) set({ queue: queue.name }, ageSeconds(queue.oldestWaitingAt, status.readAt));
  });
  fromStatus({ name: 'motcua_metrics_source_up', help: 'Whether the last scrape could read the source in time (1) or not (0)', labelNames: ['source'] as const }, (set, status) => {
    set({ source: 'queue' }, status.queues ? 1 : 0);
    set({ source: 'outbox' }, status.outbox ? 1 : 0);
  });
  fromStatus({ name: 'motcua_outbox_rows', help: 'Unfinished outbox rows: pending = not handed to the queue yet, relayed = handed over, not done', labelNames: ['stage'] as const }, (set, status) => {
    if (!status.outbox) return;
    set({ stage: 'pending' }, status.outbox.pending);
    set({ stage: 'relayed' }, status.outbox.relayed);
  });
  fromStatus({ name: 'motcua_outbox_lag_seconds', help: 'Age of the oldest effect neither done nor failed (0: none)' }, (set, status) => {
    if (status.outbox) set({}, ageSeconds(status.outbox.oldestUnfinishedAt, status.readAt));
  });
  fromStatus({ name: 'motcua_failed_effects', help: 'Effects that failed for good and wait for an administrator (/can-bo/tac-vu-loi)' }, (set, status) => {
    if (status.outbox) set({}, status.outbox.failed);
  });

  const processRegistry = startProcessMetrics();
  return {
    observeRequest(method, route, statusCode, seconds) {
      httpSeconds.observe({ method, route, status_class: `${Math.floor(statusCode / 100)}xx` }, seconds);
    },
    async scrape() {
      const [processText, appText] = await Promise.all([processRegistry.metrics(), registry.metrics()]);
      return `${processText}\n${appText}`;
    },
  };
}

function ageSeconds(since: Date | null, now: Date): number {
  return since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : 0;
}
