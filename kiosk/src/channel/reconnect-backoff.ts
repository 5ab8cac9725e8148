import { fullJitterDelay } from '../http/retry.js';

export interface BackoffOptions {
  /** First retry window, ms (1 s in production). */
  baseMs: number;
  /** Largest window, ms (minutes in production, so a fleet never stampedes a recovering server). */
  capMs: number;
  random?: () => number;
  /**
   * After the server announced a restart (close 1012) the window stops growing here for `restartAttempts`
   * tries: the server is expected back in seconds, and a fleet whose windows doubled to minutes while it was
   * down would come back minutes late. 30 s and 8 tries by default (≈ 2 min of probing, then normal growth):
   * 10,000 devices spread over 30 s is ~330 handshakes/s, well inside one core; over 15 s a loaded server fell
   * behind and the devices' own handshake timeouts piled retries on top (reconnect-storm bench).
   */
  restartCapMs?: number;
  restartAttempts?: number;
}

export type BackoffKind = 'normal' | 'policy' | 'restart';

/**
 * Reconnect delays for the device channel: full jitter (uniform in [0, min(cap, base·2ⁿ)]), never lockstep.
 * A policy refusal (close 1008 with a LINLI_ERR reason: revoked, unknown key) will not fix itself by
 * retrying soon, so it waits in the upper half of the cap window. The attempt count resets only after a
 * connection stayed up for a while, not on every open, so a flapping server still sees growing delays.
 */
export class ReconnectBackoff {
  readonly #opts: BackoffOptions;
  #attempt = 0;

  constructor(opts: BackoffOptions) {
    this.#opts = opts;
  }

  get attempt(): number {
    return this.#attempt;
  }

  next(kind: BackoffKind = 'normal'): number {
    const random = this.#opts.random ?? Math.random;
    const { baseMs, capMs } = this.#opts;
    if (kind === 'policy') {
      this.#attempt++;
      return Math.floor(capMs / 2 + random() * (capMs / 2));
    }
    if (kind === 'restart' && this.#attempt < (this.#opts.restartAttempts ?? 8)) {
      const cap = Math.min(capMs, this.#opts.restartCapMs ?? 30_000);
      return fullJitterDelay(this.#attempt++, baseMs, cap, random);
    }
    return fullJitterDelay(this.#attempt++, baseMs, capMs, random);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
