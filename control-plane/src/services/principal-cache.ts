/** How long a resolved session is trusted without reading the store again (the cross-instance staleness bound). */
export const PRINCIPAL_CACHE_MS = 2_000;
/** Beyond this many live entries the cache starts over, so a flood of valid tokens cannot grow it unbounded. */
const MAX_ENTRIES = 10_000;

interface Entry<P> {
  principal: P;
  until: number;
}

/**
 * Session token hash → principal, for at most PRINCIPAL_CACHE_MS and never past the session's own expiry: the
 * session, subject and node lookups were a tenth of an authenticated request's CPU. Local changes that end a
 * session (revoke, password reset, logout) call forget() and take effect at once; the same change made by
 * another process (another instance, `--reset-admin-password` on the data dir) is seen within
 * PRINCIPAL_CACHE_MS. A lookup that started before a forget() is not cached (the generation check), so a
 * concurrent revoke cannot be undone by a slow reader.
 */
export class PrincipalCache<P> {
  readonly #entries = new Map<string, Entry<P>>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  #generation = 0;

  constructor(now: () => number, ttlMs = PRINCIPAL_CACHE_MS) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  get(tokenHash: string): P | undefined {
    const e = this.#entries.get(tokenHash);
    if (!e) return undefined;
    if (e.until <= this.#now()) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    return e.principal;
  }

  /** The generation to pass to set(): taken before the store is read. */
  get generation(): number {
    return this.#generation;
  }

  set(tokenHash: string, principal: P, sessionExpiresAt: number, generation: number): void {
    if (generation !== this.#generation || this.#ttlMs <= 0) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(tokenHash, { principal, until: Math.min(this.#now() + this.#ttlMs, sessionExpiresAt) });
  }

  /** Drops every entry whose principal matches, and any lookup still in flight. */
  forget(match: (principal: P) => boolean): void {
    this.#generation++;
    for (const [k, e] of this.#entries) if (match(e.principal)) this.#entries.delete(k);
  }
}
