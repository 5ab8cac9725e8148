import type { Migration } from '../../sqlite/migrate.js';
import { pgMigration0001 } from './0001-initial.js';
import { pgMigration0002 } from './0002-signage.js';
import { pgMigration0003 } from './0003-payments.js';
import { pgMigration0004 } from './0004-services.js';
import { pgMigration0005 } from './0005-admin-idempotency.js';
import { pgMigration0006 } from './0006-sim-ledgers-out.js';
import { pgMigration0007 } from './0007-cluster.js';
import { pgMigration0012 } from './0012-device-sessions.js';

/**
 * The PostgreSQL migrations: the same versions and names as sqlite/migrations (pg-schema.test.ts checks the
 * lists and the resulting tables and columns). Append only, in step with SQLite: a new SQLite migration
 * gets its twin here under the same version and name.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  pgMigration0001,
  pgMigration0002,
  pgMigration0003,
  pgMigration0004,
  pgMigration0005,
  pgMigration0006,
  pgMigration0007,
  // PLACEHOLDERS (branch h/console-devices only): 8–11 belong to other issue-12 workstreams; migrate() needs
  // contiguous versions. At merge, replace these four lines with their real migrations.
  { version: 8, name: 'device-config', sql: 'SELECT 1;' },
  { version: 9, name: 'commands', sql: 'SELECT 1;' },
  { version: 10, name: 'health-alerts', sql: 'SELECT 1;' },
  { version: 11, name: 'webhooks', sql: 'SELECT 1;' },
  pgMigration0012,
];
