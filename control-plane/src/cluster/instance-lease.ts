import { randomBytes } from 'node:crypto';
import type { ClusterRepository } from '../storage/cluster-repository.js';

export interface LeaseTiming {
  /** How often the lease is renewed. */
  intervalMs: number;
  /** An instance not heard from for this long is dead: its devices count as offline, its rows are reaped. */
  timeoutMs: number;
}

/** Timeout = 2.5 renewals: one late heartbeat (a busy event loop, a slow commit) is not a death. */
export function leaseTiming(intervalMs: number): LeaseTiming {
  return { intervalMs, timeoutMs: Math.round(intervalMs * 2.5) };
}

export function newInstanceId(): string {
  return `ins_${randomBytes(9).toString('base64url')}`;
}

/**
 * This instance's identity and its lease in the `cluster_instances` table. `renew()` is one heartbeat;
 * it also reaps instances whose lease ran out, so their devices drop out of everyone's presence.
 */
export class InstanceLease {
  readonly id: string;
  readonly startedAt: number;
  readonly timing: LeaseTiming;
  readonly #store: ClusterRepository;
  readonly #now: () => number;

  constructor(store: ClusterRepository, now: () => number, timing: LeaseTiming, id = newInstanceId()) {
    this.#store = store;
    this.#now = now;
    this.timing = timing;
    this.id = id;
    this.startedAt = now();
  }

  /** The oldest heartbeat that still counts as alive. */
  cutoff(): number {
    return this.#now() - this.timing.timeoutMs;
  }

  /**
   * Renews the lease, then reaps the dead. Returns false when the lease had to be created again (first
   * start, or another instance reaped this one while it stalled): the caller must write its presence again.
   */
  async renew(): Promise<{ held: boolean; reaped: string[] }> {
    const held = await this.#store.heartbeat(this.id, this.startedAt, this.#now());
    // The dead instance's open device sessions end now: reap time is when the cluster knew it was gone.
    const reaped = await this.#store.reapInstances(this.cutoff(), this.#now());
    return { held, reaped };
  }

  async release(): Promise<void> {
    await this.#store.removeInstance(this.id, this.#now());
  }
}
