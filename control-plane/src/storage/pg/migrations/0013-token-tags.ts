import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of storage/sqlite/migrations/0013-token-tags.ts (same version and name). */
export const pgMigration0013: Migration = {
  version: 13,
  name: 'token-tags',
  sql: `
CREATE INDEX enrollment_tokens_node ON enrollment_tokens (node_id, created_at);
CREATE INDEX devices_token ON devices (token_id, enrolled_at);
`,
};
