import fp from 'fastify-plugin';
import { UNCONFIGURED_WALLET } from '../adapters/unconfigured-rails.js';
import type { WalletProvider } from '../adapters/wallet/wallet-provider.js';

declare module 'fastify' {
  interface FastifyInstance {
    wallet: WalletProvider;
  }
}

export interface WalletPluginOptions {
  wallet?: WalletProvider;
}

/**
 * The QR wallet provider: given, or the simulated one (plugins/simulators.ts, which also serves its payer
 * pages and runs its notification outbox), or none.
 */
export const walletPlugin = fp<WalletPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate('wallet', opts.wallet ?? fastify.simulators?.wallet ?? UNCONFIGURED_WALLET);
  },
  { name: 'linli-wallet', dependencies: ['linli-simulators'] },
);

export default walletPlugin;
