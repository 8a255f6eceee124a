// A small per-process cache for the public admission look-ups: each entry lives `ttlMs`, concurrent misses share one
// load (on result day a thousand requests arriving as an entry expires make one query, not a thousand), a failed load
// is not kept, and the number of keys is bounded, because the keys (campaign ids) come from anonymous requests.
export class TtlCache<T> {
  private readonly entries = new Map<string, { expires: number; value: Promise<T> }>();

  constructor(private readonly ttlMs: () => number, private readonly maxKeys = 1000) {}

  /** `keep`: whether a loaded value stays (e.g. not an unknown id's undefined); concurrent misses share it either way. */
  get(key: string, load: () => Promise<T>, now = Date.now(), keep: (value: T) => boolean = () => true): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.entries.size >= this.maxKeys) this.entries.clear();
    const value = load();
    this.entries.set(key, { expires: now + this.ttlMs(), value });
    const forget = () => { if (this.entries.get(key)?.value === value) this.entries.delete(key); };
    value.then((loaded) => { if (!keep(loaded)) forget(); }, forget);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
