import fp from 'fastify-plugin';
import type { PaymentGateway } from '../adapters/gateway/payment-gateway.js';
import { UNCONFIGURED_GATEWAY } from '../adapters/unconfigured-rails.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: PaymentGateway;
  }
}

export interface GatewayPluginOptions {
  gateway?: PaymentGateway;
}

/** The acquirer that captures what the kiosks' terminals authorized: given, simulated, or none. */
export const gatewayPlugin = fp<GatewayPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate('gateway', opts.gateway ?? fastify.simulators?.gateway ?? UNCONFIGURED_GATEWAY);
  },
  { name: 'linli-gateway', dependencies: ['linli-simulators'] },
);

export default gatewayPlugin;
