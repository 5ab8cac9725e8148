import { type Static, Type } from '@sinclair/typebox';

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description });
const Ms = (description: string) => Type.Integer({ minimum: 0, maximum: 60_000, default: 0, description });

/**
 * Faults of the simulated biller, acquirer and wallet provider, for tests, the chaos harness and demos
 * (config `simFaults`, env LINLI_SIM_FAULTS as JSON). Rates are probabilities per call; all default to 0.
 * The schema lives here, outside `sim/`, so the config needs no simulator code.
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
/** The faults as configured; the simulators (`sim/sim-faults.ts`) fill in the defaults. */
export type SimFaults = Static<typeof SimFaultsSchema>;
