import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { Migration, MigrationReport } from '../sqlite/migrate.js';
import type { PgDatabase } from './pg-database.js';

/** Any fixed key: instances starting at once take turns, so a migration never runs twice. */
const MIGRATION_LOCK = 7_514_601;

/**
 * PostgreSQL twin of the SQLite migrator: the same versions and names (checked by a test), each applied in
 * its own transaction with its schema_migrations row, under an advisory lock held for the whole run.
 */
export async function migratePg(
  db: PgDatabase,
  migrations: readonly Migration[],
  now = Date.now(),
): Promise<MigrationReport> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order at ${m.version}-${m.name}`);
  });
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      applied_at  BIGINT NOT NULL
    )`);
    const done = (
      await client.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      )
    ).rows;
    const newest = done.at(-1)?.version ?? 0;
    if (newest > migrations.length) {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `the PostgreSQL schema ${db.schema} is at version ${newest}, newer than this Linli knows (${migrations.length}); run the newer Linli or restore a backup`,
        { field: 'pg', schemaVersion: newest },
      );
    }
    for (const row of done) {
      const m = migrations[row.version - 1];
      if (m?.name !== row.name) {
        throw new LinliError(
          ErrorCode.CONFIG_INVALID,
          `the PostgreSQL schema ${db.schema} records migration ${row.version}-${row.name} but this Linli has ${row.version}-${m?.name}; it belongs to another build`,
          { field: 'pg', schemaVersion: row.version },
        );
      }
    }
    const applied: number[] = [];
    for (const m of migrations.slice(newest)) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          now,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(m.version);
    }
    return { applied, current: migrations.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
