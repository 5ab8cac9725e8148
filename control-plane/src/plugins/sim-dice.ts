import fp from 'fastify-plugin';
import { FaultDice, NO_FAULTS, type SimFaults } from '../adapters/sim-faults.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Faults of the simulated biller, acquirer and wallet, and the dice they share (seeded when asked). */
    simFaults: SimFaults;
    simDice: FaultDice;
  }
}

export const simDicePlugin = fp(
  async (fastify) => {
    const f = fastify.config.simFaults;
    fastify.decorate('simFaults', {
      ...(f?.seed !== undefined ? { seed: f.seed } : {}),
      biller: { ...NO_FAULTS.biller, ...f?.biller },
      gateway: { ...NO_FAULTS.gateway, ...f?.gateway },
      wallet: { ...NO_FAULTS.wallet, ...f?.wallet },
    });
    fastify.decorate('simDice', new FaultDice(f?.seed));
  },
  { name: 'linli-sim-dice', dependencies: ['linli-config'] },
);

export default simDicePlugin;
