import fp from 'fastify-plugin';
import { TufKeys } from '../tuf/tuf-keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    tufKeys: TufKeys;
  }
}

/** The TUF root chain and online keys (created on first start unless autoInitKeys is false). */
export const tufPlugin = fp(
  async (fastify) => {
    const { config } = fastify;
    fastify.decorate(
      'tufKeys',
      await TufKeys.open({
        dataDir: config.dataDir,
        keysetKey: fastify.keys.root.publicKey,
        autoInit: config.autoInitKeys,
        offlineKeysDir: config.offlineKeysDir,
        rootExpiresDays: config.rootExpiresDays,
        now: fastify.now,
        log: fastify.log,
      }),
    );
  },
  { name: 'linli-tuf', dependencies: ['linli-config', 'linli-keys'] },
);

export default tufPlugin;
