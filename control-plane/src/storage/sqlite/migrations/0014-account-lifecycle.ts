import type { Migration } from '../migrate.js';

/**
 * Issue 13, account lifecycle: an admin account can be disabled (login refused, sessions ended) and enabled
 * again. NULL = active. Kept in step with storage/pg/migrations/0014-account-lifecycle.ts.
 */
export const migration0014: Migration = {
  version: 14,
  name: 'account-lifecycle',
  sql: `
ALTER TABLE admins ADD COLUMN disabled_at INTEGER;
`,
};
