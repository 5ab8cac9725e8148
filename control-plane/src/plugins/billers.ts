import fp from 'fastify-plugin';
import type { BillerAdapter } from '../adapters/billers/biller-adapter.js';
import { bulkAccounts, SEED_ACCOUNTS } from '../adapters/billers/seed-accounts.js';
import { SimulatedBiller } from '../adapters/billers/simulated-biller.js';

declare module 'fastify' {
  interface FastifyInstance {
    billers: BillerAdapter;
  }
}

export interface BillersPluginOptions {
  billers?: BillerAdapter;
}

/** The billers the kiosks pay into; the in-process simulator until real adapters exist. */
export const billersPlugin = fp<BillersPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate(
      'billers',
      opts.billers ??
        new SimulatedBiller({
          ledger: fastify.repo.sims,
          now: fastify.now,
          faults: fastify.simFaults.biller,
          accounts: [...SEED_ACCOUNTS, ...bulkAccounts(fastify.config.simAccounts)],
          dice: fastify.simDice,
        }),
    );
  },
  { name: 'linli-billers', dependencies: ['linli-storage', 'linli-sim-dice'] },
);

export default billersPlugin;
