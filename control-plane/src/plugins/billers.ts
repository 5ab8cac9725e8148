import fp from 'fastify-plugin';
import type { BillerAdapter } from '../adapters/billers/biller-adapter.js';
import { UNCONFIGURED_BILLER } from '../adapters/unconfigured-rails.js';

declare module 'fastify' {
  interface FastifyInstance {
    billers: BillerAdapter;
  }
}

export interface BillersPluginOptions {
  billers?: BillerAdapter;
}

/** The billers the kiosks pay into: the one given, else the simulated one, else none (a coded refusal). */
export const billersPlugin = fp<BillersPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate('billers', opts.billers ?? fastify.simulators?.biller ?? UNCONFIGURED_BILLER);
  },
  { name: 'linli-billers', dependencies: ['linli-simulators'] },
);

export default billersPlugin;
