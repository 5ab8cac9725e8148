import type { Migration } from '../migrate.js';

/**
 * Issue 13, account lifecycle: an admin account can be disabled (login refused, sessions ended) and enabled
 * again (NULL = active); an admin's reset sets must_change_password until the user picks its own. Kept in step with storage/pg/migrations/0014-account-lifecycle.ts.
 */
export const migration0014: Migration = {
  version: 14,
  name: 'account-lifecycle',
  sql: `
ALTER TABLE admins ADD COLUMN disabled_at INTEGER;
ALTER TABLE admins ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
`,
};
