import type { Migration } from '../migrate.js';

/**
 * Issue #10: `Idempotency-Key` on admin POSTs that create something. One row per (admin, key): the request's
 * hash, and once it succeeded the response to replay. A row without a status is a request in flight (or one
 * interrupted by a crash, whose outcome is unknown).
 */
export const migration0005: Migration = {
  version: 5,
  name: 'admin-idempotency',
  sql: `
CREATE TABLE admin_idempotency (
  admin_id      TEXT NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER,
  content_type  TEXT,
  body          BLOB,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (admin_id, key)
);
CREATE INDEX admin_idempotency_created ON admin_idempotency (created_at);
`,
};
