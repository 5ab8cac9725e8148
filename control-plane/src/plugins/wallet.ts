import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import { SimulatedWallet } from '../adapters/wallet/sim/simulated-wallet.js';
import type { WalletProvider } from '../adapters/wallet/wallet-provider.js';
import { writeFileDurable } from '../fs/durable-write.js';
import { simWalletRoutes } from '../routes/public/sim-wallet-pages.js';

declare module 'fastify' {
  interface FastifyInstance {
    wallet: WalletProvider;
  }
}

export interface WalletPluginOptions {
  wallet?: WalletProvider;
}

/** The simulated provider keeps its signing key beside the database, so a restart keeps verifying. */
async function simWalletKey(dataDir: string): Promise<KeyObject> {
  const file = join(dataDir, 'sim-wallet-key.pem');
  try {
    return createPrivateKey(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFileDurable(file, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  return privateKey;
}

/**
 * The QR wallet provider. By default the simulated one, which also serves the payer's page behind each code
 * URL (GET /sim/wallet/pay/:orderId) and delivers signed notifications to POST /api/v1/wallet/notify.
 */
export const walletPlugin = fp<WalletPluginOptions>(
  async (fastify, opts) => {
    if (opts.wallet) {
      fastify.decorate('wallet', opts.wallet);
      return;
    }
    const sim = new SimulatedWallet({
      ledger: fastify.repo.sims,
      now: fastify.now,
      publicUrl: () => fastify.config.publicUrl,
      key: await simWalletKey(fastify.config.dataDir),
      faults: fastify.simFaults.wallet,
      dice: fastify.simDice,
      log: fastify.log,
    });
    fastify.decorate('wallet', sim);
    await fastify.register(simWalletRoutes, { wallet: sim });
    fastify.addHook('onReady', async () => sim.start());
    fastify.addHook('onClose', async () => sim.stop());
  },
  {
    name: 'linli-wallet',
    dependencies: ['linli-storage', 'linli-config', 'linli-sim-dice', 'linli-security-headers'],
  },
);

export default walletPlugin;
