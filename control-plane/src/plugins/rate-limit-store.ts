/**
 * A fixed-window counter store for @fastify/rate-limit that reads the app's clock instead of Date.now(), so
 * tests move time by hand (the plugin's LocalStore cannot be given a clock). Bounded: when full, expired
 * windows are dropped first, then the oldest.
 */
type Callback = (err: Error | null, res: { current: number; ttl: number }) => void;

interface Window {
  current: number;
  startedAt: number;
}

const MAX_KEYS = 20_000;

export function clockStore(now: () => number) {
  return class ClockStore {
    readonly #windows = new Map<string, Window>();

    incr(key: string, cb: Callback, timeWindow: number): void {
      const t = now();
      let w = this.#windows.get(key);
      if (!w || w.startedAt + timeWindow <= t) {
        w = { current: 0, startedAt: t };
        this.#windows.delete(key);
        this.#windows.set(key, w);
        this.#bound(t, timeWindow);
      }
      w.current++;
      cb(null, { current: w.current, ttl: w.startedAt + timeWindow - t });
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      const t = now();
      const w = this.#windows.get(key);
      if (!w || w.startedAt + timeWindow <= t) cb(null, { current: 0, ttl: 0 });
      else cb(null, { current: w.current, ttl: w.startedAt + timeWindow - t });
    }

    child(): ClockStore {
      return new ClockStore();
    }

    #bound(t: number, timeWindow: number): void {
      if (this.#windows.size <= MAX_KEYS) return;
      for (const [k, w] of this.#windows) {
        if (this.#windows.size <= MAX_KEYS) return;
        if (w.startedAt + timeWindow <= t) this.#windows.delete(k);
      }
      for (const k of this.#windows.keys()) {
        if (this.#windows.size <= MAX_KEYS) return;
        this.#windows.delete(k);
      }
    }
  };
}
