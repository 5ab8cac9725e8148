import type { Migration } from '../../sqlite/migrate.js';

/** PLACEHOLDER on the `commands` branch only (see sqlite/migrations/0008-device-config.ts): take theirs at merge. */
export const pgMigration0008: Migration = {
  version: 8,
  name: 'device-config',
  sql: 'SELECT 1;',
};
