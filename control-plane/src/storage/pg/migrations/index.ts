import type { Migration } from '../../sqlite/migrate.js';
import { pgMigration0001 } from './0001-initial.js';
import { pgMigration0002 } from './0002-signage.js';
import { pgMigration0003 } from './0003-payments.js';
import { pgMigration0004 } from './0004-services.js';
import { pgMigration0005 } from './0005-admin-idempotency.js';
import { pgMigration0006 } from './0006-sim-ledgers-out.js';
import { pgMigration0007 } from './0007-cluster.js';
import { pgMigration0008 } from './0008-device-config.js';
import { pgMigration0009 } from './0009-commands.js';
import { pgMigration0010 } from './0010-health-alerts.js';
import { pgMigration0011 } from './0011-webhooks.js';
import { pgMigration0012 } from './0012-device-sessions.js';
import { pgMigration0013 } from './0013-token-tags.js';

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
  pgMigration0008,
  pgMigration0009,
  pgMigration0010,
  pgMigration0011,
  pgMigration0012,
  pgMigration0013,
];
