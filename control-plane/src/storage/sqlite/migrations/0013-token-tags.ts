import type { Migration } from '../migrate.js';

/**
 * Issue 13, enrollment tokens listed per subtree: the list reads tokens by node (newest first) and each
 * token's last use (the newest device enrolled with it). Tags were stored with the token since 0001; this adds
 * only the two indexes that keep the list cheap. Kept in step with storage/pg/migrations/0013-token-tags.ts.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'token-tags',
  sql: `
CREATE INDEX enrollment_tokens_node ON enrollment_tokens (node_id, created_at);
CREATE INDEX devices_token ON devices (token_id, enrolled_at);
`,
};
