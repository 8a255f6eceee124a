// What each process keeps in memory of the administrators' data (the working-day calendar, the procedures on offer,
// the organisation's names) and how it stays current: every administrative change bumps one revision number in the
// same transaction (repositories/administration.ts bumpRevision); each process polls it every ADMIN_REFRESH_MS and
// reloads when it moved. The process that made the change reloads at once (`changed()`), so its next request sees it.
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { readRevision } from '../../db/repositories/administration.js';

export type AdminDataLoader = (db: Db) => Promise<void>;

export class AdminData {
  private readonly loaders = new Map<string, AdminDataLoader>();
  private seen = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly db: Db, private readonly log: Logger, private readonly intervalMs: number) {}

  /** Adds a loader; it runs on every later refresh (call `refresh()` once after registering them all). */
  register(name: string, loader: AdminDataLoader): void {
    this.loaders.set(name, loader);
  }

  /** Reloads everything when the revision moved since the last load (or always, with `force`). */
  async refresh(force = false): Promise<void> {
    // One reload at a time: a poll landing during `changed()` waits for it instead of loading twice in parallel.
    // Another reload's failure is its caller's to hear about (or the poll's to log), not this one's.
    while (this.running) await this.running.catch(() => {});
    this.running = this.load(force).finally(() => { this.running = undefined; });
    return this.running;
  }

  /**
   * After this process committed a change: reload now rather than at the next poll. The change is committed, so a
   * failed reload must not fail the request that made it: it is logged, and as the revision seen did not move the next
   * poll tries again.
   */
  changed(): Promise<void> {
    return this.refresh(true).catch((error: unknown) => {
      this.log.warn({ err: error }, 'admin data reload after a change failed; the next poll retries');
    });
  }

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.log.warn({ err: error }, 'admin data refresh failed; keeping the previous copy'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async load(force: boolean): Promise<void> {
    const revision = await readRevision(this.db);
    if (!force && revision === this.seen) return;
    for (const [name, loader] of this.loaders) {
      try {
        await loader(this.db);
      } catch (error) {
        throw new Error(`loading ${name} failed`, { cause: error });
      }
    }
    this.seen = revision;
  }
}
