import { randomBytes } from 'node:crypto';

export type NoncePurpose = 'enroll' | 'session';

interface Entry {
  purpose: NoncePurpose;
  subject: string | null;
  expiresAt: number;
}

/**
 * Single-use server nonces, held in memory: they live minutes, and a restart only makes a device ask again.
 * Taking a nonce is synchronous, so two concurrent requests can never both consume it. Bounded, so a flood
 * of challenge requests cannot grow memory without limit (the oldest are dropped first).
 */
export class NonceStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(now: () => number = Date.now, max = 100_000) {
    this.#now = now;
    this.#max = max;
  }

  issue(
    purpose: NoncePurpose,
    ttlMs: number,
    subject: string | null = null,
  ): { nonce: string; expiresAt: number } {
    this.#evict();
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + ttlMs;
    this.#entries.set(nonce, { purpose, subject, expiresAt });
    return { nonce, expiresAt };
  }

  /** True when the nonce was issued for this purpose and subject and is still unused and fresh. */
  isLive(nonce: string, purpose: NoncePurpose, subject: string | null = null): boolean {
    const e = this.#entries.get(nonce);
    return !!e && e.purpose === purpose && e.subject === subject && e.expiresAt > this.#now();
  }

  /** Consumes the nonce; false if it was not live. */
  take(nonce: string, purpose: NoncePurpose, subject: string | null = null): boolean {
    if (!this.isLive(nonce, purpose, subject)) return false;
    this.#entries.delete(nonce);
    return true;
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    const now = this.#now();
    if (this.#entries.size < this.#max) {
      // Cheap amortised sweep: only when the map has grown, drop what has expired.
      if (this.#entries.size % 1024 !== 0) return;
    }
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
