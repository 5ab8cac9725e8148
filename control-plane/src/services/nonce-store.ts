import { randomBytes } from 'node:crypto';
import type { ClusterRepository, NoncePurpose } from '../storage/cluster-repository.js';

export type { NoncePurpose };

/** Every this many issues, expired nonces are swept (they live minutes; a flood leaves nothing behind). */
const SWEEP_EVERY = 256;

/**
 * Single-use server nonces, kept in the store: a nonce issued by one control-plane instance can be answered
 * on another, and survives a restart. Taking one is a single DELETE … RETURNING, so of two concurrent
 * requests (on any instances) exactly one consumes it.
 */
export class NonceStore {
  readonly #store: ClusterRepository;
  readonly #now: () => number;
  #issued = 0;

  constructor(store: ClusterRepository, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async issue(
    purpose: NoncePurpose,
    ttlMs: number,
    subject: string | null = null,
  ): Promise<{ nonce: string; expiresAt: number }> {
    const now = this.#now();
    if (++this.#issued % SWEEP_EVERY === 0) await this.#store.pruneNonces(now);
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    await this.#store.issueNonce({ nonce, purpose, subject, expiresAt });
    return { nonce, expiresAt };
  }

  /** True when the nonce was issued for this purpose and subject and is still unused and fresh. */
  isLive(nonce: string, purpose: NoncePurpose, subject: string | null = null): Promise<boolean> {
    return this.#store.nonceLive(nonce, purpose, subject, this.#now());
  }

  /** Consumes the nonce; false if it was not live (or another request took it first). */
  take(nonce: string, purpose: NoncePurpose, subject: string | null = null): Promise<boolean> {
    return this.#store.takeNonce(nonce, purpose, subject, this.#now());
  }
}
