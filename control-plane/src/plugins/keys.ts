import fp from 'fastify-plugin';
import { KeyStore } from '../keys/key-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    keys: KeyStore;
  }
}

export const keysPlugin = fp(
  async (fastify) => {
    const keys = await KeyStore.open(fastify.config.dataDir, fastify.now);
    if (keys.report.created.length > 0) {
      fastify.log.info(
        { created: keys.report.created, keysetVersion: keys.report.keysetVersion },
        'signing keys created',
      );
    }
    fastify.decorate('keys', keys);
  },
  { name: 'linli-keys', dependencies: ['linli-config'] },
);

export default keysPlugin;
