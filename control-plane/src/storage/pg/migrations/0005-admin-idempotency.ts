import type { Migration } from '../../sqlite/migrate.js';

/** PostgreSQL twin of sqlite/migrations/0005-admin-idempotency.ts: `Idempotency-Key` on admin POSTs. */
export const pgMigration0005: Migration = {
  version: 5,
  name: 'admin-idempotency',
  sql: `
CREATE TABLE admin_idempotency (
  admin_id      TEXT NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER,
  content_type  TEXT,
  body          BYTEA,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (admin_id, key)
);
CREATE INDEX admin_idempotency_created ON admin_idempotency (created_at);
`,
};
