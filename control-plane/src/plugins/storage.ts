import fp from 'fastify-plugin';
import type { Repository } from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    repo: Repository;
  }
}

export interface StoragePluginOptions {
  /** Another implementation (PostgreSQL, later); by default SQLite in the data dir. */
  repo?: Repository;
}

export const storagePlugin = fp<StoragePluginOptions>(
  async (fastify, opts) => {
    const repo = opts.repo ?? SqliteRepository.open(fastify.config.dataDir);
    if (repo instanceof SqliteRepository && repo.migrations.applied.length > 0) {
      fastify.log.info({ applied: repo.migrations.applied }, 'database migrated');
    }
    fastify.decorate('repo', repo);
    fastify.addHook('onClose', async () => {
      await repo.close();
    });
  },
  { name: 'linli-storage', dependencies: ['linli-config'] },
);

export default storagePlugin;
