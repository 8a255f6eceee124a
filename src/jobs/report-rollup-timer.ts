import type { AppContext } from '../app-context.js';
import { refreshReportRollups } from '../db/repositories/report-rollup.js';

/**
 * Rolls the report figures of changed past months up again every REPORT_ROLLUP_EVERY_MS (db/repositories/report-rollup.ts),
 * in each worker process (BullMQ driver) or the embedded server (inline driver). A timer, not a queued job: a run is
 * one statement when nothing changed, several processes running it at once build once (an advisory lock), and a run
 * lost to a restart costs one period. Until a month is rebuilt its figures are counted from the dossiers — exact, but
 * at the cost of the month's dossiers for every dashboard opened meanwhile: a month staff are working through (last
 * month's admission peak) is marked again and again, hence a short period.
 */
export class ReportRollupTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    const every = this.ctx.config.reportRollupEveryMs;
    if (every <= 0) return;
    this.timer = setInterval(() => { void this.runOnce(); }, every);
    this.timer.unref();
    // At once too: a process started after a load or a restore builds what is missing without waiting a period.
    void this.runOnce();
  }

  /** One run; never overlaps itself, never throws (the next run retries). */
  runOnce(): Promise<void> {
    this.running ??= refreshReportRollups(this.ctx.db)
      .then((rollup) => { if (rollup.built.length > 0) this.ctx.log.info({ months: rollup.built }, 'report figures rolled up'); })
      .catch((err: unknown) => { this.ctx.log.warn({ err }, 'report figures not rolled up this time'); })
      .finally(() => { this.running = undefined; });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
