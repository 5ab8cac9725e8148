import fp from 'fastify-plugin';
import type { PaymentGateway } from '../adapters/gateway/payment-gateway.js';
import { SimulatedGateway } from '../adapters/gateway/simulated-gateway.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: PaymentGateway;
  }
}

export interface GatewayPluginOptions {
  gateway?: PaymentGateway;
}

/** The acquirer that captures what the kiosks' terminals authorized; simulated in-process for now. */
export const gatewayPlugin = fp<GatewayPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate(
      'gateway',
      opts.gateway ??
        new SimulatedGateway({
          ledger: fastify.repo.sims,
          now: fastify.now,
          faults: fastify.simFaults.gateway,
          dice: fastify.simDice,
        }),
    );
  },
  { name: 'linli-gateway', dependencies: ['linli-storage', 'linli-sim-dice'] },
);

export default gatewayPlugin;
