import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of storage/sqlite/migrations/0014-account-lifecycle.ts (same version and name). */
export const pgMigration0014: Migration = {
  version: 14,
  name: 'account-lifecycle',
  sql: `
ALTER TABLE admins ADD COLUMN disabled_at BIGINT;
ALTER TABLE admins ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
`,
};
