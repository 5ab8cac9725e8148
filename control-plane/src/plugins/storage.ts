import fp from 'fastify-plugin';
import { openRepository } from '../storage/open-repository.js';
import type { Repository } from '../storage/repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    repo: Repository;
  }
}

export interface StoragePluginOptions {
  /** A store opened by the caller (tests); by default the one the config names (SQLite or PostgreSQL). */
  repo?: Repository;
}

export const storagePlugin = fp<StoragePluginOptions>(
  async (fastify, opts) => {
    let repo = opts.repo;
    if (!repo) {
      const opened = await openRepository(fastify.config);
      repo = opened.repo;
      fastify.log.info(
        opened.summary,
        opened.summary.applied.length > 0 ? 'database migrated' : 'database open',
      );
    }
    fastify.decorate('repo', repo);
    const store = repo;
    fastify.addHook('onClose', async () => {
      await store.close();
    });
  },
  { name: 'linli-storage', dependencies: ['linli-config'] },
);

export default storagePlugin;
