import type { Logger } from '../services/context.js';
import type { DeviceSessionRepository } from '../storage/device-sessions-repository.js';

/** Closed sessions older than this go (a quarter of a year: enough to answer "was it off last month?"). */
export const SESSION_RETENTION_DAYS = 90;
/** A device flapping every few seconds must not fill the store: at most this many sessions per device. */
export const SESSIONS_PER_DEVICE = 1000;
/** How often an instance trims (on its lease tick): cheap, but not on every heartbeat. */
export const SESSION_PRUNE_EVERY_MS = 10 * 60_000;

export interface SessionRetentionOptions {
  store: DeviceSessionRepository;
  now: () => number;
  log: Logger;
  /** The devices that opened sessions since the last call (only those can have grown past the bound). */
  opened: () => string[];
  retentionDays?: number;
  perDevice?: number;
  everyMs?: number;
}

/**
 * The online history's bound: on a lease tick, at most every `everyMs`, delete closed sessions older than
 * the retention and trim the devices that connected lately to their newest `perDevice`. Every instance runs
 * it for its own devices; the age bound is idempotent, so instances doing it twice cost only a query.
 */
export class SessionRetention {
  readonly #o: SessionRetentionOptions;
  #last = Number.NEGATIVE_INFINITY;
  #pending = new Set<string>();

  constructor(o: SessionRetentionOptions) {
    this.#o = o;
  }

  /** Prunes when it is time; a store error keeps the devices for the next try. */
  async maybePrune(): Promise<number> {
    for (const id of this.#o.opened()) this.#pending.add(id);
    const now = this.#o.now();
    if (now - this.#last < (this.#o.everyMs ?? SESSION_PRUNE_EVERY_MS)) return 0;
    this.#last = now;
    const deviceIds = [...this.#pending];
    this.#pending = new Set();
    try {
      return await this.#o.store.prune({
        before: now - (this.#o.retentionDays ?? SESSION_RETENTION_DAYS) * 86_400_000,
        keepPerDevice: this.#o.perDevice ?? SESSIONS_PER_DEVICE,
        deviceIds,
      });
    } catch (err) {
      for (const id of deviceIds) this.#pending.add(id);
      this.#o.log.warn({ err }, 'could not prune the devices’ online history; trying again later');
      return 0;
    }
  }
}
