import { join } from 'node:path';
import fp from 'fastify-plugin';
import { openSimulators, type Simulators } from '../sim/simulators.js';
import { simWalletRoutes } from '../sim/wallet/sim-wallet-pages.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The simulated biller, acquirer and wallet provider; undefined when config `simulators` is false. */
    simulators: Simulators | undefined;
  }
}

/** Where the simulators keep their ledgers unless `simLedgerFile` says otherwise. */
export const SIM_LEDGER_FILE = 'simulators.sqlite';

/**
 * The one place production code meets `sim/` (dependency-cruiser holds every other file to that): with config
 * `simulators` (default true until real rails exist) it opens the simulators on their own store and serves the
 * simulated wallet's payer pages; with false nothing of them exists, not even a route.
 */
export const simulatorsPlugin = fp(
  async (fastify) => {
    const { config } = fastify;
    if (!config.simulators) {
      fastify.decorate('simulators', undefined);
      return;
    }
    const sims = await openSimulators({
      file: config.simLedgerFile ?? join(config.dataDir, SIM_LEDGER_FILE),
      now: fastify.now,
      publicUrl: () => fastify.config.publicUrl,
      ...(config.simFaults ? { faults: config.simFaults } : {}),
      accounts: config.simAccounts,
      log: fastify.log,
    });
    fastify.decorate('simulators', sims);
    await fastify.register(simWalletRoutes, { wallet: sims.wallet });
    fastify.addHook('onReady', async () => sims.wallet.start());
    fastify.addHook('onClose', async () => sims.close());
  },
  { name: 'linli-simulators', dependencies: ['linli-config', 'linli-security-headers'] },
);

export default simulatorsPlugin;
