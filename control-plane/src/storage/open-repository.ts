import type { ControlPlaneConfig } from '../config.js';
import { redact } from './pg/pg-database.js';
import { PgRepository } from './pg/pg-repository.js';
import type { Repository } from './repository.js';
import { SqliteRepository } from './sqlite/sqlite-repository.js';

export interface OpenedRepository {
  repo: Repository;
  /** What to log: the engine, where (a PostgreSQL URL without its password), migrations just applied. */
  summary: { engine: string; at: string; applied: number[] };
}

/**
 * The one place the store is chosen: PostgreSQL when `pg` (--pg / LINLI_PG_URL) is set, else the embedded
 * SQLite file in dataDir. Both are migrated on open.
 */
export async function openRepository(
  config: Pick<ControlPlaneConfig, 'dataDir' | 'pg' | 'pgSchema'>,
): Promise<OpenedRepository> {
  if (config.pg) {
    const repo = await PgRepository.open({ url: config.pg, schema: config.pgSchema });
    return {
      repo,
      summary: {
        engine: repo.engine,
        at: `${redact(config.pg)} schema ${config.pgSchema}`,
        applied: repo.migrations.applied,
      },
    };
  }
  const repo = SqliteRepository.open(config.dataDir);
  return { repo, summary: { engine: repo.engine, at: config.dataDir, applied: repo.migrations.applied } };
}
