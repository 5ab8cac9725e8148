import { type Static, Type } from '@sinclair/typebox';

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description });
const Ms = (description: string) => Type.Integer({ minimum: 0, maximum: 60_000, default: 0, description });

/**
 * Faults of the simulated biller, acquirer and wallet provider, for tests, the chaos harness and demos
 * (config `simFaults`, env LINLI_SIM_FAULTS as JSON). Rates are probabilities per call; all default to 0.
 */
export const SimFaultsSchema = Type.Object(
  {
    seed: Type.Optional(Type.Integer({ description: 'seed for repeatable fault sequences' })),
    biller: Type.Object(
      {
        slowMs: Ms('added latency of every biller call'),
        downRate: Rate('the biller does not answer (LINLI_ERR_BILLER_UNAVAILABLE), nothing recorded'),
        rejectRate: Rate('the biller refuses a posting outright (the authorization is voided)'),
        lostResponseRate: Rate(
          'the biller records the posting but its answer is lost (a retry is answered idempotently)',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    gateway: Type.Object(
      {
        downRate: Rate('the acquirer does not answer a capture, nothing recorded'),
        lostResponseRate: Rate('the acquirer captures but its answer is lost'),
      },
      { default: {}, additionalProperties: false },
    ),
    wallet: Type.Object(
      {
        downRate: Rate('the wallet API does not answer'),
        duplicateRate: Rate('a notification is delivered twice'),
        dropRate: Rate('a notification delivery is lost (the provider retries it later)'),
        maxDelayMs: Ms('notifications are delayed by up to this much, so they arrive out of order'),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { default: {}, additionalProperties: false },
);
export type SimFaults = Static<typeof SimFaultsSchema>;

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
