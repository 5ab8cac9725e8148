import type { Database } from 'better-sqlite3';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';

export interface Migration {
  /** 1, 2, 3…: contiguous, applied in order. */
  readonly version: number;
  /** Recorded with the version; a different name for an applied version means the code and data disagree. */
  readonly name: string;
  readonly sql: string;
}

export interface MigrationReport {
  applied: number[];
  current: number;
}

/**
 * Applies the migrations the database has not seen, each in its own transaction together with its
 * schema_migrations row, so a crash leaves either the whole migration or none of it. Re-running is a no-op.
 */
export function migrate(db: Database, migrations: readonly Migration[], now = Date.now()): MigrationReport {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order at ${m.version}-${m.name}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const done = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
  }[];
  const newest = done.at(-1)?.version ?? 0;
  if (newest > migrations.length) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `the database in dataDir is at schema version ${newest}, newer than this Linli knows (${migrations.length}); run the newer Linli or restore a backup`,
      { field: 'dataDir', schemaVersion: newest },
    );
  }
  for (const row of done) {
    const m = migrations[row.version - 1];
    if (m?.name !== row.name) {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `the database records migration ${row.version}-${row.name} but this Linli has ${row.version}-${m?.name}; the data dir belongs to another build`,
        { field: 'dataDir', schemaVersion: row.version },
      );
    }
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations.slice(newest)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now);
    })();
    applied.push(m.version);
  }
  return { applied, current: migrations.length };
}
