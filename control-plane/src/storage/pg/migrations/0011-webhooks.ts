import type { Migration } from '../../sqlite/migrate.js';

/**
 * Issue 12, webhooks out: endpoints an admin registers on a node (the signing secret sealed with the control
 * plane's secret box, never in clear) and the durable outbox of deliveries, one row per (endpoint, event),
 * with its attempts, next attempt time and a lease so two instances never send the same attempt at once.
 * PostgreSQL twin of sqlite/migrations/0011-webhooks.ts (same columns; integers are BIGINT where they hold ms).
 */
export const pgMigration0011: Migration = {
  version: 11,
  name: 'webhooks',
  sql: `
CREATE TABLE webhook_endpoints (
  id               TEXT PRIMARY KEY,
  node_id          TEXT NOT NULL REFERENCES nodes(id),
  url              TEXT NOT NULL,
  secret_sealed    TEXT NOT NULL,
  events           TEXT NOT NULL,
  description      TEXT NOT NULL,
  enabled          INTEGER NOT NULL,
  disabled_reason  TEXT,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_node ON webhook_endpoints (node_id);
CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id         TEXT NOT NULL,
  event_type       TEXT NOT NULL,
  body             TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending','delivered','failed')),
  attempts         INTEGER NOT NULL,
  next_attempt_at  BIGINT NOT NULL,
  lease_owner      TEXT,
  lease_until      BIGINT,
  last_status      INTEGER,
  last_error       TEXT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  delivered_at     BIGINT,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
`,
};
