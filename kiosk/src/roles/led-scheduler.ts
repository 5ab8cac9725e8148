/** setTimeout/clearTimeout for the LED sign, injectable so tests run it on simulated time. */
export interface LedScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd: the sign never keeps the process alive. */
export const realScheduler: LedScheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
