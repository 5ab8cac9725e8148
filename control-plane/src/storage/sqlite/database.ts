import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';

export const DB_FILE = 'linli.sqlite';

/**
 * Opens the control plane's database with the settings money needs: WAL so readers never block the writer,
 * synchronous=FULL so a committed payment step survives power loss, and enforced foreign keys.
 */
export function openDatabase(dataDir: string): Database {
  return openDatabaseFile(join(dataDir, DB_FILE), 'dataDir');
}

/** The same settings for a database at `file`; `field` is the config field a failure names. */
export function openDatabaseFile(file: string, field: string): Database {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `cannot create ${field} ${dir}: ${(cause as Error).message}`,
      { field },
      { cause },
    );
  }
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (cause) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `cannot open the database ${file}: ${(cause as Error).message}`,
      { field },
      { cause },
    );
  }
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Another process (e.g. `--reset-admin-password` beside a running server) waits instead of failing.
  db.pragma('busy_timeout = 5000');
  return db;
}
