import { ErrorCode, LinliError } from '../../../protocol/errors.js';

export interface LockoutPolicy {
  /** Consecutive wrong passwords an account may have before it is locked. */
  freeFailures: number;
  /** The first lock; each further failure after a lock ends doubles it, up to maxLockMs. */
  baseLockMs: number;
  maxLockMs: number;
  /** A failure streak older than this is forgotten (so old mistakes do not lengthen the next lock). */
  forgetAfterMs: number;
  /** Accounts tracked at most; unlocked entries are dropped first (a spray of made-up names stays bounded). */
  maxEntries: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  failures: number;
  lockMs: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/**
 * A per-account lock after repeated wrong passwords: 30 s, then doubling with each further failure, never more
 * than 15 minutes at a time, forgotten after an hour without failures and cleared by a successful login. The
 * cap is what keeps an attacker from locking a real admin out for good: at worst the admin waits one lock.
 *
 * Kept in memory, deliberately: the control plane is one process, a lock lasts minutes, and writing it to
 * SQLite (synchronous=FULL) would give unauthenticated callers an fsync per wrong password. A restart clears
 * the locks; the per-IP rate limit still bounds what that buys an attacker.
 */
export class LoginLockout {
  readonly #now: () => number;
  readonly #policy: LockoutPolicy;
  readonly #entries = new Map<string, Entry>();

  constructor(now: () => number, policy: Partial<LockoutPolicy> = {}) {
    this.#now = now;
    this.#policy = { ...DEFAULT_LOCKOUT, ...policy };
  }

  /** Throws LINLI_ERR_LOGIN_THROTTLED while the account is locked: before the password is even hashed. */
  check(username: string): void {
    const e = this.#live(username);
    const now = this.#now();
    if (e && e.lockedUntil > now) {
      const retryAfterSec = Math.ceil((e.lockedUntil - now) / 1000);
      throw new LinliError(
        ErrorCode.LOGIN_THROTTLED,
        `too many wrong passwords for this account; try again in ${retryAfterSec} s (the lock ends by itself, at most ${Math.ceil(this.#policy.maxLockMs / 60_000)} minutes after the last wrong password)`,
        { retryAfterSec },
      );
    }
  }

  failure(username: string): void {
    const now = this.#now();
    const e = this.#live(username) ?? { failures: 0, lockMs: 0, lockedUntil: 0, lastFailureAt: now };
    e.failures++;
    e.lastFailureAt = now;
    if (e.failures >= this.#policy.freeFailures) {
      e.lockMs = Math.min(e.lockMs === 0 ? this.#policy.baseLockMs : e.lockMs * 2, this.#policy.maxLockMs);
      e.lockedUntil = now + e.lockMs;
    }
    this.#entries.delete(username);
    this.#entries.set(username, e);
    this.#bound(now);
  }

  success(username: string): void {
    this.#entries.delete(username);
  }

  /** Seconds the account stays locked; 0 when it is not (for tests and the console). */
  lockedForSec(username: string): number {
    const e = this.#live(username);
    return e ? Math.max(0, Math.ceil((e.lockedUntil - this.#now()) / 1000)) : 0;
  }

  #live(username: string): Entry | undefined {
    const e = this.#entries.get(username);
    if (e && this.#now() - e.lastFailureAt > this.#policy.forgetAfterMs && e.lockedUntil <= this.#now()) {
      this.#entries.delete(username);
      return undefined;
    }
    return e;
  }

  #bound(now: number): void {
    if (this.#entries.size <= this.#policy.maxEntries) return;
    // Oldest first (Map keeps insertion order, and failure() re-inserts): unlocked ones go before locked ones.
    for (const [name, e] of this.#entries) {
      if (this.#entries.size <= this.#policy.maxEntries) return;
      if (e.lockedUntil <= now) this.#entries.delete(name);
    }
    for (const name of this.#entries.keys()) {
      if (this.#entries.size <= this.#policy.maxEntries) return;
      this.#entries.delete(name);
    }
  }
}
