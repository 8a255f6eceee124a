// The outbox relay: claims committed effects in small batches and hands them to a sink (BullMQ, or the inline runner).
// A row is marked relayed only after the sink accepted it, so a dead Redis or a crash loses nothing.
import type { Db } from '../db/client.js';
import { claimDue, releaseClaim, type OutboxRow } from '../db/repositories/outbox.js';

export interface RelayLogger { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void }

export class OutboxPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly options: { pollMs: number; batch: number; leaseMs: number },
    private readonly deliver: (rows: OutboxRow[]) => Promise<void>,
    private readonly log: RelayLogger,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    clearTimeout(this.timer);
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) { this.again = false; this.wake(); return; }
      this.timer = setTimeout(() => this.wake(), this.options.pollMs);
      this.timer.unref();
    });
  }

  /** Claims and delivers until a claim comes back short. */
  private async drain(): Promise<void> {
    for (;;) {
      let rows: OutboxRow[];
      try {
        rows = await claimDue(this.db, this.options.batch, this.options.leaseMs);
      } catch (error) {
        this.log.error({ err: error }, 'outbox: claim failed');
        return;
      }
      if (rows.length === 0) return;
      try {
        await this.deliver(rows);
      } catch (error) {
        this.log.warn({ err: error }, 'outbox: delivery failed, rows stay pending');
        await releaseClaim(this.db, rows.map((r) => r.id), String(error)).catch(() => {});
        return;
      }
      if (rows.length < this.options.batch || this.stopped) return;
    }
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
