// The outbox relay: claims committed effects in small batches and hands them to a sink (BullMQ, or the inline runner).
// A row is marked relayed only after the sink accepted it, so a dead Redis or a crash loses nothing.
import type { Db } from '../db/client.js';
import { claimDue, relayBacklog, releaseClaim, type OutboxRow } from '../db/repositories/outbox.js';

export interface RelayLogger { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info?(obj: unknown, msg?: string): void }

/**
 * Waiting out an intake burst (the admission season's first morning): while due rows pile up faster than a trickle
 * and the newest arrived moments ago, the relay hands nothing on, so the server and PostgreSQL spend the machine on
 * taking filings (bench:burst: the worker's e-mails cost about a fifth of a registration's CPU). It goes on as soon as
 * the filings pause for `quietMs`, or once a row has waited `maxDelayMs` — then it relays the oldest, and in a burst
 * longer than that keeps every effect at most about `maxDelayMs` late. The backlog then leaves in full batches.
 */
export interface BurstYield {
  /** Due rows below this are a trickle, never a burst. */
  minBacklog: number;
  quietMs: number;
  maxDelayMs: number;
}

/** A burst: hundreds of due rows, the newest younger than a second (a Department's ordinary day has a few). */
export function burstYield(maxDelayMs: number): BurstYield | undefined {
  return maxDelayMs > 0 ? { minBacklog: 500, quietMs: 1_000, maxDelayMs } : undefined;
}

export class OutboxPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private yielding = false;

  constructor(
    private readonly db: Db,
    private readonly options: { pollMs: number; batch: number; leaseMs: number; burst?: BurstYield },
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

  /** Claims and delivers until a claim comes back short (or a burst is being waited out: the next poll looks again). */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.options.burst && await this.waitsOutBurst(this.options.burst)) return;
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

  private async waitsOutBurst(burst: BurstYield): Promise<boolean> {
    let waits: boolean;
    try {
      const backlog = await relayBacklog(this.db, burst.minBacklog);
      waits = backlog.atLeast && backlog.newestAgeMs < burst.quietMs && backlog.oldestAgeMs < burst.maxDelayMs;
    } catch {
      waits = false; // the claim that follows says what is wrong
    }
    if (waits !== this.yielding) this.log.info?.({ burst: waits }, waits ? 'outbox: intake burst, effects wait' : 'outbox: relaying again');
    this.yielding = waits;
    return waits;
  }

  /** Waiting out an intake burst right now. */
  get waitingOutBurst(): boolean {
    return this.yielding;
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
