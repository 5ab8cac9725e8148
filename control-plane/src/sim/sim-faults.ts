import type { SimFaults } from '../simulator-config.js';

export type { SimFaults };

export const NO_FAULTS: SimFaults = {
  biller: { slowMs: 0, downRate: 0, rejectRate: 0, lostResponseRate: 0 },
  gateway: { downRate: 0, lostResponseRate: 0 },
  wallet: { downRate: 0, duplicateRate: 0, dropRate: 0, maxDelayMs: 0 },
};

/** A small seeded PRNG (mulberry32) so a fault sequence can be replayed; Math.random when unseeded. */
export class FaultDice {
  #state: number | undefined;

  constructor(seed?: number) {
    this.#state = seed === undefined ? undefined : seed >>> 0;
  }

  next(): number {
    if (this.#state === undefined) return Math.random();
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  roll(rate: number): boolean {
    return rate > 0 && this.next() < rate;
  }
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
